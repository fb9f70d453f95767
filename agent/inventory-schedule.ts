import type { InventoryReporter } from './inventory';
import type { AgentLogger } from './log';

/** Delay before a failed check-in is tried again, unless the regular interval is shorter, in milliseconds. */
const RETRY_AFTER_FAILURE_MS = 60_000;

/**
 * Runs inventory check-ins: one at start, then every `intervalMs`, plus one on
 * request (after each job, or a full one when the server sends
 * `inventory-request`). Only one check-in runs at a time, and requests that
 * arrive meanwhile are merged into one more run, full if any of them asked for it.
 */
export class InventorySchedule {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | null = null;
  private pending: { full: boolean } | null = null;
  private stopped = false;

  constructor(
    private readonly reporter: InventoryReporter,
    private readonly intervalMs: number,
    private readonly log: AgentLogger,
  ) {}

  /** Starts with an immediate check-in. */
  start(): void {
    this.request({ full: false });
  }

  /** Asks for a check-in as soon as the current one, if any, has finished. */
  request(mode: { full: boolean }): void {
    if (this.stopped) return;

    this.pending = { full: (this.pending?.full ?? false) || mode.full };
    if (this.running === null) {
      this.running = this.drain().finally(() => {
        this.running = null;
      });
    }
  }

  /** Stops the timer; a check-in already under way may still finish. */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private async drain(): Promise<void> {
    while (this.pending !== null && !this.stopped) {
      const mode = this.pending;
      this.pending = null;
      clearTimeout(this.timer);

      let delayMs = this.intervalMs;
      try {
        await this.reporter.checkIn(mode);
      } catch (error) {
        delayMs = Math.min(this.intervalMs, RETRY_AFTER_FAILURE_MS);
        this.log.error({ event: 'inventory.failed', error: (error as Error).message, retryInMs: delayMs }, 'inventory check-in failed');
      }

      if (!this.stopped) {
        this.timer = setTimeout(() => this.request({ full: false }), delayMs);
      }
    }
  }
}
