import { niceMaximum } from './scale';

export interface HorizontalBar {
  label: string;
  value: number;
  /** Text after the value, such as "on 4 hosts". */
  detail?: string;
  color: string;
}

/** Horizontal bars on one shared scale, each with its label, value and detail. */
export function HorizontalBarChart({ bars, label, testId }: { bars: HorizontalBar[]; label: string; testId?: string }) {
  const maximum = niceMaximum(Math.max(0, ...bars.map((bar) => bar.value)));

  return (
    <figure aria-label={label} className="flex flex-col gap-2" data-testid={testId}>
      {bars.map((bar) => (
        <div key={bar.label} className="grid grid-cols-[6rem_1fr] items-center gap-3 text-sm">
          <span className="text-muted-foreground">{bar.label}</span>
          <div className="flex items-center gap-2">
            <svg viewBox="0 0 100 10" preserveAspectRatio="none" className="h-4 flex-1" aria-hidden>
              <rect x="0" y="0" width="100" height="10" rx="1.5" fill="var(--color-muted)" />
              <rect x="0" y="0" width={(bar.value / maximum) * 100} height="10" rx="1.5" fill={bar.color} />
            </svg>
            <span className="w-36 shrink-0 tabular-nums">
              <span className="font-medium">{bar.value}</span>
              {bar.detail && <span className="text-muted-foreground"> {bar.detail}</span>}
            </span>
          </div>
        </div>
      ))}
    </figure>
  );
}
