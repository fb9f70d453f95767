import {
  patchOutcomeSchema,
  type AgentMessage,
  type PatchOutcomeMessage,
} from '../lib/agent-protocol/schema';
import { failedOutcome, runJobSteps } from './job-steps';
import type { AgentLogger } from './log';
import { OutputBatcher, type OutputBatcherOptions } from './output-batcher';
import type { PackageManagerBackend, PatchOutcome, PatchRequest } from './package-managers/types';
import type { ResultSpool } from './spool';

type QueuedMessage = Extract<AgentMessage, { type: 'job-started' | 'output' }>;

export interface JobRunnerOptions {
  backend: PackageManagerBackend;
  spool: ResultSpool;
  /** Sends `job-started` and `output`, keeping them for the next connection when the channel is down. */
  sendQueued: (message: QueuedMessage) => void;
  /** Sends `job-result` and `job-rejected` when the channel is up; results are resent from the spool otherwise. */
  sendNow: (message: AgentMessage) => boolean;
  log: AgentLogger;
  /** Called after each job's result is spooled and sent, for the inventory check-in that follows a job. */
  onJobFinished: () => void;
  batch?: OutputBatcherOptions;
  /** Runs the pre and post commands of jobs; false fails such jobs with `commands-disabled`. Defaults to false. */
  allowCommands?: boolean;
  /** Reboot command as argv; defaults to `systemctl reboot`. */
  rebootCommand?: readonly string[];
  /** Reads the kernel's boot id; null when it cannot be read, which fails a reboot. */
  readBootId?: () => string | null;
}

interface QueuedJob {
  jobId: string;
  request: PatchRequest;
}

interface RunningJob extends QueuedJob {
  controller: AbortController;
  done: Promise<void>;
}

const DEFAULT_BATCH: OutputBatcherOptions = { intervalMs: 200, maxLines: 200 };
const MAX_FAILURE_MESSAGE = 2000;

/**
 * Runs patch jobs one at a time, in the order they arrive.
 *
 * A job whose result is still spooled gets that result again instead of a second
 * run, a job that is running or queued is ignored, and a job whose result the
 * server already acknowledged is rejected. Each result is written to the spool
 * before `job-result` is sent, and the spooled file is deleted on `result-ack`.
 * Server messages are handled strictly in arrival order, so a `cancel` that
 * follows a `job` always finds it.
 */
