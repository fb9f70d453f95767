import { readFile } from 'node:fs/promises';

import { MAX_INVENTORY_BYTES } from '../lib/agent-protocol/schema';
import { certificateFingerprint } from '../lib/pki/fingerprint';
import { readPrivateKeyFile } from '../lib/pki/pki-files';
import { AgentChannel } from './channel';
import { CertificateRenewer, renewAtFraction, type AgentCredentials } from './certificate-renewer';
import { recoverCredentials } from './credentials';
import { commandsAllowed, readBootId, rebootCommand } from './host-control';
import { httpsRequest, serverErrorMessage } from './https-request';
import { inventoryAnswerSchema, InventoryReporter, type PostInventory } from './inventory';
import { InventorySchedule } from './inventory-schedule';
import { JobRunner } from './job-runner';
import type { AgentLogger } from './log';
import { Outbox } from './outbox';
import { agentPaths, type AgentEnvironment } from './paths';
import { createBackendFromEnv } from './select-backend';
import { readAgentSettings } from './settings';
import { ResultSpool } from './spool';
import { AGENT_VERSION } from './version';

/** The agent cannot start because of its files or environment; the message names the fix. */
export class AgentStartError extends Error {
  override readonly name = 'AgentStartError';
}

export interface RunAgentOptions {
  agentDir: string;
  env: AgentEnvironment;
  log: AgentLogger;
  /** Aborting it shuts the agent down: the running job is aborted at a safe point and its result spooled. */
  signal: AbortSignal;
}

const INVENTORY_TIMEOUT_MS = 120_000;

/**
 * Runs the agent until `signal` aborts: keeps the channel to the agent listener open,
 * runs the jobs it receives one at a time and spools their results, and checks
 * in the inventory at start, every interval, after each job and when the server
 * asks. Rejects with `AgentStartError` before connecting when the host is not
 * enrolled, a file is missing or unsafe, or the environment is invalid.
 */
export async function runAgent(options: RunAgentOptions): Promise<void> {
  const { log, env } = options;
  const paths = agentPaths(options.agentDir);

  const settings = await readAgentSettings(paths.settings).catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new AgentStartError(`this host is not enrolled (${paths.settings} is missing); run pm-agent enroll first, or set PM_AGENT_DIR`);
    }
    throw new AgentStartError((error as Error).message);
  });

  const recovery = await recoverCredentials(paths);
  if (recovery !== 'none') {
    log.warn({ event: 'certificate.recovered', action: recovery }, 'finished an interrupted certificate replacement');
  }
  let tls: AgentCredentials = await readCredentials(paths, settings.caFingerprint);
  const intervalSeconds = inventoryInterval(env, settings.inventoryIntervalSeconds);
  let fraction: number;
  try {
    fraction = renewAtFraction(env);
  } catch (error) {
    throw new AgentStartError((error as Error).message);
  }
  let backend;
  try {
    backend = createBackendFromEnv(env);
  } catch (error) {
    throw new AgentStartError((error as Error).message);
  }

  log.info(
    {
      event: 'agent.started',
      version: AGENT_VERSION,
      hostId: settings.hostId,
      agentUrl: settings.agentUrl,
      dir: paths.dir,
      packageManager: backend.name,
      inventoryIntervalSeconds: intervalSeconds,
      allowCommands: commandsAllowed(env, settings),
    },
    'agent started',
  );

  const spool = new ResultSpool(paths.spool);
  const reporter = new InventoryReporter({
    backend,
    agentVersion: AGENT_VERSION,
    statePath: paths.state,
    post: createInventoryPoster(settings.agentUrl, () => tls),
    log,
  });
  const schedule = new InventorySchedule(reporter, intervalSeconds * 1000, log);

  let enrolledAgain = false;
  // The channel and the runner refer to each other; the callbacks run only after start().
  const channel = new AgentChannel({
    agentUrl: settings.agentUrl,
    tls,
    agentVersion: AGENT_VERSION,
    bootId: () => readBootId(env),
    backoff: { baseMs: 1_000, capMs: reconnectCapMs(env) },
    log,
    // A host enrolled again (pm-agent enroll --force) has new files; the renewer and the
    // inventory poster read `tls` too, so they switch with the channel.
    reloadCredentials: async () => {
      const fresh = await readCredentials(paths, settings.caFingerprint).catch(() => null);
      if (fresh && fresh.cert !== tls.cert) {
        tls = fresh;
        enrolledAgain = true;
      }
      return fresh;
    },
    onConnected: () => {
      outbox.flush();
      void runner.resendSpooled();
      // A host enrolled again may be a new host record without inventory, so it gets all of it now.
      if (enrolledAgain) {
        enrolledAgain = false;
        schedule.request({ full: true });
      }
    },
    onMessage: (message) => {
      if (message.type === 'job') void runner.job(message.jobId, message.request);
      else if (message.type === 'cancel') void runner.cancel(message.jobId);
      else if (message.type === 'result-ack') void runner.acknowledge(message.jobId);
      else if (message.type === 'renew-certificate') void renewer.renewNow();
      else schedule.request({ full: true });
    },
  });
  const outbox = new Outbox((message) => channel.send(message), log);
  const runner = new JobRunner({
    backend,
    spool,
    sendQueued: (message) => outbox.send(message),
    sendNow: (message) => channel.send(message),
    log,
    onJobFinished: () => schedule.request({ full: false }),
    allowCommands: commandsAllowed(env, settings),
    rebootCommand: rebootCommand(env),
    readBootId: () => readBootId(env),
  });

  const renewer = new CertificateRenewer({
    agentUrl: settings.agentUrl,
    paths,
    fraction,
    log,
    credentials: () => tls,
    onRenewed: (renewed) => {
      tls = renewed;
      channel.replaceCredentials(renewed);
    },
  });

  channel.start();
  schedule.start();
  renewer.start();

  await new Promise<void>((resolve) => {
    if (options.signal.aborted) resolve();
    else options.signal.addEventListener('abort', () => resolve(), { once: true });
  });

  log.info({ event: 'agent.stopping' }, 'agent stopping');
  schedule.stop();
  renewer.stop();
  await runner.shutdown();
  await channel.stop();
  log.info({ event: 'agent.stopped' }, 'agent stopped');
}

