import type { SparseRow } from './features';
import { stratifiedSplit } from './metrics';

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
  /** Weights to start from, the intercept last (a neighbouring fit's): Newton then needs fewer steps. */
  start?: Float64Array;
  /**
   * How each Newton step is solved: 'direct' factorizes the Hessian (exact), 'iterative' runs conjugate
   * gradients on products with it. By default, direct up to DIRECT_LIMIT features.
   */
  solver?: 'direct' | 'iterative';
}

/**
 * Features up to which a Newton step factorizes the Hessian. The factorization grows with the cube of
 * the features: 2,070 (sixty numbers binned and sixty categories on 15,000 rows) took about 3 s a step,
 * and a training two minutes; conjugate gradients need only products of the Hessian with a vector, each
 * a pass over the rows' non-zero values.
 */
const DIRECT_LIMIT = 400;

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
 * an iteration over 40,000 rows takes milliseconds, and it converges in a handful. Only its lower half is
 * summed, which is all the Cholesky solver reads. With many features, each step is solved by conjugate
 * gradients instead (DIRECT_LIMIT).
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
  const w = options.start ? Float64Array.from(options.start) : new Float64Array(p);
  if (!options.start) {
    const positives = Array.from(y).reduce((a, b) => a + b, 0);
    const base = Math.min(Math.max(positives / rows.length, 1e-6), 1 - 1e-6);
    w[features] = Math.log(base / (1 - base));
  }
  const direct = (options.solver ?? (p <= DIRECT_LIMIT ? 'direct' : 'iterative')) === 'direct';
  const packed = pack(rows);
  const { start: begins, idx, val } = packed;
  let iterations = 0;
  // How closely the iterative solver solves a step (conjugateGradients); tightened to confirm convergence.
  let forcing = LOOSE;
  const hessian = direct ? new Float64Array(p * p) : undefined;
  const gradient = new Float64Array(p);
  // Each row's curvature, mu (1 - mu), for the iterative solver's products with the Hessian.
  const curvature = new Float64Array(rows.length);
  for (; iterations < maxIterations; iterations++) {
    hessian?.fill(0);
    gradient.fill(0);
    for (let i = 0; i < rows.length; i++) {
      const from = begins[i]!;
      const to = begins[i + 1]!;
      const mu = sigmoid(rowTimes(packed, i, w, features));
      const r = y[i]! - mu;
      const s = mu * (1 - mu);
      curvature[i] = s;
      for (let k = from; k < to; k++) gradient[idx[k]!]! += r * val[k]!;
      gradient[features]! += r;
      if (hessian) addToHessian(hessian, p, packed, i, s);
    }
    for (let j = 0; j < features; j++) gradient[j]! -= l2 * w[j]!;
    let step: Float64Array;
    if (hessian) {
      for (let j = 0; j < features; j++) hessian[j * p + j]! += l2;
      hessian[features * p + features]! += 1e-9;
      step = solveSymmetric(hessian, gradient, p);
    } else step = conjugateGradients({ rows: packed, curvature, features, l2 }, gradient, forcing);
    // Newton's step, halved until the penalized loss does not grow (a plain step can overshoot).
    const before = penalizedLoss(packed, y, w, features, l2);
    const start = Float64Array.from(w);
    let scale = 1;
    for (let tries = 0; tries < 30; tries++, scale /= 2) {
      for (let j = 0; j < p; j++) w[j] = start[j]! + scale * step[j]!;
      if (penalizedLoss(packed, y, w, features, l2) <= before + 1e-9) break;
    }
    let largest = 0;
    for (let j = 0; j < p; j++) largest = Math.max(largest, Math.abs(scale * step[j]!));
    if (largest < tolerance) {
      // A small step solved loosely may only be a poor one: stopped there, a fit of 1,740 features looked
      // converged after four steps, and its unfinished weights won the penalty's search. Solved closely
      // and still small, it is the end.
      if (!direct && forcing === LOOSE) {
        forcing = CLOSE;
        continue;
      }
      iterations++;
      break;
    }
    forcing = LOOSE;
  }
  return { weights: w.slice(0, features), intercept: w[features]!, iterations };
}

/**
 * Rows in one block each of indices and values (row i from start[i] to start[i + 1]): the passes over
 * them that training makes, hundreds with many features, run about twice as fast as over an array per row.
 */
interface PackedRows {
  start: Int32Array;
  idx: Int32Array;
  val: Float64Array;
}

