import type { Database } from '@/lib/db/client';
import type { Logger } from '@/lib/log';
import type { DispatchItem } from '@/lib/patching/list-dispatchable-jobs';
import { recordHellos, type HelloEntry } from './record-hellos';

/** Time a hello waits to be recorded together with others, so a reconnect storm costs a few statements per batch. */
const HELLO_BATCH_MS = 150;
/** Number of waiting hellos that starts a batch at once. */
const HELLO_BATCH_SIZE = 500;

interface PendingHello<C> {
  channel: C;
  entry: HelloEntry;
  done: () => void;
}

/**
 * Collects agent hellos and records them in batches with `recordHellos`, one
 * batch at a time. Hellos that arrive while a batch runs form the next one. A
 * host that appears twice in a batch is recorded once, with its latest hello.
 */
export class HelloBatcher<C> {
  private pending: PendingHello<C>[] = [];
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  /**
   * @param deliver receives each batch's channels and the jobs claimed for their
   *   hosts, in claim order, and sends the jobs to the channels still open.
   */
  constructor(
    private readonly db: Database,
    private readonly log: Logger,
    private readonly deliver: (channels: ReadonlySet<C>, items: DispatchItem[]) => void,
  ) {}

  /** Queues a hello; resolves once its batch is recorded and its jobs are delivered, also when recording failed. */
  add(channel: C, entry: HelloEntry): Promise<void> {
    return new Promise<void>((resolve) => {
      this.pending.push({ channel, entry, done: resolve });
      if (this.pending.length >= HELLO_BATCH_SIZE) {
        void this.flush();
      } else {
        this.timer ??= setTimeout(() => void this.flush(), HELLO_BATCH_MS);
      }
    });
  }

  /** Records every waiting hello now; resolves when none is left. */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.running ??= this.drain().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async drain(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0, HELLO_BATCH_SIZE);
      const latest = new Map(batch.map((pending) => [pending.entry.hostId, pending.entry]));
      try {
        const items = await recordHellos(this.db, this.log, [...latest.values()]);
        this.deliver(new Set(batch.map((pending) => pending.channel)), items);
      } catch (error) {
        this.log.error({ hostIds: [...latest.keys()], err: error }, 'failed to deliver jobs after agent hellos');
      } finally {
        for (const pending of batch) pending.done();
      }
    }
  }
}
