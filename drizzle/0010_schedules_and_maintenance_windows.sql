CREATE TABLE "maintenance_windows" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"group_id" uuid NOT NULL,
	"days_of_week" integer[] NOT NULL,
	"start_minute" integer NOT NULL,
	"duration_minutes" integer NOT NULL,
	"time_zone" text NOT NULL,
	"position" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "maintenance_windows_start_check" CHECK ("maintenance_windows"."start_minute" between 0 and 1439),
	CONSTRAINT "maintenance_windows_duration_check" CHECK ("maintenance_windows"."duration_minutes" between 1 and 10080),
	CONSTRAINT "maintenance_windows_days_check" CHECK (cardinality("maintenance_windows"."days_of_week") between 1 and 7 and "maintenance_windows"."days_of_week" <@ array[0, 1, 2, 3, 4, 5, 6])
);
--> statement-breakpoint
CREATE TABLE "schedule_runs" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "schedule_runs_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"schedule_id" uuid NOT NULL,
	"scheduled_for" timestamp with time zone NOT NULL,
	"fired_at" timestamp with time zone NOT NULL,
	"job_id" uuid,
	"status" text NOT NULL,
	"reason" text,
	CONSTRAINT "schedule_runs_status_check" CHECK ("schedule_runs"."status" in ('fired', 'missed', 'failed'))
);
--> statement-breakpoint
CREATE TABLE "schedules" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"kind" text NOT NULL,
	"run_at" timestamp with time zone,
	"cron_expression" text,
	"time_zone" text NOT NULL,
	"job_template" jsonb NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"next_run_at" timestamp with time zone,
	"last_run_at" timestamp with time zone,
	"last_run_status" text,
	"owner_user_id" uuid,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "schedules_kind_check" CHECK ("schedules"."kind" in ('once', 'recurring')),
	CONSTRAINT "schedules_timing_check" CHECK (("schedules"."kind" = 'once' and "schedules"."run_at" is not null and "schedules"."cron_expression" is null)
        or ("schedules"."kind" = 'recurring' and "schedules"."cron_expression" is not null and "schedules"."run_at" is null)),
	CONSTRAINT "schedules_name_check" CHECK (length("schedules"."name") between 1 and 100),
	CONSTRAINT "schedules_last_run_status_check" CHECK ("schedules"."last_run_status" in ('fired', 'missed', 'failed'))
);
--> statement-breakpoint
ALTER TABLE "maintenance_windows" ADD CONSTRAINT "maintenance_windows_group_id_host_groups_id_fk" FOREIGN KEY ("group_id") REFERENCES "public"."host_groups"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "schedule_runs" ADD CONSTRAINT "schedule_runs_schedule_id_schedules_id_fk" FOREIGN KEY ("schedule_id") REFERENCES "public"."schedules"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "schedule_runs" ADD CONSTRAINT "schedule_runs_job_id_jobs_id_fk" FOREIGN KEY ("job_id") REFERENCES "public"."jobs"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "schedules" ADD CONSTRAINT "schedules_owner_user_id_users_id_fk" FOREIGN KEY ("owner_user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "maintenance_windows_group_idx" ON "maintenance_windows" USING btree ("group_id","position");--> statement-breakpoint
CREATE UNIQUE INDEX "schedule_runs_occurrence_idx" ON "schedule_runs" USING btree ("schedule_id","scheduled_for");--> statement-breakpoint
CREATE INDEX "schedule_runs_fired_idx" ON "schedule_runs" USING btree ("fired_at");--> statement-breakpoint
CREATE INDEX "schedules_next_run_idx" ON "schedules" USING btree ("next_run_at") WHERE "schedules"."enabled";--> statement-breakpoint
CREATE INDEX "schedules_name_idx" ON "schedules" USING btree ("name");