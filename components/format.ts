/**
 * Display formatting shared by the console pages. Times are shown in UTC so that
 * every operator reading a page or a screenshot sees the same clock.
 */

/** Formats a timestamp as `YYYY-MM-DD HH:MM UTC`, or an em dash when absent. */
export function formatDateTime(value: Date | null | undefined): string {
  if (!value) {
    return '—';
  }

  return `${value.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** Formats the age of a past timestamp ("4 min ago"), or "never" when absent. */
export function formatAge(value: Date | null | undefined, now: Date = new Date()): string {
  if (!value) {
    return 'never';
  }

  const seconds = Math.round((now.getTime() - value.getTime()) / 1000);
  if (seconds < 0) {
    return 'just now';
  }
  if (seconds < 60) {
    return `${seconds} s ago`;
  }
  if (seconds < 3600) {
    return `${Math.floor(seconds / 60)} min ago`;
  }
  if (seconds < 86_400) {
    return `${Math.floor(seconds / 3600)} h ago`;
  }
  return `${Math.floor(seconds / 86_400)} d ago`;
}

/** Formats a span in seconds as days, hours and minutes ("3 d 4 h"). */
export function formatSeconds(totalSeconds: number): string {
  const days = Math.floor(totalSeconds / 86_400);
  const hours = Math.floor((totalSeconds % 86_400) / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);

  if (days > 0) {
    return `${days} d ${hours} h`;
  }
  if (hours > 0) {
    return `${hours} h ${minutes} min`;
  }
  return `${minutes} min`;
}

/** Formats a duration in milliseconds ("12.3 s", "4 min 5 s"), or an em dash when absent. */
export function formatDurationMs(value: number | null | undefined): string {
  if (value === null || value === undefined) {
    return '—';
  }
  if (value < 60_000) {
    return `${(value / 1000).toFixed(1)} s`;
  }

  const minutes = Math.floor(value / 60_000);
  const seconds = Math.round((value % 60_000) / 1000);
  return `${minutes} min ${seconds} s`;
}
