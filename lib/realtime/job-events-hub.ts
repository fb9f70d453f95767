import type { Sql } from '@/lib/db/client';
import type { Logger } from '@/lib/log';
import { JOB_EVENTS_CHANNEL, type JobEvent } from './channels';

export type JobEventListener = (event: JobEvent) => void;

/**
 * One LISTEN connection per process that fans job events out to local
 * listeners: browser job streams and the agent channels. Events come from any
 * server or worker process through PostgreSQL NOTIFY.
 */
export class JobEventsHub {
  private readonly listeners = new Set<JobEventListener>();
  private unlisten: (() => Promise<void>) | null = null;

  constructor(private readonly log: Logger) {}

  async start(sql: Sql): Promise<void> {
    const subscription = await sql.listen(JOB_EVENTS_CHANNEL, (payload) => this.dispatch(payload));
    this.unlisten = () => subscription.unlisten();
  }

  on(listener: JobEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async stop(): Promise<void> {
    // The database may already be gone at shutdown, and nothing is left to unsubscribe then.
    await this.unlisten?.().catch(() => undefined);
    this.listeners.clear();
  }

  private dispatch(payload: string): void {
    let event: JobEvent;
    try {
      event = JSON.parse(payload) as JobEvent;
    } catch (error) {
      this.log.warn({ err: error }, 'ignored malformed job event notification');
      return;
    }
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        this.log.error({ err: error, event }, 'job event listener failed');
      }
    }
  }
}
