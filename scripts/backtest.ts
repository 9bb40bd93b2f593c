import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { BacktestError, backtest, formatReport } from '../src/scoring/backtest';
import { readTable } from '../src/scoring/table';

const USAGE =
  'npm run backtest -- --csv FILE --target COLUMN [--positive VALUE] [--exclude COL,COL] [--test-fraction 0.25] [--seed 42] [--json]';

/** npm run backtest: how would Tiède's model have ranked this history? */
async function main() {
  const { values } = parseArgs({
    options: {
      csv: { type: 'string' },
      target: { type: 'string' },
      positive: { type: 'string' },
      exclude: { type: 'string' },
      'test-fraction': { type: 'string' },
      seed: { type: 'string' },
      json: { type: 'boolean' },
    },
  });
  if (!values.csv || !values.target) throw new BacktestError(`give --csv and --target\n${USAGE}`);
  const fraction = values['test-fraction'] === undefined ? 0.25 : Number(values['test-fraction']);
  if (!(fraction > 0 && fraction < 1)) throw new BacktestError('--test-fraction must be between 0 and 1');
  const seed = values.seed === undefined ? 42 : Number(values.seed);
  if (!Number.isInteger(seed)) throw new BacktestError('--seed must be a whole number');
  const table = await readTable(readFileSync(values.csv));
  const report = backtest(table, {
    target: values.target,
    ...(values.positive !== undefined ? { positive: values.positive } : {}),
    exclude: values.exclude
      ? values.exclude
          .split(',')
          .map((c) => c.trim())
          .filter(Boolean)
      : [],
    testFraction: fraction,
    seed,
  });
  process.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
}

main().catch((error) => {
  process.stderr.write(`backtest: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(error instanceof BacktestError || error?.code === 'ENOENT' ? 2 : 1);
});
