import { runCommand } from './exec';
import type { AgentLogger } from './log';
import type { FailureCause, JobCommand, OutputSink, PackageManagerBackend, PatchOutcome, PatchRequest } from './package-managers/types';

/** Milliseconds the reboot command may take to return; `systemctl reboot` returns at once. */
const REBOOT_COMMAND_TIMEOUT_MS = 60_000;

export interface JobStepsOptions {
  backend: PackageManagerBackend;
  /** True when the host's administrator allowed pre and post commands. */
  allowCommands: boolean;
  rebootCommand: readonly string[];
  readBootId: () => string | null;
  /** Sends `job-rebooting` on the open channel; false when the channel is down. */
  sendRebooting: (bootId: string, outcome: PatchOutcome) => boolean;
  /** Sends everything buffered for the job's output, so it arrives before `job-rebooting`. */
  flushOutput: () => void;
  log: AgentLogger;
}

/**
 * Runs one job on this host: the pre command, the package manager, the post command and
 * the reboot, in that order. Returns the outcome to report, or null once the reboot
 * command ran, because the server then completes the host when the agent reconnects
 * with a new boot id.
 *
 * Safe points: an abort (cancel or shutdown) is honoured before the pre command, before
 * the package manager starts and before the reboot. An abort that comes after the
 * package manager finished leaves the outcome as it was and skips the reboot. Dry runs
 * run no commands and never reboot. Jobs with commands fail with `commands-disabled`
 * on a host that does not allow commands, before anything runs.
 */
export async function runJobSteps(request: PatchRequest, output: OutputSink, signal: AbortSignal, options: JobStepsOptions): Promise<PatchOutcome | null> {
  const started = Date.now();
  const elapsed = () => Date.now() - started;
  const commands = request.dryRun ? {} : { pre: request.preCommand, post: request.postCommand };

  if ((request.preCommand || request.postCommand) && !options.allowCommands) {
    return failedOutcome(
      'commands-disabled',
      'This job has pre or post commands, but this agent does not run commands; set PM_AGENT_ALLOW_COMMANDS=1 or "allowCommands": true in agent.json to allow them.',
      elapsed(),
    );
  }
  if (signal.aborted) return cancelledOutcome(elapsed());

  if (commands.pre) {
    const failure = await runJobCommand('pre', commands.pre, output, signal);
    if (signal.aborted) return cancelledOutcome(elapsed());
    if (failure) return failedOutcome('pre-command-failed', failure, elapsed());
  }
  if (signal.aborted) return cancelledOutcome(elapsed());

  const outcome = await options.backend.apply(request, output, signal);
  if (outcome.status === 'failed') return outcome;

  if (commands.post) {
    const failure = await runJobCommand('post', commands.post, output, signal);
    if (failure) {
      return { ...outcome, status: 'failed', failure: { cause: 'post-command-failed', message: failure, retriable: false }, durationMs: elapsed() };
    }
  }

  if (!shouldReboot(request, outcome)) return outcome;
  if (signal.aborted) {
    output('stdout', 'The job was cancelled after the package manager finished; the host is not rebooted.');
    return outcome;
  }
  return reboot(outcome, output, options, elapsed);
}

function shouldReboot(request: PatchRequest, outcome: PatchOutcome): boolean {
  if (request.dryRun) return false;
  if (request.rebootPolicy === 'always') return true;
  return request.rebootPolicy === 'if-required' && outcome.reboot.required === 'yes';
}

async function reboot(outcome: PatchOutcome, output: OutputSink, options: JobStepsOptions, elapsed: () => number): Promise<PatchOutcome | null> {
  const bootId = options.readBootId();
  if (bootId === null) {
    return rebootFailed(outcome, 'The agent cannot read the boot id, so the server could not tell when the host is back; the host was not rebooted.', elapsed);
  }

  options.flushOutput();
  if (!options.sendRebooting(bootId, outcome)) {
    return rebootFailed(outcome, 'The channel to the server was down, so the agent did not reboot; run the job again to reboot.', elapsed);
  }

  const [program, ...args] = options.rebootCommand;
  output('stdout', `Rebooting with: ${options.rebootCommand.join(' ')}`);
  options.log.info({ event: 'job.rebooting', bootId, command: options.rebootCommand }, 'rebooting the host');
  try {
    const result = await runCommand({ command: program!, args, timeoutMs: REBOOT_COMMAND_TIMEOUT_MS, onLine: output });
    if (result.exitCode === 0) return null;
    return rebootFailed(outcome, `The reboot command ${options.rebootCommand.join(' ')} ${describeExit(result)}.`, elapsed);
  } catch (error) {
    return rebootFailed(outcome, `The reboot command could not start: ${(error as Error).message}`, elapsed);
  }
}

function rebootFailed(outcome: PatchOutcome, message: string, elapsed: () => number): PatchOutcome {
  return { ...outcome, status: 'failed', failure: { cause: 'reboot-failed', message, retriable: true }, durationMs: elapsed() };
}

/** Runs an approved command; returns null on exit status 0, else why it failed. */
async function runJobCommand(stage: 'pre' | 'post', command: JobCommand, output: OutputSink, signal: AbortSignal): Promise<string | null> {
  const [program, ...args] = command.argv;
  output('stdout', `Running the ${stage} command "${command.name}": ${command.argv.join(' ')}`);
  try {
    const result = await runCommand({ command: program!, args, timeoutMs: command.timeoutSeconds * 1000, signal, onLine: output });
    if (result.exitCode === 0 && !result.timedOut) return null;
    if (result.timedOut) return `The ${stage} command "${command.name}" timed out after ${command.timeoutSeconds} s.`;
    return `The ${stage} command "${command.name}" ${describeExit(result)}.`;
  } catch (error) {
    return `The ${stage} command "${command.name}" could not start: ${(error as Error).message}`;
  }
}

function describeExit(result: { exitCode: number | null; signal: string | null }): string {
  return result.exitCode === null ? `was ended by signal ${result.signal ?? 'unknown'}` : `exited with status ${result.exitCode}`;
}

function cancelledOutcome(durationMs: number): PatchOutcome {
  return failedOutcome('cancelled', 'The job was cancelled before the package manager started.', durationMs);
}

/** Builds a failed outcome for a job the backend did not run to its end. */
export function failedOutcome(cause: FailureCause, message: string, durationMs: number): PatchOutcome {
  return {
    exitCode: null,
    status: 'failed',
    failure: { cause, message, retriable: cause !== 'cancelled' && cause !== 'commands-disabled' },
    changes: [],
    reboot: { required: 'unknown', reason: 'not checked because the job did not run to its end', packages: [] },
    durationMs,
  };
}
