import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/lib/random';
import { commaOf, isCode } from '../../src/scoring/cell-numbers';
import { binsPerNumber, encodeRow, learnEncoder } from '../../src/scoring/features';

/** One column of cells as the rows of a table. */
const column = (cells: string[]) => cells.map((cell) => [cell]);

/** The names of the features a cell lights up in a one-column encoder. */
const lit = (encoder: ReturnType<typeof learnEncoder>, cell: string) =>
  encodeRow(encoder, [cell]).idx.map((j) => encoder.features[j]);

/** The standardized value a cell reads as in a one-column numeric encoder. */
const linear = (encoder: ReturnType<typeof learnEncoder>, cell: string) => {
  const row = encodeRow(encoder, [cell]);
  return row.val[row.idx.indexOf(encoder.features.indexOf('x (linear)'))]!;
};

/** Distinct amounts with cents, as a French export writes them: "48 213,57". */
function amounts(n: number, seed: number): string[] {
  const { next: random } = seededRandom(seed);
  return Array.from({ length: n }, (_, i) => `${1000 + i * 97 + Math.floor(random() * 90)},${i % 100}`);
}

describe('text among numbers', () => {
  it('reads NR, Non communiqué and spreadsheet errors in a number column as missing values', () => {
    const holes = ['NR', 'Non communiqué', '#DIV/0!', '#VALEUR!', '#N/A', '#NOM?'];
    const cells = amounts(300, 1).map((cell, i) => (i % 12 === 0 ? holes[(i / 12) % holes.length]! : cell));
    const encoder = learnEncoder(['x'], column(cells), [0]);
    expect(encoder.skipped).toEqual([]);
    expect(encoder.specs[0]).toMatchObject({ kind: 'numeric' });
    for (const hole of holes) expect(lit(encoder, hole)).toEqual(['x missing']);
  });

  it('keeps a column numeric when four values in five are numbers, its text read as missing', () => {
    const notes = ['voir contrat', 'à vérifier', 'en attente', 'cf. devis'];
    const cells = amounts(300, 2).map((cell, i) => (i % 6 === 0 ? `${notes[i % 4]} ${i}` : cell));
    const encoder = learnEncoder(['x'], column(cells), [0]);
    expect(encoder.specs[0]).toMatchObject({ kind: 'numeric' });
    expect(lit(encoder, 'voir contrat 6')).toEqual(['x missing']);
  });

  it('never drops as an identifier a column whose values are mostly numbers', () => {
    const cells = amounts(300, 3).map((cell, i) => (i % 3 === 0 ? `note ${i}` : cell));
    const encoder = learnEncoder(['x'], column(cells), [0]);
    // Not an identifier; with no value on 20 rows, a category column that tells nothing, and said so.
    expect(encoder.skipped).toEqual([
      { name: 'x', why: 'no value on 20 rows or more (300 different values)' },
    ]);
    // Where some rows are empty, being filled in is itself something to learn from: kept.
    const gaps = learnEncoder(['x'], column(cells.map((c, i) => (i % 5 === 0 ? '' : c))), [0]);
    expect(gaps.skipped).toEqual([]);
    // Codes in a file where almost every value differs are still an identifier.
    const codes = learnEncoder(['x'], column(Array.from({ length: 300 }, (_, i) => `C-${i}`)), [0]);
    expect(codes.skipped).toEqual([{ name: 'x', why: 'an identifier (almost every value differs)' }]);
  });
});

describe('dates as exports write them', () => {
  it.each([
    [
      'the month in English words',
      (d: Date) =>
        d.toLocaleDateString('en-US', { month: 'short', day: 'numeric', year: 'numeric', timeZone: 'UTC' }),
    ],
    [
      'the month in French words',
      (d: Date) =>
        d.toLocaleDateString('fr-FR', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }),
    ],
    ['the year first with slashes', (d: Date) => d.toISOString().slice(0, 10).replaceAll('-', '/')],
  ])('reads dates with %s as days, in order', (_, write) => {
    const days = Array.from({ length: 200 }, (_, i) => new Date(Date.UTC(2025, 0, 1) + i * 86_400_000));
    const encoder = learnEncoder(['x'], column(days.map(write)), [0]);
    expect(encoder.specs[0]).toMatchObject({ kind: 'numeric', dates: { dayFirst: true } });
    expect(linear(encoder, write(days[150]!))).toBeGreaterThan(linear(encoder, write(days[20]!)));
  });
});

