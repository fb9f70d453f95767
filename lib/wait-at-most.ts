/**
 * Waits for `work` for at most `limitMs`. Resolves true when it settled in time and
 * false when the limit passed first; `work` keeps running either way, and a
 * rejection counts as settled.
 */
export async function waitAtMost(work: Promise<unknown>, limitMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), limitMs);
  });
  try {
    return await Promise.race([work.then(() => true, () => true), limit]);
  } finally {
    clearTimeout(timer);
  }
}
