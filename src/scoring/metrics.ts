import { seededRandom } from '../lib/random';

/** Area under the ROC curve: the chance a random success is ranked above a random failure (ties count half). */
export function auc(scores: ArrayLike<number>, y: ArrayLike<number>): number {
  const order = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  let rankSum = 0;
  let positives = 0;
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && scores[order[j + 1]!] === scores[order[i]!]) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) {
      if (y[order[k]!]) {
        rankSum += rank;
        positives++;
      }
    }
    i = j + 1;
  }
  const negatives = order.length - positives;
  if (positives === 0 || negatives === 0) return Number.NaN;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** The share of all successes found in the top `fraction` of rows by score. */
export function captured(scores: ArrayLike<number>, y: ArrayLike<number>, fraction: number): number {
  const order = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[b]! - scores[a]!);
  const top = Math.ceil(fraction * order.length);
  let found = 0;
  let total = 0;
  for (let k = 0; k < order.length; k++) {
    if (!y[order[k]!]) continue;
    total++;
    if (k < top) found++;
  }
  return total === 0 ? Number.NaN : found / total;
}

export interface CalibrationBin {
  from: number;
  to: number;
  rows: number;
  predicted: number;
  observed: number;
}

/** Rows in `bins` groups of equal size by predicted probability: mean prediction beside the observed rate. */
export function calibration(p: ArrayLike<number>, y: ArrayLike<number>, bins = 10): CalibrationBin[] {
  const order = Array.from({ length: p.length }, (_, i) => i).sort((a, b) => p[a]! - p[b]!);
  const out: CalibrationBin[] = [];
  for (let b = 0; b < bins; b++) {
    const slice = order.slice(
      Math.floor((b * order.length) / bins),
      Math.floor(((b + 1) * order.length) / bins),
    );
    if (slice.length === 0) continue;
    const predicted = slice.reduce((s, i) => s + p[i]!, 0) / slice.length;
    const observed = slice.reduce((s, i) => s + y[i]!, 0) / slice.length;
    out.push({
      from: p[slice[0]!]!,
      to: p[slice[slice.length - 1]!]!,
      rows: slice.length,
      predicted,
      observed,
    });
  }
  return out;
}

/** Indices of a test set holding `fraction` of the successes and of the failures alike. */
export function stratifiedSplit(
  y: ArrayLike<number>,
  fraction: number,
  seed: number,
): { train: number[]; test: number[] } {
  const random = seededRandom(seed).next;
  const shuffle = (list: number[]) => {
    for (let i = list.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [list[i], list[j]] = [list[j]!, list[i]!];
    }
    return list;
  };
  const train: number[] = [];
  const test: number[] = [];
  for (const label of [0, 1]) {
    const group = shuffle(Array.from({ length: y.length }, (_, i) => i).filter((i) => y[i] === label));
    const cut = Math.round(group.length * fraction);
    test.push(...group.slice(0, cut));
    train.push(...group.slice(cut));
  }
  return { train: train.sort((a, b) => a - b), test: test.sort((a, b) => a - b) };
}
