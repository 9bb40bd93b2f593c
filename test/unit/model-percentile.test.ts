import { describe, expect, it } from 'vitest';
import { percentileOf } from '../../src/scoring/models';

describe("a model's percentile", () => {
  const tenths = (values: [number, number][]) => values.map(([from, to]) => ({ from, to }));
  it('interpolates within its tenth, and puts odds shared by several tenths at their middle', () => {
    const spread = tenths(Array.from({ length: 10 }, (_, i) => [i / 10, (i + 1) / 10 - 0.001]));
    expect(percentileOf(0.05, spread)).toBe(5);
    expect(percentileOf(0.95, spread)).toBe(95);
    const tied = tenths([
      ...Array.from({ length: 7 }, () => [0.0256, 0.0256] as [number, number]),
      [0.1, 0.2],
      [0.2, 0.3],
      [0.3, 0.9],
    ]);
    expect(percentileOf(0.0256, tied)).toBe(35);
    expect(percentileOf(0.025600000001, tied)).toBe(35);
    expect(percentileOf(0.15, tied)).toBe(75);
    expect(percentileOf(0.5, [])).toBe(50);
  });
});
