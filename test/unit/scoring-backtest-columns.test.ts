import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/lib/random';
import { backtest } from '../../src/scoring/backtest';
import { commaOf, toNumber } from '../../src/scoring/cell-numbers';
import { encodeRow, learnEncoder } from '../../src/scoring/features';
import { readTable } from '../../src/scoring/table';

const table = (text: string) => readTable(new TextEncoder().encode(text));

describe('identifier columns', () => {
  it('leaves out a column named as an id in a small file, where it would leak the file’s order', async () => {
    const { next: random } = seededRandom(4);
    // A CRM export sorted by outcome: the first half won. The id says it all; the rest is noise.
    const lines = Array.from(
      { length: 48 },
      (_, i) => `${1000 + i};${Math.floor(random() * 100)};${i < 24 ? 'oui' : 'non'}`,
    );
    const history = await table(`id;bruit;y\n${lines.join('\n')}\n`);
    const report = backtest(history, { target: 'y' });
    expect(report.skipped).toEqual([{ name: 'id', why: expect.stringContaining('identifier') }]);
    expect(report.strongest.map((s) => s.feature).join(' ')).not.toContain('id');
  });

  it.each(['id', 'ID', 'Identifiant', 'customer_id', 'clientId', 'Réf.', 'Référence client'])(
    'reads %j as an identifier from a handful of rows, numbers or codes',
    (name) => {
      const numbers = Array.from({ length: 12 }, (_, i) => [String(7 + 3 * i)]);
      expect(learnEncoder([name], numbers, [0]).skipped.map((s) => s.name)).toEqual([name]);
      const codes = Array.from({ length: 12 }, (_, i) => [`C-${i}`]);
      expect(learnEncoder([name], codes, [0]).skipped.map((s) => s.name)).toEqual([name]);
    },
  );

  it('keeps small counts that happen to differ, and a named column whose values repeat', () => {
    const calls = Array.from({ length: 5 }, (_, i) => [String(i + 1)]);
    expect(learnEncoder(['Appels'], calls, [0]).skipped).toEqual([]);
    const regions = Array.from({ length: 30 }, (_, i) => [String(i % 3)]);
    expect(learnEncoder(['region_id'], regions, [0]).skipped).toEqual([]);
  });
});

describe('missing values as files write them', () => {
  const placeholders = [
    'unknown',
    'Inconnu',
    'inconnue',
    'NC',
    'N.C.',
    'n/c',
    'nd',
    'N.D.',
    'n/d',
    'Non renseigné',
    'not available',
    '#N/A',
    '(blank)',
    'Missing',
    'k.A.',
    'keine Angabe',
    'unbekannt',
  ];

  it('keeps a number column with a tenth of "inconnu" numeric, and reads each placeholder as missing', () => {
    const rows = Array.from({ length: 200 }, (_, i) => [
      i % 10 === 0 ? placeholders[(i / 10) % placeholders.length]! : String(100 + ((i * 37) % 50)),
    ]);
    const encoder = learnEncoder(['montant'], rows, [0]);
    expect(encoder.specs[0]).toMatchObject({ kind: 'numeric' });
    for (const placeholder of placeholders)
      expect([placeholder, encodeRow(encoder, [placeholder]).idx.map((j) => encoder.features[j])]).toEqual([
        placeholder,
        ['montant missing'],
      ]);
  });
});

