import type { BacktestReport } from './backtest';
import { BacktestError } from './backtest-outcomes';
import { type Encoder, encodeRow, learnEncoder, type SparseRow } from './features';
import { aloneAucs, LEAK_AUC, oneSided, SUSPECT_AUC } from './leaks';
import { chooseL2, type LogisticModel, linear, trainLogistic } from './logistic';
import { auc, calibration, capturedShares, stratifiedSplit } from './metrics';

/**
 * The model's training and its measure (trainAndMeasure), shared by the backtest and the service's own
 * training (training.ts), with the L2 penalty chosen for the rows and features at hand.
 */

/** Successes and failures needed on each side of the split. */
const MIN_PER_CLASS = 5;

export interface Trained {
  encoder: Encoder;
  model: LogisticModel;
  report: Omit<BacktestReport, 'positive'>;
}

/**
 * The model's whole training: a stratified split, the encoder and the regularized logistic regression
 * learnt on the training rows only, measured on the held-out ones. The backtest and the service's own
 * training both go through here.
 */
export function trainAndMeasure(
  columns: string[],
  rows: string[][],
  y: Uint8Array,
  use: number[],
  options: { testFraction?: number; seed?: number; l2?: number; bins?: number } = {},
): Trained {
  const { train, test } = stratifiedSplit(y, options.testFraction ?? 0.25, options.seed ?? 42);
  // Fewer than this many successes or failures on either side, and the figures would be noise: an AUC
  // from two held-out rows is 0 or 1.
  const least = (indices: number[], success: 0 | 1) => indices.filter((i) => y[i] === success).length;
  const counts = [least(train, 1), least(train, 0), least(test, 1), least(test, 0)];
  if (Math.min(...counts) < MIN_PER_CLASS)
    throw new BacktestError(
      `too few rows to train and measure: ${counts[0]} successes and ${counts[1]} failures to train, ` +
        `${counts[2]} and ${counts[3]} held out; each needs at least ${MIN_PER_CLASS} ` +
        `(more history${options.testFraction === undefined ? '' : ', or another --test-fraction'})`,
    );
  const trainRows = train.map((i) => rows[i]!);
  const encoder = learnEncoder(columns, trainRows, use, options.bins ? { bins: options.bins } : {});
  if (encoder.features.length === 0)
    throw new BacktestError(
      `no column can be used to predict: ${encoder.skipped.map((s) => `${s.name} (${s.why})`).join(', ') || 'there is only the target'}`,
    );
  const encoded = trainRows.map((row) => encodeRow(encoder, row));
  const yTrain = train.map((i) => y[i]!);
  const started = performance.now();
  const penalty =
    options.l2 !== undefined
      ? { l2: options.l2 }
      : penaltyFor(encoded, yTrain, encoder.features.length, options.seed ?? 42);
  const model = trainLogistic(encoded, yTrain, encoder.features.length, penalty);
  const l2 = penalty.l2;
  const trainMs = performance.now() - started;

  const z = test.map((i) => linear(model, encodeRow(encoder, rows[i]!)));
  const p = z.map((v) => 1 / (1 + Math.exp(-v)));
  const yt = test.map((i) => y[i]!);
  const rate = yt.reduce((a, b) => a + b, 0) / yt.length;
  const bins = calibration(p, yt, 10);
  const strongest = encoder.features
    .map((feature, j) => ({ feature, weight: model.weights[j]! }))
    .sort((a, b) => Math.abs(b.weight) - Math.abs(a.weight))
    .slice(0, 10);
  const lifts = [...bins].reverse().map((b) => (rate > 0 ? b.observed / rate : 0));
  const [top10, top20, top50] = capturedShares(z, yt, [0.1, 0.2, 0.5]) as [number, number, number];
  const testAuc = auc(z, yt);
  const alone = aloneAucs(encoder, encoded, yTrain);
  const leaks = alone.filter((column) => column.auc >= LEAK_AUC);
  return {
    encoder,
    model,
    report: {
      rows: { train: train.length, test: test.length, testSuccesses: counts[2]! },
      successRate: y.reduce((a, b) => a + b, 0) / y.length,
      features: encoder.features.length,
      skipped: encoder.skipped,
      iterations: model.iterations,
      l2,
      trainMs,
      auc: testAuc,
      captured: { top10, top20, top50 },
      // The first tenth of the lift by decile: one figure, where the top 10 % rounded up had differed.
      topDecileLift: lifts[0] ?? 0,
      liftByDecile: lifts,
      calibration: bins,
      strongest,
      leaks,
      ...(testAuc >= SUSPECT_AUC && leaks.length === 0
        ? { suspects: [...alone].sort((a, b) => b.auc - a.auc).slice(0, 3) }
        : {}),
      ...oneSided(encoder, encoded, yTrain, new Set(leaks.map((c) => c.column))),
    },
  };
}

/** Training rows per feature from which the default penalty, 1, no longer overfits. */
const ROWS_PER_FEATURE = 50;

/**
 * The L2 penalty: 1 where each feature has rows enough (the bank's 175 features on 30,891 rows), else
 * the one chooseL2 finds best on a part of the training rows (sixty numbers on 7,500 rows).
 */
function penaltyFor(
  encoded: SparseRow[],
  y: number[],
  features: number,
  seed: number,
): { l2: number; start?: Float64Array } {
  return encoded.length >= ROWS_PER_FEATURE * features ? { l2: 1 } : chooseL2(encoded, y, features, seed);
}
