/** Prefix of every notice subject line, so recipients can filter them. */
export const SUBJECT_PREFIX = '[Patch Manager]';

/** Most items a notice lists by name; the rest are counted. */
export const MAX_LISTED = 50;

/** Joins the console's public URL and a path, or returns null without a URL. */
export function consoleLink(consoleUrl: string | null | undefined, path: string): string | null {
  if (!consoleUrl) {
    return null;
  }
  return new URL(path, consoleUrl).toString();
}

/** Formats up to MAX_LISTED lines as a list and counts the rest in a last line. */
export function listLines(lines: string[], total: number = lines.length): string[] {
  const shown = lines.slice(0, MAX_LISTED).map((line) => `- ${line}`);
  if (total > shown.length) {
    shown.push(`- … and ${total - shown.length} more`);
  }
  return shown;
}

/** Formats "1 host" / "3 hosts". */
export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : pluralForm}`;
}