function pack(rows: SparseRow[]): PackedRows {
  const start = new Int32Array(rows.length + 1);
  for (let i = 0; i < rows.length; i++) start[i + 1] = start[i]! + rows[i]!.idx.length;
  const idx = new Int32Array(start[rows.length]!);
  const val = new Float64Array(start[rows.length]!);
  for (let i = 0; i < rows.length; i++) {
    idx.set(rows[i]!.idx, start[i]!);
    val.set(rows[i]!.val, start[i]!);
  }
  return { start, idx, val };
}

/** Row i times a vector whose last coordinate (`features`) is the intercept's. */
function rowTimes(rows: PackedRows, i: number, v: Float64Array, features: number): number {
  const { start, idx, val } = rows;
  let z = v[features]!;
  for (let k = start[i]!; k < start[i + 1]!; k++) z += v[idx[k]!]! * val[k]!;
  return z;
}

/**
 * Adds row i's share, s x x', to the lower half of the Hessian (the intercept is the last coordinate):
 * each pair of the row's features once, whatever their order in the row.
 */
function addToHessian(hessian: Float64Array, p: number, rows: PackedRows, i: number, s: number): void {
  const { start, idx, val } = rows;
  const from = start[i]!;
  const to = start[i + 1]!;
  const intercept = p - 1;
  for (let a = from; a < to; a++) {
    const ia = idx[a]!;
    const sva = s * val[a]!;
    for (let b = from; b <= a; b++) {
      const ib = idx[b]!;
      if (ib <= ia) hessian[ia * p + ib]! += sva * val[b]!;
      else hessian[ib * p + ia]! += sva * val[b]!;
    }
    hessian[intercept * p + ia]! += sva;
  }
  hessian[intercept * p + intercept]! += s;
}

/** The penalized Hessian of a Newton step, known by the rows and their curvatures. */
interface Curvature {
  rows: PackedRows;
  curvature: Float64Array;
  features: number;
  l2: number;
}

/** H v: a pass over the rows' non-zero values, the Hessian never formed. */
function hessianTimes(h: Curvature, v: Float64Array, out: Float64Array): void {
  const { rows, curvature, features, l2 } = h;
  const { start, idx, val } = rows;
  out.fill(0);
  for (let i = 0; i < curvature.length; i++) {
    const from = start[i]!;
    const to = start[i + 1]!;
    const t = rowTimes(rows, i, v, features) * curvature[i]!;
    for (let k = from; k < to; k++) out[idx[k]!]! += t * val[k]!;
    out[features]! += t;
  }
  for (let j = 0; j < features; j++) out[j]! += l2 * v[j]!;
  out[features]! += 1e-9 * v[features]!;
}

/** Conjugate-gradient steps at most for one Newton step. */
const CG_STEPS = 500;
/**
 * How closely the iterative solver solves a step, its residual relative to the gradient: LOOSE shrinks
 * with the gradient (conjugateGradients), CLOSE confirms that a small step is the optimum's.
 */
const LOOSE = -1;
const CLOSE = 1e-2;

/**
 * Solves H x = g by conjugate gradients preconditioned by H's diagonal, as closely as the gradient is
 * small: the residual may be a tenth of the gradient far from the optimum, and shrinks with it near it
 * (its square root, relative), which keeps Newton's fast convergence at a fraction of the products.
 * Stopped early, x is still a descent direction, and the step's line search keeps the loss from growing.
 */
function conjugateGradients(h: Curvature, g: Float64Array, forcing: number): Float64Array {
  const { rows, curvature, features, l2 } = h;
  const p = g.length;
  const diagonal = new Float64Array(p);
  const { start, idx, val } = rows;
  for (let i = 0; i < curvature.length; i++) {
    const s = curvature[i]!;
    for (let k = start[i]!; k < start[i + 1]!; k++) diagonal[idx[k]!]! += s * val[k]! * val[k]!;
    diagonal[features]! += s;
  }
  for (let j = 0; j < features; j++) diagonal[j]! += l2;
  diagonal[features]! += 1e-9;
  const x = new Float64Array(p);
  const r = Float64Array.from(g);
  const z = new Float64Array(p);
  const hd = new Float64Array(p);
  for (let j = 0; j < p; j++) z[j] = r[j]! / diagonal[j]!;
  const d = Float64Array.from(z);
  let rz = dot(r, z);
  const norm = Math.sqrt(dot(g, g));
  const stop = (forcing === LOOSE ? Math.min(0.5, Math.sqrt(norm)) : forcing) * norm;
  for (let step = 0; step < CG_STEPS && Math.sqrt(dot(r, r)) > stop; step++) {
    hessianTimes(h, d, hd);
    const alpha = rz / dot(d, hd);
    for (let j = 0; j < p; j++) {
      x[j]! += alpha * d[j]!;
      r[j]! -= alpha * hd[j]!;
      z[j] = r[j]! / diagonal[j]!;
    }
    const next = dot(r, z);
    const beta = next / rz;
    rz = next;
    for (let j = 0; j < p; j++) d[j] = z[j]! + beta * d[j]!;
  }
  return x;
}

