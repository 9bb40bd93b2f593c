import { readFileSync, statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { BacktestError, backtest, formatReport } from '../src/scoring/backtest';
import { readTable } from '../src/scoring/table';

const USAGE =
  'npm run backtest -- --csv FILE --target COLUMN [--positive VALUE] [--open VALUE,VALUE] [--exclude COL,COL] [--test-fraction 0.25] [--seed 42] [--json]';

const OPTIONS = {
  csv: { type: 'string' },
  target: { type: 'string' },
  positive: { type: 'string' },
  open: { type: 'string' },
  exclude: { type: 'string' },
  'test-fraction': { type: 'string' },
  seed: { type: 'string' },
  json: { type: 'boolean' },
} as const;

/**
 * `--seed -1` as `--seed=-1`: parseArgs takes a value that starts with a dash for an option it cannot
 * tell ("argument is ambiguous"), where a number is what was meant; then the number is checked as such.
 */
function joinNegativeNumbers(args: string[]): string[] {
  const joined: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const name = args[i]!.startsWith('--') ? args[i]!.slice(2) : '';
    const next = args[i + 1];
    if (OPTIONS[name as keyof typeof OPTIONS]?.type === 'string' && next && /^-\.?\d/.test(next)) {
      joined.push(`${args[i]}=${next}`);
      i++;
    } else joined.push(args[i]!);
  }
  return joined;
}

/** npm run backtest: how would Tiède's model have ranked this history? */
async function main() {
  const { values } = parseArgs({
    args: joinNegativeNumbers(process.argv.slice(2)),
    options: OPTIONS,
  });
  if (!values.csv || !values.target) throw new BacktestError(`give --csv and --target\n${USAGE}`);
  const given = values['test-fraction'];
  // A decimal comma as French users write it: "0,3".
  const fraction = given === undefined ? 0.25 : Number(given.trim().replace(/^(\d*),(\d+)$/, '$1.$2'));
  if (!(fraction > 0 && fraction < 1))
    throw new BacktestError(
      `--test-fraction ${JSON.stringify(given)}: give the share of rows held out for the test, between 0 and 1 (0.25 for a quarter)`,
    );
  const seed = values.seed === undefined ? 42 : seedOf(values.seed);
  // What the file holds is the user's to fix, as a bad option is: exit code 2.
  const table = await readTable(readCsv(values.csv)).catch((error: unknown) => {
    throw new BacktestError(error instanceof Error ? error.message : String(error));
  });
  const report = backtest(table, {
    target: values.target,
    ...(values.positive !== undefined ? { positive: values.positive } : {}),
    ...(values.open !== undefined ? { open: listOf('--open', values.open) } : {}),
    exclude: values.exclude === undefined ? [] : values.exclude.split(',').map((c) => c.trim()),
    testFraction: fraction,
    seed,
  });
  process.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
}

/** A list given after an option, comma-separated, each item trimmed; an empty one is refused. */
function listOf(option: string, text: string): string[] {
  const items = text.split(',').map((item) => item.trim());
  if (items.some((item) => item === ''))
    throw new BacktestError(`${option} names an empty value (two commas in a row?)`);
  return items;
}

/** The largest seed the split's generator takes: it keeps 32 bits, and a larger one would wrap silently. */
const MAX_SEED = 4_294_967_295;

/** The seed asked for, a whole number from 0 to MAX_SEED, or an error that says so. */
function seedOf(text: string): number {
  const seed = Number(text.trim());
  if (!/^\d+$/.test(text.trim()) || seed > MAX_SEED)
    throw new BacktestError(`--seed must be a whole number from 0 to ${MAX_SEED}, not "${text}"`);
  return seed;
}

/** The file's bytes, or why they cannot be read, said as a person would. */
function readCsv(path: string): Buffer {
  let stats: ReturnType<typeof statSync>;
  try {
    stats = statSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new BacktestError(
      code === 'ENOENT' ? `no file ${path}` : `cannot read ${path} (${code ?? String(error)})`,
    );
  }
  if (!stats.isFile()) throw new BacktestError(`${path} is not a file`);
  return readFileSync(path);
}

/** Mistakes in the command line or the file exit with 2, anything else with 1; with --json, as JSON. */
main().catch((error) => {
  const message = error instanceof Error ? error.message : String(error);
  const usage = String(error?.code ?? '').startsWith('ERR_PARSE_ARGS');
  const text = usage ? `${message}\n${USAGE}` : message;
  process.stderr.write(
    process.argv.includes('--json') ? `${JSON.stringify({ error: text })}\n` : `backtest: ${text}\n`,
  );
  process.exit(error instanceof BacktestError || usage ? 2 : 1);
});
