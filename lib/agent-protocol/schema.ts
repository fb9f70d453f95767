import { z } from 'zod';

/**
 * Wire schemas between the agent and the agent listener. The server parses
 * every agent message with these. A message that does not match is rejected
 * whole, with the reason recorded, and nothing of it is stored.
 */

const shortText = (max: number) => z.string().max(max);
const packageName = z.string().min(1).max(256);
const version = z.string().max(256);
const hash = z.string().regex(/^[0-9a-f]{64}$/, { error: 'expected a lowercase hex SHA-256' });

export const MAX_PACKAGES = 100_000;
export const MAX_UPDATES = 50_000;

export const hostFactsSchema = z
  .object({
    hostname: z.string().min(1).max(253).regex(/^[A-Za-z0-9._-]+$/, { error: 'expected letters, digits, dot, hyphen or underscore' }),
    osId: shortText(64),
    osName: shortText(128),
    osVersion: shortText(64),
    osCodename: shortText(64),
    kernelRunning: shortText(128),
    kernelNewest: shortText(128).nullable(),
    architecture: shortText(32),
    uptimeSeconds: z.number().int().min(0).max(10 * 365 * 86_400),
    ipAddresses: z.array(z.union([z.ipv4(), z.ipv6()])).max(256),
    agentVersion: shortText(64),
    packageManager: z.enum(['apt', 'dnf', 'yum', 'zypper', 'pacman']),
  })
  .strict();

export const installedPackageSchema = z
  .object({
    name: packageName,
    version,
    arch: shortText(32),
    source: shortText(256),
    state: z.enum(['installed', 'half-installed', 'unpacked', 'half-configured', 'triggers-awaited', 'triggers-pending']),
    held: z.boolean(),
    broken: z.boolean(),
  })
  .strict();

export const pendingUpdateSchema = z
  .object({
    name: packageName,
    arch: shortText(32),
    installed: version.nullable(),
    candidate: version,
    repository: shortText(512),
    security: z.boolean(),
    held: z.boolean(),
    phased: z.boolean(),
    advisories: z.array(shortText(64)).max(100),
  })
  .strict();

export const rebootStateSchema = z
  .object({
    required: z.enum(['yes', 'no', 'unknown']),
    reason: shortText(512),
    packages: z.array(packageName).max(1000),
  })
  .strict();

/**
 * One check-in. `hashes` always carries the hash of every section; a section's
 * body is present only when the agent's hash differs from what it last had
 * acknowledged, or when the server asked for it.
 */
export const inventoryReportSchema = z
  .object({
    hashes: z
      .object({ facts: hash, packages: hash, updates: hash, reboot: hash })
      .strict(),
    facts: hostFactsSchema.optional(),
    packages: z.array(installedPackageSchema).max(MAX_PACKAGES).optional(),
    updates: z.array(pendingUpdateSchema).max(MAX_UPDATES).optional(),
    reboot: rebootStateSchema.optional(),
  })
  .strict();

export type InventoryReport = z.infer<typeof inventoryReportSchema>;
export type InventorySection = keyof InventoryReport['hashes'];
export const INVENTORY_SECTIONS: InventorySection[] = ['facts', 'packages', 'updates', 'reboot'];

export const packageChangeSchema = z
  .object({ name: packageName, arch: shortText(32), before: version.nullable(), after: version.nullable() })
  .strict();

export const failureSchema = z
  .object({
    cause: z.enum([
      'lock-held',
      'dpkg-interrupted',
      'held-packages',
      'package-not-installed',
      'interactive-prompt',
      'no-space',
      'repository-unreachable',
      'timeout',
      'cancelled',
      'commands-disabled',
      'pre-command-failed',
      'post-command-failed',
      'reboot-failed',
      'unknown',
    ]),
    message: shortText(2000),
    retriable: z.boolean(),
    lock: shortText(512).optional(),
    holderPid: z.number().int().min(0).max(2_147_483_647).nullable().optional(),
    holder: shortText(64).nullable().optional(),
    packages: z.array(packageName).max(1000).optional(),
  })
  .strict();

