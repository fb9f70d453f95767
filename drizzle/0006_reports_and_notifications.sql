CREATE TABLE "compliance_snapshots" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "compliance_snapshots_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"snapshot_date" date NOT NULL,
	"taken_at" timestamp with time zone DEFAULT now() NOT NULL,
	"scope" text NOT NULL,
	"os_name" text DEFAULT '' NOT NULL,
	"os_version" text DEFAULT '' NOT NULL,
	"hosts" integer NOT NULL,
	"up_to_date" integer NOT NULL,
	"behind" integer NOT NULL,
	"with_security" integer NOT NULL,
	"offline" integer NOT NULL,
	"awaiting_inventory" integer NOT NULL,
	"reboot_pending" integer NOT NULL,
	CONSTRAINT "compliance_snapshots_scope_check" CHECK ("compliance_snapshots"."scope" in ('overall', 'os'))
);
--> statement-breakpoint
CREATE TABLE "notification_log" (
	"kind" text NOT NULL,
	"subject" text NOT NULL,
	"last_sent_at" timestamp with time zone NOT NULL,
	"suppressed" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	CONSTRAINT "notification_log_kind_subject_pk" PRIMARY KEY("kind","subject")
);
--> statement-breakpoint
CREATE UNIQUE INDEX "compliance_snapshots_day_idx" ON "compliance_snapshots" USING btree ("snapshot_date","scope","os_name","os_version");--> statement-breakpoint
CREATE INDEX "host_updates_security_age_idx" ON "host_updates" USING btree ("first_seen_at","host_id") WHERE "host_updates"."security";--> statement-breakpoint
CREATE INDEX "jobs_finished_idx" ON "jobs" USING btree ("finished_at");