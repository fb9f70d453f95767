/** A chart series or segment: its name and a CSS color, such as `var(--color-success)`. */
export interface ChartSeries {
  label: string;
  color: string;
}

/**
 * Rounds a maximum up to 1, 2 or 5 times a power of ten, so axis ticks land on
 * round numbers. The result is at least 1, so an empty chart still has an axis.
 */
export function niceMaximum(value: number): number {
  if (value <= 1) {
    return 1;
  }
  const power = 10 ** Math.floor(Math.log10(value));
  const step = [1, 2, 5, 10].find((factor) => factor * power >= value) ?? 10;
  return step * power;
}

/** Returns `count + 1` evenly spaced tick values from 0 to `maximum`, without fractions when the maximum allows. */
export function ticks(maximum: number, count = 4): number[] {
  const step = maximum / count;
  return Array.from({ length: count + 1 }, (_, index) => {
    const value = index * step;
    return maximum >= count ? Math.round(value) : Math.round(value * 100) / 100;
  });
}
