import { describe, expect, it } from 'vitest';
import { currentZoneName, timeZoneChoices } from '@/app/schedules/time-zones';

describe('time zone choices', () => {
  it('offers current IANA names', () => {
    const zones = timeZoneChoices();

    expect(zones).toContain('Asia/Kolkata');
    expect(zones).toContain('Europe/Kyiv');
    expect(zones).toContain('Asia/Ho_Chi_Minh');
  });

  it('leaves out the older ICU names', () => {
    const zones = timeZoneChoices();

    expect(zones).not.toContain('Asia/Calcutta');
    expect(zones).not.toContain('Europe/Kiev');
  });

  it('lists UTC first and each zone once', () => {
    const zones = timeZoneChoices();

    expect(zones[0]).toBe('UTC');
    expect(new Set(zones).size).toBe(zones.length);
    expect(zones.slice(1)).toEqual([...zones.slice(1)].sort());
  });

  it('keeps an older stored name', () => {
    expect(timeZoneChoices('Asia/Calcutta')).toContain('Asia/Calcutta');
  });

  it('offers only names Intl accepts', () => {
    for (const zone of timeZoneChoices()) {
      expect(() => new Intl.DateTimeFormat('en', { timeZone: zone }), zone).not.toThrow();
    }
  });

  it('maps old names to the same offsets', () => {
    const instant = new Date('2027-01-15T12:00:00Z');
    const offsetOf = (timeZone: string) => new Intl.DateTimeFormat('en', { timeZone, timeZoneName: 'longOffset' }).format(instant);

    expect(currentZoneName('Asia/Calcutta')).toBe('Asia/Kolkata');
    expect(offsetOf('Asia/Kolkata')).toBe(offsetOf('Asia/Calcutta'));
    expect(offsetOf('Europe/Kyiv')).toBe(offsetOf('Europe/Kiev'));
    expect(currentZoneName('Europe/Berlin')).toBe('Europe/Berlin');
  });
});