describe('codes by their name', () => {
  it('reads phones, company numbers and postal codes as codes, never as quantities to bin', () => {
    const { next: random } = seededRandom(12);
    const phones = Array.from({ length: 300 }, () =>
      String(33_600_000_000 + Math.floor(random() * 99_999_999)),
    );
    const postal = Array.from({ length: 300 }, (_, i) => ['75015', '69003', '13008', '33000'][i % 4]!);
    const encoder = learnEncoder(
      ['Téléphone', 'Code postal'],
      phones.map((p, i) => [p, postal[i]!]),
      [0, 1],
    );
    expect(encoder.features.some((f) => f.startsWith('Téléphone') && f.includes('linear'))).toBe(false);
    expect(encoder.features).toContain('Code postal = 75015');
  });
});

describe('thousands separators', () => {
  const employees = ['800', '1,250', '12,500', '209,105', '42', '3,400', '150', '27,000', '9', '65'];

  it('reads commas as thousands in a column of whole numbers whose plain values stay under a thousand', () => {
    expect(commaOf(employees)).toBe('thousands');
    expect(commaOf([...employees, '10-49', 'NR'])).toBe('thousands');
    const encoder = learnEncoder(
      ['x'],
      column(Array.from({ length: 200 }, (_, i) => employees[i % 10]!)),
      [0],
    );
    expect(linear(encoder, '1,250')).toBeGreaterThan(linear(encoder, '800'));
    expect(linear(encoder, '12,500')).toBeGreaterThan(linear(encoder, '3,400'));
  });

  it('reads dots as thousands in whole numbers the same way, as a German export writes them', () => {
    const mitarbeiter = employees.map((v) => v.replaceAll(',', '.'));
    expect(commaOf(mitarbeiter)).toBe('decimal');
    const encoder = learnEncoder(
      ['x'],
      column(Array.from({ length: 200 }, (_, i) => mitarbeiter[i % 10]!)),
      [0],
    );
    expect(linear(encoder, '12.500')).toBeGreaterThan(linear(encoder, '3.400'));
    expect(linear(encoder, '5.994')).toBeGreaterThan(linear(encoder, '800'));
    // Rates of three decimals, with no whole number under a thousand beside them, stay rates.
    expect(commaOf(['4.857', '1.313', '4.962', '0.879'])).toBeUndefined();
  });

  it('keeps a French column of three decimals decimal', () => {
    // euribor3m as French Excel writes it: a "0," and no plain whole numbers.
    expect(commaOf(['4,857', '1,313', '0,879', '4,962'])).toBeUndefined();
    expect(commaOf(['4,857', '1,313', '4,962', '93,994'])).toBeUndefined();
    // Plain numbers of a thousand or more: the commas group nothing.
    expect(commaOf(['4,857', '1,313', '5', '2500'])).toBeUndefined();
    const cells = Array.from({ length: 200 }, (_, i) => ['4,857', '1,313', '0,879', '4,962'][i % 4]!);
    const encoder = learnEncoder(['x'], column(cells), [0]);
    expect(linear(encoder, '4,962')).toBeGreaterThan(linear(encoder, '1,313'));
    expect(linear(encoder, '0,879')).toBeLessThan(linear(encoder, '1,313'));
  });

  it('reads dots between groups of three beside a currency as thousands, and not without one', () => {
    const euros = ['3.116 €', '17.460 €', '980 €', '45 €', '1.234.567 €', '250 €'];
    expect(commaOf(euros)).toBe('decimal');
    const encoder = learnEncoder(['x'], column(Array.from({ length: 200 }, (_, i) => euros[i % 6]!)), [0]);
    expect(linear(encoder, '3.116 €')).toBeGreaterThan(linear(encoder, '980 €'));
    expect(linear(encoder, '17.460 €')).toBeGreaterThan(linear(encoder, '3.116 €'));
    expect(commaOf(['4.857', '1.313', '5', '0.879'])).toBeUndefined();
    expect(commaOf(['3.116 €', '12,50 €'])).toBe('decimal');
    expect(commaOf(['3.116 €', '17.46 €'])).toBeUndefined();
  });
});

