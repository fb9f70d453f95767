import { describe, expect, it } from 'vitest';
import { backoffDelayMs } from '@/agent/backoff';

const OPTIONS = { baseMs: 1_000, capMs: 60_000 };

/** Returns the delay ceiling of `attempt`: the delay for a random value just below 1 is the ceiling minus one. */
function ceilingOf(attempt: number): number {
  return backoffDelayMs(attempt, OPTIONS, () => 0.999_999_999) + 1;
}

describe('backoffDelayMs', () => {
  it('doubles the ceiling per attempt', () => {
    expect([0, 1, 2, 3, 4, 5].map(ceilingOf)).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 32_000]);
  });

  it('stops growing at the cap', () => {
    expect(ceilingOf(6)).toBe(60_000);
    expect(ceilingOf(50)).toBe(60_000);
    expect(ceilingOf(10_000)).toBe(60_000);
  });

  it('returns zero for a random value of zero', () => {
    expect(backoffDelayMs(7, OPTIONS, () => 0)).toBe(0);
  });

  it('scales the ceiling by the random value', () => {
    expect(backoffDelayMs(2, OPTIONS, () => 0.5)).toBe(2_000);
    expect(backoffDelayMs(2, OPTIONS, () => 0.25)).toBe(1_000);
  });

  it('spreads real delays over the whole range', () => {
    const delays = Array.from({ length: 2_000 }, () => backoffDelayMs(10, OPTIONS));

    for (const delay of delays) {
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThan(60_000);
    }
    // With full jitter, about a quarter of the delays fall in each quarter of the range.
    const quarters = [0, 1, 2, 3].map((quarter) => delays.filter((delay) => Math.floor(delay / 15_000) === quarter).length);
    for (const count of quarters) expect(count).toBeGreaterThan(350);
    expect(new Set(delays).size).toBeGreaterThan(1_500);
  });
});
