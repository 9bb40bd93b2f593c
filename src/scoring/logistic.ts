import type { SparseRow } from './features';

export interface LogisticModel {
  weights: Float64Array;
  intercept: number;
  iterations: number;
}

export interface TrainOptions {
  /** L2 penalty on the weights (not the intercept), on the summed log-loss. */
  l2?: number;
  maxIterations?: number;
  tolerance?: number;
}

const sigmoid = (z: number) => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));

export function linear(model: LogisticModel, row: SparseRow): number {
  let z = model.intercept;
  for (let k = 0; k < row.idx.length; k++) z += model.weights[row.idx[k]!]! * row.val[k]!;
  return z;
}

export function predict(model: LogisticModel, row: SparseRow): number {
  return sigmoid(linear(model, row));
}

/**
 * L2-regularized logistic regression fitted by Newton's method on sparse rows: the Hessian is built from
 * each row's few non-zero features (a one-hot row of 20 columns touches 40 or so of several hundred), so
 * an iteration over 40,000 rows takes milliseconds, and it converges in a handful.
 */
export function trainLogistic(
  rows: SparseRow[],
  y: ArrayLike<number>,
  features: number,
  options: TrainOptions = {},
): LogisticModel {
  const l2 = options.l2 ?? 1;
  const maxIterations = options.maxIterations ?? 30;
  const tolerance = options.tolerance ?? 1e-7;
  const p = features + 1; // the intercept is the last coordinate
  const w = new Float64Array(p);
  const positives = Array.from(y).reduce((a, b) => a + b, 0);
  const base = Math.min(Math.max(positives / rows.length, 1e-6), 1 - 1e-6);
  w[features] = Math.log(base / (1 - base));
  let iterations = 0;
  const hessian = new Float64Array(p * p);
  const gradient = new Float64Array(p);
  for (; iterations < maxIterations; iterations++) {
    hessian.fill(0);
    gradient.fill(0);
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!;
      let z = w[features]!;
      for (let k = 0; k < row.idx.length; k++) z += w[row.idx[k]!]! * row.val[k]!;
      const mu = sigmoid(z);
      const r = y[i]! - mu;
      const s = mu * (1 - mu);
      const n = row.idx.length;
      for (let a = 0; a < n; a++) {
        const ia = row.idx[a]!;
        const va = row.val[a]!;
        gradient[ia]! += r * va;
        const sva = s * va;
        const offset = ia * p;
        for (let b = 0; b < n; b++) hessian[offset + row.idx[b]!]! += sva * row.val[b]!;
        hessian[offset + features]! += sva;
        hessian[features * p + ia]! += sva;
      }
      gradient[features]! += r;
      hessian[features * p + features]! += s;
    }
    for (let j = 0; j < features; j++) {
      gradient[j]! -= l2 * w[j]!;
      hessian[j * p + j]! += l2;
    }
    hessian[features * p + features]! += 1e-9;
    const step = solveSymmetric(hessian, gradient, p);
    // Newton's step, halved until the penalized loss does not grow (a plain step can overshoot).
    const before = penalizedLoss(rows, y, w, features, l2);
    const start = Float64Array.from(w);
    let scale = 1;
    for (let tries = 0; tries < 30; tries++, scale /= 2) {
      for (let j = 0; j < p; j++) w[j] = start[j]! + scale * step[j]!;
      if (penalizedLoss(rows, y, w, features, l2) <= before + 1e-9) break;
    }
    let largest = 0;
    for (let j = 0; j < p; j++) largest = Math.max(largest, Math.abs(scale * step[j]!));
    if (largest < tolerance) {
      iterations++;
      break;
    }
  }
  return { weights: w.slice(0, features), intercept: w[features]!, iterations };
}

function penalizedLoss(
  rows: SparseRow[],
  y: ArrayLike<number>,
  w: Float64Array,
  features: number,
  l2: number,
): number {
  let loss = 0;
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    let z = w[features]!;
    for (let k = 0; k < row.idx.length; k++) z += w[row.idx[k]!]! * row.val[k]!;
    // log(1 + e^z) - y z, computed without overflow
    loss += (z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z))) - y[i]! * z;
  }
  let norm = 0;
  for (let j = 0; j < features; j++) norm += w[j]! ** 2;
  return loss + (l2 / 2) * norm;
}

/** Solves H x = g for a symmetric positive-definite H (Cholesky), H given row-major and overwritten. */
function solveSymmetric(h: Float64Array, g: Float64Array, n: number): Float64Array {
  for (let j = 0; j < n; j++) {
    let d = h[j * n + j]!;
    for (let k = 0; k < j; k++) d -= h[j * n + k]! ** 2;
    const root = Math.sqrt(Math.max(d, 1e-12));
    h[j * n + j] = root;
    for (let i = j + 1; i < n; i++) {
      let s = h[i * n + j]!;
      for (let k = 0; k < j; k++) s -= h[i * n + k]! * h[j * n + k]!;
      h[i * n + j] = s / root;
    }
  }
  const x = Float64Array.from(g);
  for (let i = 0; i < n; i++) {
    let s = x[i]!;
    for (let k = 0; k < i; k++) s -= h[i * n + k]! * x[k]!;
    x[i] = s / h[i * n + i]!;
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = x[i]!;
    for (let k = i + 1; k < n; k++) s -= h[k * n + i]! * x[k]!;
    x[i] = s / h[i * n + i]!;
  }
  return x;
}
