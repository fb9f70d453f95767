import type { AgentMessage } from '../lib/agent-protocol/schema';
import type { AgentLogger } from './log';

type QueuedMessage = Extract<AgentMessage, { type: 'job-started' | 'output' }>;

/** Output lines kept while the channel is down; older ones are dropped beyond this. */
export const MAX_QUEUED_OUTPUT_LINES = 50_000;

/**
 * Holds `job-started` and `output` messages while the channel is down and sends
 * them, in order, after the next `hello`. Results do not pass through here: they
 * are spooled on disk and resent from there.
 */
export class Outbox {
  private queue: QueuedMessage[] = [];
  private queuedLines = 0;
  private droppedLines = 0;

  constructor(
    private readonly trySend: (message: AgentMessage) => boolean,
    private readonly log: AgentLogger,
  ) {}

  /** Sends the message now when the channel is up and nothing older waits, else queues it. */
  send(message: QueuedMessage): void {
    if (this.queue.length === 0 && this.trySend(message)) return;

    this.queue.push(message);
    if (message.type === 'output') this.queuedLines += message.lines.length;
    this.dropOldestOutput();
  }

  /** Sends queued messages in order until the channel refuses one. */
  flush(): void {
    if (this.droppedLines > 0) {
      this.log.warn({ event: 'outbox.dropped', lines: this.droppedLines }, 'dropped job output lines while the channel was down');
      this.droppedLines = 0;
    }

    while (this.queue.length > 0) {
      const message = this.queue[0];
      if (!message || !this.trySend(message)) return;

      this.queue.shift();
      if (message.type === 'output') this.queuedLines -= message.lines.length;
    }
  }

  private dropOldestOutput(): void {
    while (this.queuedLines > MAX_QUEUED_OUTPUT_LINES) {
      const index = this.queue.findIndex((message) => message.type === 'output');
      const message = this.queue[index];
      if (message?.type !== 'output') return;

      this.queue.splice(index, 1);
      this.queuedLines -= message.lines.length;
      this.droppedLines += message.lines.length;
    }
  }
}
