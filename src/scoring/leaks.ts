import type { Encoder, SparseRow } from './features';
import { auc } from './metrics';

/**
 * Columns that give the outcome away, found on the training rows: those that alone tell successes from
 * failures (aloneAucs), those filled in for one outcome only (oneSided), and the test AUC beyond which a
 * history is suspect.
 */

/** Rows a column must be filled on, and the share of one outcome's rows, to be named by oneSided. */
const ONE_SIDED_ROWS = 20;
const ONE_SIDED_SHARE = 0.3;

/**
 * Columns filled in for one outcome only, on a good part of its rows: every training row where a date of
 * signature is given succeeded, or every row with a reason for a loss failed. Such a column is written
 * after the outcome, whatever the AUC it reaches alone (a signature date for 85 % of the winners: 0.94).
 */
export function oneSided(
  encoder: Encoder,
  encoded: SparseRow[],
  y: number[],
  /** Columns already named as leaks. */
  named: Set<string>,
): { oneSided?: { column: string; outcome: 'success' | 'failure'; rows: number }[] } {
  const total = [0, 0];
  for (const v of y) total[v]!++;
  const found: { column: string; outcome: 'success' | 'failure'; rows: number }[] = [];
  for (const spec of encoder.specs) {
    if (named.has(spec.name)) continue;
    const missing =
      spec.kind === 'numeric'
        ? spec.first + spec.edges.length + 2
        : spec.first + spec.levels.get('(missing)')!;
    const filled = [0, 0];
    encoded.forEach((row, i) => {
      if (!row.idx.includes(missing)) filled[y[i]!]!++;
    });
    for (const side of [1, 0] as const) {
      const other = filled[1 - side]!;
      const mine = filled[side]!;
      if (other === 0 && mine >= ONE_SIDED_ROWS && mine >= ONE_SIDED_SHARE * total[side]!)
        found.push({ column: spec.name, outcome: side === 1 ? 'success' : 'failure', rows: mine });
    }
  }
  return found.length > 0 ? { oneSided: found } : {};
}

/** A column's AUC alone, on the training rows, from which it gives the outcome away. */
export const LEAK_AUC = 0.98;
/**
 * A test AUC beyond what who the prospects are can tell (the bank's calls reach 0.80, studies of such
 * histories rarely 0.90): columns known only after the outcome are the likely cause, together if not one
 * alone (a signature date for 85 % of the winners and a loss reason for 70 % of the losers gave 0.9997).
 */
export const SUSPECT_AUC = 0.95;

/**
 * How well each column alone tells successes from failures on the training rows, to name the columns that
 * give the outcome away (LEAK_AUC): a date of signature filled in
 * for successes only, a status that spells the outcome again, an amount signed that is 0 for failures:
 * each column scores a row by the training success rate of the bin, level or missing flag the row falls
 * in, a number also by its value (missing values first or last), and is named when one of these scores
 * orders the rows with an AUC of LEAK_AUC or more.
 */
export function aloneAucs(
  encoder: Encoder,
  encoded: SparseRow[],
  y: number[],
): { column: string; auc: number }[] {
  const rates = groupRates(encoder, encoded, y);
  return encoder.specs.map((spec, s) => {
    let best = auc(rates[s]!, y);
    if (spec.kind === 'numeric') {
      const linear = spec.first + spec.edges.length + 1;
      for (const missing of [Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY]) {
        const values = encoded.map((row) => row.val[row.idx.indexOf(linear)] ?? missing);
        const ordered = auc(values, y);
        best = Math.max(best, ordered, 1 - ordered);
      }
    }
    return { column: spec.name, auc: best };
  });
}

/** Per column, each row's training success rate among the rows in its bin, level or missing flag. */
function groupRates(encoder: Encoder, encoded: SparseRow[], y: number[]): Float64Array[] {
  // Which column each one-hot feature belongs to; -1 for the linear terms, which group no rows.
  const owner = new Int32Array(encoder.features.length).fill(-1);
  encoder.specs.forEach((spec, s) => {
    const size = spec.kind === 'numeric' ? spec.edges.length + 3 : spec.levels.size;
    owner.fill(s, spec.first, spec.first + size);
    if (spec.kind === 'numeric') owner[spec.first + spec.edges.length + 1] = -1;
  });
  const seen = new Float64Array(encoder.features.length);
  const successes = new Float64Array(encoder.features.length);
  encoded.forEach((row, i) => {
    for (const j of row.idx) {
      seen[j]!++;
      successes[j]! += y[i]!;
    }
  });
  const rates = encoder.specs.map(() => new Float64Array(encoded.length));
  encoded.forEach((row, i) => {
    for (const j of row.idx) if (owner[j]! >= 0) rates[owner[j]!]![i] = successes[j]! / seen[j]!;
  });
  return rates;
}