describe('phone numbers and codes', () => {
  it.each(['06 12 34 56 78', '+33 6 12 34 56 78', '0612345678', '007', '01000', '+1 (740) 390-9247'])(
    'reads %j as a code',
    (cell) => expect(isCode(cell)).toBe(true),
  );

  it.each(['0', '0.5', '0,5', '12', '12 345', '+5', '-0.25', '1 234 567'])('reads %j as a quantity', (cell) =>
    expect(isCode(cell)).toBe(false),
  );

  it('drops a column of phone numbers as an identifier rather than binning it', () => {
    const { next: random } = seededRandom(6);
    const pair = () => String(10 + Math.floor(random() * 90));
    for (const write of [
      () => `06 ${pair()} ${pair()} ${pair()} ${pair()}`,
      () => `+33 6 ${pair()} ${pair()} ${pair()} ${pair()}`,
      () => `07${pair()}${pair()}${pair()}${pair()}`,
    ]) {
      const encoder = learnEncoder(['Téléphone'], column(Array.from({ length: 300 }, write)), [0]);
      expect(encoder.skipped).toEqual([
        { name: 'Téléphone', why: 'an identifier (almost every value differs)' },
      ]);
    }
  });

  it('reads codes with a leading zero as categories', () => {
    const departments = Array.from({ length: 400 }, (_, i) => String((i % 20) + 1).padStart(2, '0'));
    const encoder = learnEncoder(['Département'], column(departments), [0]);
    expect(encoder.specs[0]).toMatchObject({ kind: 'categorical' });
    expect(encoder.features).toContain('Département = 07');
  });
});

describe('row numbers', () => {
  /** Whole numbers that all differ with gaps too wide to run one after the other, in a random order. */
  function scattered(n: number, seed: number): string[] {
    const { next: random } = seededRandom(seed);
    const values = Array.from({ length: n }, (_, i) => 100_000 + i * 13 + Math.floor(random() * 12));
    for (let i = values.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [values[i], values[j]] = [values[j]!, values[i]!];
    }
    return values.map(String);
  }

  it.each(['No', 'N°', 'Num', 'Numéro', 'Number', 'Row', 'Index', 'Lead number', '#', '', 'Unnamed: 0'])(
    'leaves out distinct whole numbers under %j',
    (name) => {
      const encoder = learnEncoder([name], column(scattered(200, 7)), [0]);
      expect(encoder.skipped).toEqual([{ name, why: 'an identifier (whole numbers that all differ)' }]);
    },
  );

  it('leaves out distinct whole numbers that climb with the rows, whatever their name', () => {
    const { next: random } = seededRandom(8);
    const sampled = Array.from({ length: 200 }, (_, i) => String(100_000 + i * 7 + Math.floor(random() * 7)));
    const encoder = learnEncoder(['Dossier'], column(sampled), [0]);
    expect(encoder.skipped.map((s) => s.name)).toEqual(['Dossier']);
  });

  it('keeps amounts in a file sorted by them: they climb with the rows, but over a wide span', () => {
    const { next: random } = seededRandom(10);
    const sorted: string[] = [];
    for (let amount = 500; sorted.length < 200; amount += 1 + Math.floor(random() * 2000))
      sorted.push(String(amount));
    expect(learnEncoder(['Montant'], column(sorted), [0]).skipped).toEqual([]);
  });

  it('keeps distinct whole numbers in no order under another name, and fewer than 50', () => {
    expect(learnEncoder(["Chiffre d'affaires"], column(scattered(200, 9)), [0]).skipped).toEqual([]);
    expect(learnEncoder(['No'], column(scattered(40, 9)), [0]).skipped).toEqual([]);
  });
});

describe('bins per number', () => {
  it('keeps 24 bins where rows are many for the numbers, and spends about one feature per ten rows', () => {
    expect(binsPerNumber(30_891, 9)).toBe(24);
    expect(binsPerNumber(7_500, 60)).toBe(10);
    expect(binsPerNumber(15_000, 120)).toBe(10);
    expect(binsPerNumber(2_000, 60)).toBe(4);
    expect(binsPerNumber(500, 1)).toBe(4);
  });

  it('lays out sixty numbers on 7,500 rows in 720 features, not 1,560', () => {
    const { next: random } = seededRandom(10);
    const names = Array.from({ length: 60 }, (_, j) => `Var${j + 1}`);
    const rows = Array.from({ length: 7_500 }, () => names.map(() => (random() * 4 - 2).toFixed(4)));
    const encoder = learnEncoder(
      names,
      rows,
      names.map((_, j) => j),
    );
    expect(encoder.features.length).toBe(720);
  });
});
