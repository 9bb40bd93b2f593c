import type { BacktestReport } from './backtest';

/** A backtest's report as text, for people: the figures, then the calibration, the features and the warnings. */
export function formatReport(report: BacktestReport): string {
  const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
  const successes = (report.successes ?? [report.positive]).map((s) => `"${s}"`).join(' or ');
  const lines = [
    ...(report.warnings ?? []).map((w) => `warning: ${w}`),
    `rows: ${report.rows.train} to train, ${report.rows.test} to test (stratified)${report.rows.unlabelled ? `, ${report.rows.unlabelled} without an outcome left out` : ''}${report.rows.open ? `, ${report.rows.open} still open left out (--open)` : ''}; success (${successes}, case and accents aside) rate ${pct(report.successRate)}${(report.failures?.length ?? 0) > 1 ? `; counted as failures: ${report.failures!.slice(0, 20).join(', ')}` : ''}`,
    ...(report.rows.blanksAsFailures
      ? [
          `${report.rows.blanksAsFailures} blank rows of "${report.target}" counted as failures: the column marks only successes`,
        ]
      : []),
    `features: ${report.features}${report.skipped.length ? `; left out: ${report.skipped.map((s) => `${s.name || '(unnamed)'} (${s.why})`).join(', ')}` : ''}`,
    `training: ${report.iterations} Newton iterations, ${Math.round(report.trainMs)} ms; L2 penalty ${report.l2}`,
    '',
    `test AUC                       ${report.auc.toFixed(4)}`,
    `successes in the top 10 %      ${pct(report.captured.top10)} (lift ${report.topDecileLift.toFixed(2)})`,
    `successes in the top 20 %      ${pct(report.captured.top20)}`,
    `successes in the top 50 %      ${pct(report.captured.top50)}`,
    '',
    'calibration (test rows in ten groups by predicted probability)',
    '  predicted range        rows   mean predicted   observed',
    ...report.calibration.map(
      (b) =>
        `  ${b.from.toFixed(3)} – ${b.to.toFixed(3)}    ${String(b.rows).padStart(6)}   ${pct(b.predicted).padStart(14)}   ${pct(b.observed).padStart(8)}`,
    ),
    '',
    'strongest features (weight on the log-odds)',
    ...report.strongest.map(
      (s) => `  ${s.weight >= 0 ? '+' : '−'}${Math.abs(s.weight).toFixed(2)}  ${s.feature}`,
    ),
  ];
  return `${lines.join('\n')}\n`;
}
