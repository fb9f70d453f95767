import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { DonutChart } from '@/components/charts/donut-chart';
import { HorizontalBarChart } from '@/components/charts/horizontal-bar-chart';
import { LineChart } from '@/components/charts/line-chart';
import { niceMaximum, ticks } from '@/components/charts/scale';
import { StackedBarChart } from '@/components/charts/stacked-bar-chart';

const SERIES = [
  { label: 'Succeeded', color: 'green' },
  { label: 'Failed', color: 'red' },
];

describe('chart scale', () => {
  it.each([
    [0, 1],
    [1, 1],
    [3, 5],
    [7, 10],
    [11, 20],
    [180, 200],
    [501, 1000],
  ])('rounds %i up to %i', (value, expected) => {
    expect(niceMaximum(value)).toBe(expected);
  });

  it('spaces ticks evenly', () => {
    expect(ticks(20)).toEqual([0, 5, 10, 15, 20]);
  });
});

describe('charts', () => {
  it.each([
    ['donut', createElement(DonutChart, { label: 'hosts', segments: [{ label: 'Up to date', value: 0, color: 'green' }] })],
    ['bars', createElement(HorizontalBarChart, { label: 'ages', bars: [{ label: '< 7 days', value: 0, color: 'red' }] })],
    ['stacked bars', createElement(StackedBarChart, { label: 'jobs', series: SERIES, bars: [] })],
    ['lines', createElement(LineChart, { label: 'history', series: SERIES, points: [{ label: '2030-01-01', values: [0, 0] }] })],
  ])('%s render empty data without NaN', (_name, element) => {
    const html = renderToStaticMarkup(element);

    expect(html).toContain('<');
    expect(html).not.toMatch(/NaN|Infinity/);
  });

  it('donut segments fill the ring in proportion', () => {
    const html = renderToStaticMarkup(
      createElement(DonutChart, {
        label: 'hosts',
        segments: [
          { label: 'Up to date', value: 3, color: 'green' },
          { label: 'Behind', value: 1, color: 'orange' },
        ],
      }),
    );
    const circumference = 2 * Math.PI * 48;
    const dashes = [...html.matchAll(/stroke-dasharray="([\d.]+) ([\d.]+)"/g)].map((match) => Number(match[1]));

    expect(dashes).toHaveLength(2);
    expect(dashes[0]).toBeCloseTo(circumference * 0.75, 5);
    expect(dashes[1]).toBeCloseTo(circumference * 0.25, 5);
    expect(html).toContain('Behind: 1 (25 %)');
  });

  it('stacked bars stack in series order', () => {
    const html = renderToStaticMarkup(createElement(StackedBarChart, { label: 'jobs', series: SERIES, bars: [{ label: '03-15', values: [2, 2] }] }));
    const rects = [...html.matchAll(/<rect x="[\d.]+" width="[\d.]+" y="([\d.]+)" height="([\d.]+)" fill="(green|red)"/g)].map((match) => ({
      y: Number(match[1]),
      height: Number(match[2]),
      fill: match[3],
    }));

    expect(rects.map((rect) => rect.fill)).toEqual(['green', 'red']);
    expect(rects[0]!.height).toBeCloseTo(rects[1]!.height, 5);
    expect(rects[1]!.y + rects[1]!.height).toBeCloseTo(rects[0]!.y, 5);
  });
});
