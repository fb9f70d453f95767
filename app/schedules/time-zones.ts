/**
 * Zone names that ICU still lists under an older name, mapped to the current
 * IANA name. `Intl.supportedValuesOf('timeZone')` returns ICU's canonical ids,
 * such as `Asia/Calcutta` and `Europe/Kiev` in Node 20 with ICU 78.2. Both
 * names of a zone resolve to the same rules.
 */
const CURRENT_ZONE_NAMES: Record<string, string> = {
  'Africa/Asmera': 'Africa/Asmara',
  'America/Buenos_Aires': 'America/Argentina/Buenos_Aires',
  'America/Catamarca': 'America/Argentina/Catamarca',
  'America/Coral_Harbour': 'America/Atikokan',
  'America/Cordoba': 'America/Argentina/Cordoba',
  'America/Godthab': 'America/Nuuk',
  'America/Indianapolis': 'America/Indiana/Indianapolis',
  'America/Jujuy': 'America/Argentina/Jujuy',
  'America/Louisville': 'America/Kentucky/Louisville',
  'America/Mendoza': 'America/Argentina/Mendoza',
  'Asia/Calcutta': 'Asia/Kolkata',
  'Asia/Katmandu': 'Asia/Kathmandu',
  'Asia/Rangoon': 'Asia/Yangon',
  'Asia/Saigon': 'Asia/Ho_Chi_Minh',
  'Atlantic/Faeroe': 'Atlantic/Faroe',
  'Europe/Kiev': 'Europe/Kyiv',
  'Pacific/Enderbury': 'Pacific/Kanton',
  'Pacific/Ponape': 'Pacific/Pohnpei',
  'Pacific/Truk': 'Pacific/Chuuk',
};

/** Returns the current IANA name of a zone that ICU lists under an older name, or the name unchanged. */
export function currentZoneName(zone: string): string {
  return CURRENT_ZONE_NAMES[zone] ?? zone;
}

/**
 * Lists IANA zone names for the time zone selects: UTC first, then every zone Intl
 * supports under its current name, sorted. `current` is added when it is missing,
 * so a stored schedule with an older name such as `Asia/Calcutta` keeps it.
 */
export function timeZoneChoices(current?: string): string[] {
  const zones = new Set(Intl.supportedValuesOf('timeZone').map(currentZoneName));
  if (current) {
    zones.add(current);
  }
  zones.delete('UTC');
  return ['UTC', ...[...zones].sort()];
}
