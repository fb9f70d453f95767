import { readFile } from 'node:fs/promises';
import { z } from 'zod';

import { writeFileAtomic } from './write-file-atomic';

/** Enrollment settings stored in `agent.json` and read by `pm-agent run` at start. */
export const agentSettingsSchema = z
  .object({
    /** Web listener URL given to `pm-agent enroll`, for example `https://pm.example.com:8443`. */
    serverUrl: z.url(),
    /** Agent listener URL: the server URL's host with the agent port the server returned. */
    agentUrl: z.url(),
    hostId: z.string().min(1).max(128),
    /** SHA-256 of the pinned internal CA certificate, lowercase hex. */
    caFingerprint: z.string().regex(/^[0-9a-f]{64}$/),
    inventoryIntervalSeconds: z.number().int().min(10).max(86_400),
    enrolledAt: z.iso.datetime(),
    /** Runs the pre and post commands of jobs when true; absent or false refuses them. Set by the host's administrator. */
    allowCommands: z.boolean().optional(),
  })
  .strict();

export type AgentSettings = z.infer<typeof agentSettingsSchema>;

/** Reads and validates `agent.json`. Throws when it is missing, not JSON or has an unexpected shape. */
export async function readAgentSettings(file: string): Promise<AgentSettings> {
  const text = await readFile(file, 'utf8');

  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new Error(`${file} is not valid JSON (${(error as Error).message}); enroll again with pm-agent enroll --force`);
  }

  const parsed = agentSettingsSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.join('.') || 'body';
    throw new Error(`${file} is invalid at ${field}: ${issue?.message ?? 'unexpected value'}; enroll again with pm-agent enroll --force`);
  }

  return parsed.data;
}

/** Writes `agent.json` atomically with mode 0600. */
export async function writeAgentSettings(file: string, settings: AgentSettings): Promise<void> {
  await writeFileAtomic(file, `${JSON.stringify(settings, null, 2)}\n`, 0o600);
}
