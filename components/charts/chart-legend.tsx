import type { ChartSeries } from './scale';

/** A legend of colored swatches, with an optional value after each label. */
export function ChartLegend({ items }: { items: (ChartSeries & { value?: number | string })[] }) {
  return (
    <ul className="flex flex-wrap gap-x-4 gap-y-1 text-sm">
      {items.map((item) => (
        <li key={item.label} className="flex items-center gap-1.5">
          <span aria-hidden className="inline-block size-3 rounded-sm" style={{ backgroundColor: item.color }} />
          <span>{item.label}</span>
          {item.value !== undefined && <span className="font-medium tabular-nums">{item.value}</span>}
        </li>
      ))}
    </ul>
  );
}
