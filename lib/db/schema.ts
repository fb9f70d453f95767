import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { hostGroups } from './schema-groups';

const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();

/** An enrolled host. The counters are maintained by inventory ingest so lists never aggregate packages. */
export const hosts = pgTable(
  'hosts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    hostname: text('hostname').notNull(),
    osId: text('os_id').notNull().default(''),
    osName: text('os_name').notNull().default(''),
    osVersion: text('os_version').notNull().default(''),
    osCodename: text('os_codename').notNull().default(''),
    kernelRunning: text('kernel_running').notNull().default(''),
    kernelNewest: text('kernel_newest'),
    architecture: text('architecture').notNull().default(''),
    uptimeSeconds: bigint('uptime_seconds', { mode: 'number' }).notNull().default(0),
    ipAddresses: text('ip_addresses').array().notNull().default(sql`'{}'::text[]`),
    agentVersion: text('agent_version').notNull().default(''),
    packageManager: text('package_manager').notNull().default(''),
    rebootRequired: text('reboot_required').notNull().default('unknown'),
    rebootReason: text('reboot_reason').notNull().default(''),
    rebootPackages: text('reboot_packages').array().notNull().default(sql`'{}'::text[]`),
    installedCount: integer('installed_count').notNull().default(0),
    pendingCount: integer('pending_count').notNull().default(0),
    securityCount: integer('security_count').notNull().default(0),
    heldCount: integer('held_count').notNull().default(0),
    factsHash: text('facts_hash'),
    packagesHash: text('packages_hash'),
    updatesHash: text('updates_hash'),
    rebootHash: text('reboot_hash'),
    /** Kernel boot id the agent reported on its latest connection; a new value means the host rebooted. */
    bootId: text('boot_id'),
    status: text('status').notNull().default('pending'),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true }),
    inventoryAt: timestamp('inventory_at', { withTimezone: true }),
    connectedAt: timestamp('connected_at', { withTimezone: true }),
    enrolledAt: timestamp('enrolled_at', { withTimezone: true }).notNull().defaultNow(),
    removedAt: timestamp('removed_at', { withTimezone: true }),
  },
  (t) => [
    index('hosts_hostname_idx').on(t.hostname),
    index('hosts_last_seen_idx').on(t.lastSeenAt),
    index('hosts_status_idx').on(t.status),
    index('hosts_security_idx').on(t.securityCount),
    index('hosts_pending_idx').on(t.pendingCount),
    check('hosts_reboot_required_check', sql`${t.rebootRequired} in ('yes', 'no', 'unknown')`),
    check('hosts_status_check', sql`${t.status} in ('pending', 'online', 'offline')`),
  ],
);

