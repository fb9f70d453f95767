CREATE TABLE "host_group_members" (
	"group_id" uuid NOT NULL,
	"host_id" uuid NOT NULL,
	"added_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "host_group_members_group_id_host_id_pk" PRIMARY KEY("group_id","host_id")
);
--> statement-breakpoint
CREATE TABLE "host_groups" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "host_groups_name_check" CHECK (length("host_groups"."name") between 1 and 100)
);
--> statement-breakpoint
CREATE TABLE "user_group_members" (
	"group_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"added_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "user_group_members_user_id_group_id_pk" PRIMARY KEY("user_id","group_id")
);
--> statement-breakpoint
ALTER TABLE "host_group_members" ADD CONSTRAINT "host_group_members_group_id_host_groups_id_fk" FOREIGN KEY ("group_id") REFERENCES "public"."host_groups"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "host_group_members" ADD CONSTRAINT "host_group_members_host_id_hosts_id_fk" FOREIGN KEY ("host_id") REFERENCES "public"."hosts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "user_group_members" ADD CONSTRAINT "user_group_members_group_id_host_groups_id_fk" FOREIGN KEY ("group_id") REFERENCES "public"."host_groups"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "user_group_members" ADD CONSTRAINT "user_group_members_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "host_group_members_host_idx" ON "host_group_members" USING btree ("host_id","group_id");--> statement-breakpoint
CREATE UNIQUE INDEX "host_groups_name_idx" ON "host_groups" USING btree (lower("name"));--> statement-breakpoint
CREATE INDEX "user_group_members_group_idx" ON "user_group_members" USING btree ("group_id","user_id");