export const patchOutcomeSchema = z
  .object({
    exitCode: z.number().int().min(-255).max(255).nullable(),
    status: z.enum(['succeeded', 'failed']),
    failure: failureSchema.nullable(),
    changes: z.array(packageChangeSchema).max(MAX_PACKAGES),
    reboot: rebootStateSchema,
    durationMs: z.number().int().min(0).max(2_147_483_647),
  })
  .strict();

/** An Admin-approved command as the agent runs it: argv without a shell, with its own timeout. */
export const jobCommandSchema = z
  .object({
    name: z.string().min(1).max(100),
    argv: z.array(z.string().min(1).max(4096)).min(1).max(64),
    timeoutSeconds: z.number().int().min(1).max(86_400),
  })
  .strict();

export const REBOOT_POLICIES = ['never', 'if-required', 'always'] as const;

/**
 * One host's part of a job. The reboot policy and the commands are sent only when
 * the job sets them, so a plain job keeps the four base fields.
 */
export const patchRequestSchema = z
  .object({
    action: z.enum(['refresh', 'upgrade-all', 'security', 'packages', 'dist-upgrade']),
    packages: z.array(packageName).max(1000),
    dryRun: z.boolean(),
    timeoutSeconds: z.number().int().min(1).max(86_400),
    rebootPolicy: z.enum(REBOOT_POLICIES).optional(),
    preCommand: jobCommandSchema.optional(),
    postCommand: jobCommandSchema.optional(),
  })
  .strict();

/** Messages the server sends down the agent channel. */
export const serverMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('job'), jobId: z.uuid(), request: patchRequestSchema }).strict(),
  z.object({ type: z.literal('cancel'), jobId: z.uuid() }).strict(),
  z.object({ type: z.literal('result-ack'), jobId: z.uuid() }).strict(),
  z.object({ type: z.literal('inventory-request') }).strict(),
  // Renew the client certificate now, with a new key pair, instead of waiting for the renewal time.
  z.object({ type: z.literal('renew-certificate') }).strict(),
]);

const outputLine = z
  .object({ seq: z.number().int().min(0).max(2_147_483_647), stream: z.enum(['stdout', 'stderr']), line: z.string().max(8192) })
  .strict();

/** Messages the agent sends up the channel. */
export const agentMessageSchema = z.discriminatedUnion('type', [
  // bootId is the kernel's boot id; a new value after a job's reboot completes that job on the host.
  z.object({ type: z.literal('hello'), agentVersion: shortText(64), bootId: shortText(64).optional() }).strict(),
  z.object({ type: z.literal('job-started'), jobId: z.uuid() }).strict(),
  z.object({ type: z.literal('output'), jobId: z.uuid(), lines: z.array(outputLine).min(1).max(1000) }).strict(),
  z.object({ type: z.literal('job-result'), jobId: z.uuid(), outcome: patchOutcomeSchema }).strict(),
  z.object({ type: z.literal('job-rejected'), jobId: z.uuid(), reason: shortText(500) }).strict(),
  // Sent right before the agent runs the reboot command; the outcome is the finished patch run.
  z.object({ type: z.literal('job-rebooting'), jobId: z.uuid(), bootId: shortText(64), outcome: patchOutcomeSchema }).strict(),
]);

export type ServerMessage = z.infer<typeof serverMessageSchema>;
export type AgentMessage = z.infer<typeof agentMessageSchema>;
export type PatchOutcomeMessage = z.infer<typeof patchOutcomeSchema>;

/** Largest inventory body the agent listener accepts, in bytes. */
export const MAX_INVENTORY_BYTES = 32 * 1024 * 1024;
/** Largest channel message the agent listener accepts, in bytes. */
export const MAX_CHANNEL_MESSAGE_BYTES = 4 * 1024 * 1024;