/** Installed packages per host, replaced section by section when the agent's hash changes. */
export const hostPackages = pgTable(
  'host_packages',
  {
    hostId: uuid('host_id')
      .notNull()
      .references(() => hosts.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    arch: text('arch').notNull(),
    version: text('version').notNull(),
    source: text('source').notNull().default(''),
    state: text('state').notNull(),
    held: boolean('held').notNull().default(false),
    broken: boolean('broken').notNull().default(false),
  },
  (t) => [primaryKey({ columns: [t.hostId, t.name, t.arch] })],
);

/** Pending updates per host; first_seen_at survives re-ingest so updates can be aged. */
export const hostUpdates = pgTable(
  'host_updates',
  {
    hostId: uuid('host_id')
      .notNull()
      .references(() => hosts.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    arch: text('arch').notNull(),
    installed: text('installed'),
    candidate: text('candidate').notNull(),
    repository: text('repository').notNull().default(''),
    security: boolean('security').notNull().default(false),
    held: boolean('held').notNull().default(false),
    phased: boolean('phased').notNull().default(false),
    advisories: text('advisories').array().notNull().default(sql`'{}'::text[]`),
    firstSeenAt: timestamp('first_seen_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.hostId, t.name, t.arch] }),
    index('host_updates_security_idx').on(t.hostId, t.security),
    // Security updates by age and each host's oldest one, read from the index alone.
    index('host_updates_security_age_idx').on(t.firstSeenAt, t.hostId).where(sql`${t.security}`),
  ],
);

/** Enrollment tokens; only the SHA-256 of the token is stored. */
export const enrollmentTokens = pgTable(
  'enrollment_tokens',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tokenHash: text('token_hash').notNull(),
    description: text('description').notNull().default(''),
    maxUses: integer('max_uses').notNull().default(1),
    uses: integer('uses').notNull().default(0),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    createdAt: createdAt(),
    createdBy: text('created_by').notNull(),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
    /** A re-enrollment token: enrolling with it gives this host a new certificate instead of creating a host. */
    hostId: uuid('host_id').references(() => hosts.id, { onDelete: 'cascade' }),
    /** Hosts enrolled with the token join this group; deleting the group drops the binding. */
    groupId: uuid('group_id').references(() => hostGroups.id, { onDelete: 'set null' }),
  },
  (t) => [
    uniqueIndex('enrollment_tokens_hash_idx').on(t.tokenHash),
    index('enrollment_tokens_created_idx').on(t.createdAt),
    index('enrollment_tokens_host_idx').on(t.hostId),
    index('enrollment_tokens_group_idx').on(t.groupId),
    check('enrollment_tokens_uses_check', sql`${t.uses} >= 0 and ${t.uses} <= ${t.maxUses}`),
  ],
);

/** Host certificates issued by the internal CA. */
export const certificates = pgTable(
  'certificates',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    hostId: uuid('host_id')
      .notNull()
      .references(() => hosts.id, { onDelete: 'cascade' }),
    serial: text('serial').notNull(),
    fingerprint: text('fingerprint').notNull(),
    notBefore: timestamp('not_before', { withTimezone: true }).notNull(),
    notAfter: timestamp('not_after', { withTimezone: true }).notNull(),
    status: text('status').notNull().default('active'),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    revocationReason: text('revocation_reason'),
    /** The issued certificate as PEM, for the download bundle; null for rows stored before it was kept. */
    pem: text('pem'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('certificates_serial_idx').on(t.serial),
    uniqueIndex('certificates_fingerprint_idx').on(t.fingerprint),
    index('certificates_host_idx').on(t.hostId),
    // The Certificates page lists newest first, one page at a time.
    index('certificates_created_idx').on(t.createdAt),
    check('certificates_status_check', sql`${t.status} in ('active', 'revoked', 'superseded')`),
  ],
);

/** A patch job over one or more hosts. */
export const jobs = pgTable(
  'jobs',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    action: text('action').notNull(),
    packages: text('packages').array().notNull().default(sql`'{}'::text[]`),
    dryRun: boolean('dry_run').notNull().default(false),
    status: text('status').notNull().default('queued'),
    timeoutSeconds: integer('timeout_seconds').notNull(),
    createdBy: text('created_by').notNull(),
    createdAt: createdAt(),
    startedAt: timestamp('started_at', { withTimezone: true }),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
    deadlineAt: timestamp('deadline_at', { withTimezone: true }).notNull(),
    /** Scope the hosts were chosen by (host ids, group ids or a filter), kept for the record. The hosts are fixed at creation. */
    scope: jsonb('scope').notNull().default(sql`'{}'::jsonb`),
    rebootPolicy: text('reboot_policy').notNull().default('never'),
    /** Seconds a rebooting host has to reconnect with a new boot id before it fails with reboot-timeout. */
    rebootTimeoutSeconds: integer('reboot_timeout_seconds').notNull().default(900),
    /** Hosts released at once at most; null releases every host of the current wave. */
    maxParallel: integer('max_parallel'),
    /** The job stops starting hosts once this many have failed; null for no count limit. */
    failureLimitCount: integer('failure_limit_count'),
    /** The job stops starting hosts once this percentage of its hosts have failed; null for no percentage limit. */
    failureLimitPercent: integer('failure_limit_percent'),
    /** The canary wave as requested: a host count or a percentage of the job's hosts. */
    canarySize: integer('canary_size'),
    canaryPercent: integer('canary_percent'),
    preCommandId: uuid('pre_command_id'),
    postCommandId: uuid('post_command_id'),
    /** Name, argv and timeout of the pre and post commands as they were when the job was created. */
    commands: jsonb('commands').notNull().default(sql`'{}'::jsonb`),
    /** Why the job stopped starting hosts: threshold-exceeded or cancelled; null while it may go on. */
    stopReason: text('stop_reason'),
  },
  (t) => [
    index('jobs_created_idx').on(t.createdAt),
    index('jobs_finished_idx').on(t.finishedAt),
    index('jobs_status_idx').on(t.status),
    check('jobs_status_check', sql`${t.status} in ('queued', 'running', 'succeeded', 'failed', 'cancelled')`),
    check(
      'jobs_action_check',
      sql`${t.action} in ('refresh', 'upgrade-all', 'security', 'packages', 'dist-upgrade')`,
    ),
    check('jobs_reboot_policy_check', sql`${t.rebootPolicy} in ('never', 'if-required', 'always')`),
    check('jobs_stop_reason_check', sql`${t.stopReason} in ('threshold-exceeded', 'cancelled')`),
  ],
);

/** One host's part of a job and its stored result. */
export const jobHosts = pgTable(
  'job_hosts',
  {
    jobId: uuid('job_id')
      .notNull()
      .references(() => jobs.id, { onDelete: 'cascade' }),
    hostId: uuid('host_id')
      .notNull()
      .references(() => hosts.id, { onDelete: 'cascade' }),
    status: text('status').notNull().default('pending'),
    exitCode: integer('exit_code'),
    failureCause: text('failure_cause'),
    failureMessage: text('failure_message'),
    changes: jsonb('changes').notNull().default(sql`'[]'::jsonb`),
    rebootRequired: text('reboot_required'),
    sentAt: timestamp('sent_at', { withTimezone: true }),
    startedAt: timestamp('started_at', { withTimezone: true }),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
    durationMs: integer('duration_ms'),
    /** 1 for the canary wave, 2 for the rest. */
    wave: integer('wave').notNull().default(1),
    /** Boot id the agent reported when it started the reboot. */
    rebootBootId: text('reboot_boot_id'),
    rebootStartedAt: timestamp('reboot_started_at', { withTimezone: true }),
    /** When the agent came back with a new boot id after the job's reboot. */
    rebootedAt: timestamp('rebooted_at', { withTimezone: true }),
  },
  (t) => [
    primaryKey({ columns: [t.jobId, t.hostId] }),
    index('job_hosts_host_idx').on(t.hostId, t.status),
    index('job_hosts_status_idx').on(t.status),
    // The orchestrator's counts and lookups of one job's hosts by state and wave.
    index('job_hosts_job_status_idx').on(t.jobId, t.status, t.wave),
    check(
      'job_hosts_status_check',
      sql`${t.status} in ('held', 'pending', 'sent', 'running', 'rebooting', 'succeeded', 'failed', 'timed-out', 'cancelled', 'skipped')`,
    ),
  ],
);

/** Output lines of a job, per host, in arrival order. */
export const jobOutput = pgTable(
  'job_output',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    jobId: uuid('job_id')
      .notNull()
      .references(() => jobs.id, { onDelete: 'cascade' }),
    hostId: uuid('host_id').notNull(),
    seq: integer('seq').notNull(),
    stream: text('stream').notNull(),
    line: text('line').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    index('job_output_job_idx').on(t.jobId, t.id),
    uniqueIndex('job_output_host_seq_idx').on(t.jobId, t.hostId, t.seq),
  ],
);

/** Live settings shared by every process. */
export const settings = pgTable('settings', {
  key: text('key').primaryKey(),
  value: jsonb('value').notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});
export * from './schema-auth';
export * from './schema-audit';
export * from './schema-pki';
export * from './schema-reports';
export * from './schema-groups';
export * from './schema-schedules';
export * from './schema-sso';
export * from './schema-jobs';
