/** IANA zone names for the time zone selects: UTC first, then every zone Intl supports, plus `current` when it is missing. */
export function timeZoneChoices(current?: string): string[] {
  const zones = new Set(['UTC', ...Intl.supportedValuesOf('timeZone')]);
  if (current) {
    zones.add(current);
  }
  return [...zones];
}