async function readCredentials(paths: ReturnType<typeof agentPaths>, caFingerprint: string): Promise<{ key: string; cert: string; ca: string }> {
  let key: string | null;
  let cert: string;
  let ca: string;
  try {
    key = await readPrivateKeyFile(paths.key);
    cert = await readFile(paths.cert, 'utf8');
    ca = await readFile(paths.ca, 'utf8');
  } catch (error) {
    throw new AgentStartError(`cannot read the agent credentials: ${(error as Error).message}`);
  }

  if (key === null) {
    throw new AgentStartError(`the private key ${paths.key} is missing; enroll again with pm-agent enroll --force`);
  }
  if (certificateFingerprint(ca) !== caFingerprint) {
    throw new AgentStartError(`${paths.ca} is not the CA certificate pinned at enrollment; restore it or enroll again with pm-agent enroll --force`);
  }

  return { key, cert, ca };
}

/** Returns the longest reconnect delay in milliseconds: `PM_AGENT_RECONNECT_MAX_SECONDS` when set, else 60 s. */
function reconnectCapMs(env: AgentEnvironment): number {
  const raw = env.PM_AGENT_RECONNECT_MAX_SECONDS?.trim();
  if (!raw) return 60_000;

  const seconds = Number(raw);
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > 3600) {
    throw new AgentStartError(`invalid PM_AGENT_RECONNECT_MAX_SECONDS=${JSON.stringify(raw)}: expected whole seconds from 1 to 3600`);
  }
  return seconds * 1000;
}

/** Returns the check-in interval in seconds: `PM_AGENT_INVENTORY_INTERVAL` when set, else the server's value. */
function inventoryInterval(env: AgentEnvironment, serverSeconds: number): number {
  const raw = env.PM_AGENT_INVENTORY_INTERVAL?.trim();
  if (!raw) return serverSeconds;

  const seconds = Number(raw);
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > 86_400) {
    throw new AgentStartError(`invalid PM_AGENT_INVENTORY_INTERVAL=${JSON.stringify(raw)}: expected whole seconds from 1 to 86400`);
  }
  return seconds;
}

function createInventoryPoster(agentUrl: string, credentials: () => AgentCredentials): PostInventory {
  const url = new URL('/agent/v1/inventory', agentUrl);

  return async (report) => {
    const response = await httpsRequest({
      url,
      method: 'POST',
      json: report,
      tls: { ...credentials(), rejectUnauthorized: true },
      timeoutMs: INVENTORY_TIMEOUT_MS,
      maxRequestBytes: MAX_INVENTORY_BYTES,
      maxResponseBytes: 64 * 1024,
    });

    if (response.status !== 200) {
      throw new Error(`server rejected the inventory (HTTP ${response.status}): ${serverErrorMessage(response)}`);
    }

    const parsed = inventoryAnswerSchema.safeParse(JSON.parse(response.body));
    if (!parsed.success) {
      throw new Error(`inventory response from the server is invalid: ${parsed.error.issues[0]?.message ?? 'unexpected shape'}`);
    }
    return parsed.data;
  };
}
