CREATE TABLE "sso_login_flows" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"binding_hash" text NOT NULL,
	"state" text NOT NULL,
	"nonce" text NOT NULL,
	"code_verifier" text NOT NULL,
	"return_to" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"consumed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "user_external_identities" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"issuer" text NOT NULL,
	"subject" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_login_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "user_external_identities" ADD CONSTRAINT "user_external_identities_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "sso_login_flows_binding_idx" ON "sso_login_flows" USING btree ("binding_hash");--> statement-breakpoint
CREATE INDEX "sso_login_flows_expires_idx" ON "sso_login_flows" USING btree ("expires_at");--> statement-breakpoint
CREATE UNIQUE INDEX "user_external_identities_subject_idx" ON "user_external_identities" USING btree ("issuer","subject");--> statement-breakpoint
CREATE INDEX "user_external_identities_user_idx" ON "user_external_identities" USING btree ("user_id");