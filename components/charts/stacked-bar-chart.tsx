import { ChartLegend } from './chart-legend';
import { niceMaximum, ticks, type ChartSeries } from './scale';

export interface StackedBar {
  /** Label under the bar, such as a day. */
  label: string;
  /** One value per series, in the order of `series`. */
  values: number[];
}

const WIDTH = 640;
const HEIGHT = 200;
const LEFT = 32;
const BOTTOM = 20;
const TOP = 8;

/**
 * Vertical bars with one stacked segment per series, a y axis from zero and a
 * legend with each series' total. Labels are shown under every `labelEvery`th
 * bar so thirty days stay readable.
 */
export function StackedBarChart({
  bars,
  series,
  label,
  labelEvery = 5,
  testId,
}: {
  bars: StackedBar[];
  series: ChartSeries[];
  label: string;
  labelEvery?: number;
  testId?: string;
}) {
  const maximum = niceMaximum(Math.max(0, ...bars.map((bar) => bar.values.reduce((sum, value) => sum + value, 0))));
  const plotHeight = HEIGHT - TOP - BOTTOM;
  const slot = (WIDTH - LEFT) / Math.max(bars.length, 1);
  const barWidth = Math.max(slot * 0.7, 1);
  const y = (value: number) => TOP + plotHeight - (value / maximum) * plotHeight;
  const totals = series.map((item, index) => ({ ...item, value: bars.reduce((sum, bar) => sum + (bar.values[index] ?? 0), 0) }));

  return (
    <figure className="flex flex-col gap-2" data-testid={testId}>
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} className="h-auto w-full" role="img" aria-label={label}>
        {ticks(maximum).map((tick) => (
          <g key={tick}>
            <line x1={LEFT} x2={WIDTH} y1={y(tick)} y2={y(tick)} stroke="var(--color-border)" strokeWidth={1} />
            <text x={LEFT - 4} y={y(tick) + 3} textAnchor="end" className="fill-muted-foreground text-[10px]">
              {tick}
            </text>
          </g>
        ))}
        {bars.map((bar, barIndex) => {
          const x = LEFT + barIndex * slot + (slot - barWidth) / 2;
          const stacked = bar.values.map((value, index) => ({
            value,
            index,
            base: bar.values.slice(0, index).reduce((sum, before) => sum + before, 0),
          }));
          return (
            <g key={bar.label}>
              <title>{`${bar.label}: ${series.map((item, index) => `${item.label} ${bar.values[index] ?? 0}`).join(', ')}`}</title>
              {stacked
                .filter((part) => part.value > 0)
                .map((part) => (
                  <rect
                    key={part.index}
                    x={x}
                    width={barWidth}
                    y={y(part.base + part.value)}
                    height={y(part.base) - y(part.base + part.value)}
                    fill={series[part.index]?.color ?? 'var(--color-muted-foreground)'}
                  />
                ))}
              <rect x={LEFT + barIndex * slot} width={slot} y={TOP} height={plotHeight} fill="transparent" />
              {(barIndex % labelEvery === 0 || barIndex === bars.length - 1) && (
                <text x={x + barWidth / 2} y={HEIGHT - 6} textAnchor="middle" className="fill-muted-foreground text-[10px]">
                  {bar.label}
                </text>
              )}
            </g>
          );
        })}
      </svg>
      <ChartLegend items={totals} />
    </figure>
  );
}
