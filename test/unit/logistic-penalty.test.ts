import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/lib/random';
import type { SparseRow } from '../../src/scoring/features';
import { chooseL2, linear, trainLogistic } from '../../src/scoring/logistic';

/** Rows of `features` standard normal values of which the first three decide the outcome. */
function rows(n: number, features: number, seed: number): { rows: SparseRow[]; y: number[] } {
  const { next: random } = seededRandom(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const out: SparseRow[] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    const val = Array.from({ length: features }, gauss);
    const z = -1 + 0.8 * val[0]! - 0.6 * val[1]! + 0.5 * val[2]!;
    out.push({ idx: val.map((_, j) => j), val });
    y.push(random() < 1 / (1 + Math.exp(-z)) ? 1 : 0);
  }
  return { rows: out, y };
}

/** Mean log-loss of a model on rows. */
function logLoss(model: ReturnType<typeof trainLogistic>, data: { rows: SparseRow[]; y: number[] }): number {
  let loss = 0;
  data.rows.forEach((row, i) => {
    const z = linear(model, row);
    loss += Math.log1p(Math.exp(-Math.abs(z))) + Math.max(z, 0) - data.y[i]! * z;
  });
  return loss / data.rows.length;
}

describe('the L2 penalty', () => {
  it('chooses a stronger penalty where features are many for the rows, and predicts new rows better', () => {
    const train = rows(600, 150, 1);
    const test = rows(4000, 150, 2);
    const chosen = chooseL2(train.rows, train.y, 150, 42);
    expect(chosen.l2).toBeGreaterThan(1);
    const penalized = trainLogistic(train.rows, train.y, 150, chosen);
    const plain = trainLogistic(train.rows, train.y, 150, { l2: 1 });
    expect(logLoss(penalized, test)).toBeLessThan(logLoss(plain, test) - 0.02);
  });

  it('keeps the default where rows are many for the features', () => {
    const train = rows(6000, 3, 3);
    expect(chooseL2(train.rows, train.y, 3, 42).l2).toBe(1);
  });

  it('fits the same weights whatever the order of a row’s features', () => {
    const train = rows(500, 6, 4);
    const reversed = train.rows.map((row) => ({ idx: [...row.idx].reverse(), val: [...row.val].reverse() }));
    const a = trainLogistic(train.rows, train.y, 6, { l2: 1 });
    const b = trainLogistic(reversed, train.y, 6, { l2: 1 });
    for (let j = 0; j < 6; j++) expect(b.weights[j]).toBeCloseTo(a.weights[j]!, 10);
  });

  it('fits the same weights by conjugate gradients as by factorizing the Hessian', () => {
    // One-hot rows: 40 columns of 12 levels each, 480 features, the first level of three columns decisive.
    const { next: random } = seededRandom(5);
    const data: SparseRow[] = [];
    const y: number[] = [];
    for (let i = 0; i < 3000; i++) {
      const idx = Array.from({ length: 40 }, (_, c) => c * 12 + Math.floor(random() * 12));
      const z = -0.5 + (idx[0] === 0 ? 1.5 : 0) + (idx[1] === 12 ? -1.2 : 0) + (idx[2] === 24 ? 1 : 0);
      data.push({ idx, val: idx.map(() => 1) });
      y.push(random() < 1 / (1 + Math.exp(-z)) ? 1 : 0);
    }
    const direct = trainLogistic(data, y, 480, { l2: 3, solver: 'direct' });
    const iterative = trainLogistic(data, y, 480, { l2: 3, solver: 'iterative' });
    expect(iterative.intercept).toBeCloseTo(direct.intercept, 5);
    for (let j = 0; j < 480; j++) expect(iterative.weights[j]).toBeCloseTo(direct.weights[j]!, 5);
    expect(direct.weights[0]).toBeGreaterThan(1);
  });
});
