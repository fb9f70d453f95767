import type { AgentMessage } from '../lib/agent-protocol/schema';

type OutputMessage = Extract<AgentMessage, { type: 'output' }>;

/** Maximum line length the protocol accepts, in characters. Longer lines are cut and marked. */
export const MAX_OUTPUT_LINE_LENGTH = 8192;
const TRUNCATION_MARK = ' [line truncated]';

/**
 * Makes a line safe to store: NUL becomes U+FFFD (PostgreSQL text cannot hold it),
 * a lone surrogate becomes U+FFFD, and a long line is cut without splitting a
 * surrogate pair.
 */
export function cleanLine(line: string): string {
  let text = line.replace(/\u0000/g, '\uFFFD').toWellFormed();
  if (text.length > MAX_OUTPUT_LINE_LENGTH) {
    text = `${text.slice(0, MAX_OUTPUT_LINE_LENGTH - TRUNCATION_MARK.length).toWellFormed()}${TRUNCATION_MARK}`;
  }
  return text;
}

export interface OutputBatcherOptions {
  /** Milliseconds a line may wait before its batch is sent. */
  intervalMs: number;
  /** A batch is sent as soon as it has this many lines. */
  maxLines: number;
}

/**
 * Numbers a job's output lines from 0 and sends them in `output` messages, one
 * batch every `intervalMs` or every `maxLines` lines, whichever comes first, so a
 * chatty apt-get run costs few messages and a quiet one still streams promptly.
 */
export class OutputBatcher {
  private seq = 0;
  private lines: OutputMessage['lines'] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly jobId: string,
    private readonly send: (message: OutputMessage) => void,
    private readonly options: OutputBatcherOptions,
  ) {}

  /** Adds one line; usable directly as the backend's output sink. */
  push(stream: 'stdout' | 'stderr', line: string): void {
    const text = cleanLine(line);
    this.lines.push({ seq: this.seq, stream, line: text });
    this.seq += 1;

    if (this.lines.length >= this.options.maxLines) {
      this.flush();
    } else {
      this.timer ??= setTimeout(() => this.flush(), this.options.intervalMs);
    }
  }

  /** Sends the lines waiting in the current batch, if any. */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.lines.length === 0) return;

    const lines = this.lines;
    this.lines = [];
    this.send({ type: 'output', jobId: this.jobId, lines });
  }

  /** Number of lines pushed so far. */
  get lineCount(): number {
    return this.seq;
  }
}
