import { ChartLegend } from './chart-legend';
import { niceMaximum, ticks, type ChartSeries } from './scale';

export interface LinePoint {
  /** Label on the x axis, such as a day. */
  label: string;
  /** One value per series, in the order of `series`. */
  values: number[];
}

const WIDTH = 640;
const HEIGHT = 220;
const LEFT = 36;
const RIGHT = 8;
const BOTTOM = 20;
const TOP = 8;

/**
 * Draws one line per series over evenly spaced points, with a y axis from
 * zero and a legend. Each point has a tooltip with all series' values. A
 * single point is drawn as dots, because a line needs two.
 */
export function LineChart({
  points,
  series,
  label,
  labelCount = 6,
  testId,
}: {
  points: LinePoint[];
  series: ChartSeries[];
  label: string;
  labelCount?: number;
  testId?: string;
}) {
  const maximum = niceMaximum(Math.max(0, ...points.flatMap((point) => point.values)));
  const plotWidth = WIDTH - LEFT - RIGHT;
  const plotHeight = HEIGHT - TOP - BOTTOM;
  const x = (index: number) => LEFT + (points.length <= 1 ? plotWidth / 2 : (index / (points.length - 1)) * plotWidth);
  const y = (value: number) => TOP + plotHeight - (value / maximum) * plotHeight;
  const labelEvery = Math.max(1, Math.ceil(points.length / labelCount));

  return (
    <figure className="flex flex-col gap-2" data-testid={testId}>
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} className="h-auto w-full" role="img" aria-label={label}>
        {ticks(maximum).map((tick) => (
          <g key={tick}>
            <line x1={LEFT} x2={WIDTH - RIGHT} y1={y(tick)} y2={y(tick)} stroke="var(--color-border)" strokeWidth={1} />
            <text x={LEFT - 4} y={y(tick) + 3} textAnchor="end" className="fill-muted-foreground text-[10px]">
              {tick}
            </text>
          </g>
        ))}
        {series.map((item, seriesIndex) => (
          <polyline
            key={item.label}
            fill="none"
            stroke={item.color}
            strokeWidth={2}
            strokeLinejoin="round"
            points={points.map((point, index) => `${x(index)},${y(point.values[seriesIndex] ?? 0)}`).join(' ')}
          />
        ))}
        {points.map((point, index) => (
          <g key={point.label}>
            <title>{`${point.label}: ${series.map((item, seriesIndex) => `${item.label} ${point.values[seriesIndex] ?? 0}`).join(', ')}`}</title>
            {series.map((item, seriesIndex) => (
              <circle key={item.label} cx={x(index)} cy={y(point.values[seriesIndex] ?? 0)} r={2.5} fill={item.color} />
            ))}
            {(index % labelEvery === 0 || index === points.length - 1) && (
              <text x={x(index)} y={HEIGHT - 6} textAnchor="middle" className="fill-muted-foreground text-[10px]">
                {point.label}
              </text>
            )}
          </g>
        ))}
      </svg>
      <ChartLegend items={series} />
    </figure>
  );
}
