import { describe, expect, it } from 'vitest';
import { isPlaceholder } from '../../src/prospects/fold';

describe('cells that only say they are empty', () => {
  it.each(['NR', 'N.R.', 'nr', 'Non communiqué', 'non communiquée', 'N.C.'])(
    'reads %j as no value',
    (cell) => {
      expect(isPlaceholder(cell)).toBe(true);
    },
  );

  it.each([
    '#DIV/0!',
    '#VALEUR!',
    '#VALUE!',
    '#REF!',
    '#NOM?',
    '#NAME?',
    '#NUM!',
    '#NULL!',
    '#N/A',
    '#div/0!',
  ])('reads the spreadsheet error %j as no value', (cell) => {
    expect(isPlaceholder(cell)).toBe(true);
  });

  it.each(['#12', '#1234', '#A12', 'NRJ', 'Nord', '0', '12 rue des Lilas', 'non'])('keeps %j', (cell) => {
    expect(isPlaceholder(cell)).toBe(false);
  });
});
