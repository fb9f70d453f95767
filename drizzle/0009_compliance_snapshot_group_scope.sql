ALTER TABLE "compliance_snapshots" DROP CONSTRAINT "compliance_snapshots_scope_check";--> statement-breakpoint
DROP INDEX "compliance_snapshots_day_idx";--> statement-breakpoint
ALTER TABLE "compliance_snapshots" ADD COLUMN "group_id" uuid;--> statement-breakpoint
ALTER TABLE "compliance_snapshots" ADD COLUMN "group_name" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "compliance_snapshots" ADD CONSTRAINT "compliance_snapshots_group_id_host_groups_id_fk" FOREIGN KEY ("group_id") REFERENCES "public"."host_groups"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "compliance_snapshots_group_day_idx" ON "compliance_snapshots" USING btree ("snapshot_date","group_id") WHERE "compliance_snapshots"."scope" = 'group';--> statement-breakpoint
CREATE INDEX "compliance_snapshots_group_idx" ON "compliance_snapshots" USING btree ("group_id");--> statement-breakpoint
CREATE UNIQUE INDEX "compliance_snapshots_day_idx" ON "compliance_snapshots" USING btree ("snapshot_date","scope","os_name","os_version") WHERE "compliance_snapshots"."scope" <> 'group';--> statement-breakpoint
ALTER TABLE "compliance_snapshots" ADD CONSTRAINT "compliance_snapshots_group_check" CHECK (("compliance_snapshots"."scope" = 'group') = ("compliance_snapshots"."group_id" is not null));--> statement-breakpoint
ALTER TABLE "compliance_snapshots" ADD CONSTRAINT "compliance_snapshots_scope_check" CHECK ("compliance_snapshots"."scope" in ('overall', 'os', 'group'));