import type { Context } from '@/lib/context';
import type { Logger } from '@/lib/log';
import { fireDueSchedules } from '@/lib/schedules/fire-due-schedules';
import type { JobLimits } from '@/lib/schedules/fire-schedule';

/** Seconds between scheduler ticks. pg-boss cron resolves to the minute, so the tick runs on its own timer. */
export const SCHEDULE_TICK_SECONDS = 30;

export interface ScheduleTickOptions {
  graceSeconds: number;
  limits: JobLimits;
  consoleUrl: string;
}

/** Runs one scheduler tick at `now`; see fireDueSchedules. */
export async function runFireSchedules(ctx: Context, log: Logger, options: ScheduleTickOptions, now: Date = new Date()): Promise<void> {
  await fireDueSchedules(ctx, { now, graceSeconds: options.graceSeconds, limits: options.limits, log, consoleUrl: options.consoleUrl });
}

/**
 * Starts the scheduler tick every SCHEDULE_TICK_SECONDS. A tick never overlaps
 * the previous one in this process; other worker processes may tick at the same
 * time, which fireDueSchedules makes safe. Returns a function that stops the
 * timer and waits for a running tick.
 */
export function startScheduleTicker(ctx: Context, log: Logger, options: ScheduleTickOptions): () => Promise<void> {
  let running: Promise<void> | null = null;
  const tick = () => {
    if (running) {
      return;
    }
    running = runFireSchedules(ctx, log, options)
      .catch((error: unknown) => log.error({ err: error, task: 'fire-schedules' }, 'schedule tick failed'))
      .finally(() => {
        running = null;
      });
  };

  tick();
  const timer = setInterval(tick, SCHEDULE_TICK_SECONDS * 1000);
  return async () => {
    clearInterval(timer);
    await running;
  };
}
