ALTER TABLE "enrollment_tokens" ADD COLUMN "host_id" uuid;--> statement-breakpoint
ALTER TABLE "enrollment_tokens" ADD COLUMN "group_id" uuid;--> statement-breakpoint
ALTER TABLE "enrollment_tokens" ADD CONSTRAINT "enrollment_tokens_host_id_hosts_id_fk" FOREIGN KEY ("host_id") REFERENCES "public"."hosts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "enrollment_tokens" ADD CONSTRAINT "enrollment_tokens_group_id_host_groups_id_fk" FOREIGN KEY ("group_id") REFERENCES "public"."host_groups"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "enrollment_tokens_host_idx" ON "enrollment_tokens" USING btree ("host_id");--> statement-breakpoint
CREATE INDEX "enrollment_tokens_group_idx" ON "enrollment_tokens" USING btree ("group_id");