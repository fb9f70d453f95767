CREATE TABLE "certificate_revocation_lists" (
	"number" bigint PRIMARY KEY NOT NULL,
	"this_update" timestamp with time zone NOT NULL,
	"next_update" timestamp with time zone NOT NULL,
	"revoked_digest" text NOT NULL,
	"der_base64" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "certificates" ADD COLUMN "pem" text;