function dot(a: Float64Array, b: Float64Array): number {
  let sum = 0;
  for (let j = 0; j < a.length; j++) sum += a[j]! * b[j]!;
  return sum;
}

/** L2 strengths chooseL2 tries, from the default up, about threefold apart. */
const L2_CANDIDATES = [1, 3, 10, 30, 100, 300, 1000];
/**
 * How much worse than the best a held-out loss may be and still count as as good: a fifth of a few
 * thousand rows is a noisy judge, and a penalty stronger than needed blurs real differences (on a tenth
 * of the bank, 100 won by 0.4 % on the held-out part where 30 did better on the test rows).
 */
const L2_TOLERANCE = 0.005;

/**
 * The L2 strength for rows with many features for their number, with that fit's weights to start the
 * final one from: each of L2_CANDIDATES is fitted on four fifths of the rows and judged by its mean
 * log-loss on the other fifth (calibration counts as well as order), and the weakest penalty within
 * L2_TOLERANCE of the best wins. A penalty of 1 overfits there: 1,560 features on 7,500 rows predicted
 * 88 % where 47 % succeeded. The search stops once the loss clearly rises; each fit starts from the
 * previous one's weights and stops at a coarser step, which is all a comparison needs.
 */
export function chooseL2(
  rows: SparseRow[],
  y: ArrayLike<number>,
  features: number,
  seed: number,
): { l2: number; start: Float64Array } {
  const { train, test } = stratifiedSplit(y, 0.2, seed);
  const fitRows = train.map((i) => rows[i]!);
  const fitY = train.map((i) => y[i]!);
  const tried: { l2: number; start: Float64Array; loss: number }[] = [];
  let best = Number.POSITIVE_INFINITY;
  for (const l2 of L2_CANDIDATES) {
    const start = tried[tried.length - 1]?.start;
    const model = trainLogistic(fitRows, fitY, features, {
      l2,
      tolerance: 1e-3,
      ...(start ? { start } : {}),
    });
    let loss = 0;
    for (const i of test) loss += logLoss(linear(model, rows[i]!), y[i]!);
    tried.push({ l2, start: startOf(model), loss });
    if (loss > best * (1 + L2_TOLERANCE)) break;
    best = Math.min(best, loss);
  }
  const chosen = tried.find((t) => t.loss <= best * (1 + L2_TOLERANCE))!;
  return { l2: chosen.l2, start: chosen.start };
}

/** A model's weights and intercept as trainLogistic starts from them. */
function startOf(model: LogisticModel): Float64Array {
  const start = new Float64Array(model.weights.length + 1);
  start.set(model.weights);
  start[model.weights.length] = model.intercept;
  return start;
}

/** log(1 + e^z) - y z, the log-loss of one row, computed without overflow. */
function logLoss(z: number, y: number): number {
  return (z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z))) - y * z;
}

function penalizedLoss(
  rows: PackedRows,
  y: ArrayLike<number>,
  w: Float64Array,
  features: number,
  l2: number,
): number {
  const { start } = rows;
  let loss = 0;
  for (let i = 0; i < start.length - 1; i++) {
    loss += logLoss(rowTimes(rows, i, w, features), y[i]!);
  }
  let norm = 0;
  for (let j = 0; j < features; j++) norm += w[j]! ** 2;
  return loss + (l2 / 2) * norm;
}

/** Solves H x = g for a symmetric positive-definite H (Cholesky), H given row-major and overwritten. */
function solveSymmetric(h: Float64Array, g: Float64Array, n: number): Float64Array {
  for (let j = 0; j < n; j++) {
    const rowJ = j * n;
    let d = h[rowJ + j]!;
    for (let k = 0; k < j; k++) d -= h[rowJ + k]! ** 2;
    const root = Math.sqrt(Math.max(d, 1e-12));
    h[rowJ + j] = root;
    for (let i = j + 1; i < n; i++) {
      const rowI = i * n;
      let s = h[rowI + j]!;
      for (let k = 0; k < j; k++) s -= h[rowI + k]! * h[rowJ + k]!;
      h[rowI + j] = s / root;
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
