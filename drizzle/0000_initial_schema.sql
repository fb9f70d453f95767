CREATE TABLE "certificates" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"host_id" uuid NOT NULL,
	"serial" text NOT NULL,
	"fingerprint" text NOT NULL,
	"not_before" timestamp with time zone NOT NULL,
	"not_after" timestamp with time zone NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"revoked_at" timestamp with time zone,
	"revocation_reason" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "certificates_status_check" CHECK ("certificates"."status" in ('active', 'revoked', 'superseded'))
);
--> statement-breakpoint
CREATE TABLE "enrollment_tokens" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"token_hash" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"max_uses" integer DEFAULT 1 NOT NULL,
	"uses" integer DEFAULT 0 NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" text NOT NULL,
	"revoked_at" timestamp with time zone,
	"last_used_at" timestamp with time zone,
	CONSTRAINT "enrollment_tokens_uses_check" CHECK ("enrollment_tokens"."uses" >= 0 and "enrollment_tokens"."uses" <= "enrollment_tokens"."max_uses")
);
--> statement-breakpoint
CREATE TABLE "host_packages" (
	"host_id" uuid NOT NULL,
	"name" text NOT NULL,
	"arch" text NOT NULL,
	"version" text NOT NULL,
	"source" text DEFAULT '' NOT NULL,
	"state" text NOT NULL,
	"held" boolean DEFAULT false NOT NULL,
	"broken" boolean DEFAULT false NOT NULL,
	CONSTRAINT "host_packages_host_id_name_arch_pk" PRIMARY KEY("host_id","name","arch")
);
--> statement-breakpoint
CREATE TABLE "host_updates" (
	"host_id" uuid NOT NULL,
	"name" text NOT NULL,
	"arch" text NOT NULL,
	"installed" text,
	"candidate" text NOT NULL,
	"repository" text DEFAULT '' NOT NULL,
	"security" boolean DEFAULT false NOT NULL,
	"held" boolean DEFAULT false NOT NULL,
	"phased" boolean DEFAULT false NOT NULL,
	"advisories" text[] DEFAULT '{}'::text[] NOT NULL,
	"first_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "host_updates_host_id_name_arch_pk" PRIMARY KEY("host_id","name","arch")
);
--> statement-breakpoint
CREATE TABLE "hosts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"hostname" text NOT NULL,
	"os_id" text DEFAULT '' NOT NULL,
	"os_name" text DEFAULT '' NOT NULL,
	"os_version" text DEFAULT '' NOT NULL,
	"os_codename" text DEFAULT '' NOT NULL,
	"kernel_running" text DEFAULT '' NOT NULL,
	"kernel_newest" text,
	"architecture" text DEFAULT '' NOT NULL,
	"uptime_seconds" bigint DEFAULT 0 NOT NULL,
	"ip_addresses" text[] DEFAULT '{}'::text[] NOT NULL,
	"agent_version" text DEFAULT '' NOT NULL,
	"package_manager" text DEFAULT '' NOT NULL,
	"reboot_required" text DEFAULT 'unknown' NOT NULL,
	"reboot_reason" text DEFAULT '' NOT NULL,
	"reboot_packages" text[] DEFAULT '{}'::text[] NOT NULL,
	"installed_count" integer DEFAULT 0 NOT NULL,
	"pending_count" integer DEFAULT 0 NOT NULL,
	"security_count" integer DEFAULT 0 NOT NULL,
	"held_count" integer DEFAULT 0 NOT NULL,
	"facts_hash" text,
	"packages_hash" text,
	"updates_hash" text,
	"reboot_hash" text,
	"status" text DEFAULT 'pending' NOT NULL,
	"last_seen_at" timestamp with time zone,
	"inventory_at" timestamp with time zone,
	"connected_at" timestamp with time zone,
	"enrolled_at" timestamp with time zone DEFAULT now() NOT NULL,
	"removed_at" timestamp with time zone,
	CONSTRAINT "hosts_reboot_required_check" CHECK ("hosts"."reboot_required" in ('yes', 'no', 'unknown')),
	CONSTRAINT "hosts_status_check" CHECK ("hosts"."status" in ('pending', 'online', 'offline'))
);
--> statement-breakpoint
CREATE TABLE "job_hosts" (
	"job_id" uuid NOT NULL,
	"host_id" uuid NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"exit_code" integer,
	"failure_cause" text,
	"failure_message" text,
	"changes" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"reboot_required" text,
	"sent_at" timestamp with time zone,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"duration_ms" integer,
	CONSTRAINT "job_hosts_job_id_host_id_pk" PRIMARY KEY("job_id","host_id"),
	CONSTRAINT "job_hosts_status_check" CHECK ("job_hosts"."status" in ('pending', 'sent', 'running', 'succeeded', 'failed', 'timed-out', 'cancelled'))
);
--> statement-breakpoint
CREATE TABLE "job_output" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "job_output_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"job_id" uuid NOT NULL,
	"host_id" uuid NOT NULL,
	"seq" integer NOT NULL,
	"stream" text NOT NULL,
	"line" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "jobs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"action" text NOT NULL,
	"packages" text[] DEFAULT '{}'::text[] NOT NULL,
	"dry_run" boolean DEFAULT false NOT NULL,
	"status" text DEFAULT 'queued' NOT NULL,
	"timeout_seconds" integer NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"deadline_at" timestamp with time zone NOT NULL,
	CONSTRAINT "jobs_status_check" CHECK ("jobs"."status" in ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
	CONSTRAINT "jobs_action_check" CHECK ("jobs"."action" in ('refresh', 'upgrade-all', 'security', 'packages', 'dist-upgrade'))
);
--> statement-breakpoint
CREATE TABLE "settings" (
	"key" text PRIMARY KEY NOT NULL,
	"value" jsonb NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "certificates" ADD CONSTRAINT "certificates_host_id_hosts_id_fk" FOREIGN KEY ("host_id") REFERENCES "public"."hosts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "host_packages" ADD CONSTRAINT "host_packages_host_id_hosts_id_fk" FOREIGN KEY ("host_id") REFERENCES "public"."hosts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "host_updates" ADD CONSTRAINT "host_updates_host_id_hosts_id_fk" FOREIGN KEY ("host_id") REFERENCES "public"."hosts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "job_hosts" ADD CONSTRAINT "job_hosts_job_id_jobs_id_fk" FOREIGN KEY ("job_id") REFERENCES "public"."jobs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "job_hosts" ADD CONSTRAINT "job_hosts_host_id_hosts_id_fk" FOREIGN KEY ("host_id") REFERENCES "public"."hosts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "job_output" ADD CONSTRAINT "job_output_job_id_jobs_id_fk" FOREIGN KEY ("job_id") REFERENCES "public"."jobs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "certificates_serial_idx" ON "certificates" USING btree ("serial");--> statement-breakpoint
CREATE UNIQUE INDEX "certificates_fingerprint_idx" ON "certificates" USING btree ("fingerprint");--> statement-breakpoint
CREATE INDEX "certificates_host_idx" ON "certificates" USING btree ("host_id");--> statement-breakpoint
CREATE UNIQUE INDEX "enrollment_tokens_hash_idx" ON "enrollment_tokens" USING btree ("token_hash");--> statement-breakpoint
CREATE INDEX "enrollment_tokens_created_idx" ON "enrollment_tokens" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "host_updates_security_idx" ON "host_updates" USING btree ("host_id","security");--> statement-breakpoint
CREATE INDEX "hosts_hostname_idx" ON "hosts" USING btree ("hostname");--> statement-breakpoint
CREATE INDEX "hosts_last_seen_idx" ON "hosts" USING btree ("last_seen_at");--> statement-breakpoint
CREATE INDEX "hosts_status_idx" ON "hosts" USING btree ("status");--> statement-breakpoint
CREATE INDEX "hosts_security_idx" ON "hosts" USING btree ("security_count");--> statement-breakpoint
CREATE INDEX "hosts_pending_idx" ON "hosts" USING btree ("pending_count");--> statement-breakpoint
CREATE INDEX "job_hosts_host_idx" ON "job_hosts" USING btree ("host_id","status");--> statement-breakpoint
CREATE INDEX "job_hosts_status_idx" ON "job_hosts" USING btree ("status");--> statement-breakpoint
CREATE INDEX "job_output_job_idx" ON "job_output" USING btree ("job_id","id");--> statement-breakpoint
CREATE UNIQUE INDEX "job_output_host_seq_idx" ON "job_output" USING btree ("job_id","host_id","seq");--> statement-breakpoint
CREATE INDEX "jobs_created_idx" ON "jobs" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "jobs_status_idx" ON "jobs" USING btree ("status");