import { ChartLegend } from './chart-legend';
import type { ChartSeries } from './scale';

export interface DonutSegment extends ChartSeries {
  value: number;
}

const SIZE = 120;
const RADIUS = 48;
const STROKE = 18;
const CIRCUMFERENCE = 2 * Math.PI * RADIUS;

/**
 * A donut chart of parts of a whole, with the total in the middle and a
 * legend. Each segment is a dashed circle stroke, so no arc geometry is needed
 * and a segment of 100 % closes the ring.
 */
export function DonutChart({ segments, label, testId }: { segments: DonutSegment[]; label: string; testId?: string }) {
  const total = segments.reduce((sum, segment) => sum + segment.value, 0);
  const arcs = segments
    .filter((segment) => segment.value > 0 && total > 0)
    .map((segment, index, visible) => ({
      segment,
      length: (segment.value / total) * CIRCUMFERENCE,
      offset: (visible.slice(0, index).reduce((sum, before) => sum + before.value, 0) / Math.max(total, 1)) * CIRCUMFERENCE,
    }));

  return (
    <figure className="flex flex-wrap items-center gap-4" data-testid={testId}>
      <svg viewBox={`0 0 ${SIZE} ${SIZE}`} className="size-32 shrink-0" role="img" aria-label={`${label}: ${segments.map((s) => `${s.label} ${s.value}`).join(', ')}`}>
        <circle cx={SIZE / 2} cy={SIZE / 2} r={RADIUS} fill="none" stroke="var(--color-muted)" strokeWidth={STROKE} />
        {arcs.map(({ segment, length, offset }) => (
          <circle
            key={segment.label}
            cx={SIZE / 2}
            cy={SIZE / 2}
            r={RADIUS}
            fill="none"
            stroke={segment.color}
            strokeWidth={STROKE}
            strokeDasharray={`${length} ${CIRCUMFERENCE - length}`}
            strokeDashoffset={-offset}
            transform={`rotate(-90 ${SIZE / 2} ${SIZE / 2})`}
          >
            <title>{`${segment.label}: ${segment.value} (${Math.round((segment.value / total) * 100)} %)`}</title>
          </circle>
        ))}
        <text x="50%" y="48%" textAnchor="middle" className="fill-foreground text-2xl font-semibold">
          {total}
        </text>
        <text x="50%" y="64%" textAnchor="middle" className="fill-muted-foreground text-[9px]">
          {label}
        </text>
      </svg>
      <ChartLegend items={segments} />
    </figure>
  );
}
