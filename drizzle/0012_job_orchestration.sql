CREATE TABLE "approved_commands" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"argv" text[] NOT NULL,
	"timeout_seconds" integer NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "approved_commands_argv_check" CHECK (cardinality("approved_commands"."argv") between 1 and 64),
	CONSTRAINT "approved_commands_timeout_check" CHECK ("approved_commands"."timeout_seconds" between 1 and 86400)
);
--> statement-breakpoint
ALTER TABLE "job_hosts" DROP CONSTRAINT "job_hosts_status_check";--> statement-breakpoint
ALTER TABLE "hosts" ADD COLUMN "boot_id" text;--> statement-breakpoint
ALTER TABLE "job_hosts" ADD COLUMN "wave" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "job_hosts" ADD COLUMN "reboot_boot_id" text;--> statement-breakpoint
ALTER TABLE "job_hosts" ADD COLUMN "reboot_started_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "job_hosts" ADD COLUMN "rebooted_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "jobs" ADD COLUMN "scope" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "jobs" ADD COLUMN "reboot_policy" text DEFAULT 'never' NOT NULL;--> statement-breakpoint
ALTER TABLE "jobs" ADD COLUMN "reboot_timeout_seconds" integer DEFAULT 900 NOT NULL;--> statement-breakpoint
ALTER TABLE "jobs" ADD COLUMN "max_parallel" integer;--> statement-breakpoint
ALTER TABLE "jobs" ADD COLUMN "failure_limit_count" integer;--> statement-breakpoint
ALTER TABLE "jobs" ADD COLUMN "failure_limit_percent" integer;--> statement-breakpoint
ALTER TABLE "jobs" ADD COLUMN "canary_size" integer;--> statement-breakpoint
ALTER TABLE "jobs" ADD COLUMN "canary_percent" integer;--> statement-breakpoint
ALTER TABLE "jobs" ADD COLUMN "pre_command_id" uuid;--> statement-breakpoint
ALTER TABLE "jobs" ADD COLUMN "post_command_id" uuid;--> statement-breakpoint
ALTER TABLE "jobs" ADD COLUMN "commands" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "jobs" ADD COLUMN "stop_reason" text;--> statement-breakpoint
CREATE UNIQUE INDEX "approved_commands_name_idx" ON "approved_commands" USING btree (lower("name"));--> statement-breakpoint
ALTER TABLE "job_hosts" ADD CONSTRAINT "job_hosts_status_check" CHECK ("job_hosts"."status" in ('held', 'pending', 'sent', 'running', 'rebooting', 'succeeded', 'failed', 'timed-out', 'cancelled', 'skipped'));--> statement-breakpoint
ALTER TABLE "jobs" ADD CONSTRAINT "jobs_reboot_policy_check" CHECK ("jobs"."reboot_policy" in ('never', 'if-required', 'always'));--> statement-breakpoint
ALTER TABLE "jobs" ADD CONSTRAINT "jobs_stop_reason_check" CHECK ("jobs"."stop_reason" in ('threshold-exceeded', 'cancelled'));