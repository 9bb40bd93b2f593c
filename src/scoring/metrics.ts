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

/**
 * Rows by score, highest first, in blocks of equal scores, each with its success rate: rows that tie are
 * alike to the model, and a share of a block counts the block's rate, never the file's order within it (a
 * CRM export sorted by stage put every tied success first).
 */
function tieBlocks(scores: ArrayLike<number>, y: ArrayLike<number>): { rows: number; rate: number }[] {
  const order = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[b]! - scores[a]!);
  const blocks: { rows: number; rate: number }[] = [];
  for (let i = 0; i < order.length; ) {
    let j = i;
    let successes = 0;
    for (; j < order.length && scores[order[j]!] === scores[order[i]!]; j++)
      successes += y[order[j]!] ? 1 : 0;
    blocks.push({ rows: j - i, rate: successes / (j - i) });
    i = j;
  }
  return blocks;
}

/** Expected successes among rows `from` to `to` (exclusive) of the blocks, highest scores first. */
function successesBetween(blocks: { rows: number; rate: number }[], from: number, to: number): number {
  let found = 0;
  let start = 0;
  for (const block of blocks) {
    const end = start + block.rows;
    const overlap = Math.min(end, to) - Math.max(start, from);
    if (overlap > 0) found += overlap * block.rate;
    if (end >= to) break;
    start = end;
  }
  return found;
}

/**
 * The shares of all successes found in the top `fractions` of rows by score, tied rows shared alike: the
 * rows sorted once for all of them.
 */
export function capturedShares(
  scores: ArrayLike<number>,
  y: ArrayLike<number>,
  fractions: number[],
): number[] {
  let total = 0;
  for (let i = 0; i < y.length; i++) total += y[i] ? 1 : 0;
  if (total === 0) return fractions.map(() => Number.NaN);
  const blocks = tieBlocks(scores, y);
  return fractions.map((f) => successesBetween(blocks, 0, Math.ceil(f * scores.length)) / total);
}

/** The share of all successes found in the top `fraction` of rows by score, tied rows shared alike. */
export function captured(scores: ArrayLike<number>, y: ArrayLike<number>, fraction: number): number {
  return capturedShares(scores, y, [fraction])[0]!;
}

export interface CalibrationBin {
  from: number;
  to: number;
  rows: number;
  predicted: number;
  observed: number;
}

/**
 * Rows in `bins` groups of equal size by predicted probability: mean prediction beside the observed rate,
 * rows of equal prediction shared between groups at their common rate.
 */
export function calibration(p: ArrayLike<number>, y: ArrayLike<number>, bins = 10): CalibrationBin[] {
  const order = Array.from({ length: p.length }, (_, i) => i).sort((a, b) => p[a]! - p[b]!);
  // Blocks lowest first, as the groups go.
  const blocks = tieBlocks(p, y).reverse();
  const out: CalibrationBin[] = [];
  for (let b = 0; b < bins; b++) {
    const [from, to] = [Math.floor((b * order.length) / bins), Math.floor(((b + 1) * order.length) / bins)];
    if (to === from) continue;
    let predicted = 0;
    for (let k = from; k < to; k++) predicted += p[order[k]!]!;
    out.push({
      from: p[order[from]!]!,
      to: p[order[to - 1]!]!,
      rows: to - from,
      predicted: predicted / (to - from),
      observed: successesBetween(blocks, from, to) / (to - from),
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
    // One at a time: spreading a list of 130,000 indices into push overflows the call stack.
    for (let k = 0; k < group.length; k++) (k < cut ? test : train).push(group[k]!);
  }
  return { train: train.sort((a, b) => a - b), test: test.sort((a, b) => a - b) };
}
