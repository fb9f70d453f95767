import { describe, expect, it } from 'vitest';
import { waitAtMost } from '@/lib/wait-at-most';

describe('waitAtMost', () => {
  it('returns true for work done in time', async () => {
    expect(await waitAtMost(Promise.resolve('done'), 1_000)).toBe(true);
  });

  it('returns true for work that failed in time', async () => {
    expect(await waitAtMost(Promise.reject(new Error('failed')), 1_000)).toBe(true);
  });

  it('returns false when the limit passes first', async () => {
    const never = new Promise(() => {});
    expect(await waitAtMost(never, 20)).toBe(false);
  });
});
