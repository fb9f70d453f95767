import { spawn } from 'node:child_process';
import { StringDecoder } from 'node:string_decoder';

export interface RunCommandOptions {
  command: string;
  args: string[];
  /** Working directory; defaults to the agent's own. */
  cwd?: string;
  /** Added to the agent's own environment; `LC_ALL` is always forced to `C`. */
  env?: Record<string, string>;
  /** Milliseconds before the process group gets SIGTERM and the result is marked `timedOut`. */
  timeoutMs: number;
  signal?: AbortSignal;
  /** Called once per complete line, without the line ending. It must not throw. */
  onLine?: (stream: 'stdout' | 'stderr', line: string) => void;
  /** Bytes kept per stream; older output is dropped. Defaults to 8 MiB. */
  maxOutputBytes?: number;
  /** Milliseconds between SIGTERM and SIGKILL when the run is stopped. Defaults to 5000. */
  killGraceMs?: number;
}

export interface RunCommandResult {
  /** Exit status, or null when a signal ended the process. */
  exitCode: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  aborted: boolean;
}

const DEFAULT_MAX_OUTPUT_BYTES = 8 * 1024 * 1024;
const DEFAULT_KILL_GRACE_MS = 5_000;

/**
 * Runs one program without a shell, with `LC_ALL=C` and stdin closed, so tools print
 * untranslated text and a prompt reads end-of-file instead of blocking the run.
 *
 * The child leads its own process group. On timeout or abort the whole group gets
 * SIGTERM, then SIGKILL after `killGraceMs`, which also stops helpers such as the dpkg
 * processes that apt-get starts. The promise resolves once both output pipes have
 * closed; it rejects only when the program cannot be started (for example ENOENT).
 * Captured output keeps the last `maxOutputBytes` of each stream and starts with a
 * notice line when older output was dropped; `onLine` still sees every line.
 */
export async function runCommand(options: RunCommandOptions): Promise<RunCommandResult> {
  const maxOutputBytes = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
  const killGraceMs = options.killGraceMs ?? DEFAULT_KILL_GRACE_MS;

  if (options.signal?.aborted) {
    return { exitCode: null, signal: null, stdout: '', stderr: '', timedOut: false, aborted: true };
  }

  const child = spawn(options.command, options.args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env, LC_ALL: 'C' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
    shell: false,
  });

  const stdout = new OutputCapture('stdout', maxOutputBytes, options.onLine);
  const stderr = new OutputCapture('stderr', maxOutputBytes, options.onLine);
  child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));

  let timedOut = false;
  let aborted = false;
  let killTimer: NodeJS.Timeout | undefined;

  const stop = (): void => {
    signalGroup(child.pid, 'SIGTERM');
    killTimer ??= setTimeout(() => signalGroup(child.pid, 'SIGKILL'), killGraceMs);
  };

  const timeoutTimer = setTimeout(() => {
    timedOut = true;
    stop();
  }, options.timeoutMs);

  const onAbort = (): void => {
    aborted = true;
    stop();
  };
  options.signal?.addEventListener('abort', onAbort, { once: true });

  try {
    const [exitCode, signal] = await new Promise<[number | null, string | null]>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (code, closeSignal) => resolve([code, closeSignal]));
    });

    return {
      exitCode,
      signal,
      stdout: stdout.finish(),
      stderr: stderr.finish(),
      timedOut,
      aborted,
    };
  } catch (error) {
    throw new Error(`Failed to start ${options.command}: ${(error as Error).message}`, { cause: error });
  } finally {
    clearTimeout(timeoutTimer);
    clearTimeout(killTimer);
    options.signal?.removeEventListener('abort', onAbort);
  }
}

function signalGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) {
    return;
  }

  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: every process in the group has already exited.
  }
}

/** Splits one stream into lines for the callback and keeps the newest bytes for the result. */
class OutputCapture {
  private readonly decoder = new StringDecoder('utf8');
  private readonly chunks: Buffer[] = [];
  private keptBytes = 0;
  private droppedBytes = 0;
  private partialLine = '';

  constructor(
    private readonly stream: 'stdout' | 'stderr',
    private readonly maxBytes: number,
    private readonly onLine: RunCommandOptions['onLine'],
  ) {}

  push(chunk: Buffer): void {
    this.keep(chunk);

    if (this.onLine) {
      this.emitLines(this.decoder.write(chunk));
    }
  }

  finish(): string {
    if (this.onLine) {
      this.emitLines(this.decoder.end());
      if (this.partialLine !== '') {
        this.onLine(this.stream, stripCarriageReturn(this.partialLine));
        this.partialLine = '';
      }
    }

    const text = Buffer.concat(this.chunks).toString('utf8');
    if (this.droppedBytes === 0) {
      return text;
    }

    // The kept bytes may start inside a line or inside a UTF-8 sequence, so the text
    // starts after the first line break when there is one.
    const firstBreak = text.indexOf('\n');
    const tail = firstBreak === -1 ? text : text.slice(firstBreak + 1);
    return `[output truncated: ${this.droppedBytes} earlier bytes dropped]\n${tail}`;
  }

  private keep(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.keptBytes += chunk.length;

    while (this.keptBytes > this.maxBytes) {
      const first = this.chunks[0];
      if (first === undefined) {
        break;
      }

      const excess = this.keptBytes - this.maxBytes;
      if (first.length <= excess) {
        this.chunks.shift();
        this.keptBytes -= first.length;
        this.droppedBytes += first.length;
      } else {
        this.chunks[0] = first.subarray(excess);
        this.keptBytes -= excess;
        this.droppedBytes += excess;
      }
    }
  }

  private emitLines(text: string): void {
    if (text === '' || !this.onLine) {
      return;
    }

    const parts = (this.partialLine + text).split('\n');
    this.partialLine = parts.pop() ?? '';
    for (const line of parts) {
      this.onLine(this.stream, stripCarriageReturn(line));
    }
  }
}

function stripCarriageReturn(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}