export class JobRunner {
  private readonly queue: QueuedJob[] = [];
  private running: RunningJob | null = null;
  private stopping = false;
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly options: JobRunnerOptions) {}

  /** Handles a `job` message. */
  job(jobId: string, request: PatchRequest): Promise<void> {
    return this.serialize(() => this.acceptJob(jobId, request));
  }

  /** Handles a `cancel` message: aborts the running job or drops a queued one with a `cancelled` result. */
  cancel(jobId: string): Promise<void> {
    return this.serialize(() => this.cancelJob(jobId));
  }

  /** Handles a `result-ack` message by deleting the spooled result. */
  acknowledge(jobId: string): Promise<void> {
    return this.serialize(async () => {
      await this.options.spool.remove(jobId);
      this.options.log.info({ event: 'job.acknowledged', jobId }, 'server acknowledged the job result');
    });
  }

  /** Sends every spooled result, oldest first; called after each (re)connect. */
  resendSpooled(): Promise<void> {
    return this.serialize(async () => {
      const results = await this.options.spool.list((file, error) =>
        this.options.log.error({ event: 'spool.invalid', file, error: error.message }, 'set aside an unreadable spooled result'),
      );
      for (const result of results) {
        this.options.sendNow({ type: 'job-result', jobId: result.jobId, outcome: result.outcome });
      }
      if (results.length > 0) {
        this.options.log.info({ event: 'spool.resent', results: results.length }, 'resent spooled job results');
      }
    });
  }

  /**
   * Stops taking jobs, drops queued ones (the server sends them again later,
   * because they have no result) and aborts the running job, then waits until its
   * result is in the spool. The backend stops at a safe point.
   */
  async shutdown(): Promise<void> {
    this.stopping = true;
    await this.chain;
    this.queue.length = 0;

    const running = this.running;
    if (running) {
      this.options.log.info({ event: 'job.aborting', jobId: running.jobId }, 'aborting the running job for shutdown');
      running.controller.abort();
      await running.done;
    }
  }

  private serialize(step: () => Promise<void>): Promise<void> {
    const next = this.chain.then(step).catch((error: unknown) => {
      this.options.log.error({ event: 'job.handler-failed', error: (error as Error).message }, 'failed to handle a server message');
    });
    this.chain = next;
    return next;
  }

  private async acceptJob(jobId: string, request: PatchRequest): Promise<void> {
    const { spool, log } = this.options;
    if (this.stopping) return;

    const spooled = await spool.read(jobId);
    if (spooled) {
      log.info({ event: 'job.duplicate', jobId }, 'job already finished; resending its spooled result');
      this.options.sendNow({ type: 'job-result', jobId, outcome: spooled.outcome });
      return;
    }

    if (this.running?.jobId === jobId || this.queue.some((job) => job.jobId === jobId)) {
      log.info({ event: 'job.duplicate', jobId }, 'job is already running or queued; ignoring the repeat');
      return;
    }

    if (await spool.hasFinished(jobId)) {
      log.warn({ event: 'job.rejected', jobId }, 'job already ran and its result was acknowledged; rejecting the repeat');
      this.options.sendNow({ type: 'job-rejected', jobId, reason: 'this job already ran on this host and its result was acknowledged' });
      return;
    }

    this.queue.push({ jobId, request });
    log.info({ event: 'job.queued', jobId, action: request.action, dryRun: request.dryRun, queued: this.queue.length }, 'job queued');
    this.startNext();
  }

  private async cancelJob(jobId: string): Promise<void> {
    const { log } = this.options;

    if (this.running?.jobId === jobId) {
      log.info({ event: 'job.cancelling', jobId }, 'cancelling the running job at the next safe point');
      this.running.controller.abort();
      return;
    }

    const index = this.queue.findIndex((job) => job.jobId === jobId);
    if (index === -1) {
      log.info({ event: 'job.cancel-ignored', jobId }, 'cancel for a job that is neither running nor queued');
      return;
    }

    this.queue.splice(index, 1);
    await this.finish(jobId, failedOutcome('cancelled', 'The job was cancelled before it started.', 0));
    this.options.onJobFinished();
  }

  private startNext(): void {
    if (this.running || this.stopping) return;

    const next = this.queue.shift();
    if (!next) return;

    const controller = new AbortController();
    const running: RunningJob = { ...next, controller, done: Promise.resolve() };
    this.running = running;
    running.done = this.run(running).finally(() => {
      this.running = null;
      this.options.onJobFinished();
      this.startNext();
    });
  }

  private async run(job: RunningJob): Promise<void> {
    const { backend, log } = this.options;
    const started = Date.now();

    log.info({ event: 'job.started', jobId: job.jobId, action: job.request.action, dryRun: job.request.dryRun }, 'job started');
    this.options.sendQueued({ type: 'job-started', jobId: job.jobId });

    const batcher = new OutputBatcher(job.jobId, this.options.sendQueued, this.options.batch ?? DEFAULT_BATCH);
    let outcome: PatchOutcome | null;
    try {
      outcome = await runJobSteps(job.request, (stream, line) => batcher.push(stream, line), job.controller.signal, {
        backend,
        allowCommands: this.options.allowCommands ?? false,
        rebootCommand: this.options.rebootCommand ?? ['systemctl', 'reboot'],
        readBootId: this.options.readBootId ?? (() => null),
        flushOutput: () => batcher.flush(),
        sendRebooting: (bootId, finished) => this.options.sendNow({ type: 'job-rebooting', jobId: job.jobId, bootId, outcome: toWireOutcome(finished) }),
        log,
      });
    } catch (error) {
      log.error({ event: 'job.error', jobId: job.jobId, error: (error as Error).message }, 'package manager backend failed');
      outcome = failedOutcome('unknown', `The agent failed to run the job: ${(error as Error).message}`, Date.now() - started);
    }
    batcher.flush();

    if (outcome === null) {
      // The server completes this host when the agent reconnects with a new boot id.
      log.info({ event: 'job.reboot-started', jobId: job.jobId, lines: batcher.lineCount }, 'reboot command ran; the server completes the job after the reboot');
      return;
    }
    await this.finish(job.jobId, outcome, batcher.lineCount);
  }

  /** Spools the result, then sends it; a failed spool write is logged and the result is still sent once. */
  private async finish(jobId: string, outcome: PatchOutcome, lines = 0): Promise<void> {
    const { log, spool } = this.options;
    const message = toWireOutcome(outcome);

    try {
      await spool.write(jobId, message);
    } catch (error) {
      log.error({ event: 'spool.write-failed', jobId, error: (error as Error).message }, 'failed to spool the job result; sending it unspooled');
    }

    const sent = this.options.sendNow({ type: 'job-result', jobId, outcome: message });
    log.info(
      { event: 'job.finished', jobId, status: message.status, cause: message.failure?.cause ?? null, exitCode: message.exitCode, durationMs: message.durationMs, lines, sent },
      'job finished',
    );
  }
}

/**
 * Fits an outcome to the protocol: the failure message is cut to the length the
 * server accepts and the duration rounded. An outcome that still does not match
 * the schema is replaced by a failed one naming the problem, so the server gets
 * a result it can store instead of one it rejects.
 */
function toWireOutcome(outcome: PatchOutcome): PatchOutcomeMessage {
  const failure = outcome.failure && { ...outcome.failure, message: outcome.failure.message.slice(0, MAX_FAILURE_MESSAGE) };
  const candidate = { ...outcome, failure, durationMs: Math.max(0, Math.round(outcome.durationMs)) };

  const parsed = patchOutcomeSchema.safeParse(candidate);
  if (parsed.success) return parsed.data;

  const issue = parsed.error.issues[0];
  const detail = `${issue?.path.join('.') || 'outcome'}: ${issue?.message ?? 'invalid'}`;
  return patchOutcomeSchema.parse(
    failedOutcome('unknown', `The job ran, but its result did not match the protocol (${detail}).`.slice(0, MAX_FAILURE_MESSAGE), candidate.durationMs),
  );
}