describe('German and English amounts in one column', () => {
  it('reads dots between groups of three as thousands where the comma is decimal', () => {
    expect(toNumber('43.462 €', 'decimal')).toBe(43_462);
    expect(toNumber('1.234.567', 'decimal')).toBe(1_234_567);
    expect(toNumber('-43.462', 'decimal')).toBe(-43_462);
    expect(toNumber('23.687,36 €', 'decimal')).toBe(23_687.36);
    expect(toNumber('12.5', 'decimal')).toBe(12.5);
    expect(toNumber('1.2345', 'decimal')).toBe(1.2345);
    expect(toNumber('0.125', 'decimal')).toBe(0.125);
    // Nothing said of the column: as before.
    expect(toNumber('43.462')).toBe(43.462);
  });

  it('reads negative amounts as accounts write them: in brackets, with a typographic minus, or a minus after', () => {
    expect(toNumber('(1 234,50)', 'decimal')).toBe(-1234.5);
    expect(toNumber('(1,234.50 €)', 'thousands')).toBe(-1234.5);
    expect(toNumber('($76,423.16)')).toBe(-76_423.16);
    expect(toNumber('\u221212,5', 'decimal')).toBe(-12.5);
    expect(toNumber('\u2212 3')).toBe(-3);
    expect(toNumber('1.234,50-', 'decimal')).toBe(-1234.5);
    expect(toNumber('(12k)')).toBe(-12_000);
    // Brackets around no number, and a minus between two numbers, are no negatives.
    expect(toNumber('(voir contrat)')).toBeNaN();
    expect(toNumber('12-14')).toBeNaN();
    // Around a currency, whichever comes first.
    expect(toNumber('$(1,234.50)')).toBe(-1234.5);
    expect(toNumber('(1 234,50) €', 'decimal')).toBe(-1234.5);
    expect(toNumber('1.234,50- €', 'decimal')).toBe(-1234.5);
    // Their commas and dots say what the column's do, as the positive amounts' would.
    expect(commaOf(['(1,250)', '(2,500)', '800', '42'])).toBe('thousands');
    expect(toNumber('(1,250)', commaOf(['(1,250)', '(2,500)', '800', '42']))).toBe(-1250);
    expect(commaOf(['1.250-', '2.500-', '800', '42'])).toBe('decimal');
    // A plain negative rate with three decimals is no amount: its dot stays a decimal point.
    expect(commaOf(['-3.116', '-2.125', '4.5'])).toBeUndefined();
    expect(toNumber('-3.116')).toBe(-3.116);
    // In a column, they keep it a number column, and its mean counts them below zero.
    const rows = Array.from({ length: 200 }, (_, i) => [i % 2 === 0 ? `(${i},50 €)` : `${i},50 €`]);
    const encoder = learnEncoder(['montant'], rows, [0]);
    expect(encoder.skipped).toEqual([]);
    expect(encoder.specs[0]).toMatchObject({ kind: 'numeric' });
    expect((encoder.specs[0] as { mean: number }).mean).toBeCloseTo(0.5, 0);
  });

  it('reads a lone dot as a decimal point where the comma is thousands', () => {
    expect(toNumber('$43.462', 'thousands')).toBe(43.462);
    expect(toNumber('43.462', 'thousands')).toBe(43.462);
    expect(toNumber('$1,234.50', 'thousands')).toBe(1234.5);
    expect(toNumber('7,847', 'thousands')).toBe(7847);
    // Without the column, a currency sign first reads "$43.462" the English way, as thousands.
    expect(toNumber('$43.462')).toBe(43_462);
  });

  it('learns a German column and bins its values with their neighbours', () => {
    const cells = ['43.462 €', '23.687,36 €', '1.250 €', '980,50 €', '12.000 €'];
    expect(commaOf(cells)).toBe('decimal');
    const rows = Array.from({ length: 200 }, (_, i) => [cells[i % cells.length]!]);
    const encoder = learnEncoder(['Umsatz'], rows, [0]);
    expect(encoder.specs[0]).toMatchObject({ kind: 'numeric', comma: 'decimal' });
    const linear = (cell: string) => encodeRow(encoder, [cell]).val[1]!;
    expect(linear('43.462 €')).toBeGreaterThan(linear('23.687,36 €'));
    expect(linear('1.250 €')).toBeGreaterThan(linear('980,50 €'));
  });
});

describe('the backtest command', () => {
  const run = (args: string[]) =>
    spawnSync(process.execPath, ['--import', 'tsx', 'scripts/backtest.ts', ...args], { encoding: 'utf8' });

  it('refuses a seed below zero plainly, with exit code 2', () => {
    const folder = mkdtempSync(join(tmpdir(), 'tiede-backtest-'));
    const file = join(folder, 'h.csv');
    writeFileSync(file, 'x;y\n1;oui\n');
    const seed = run(['--csv', file, '--target', 'y', '--seed', '-1']);
    expect([seed.status, seed.stderr.trim()]).toEqual([
      2,
      'backtest: --seed must be a whole number from 0 to 4294967295, not "-1"',
    ]);
    const fraction = run(['--csv', file, '--target', 'y', '--test-fraction', '-0.5']);
    expect([fraction.status, fraction.stderr.trim()]).toEqual([
      2,
      'backtest: --test-fraction "-0.5": give the share of rows held out for the test, between 0 and 1 (0.25 for a quarter)',
    ]);
  });

  it('refuses a target of amounts rather than taking 1 for a yes', async () => {
    const { next: random } = seededRandom(9);
    const lines = Array.from(
      { length: 300 },
      (_, i) => `${random()};${i % 40 === 0 ? '1' : (random() * 900).toFixed(2)}`,
    );
    const amounts = await table(`x;montant\n${lines.join('\n')}\n`);
    expect(() => backtest(amounts, { target: 'montant' })).toThrow(
      'the target column holds numbers, not a yes/no outcome: give --positive VALUE',
    );
    // 0 and 1 are a yes/no outcome.
    const flags = await table(
      `x;y\n${lines.map((l, i) => `${l.split(';')[0]};${i % 3 ? 0 : 1}`).join('\n')}\n`,
    );
    expect(backtest(flags, { target: 'y' }).positive).toBe('1');
  });
});
