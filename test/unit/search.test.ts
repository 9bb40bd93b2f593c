import { describe, expect, it } from 'vitest';
import { nearestName } from '../../src/lib/nearest-name';
import { bare, phoneDigits } from '../../src/prospects/search';

describe('searching accents aside', () => {
  it('bares Latin letters and ligatures, and leaves other scripts as written', () => {
    expect(bare('Lévêque')).toBe('leveque');
    expect(bare('ÇAVA Øre Łódź')).toBe('cava ore lodz');
    expect(bare('Cœur Straße')).toBe('coeur strasse');
    expect(bare('Жанна')).toBe('Жанна');
    expect(bare('Jean-Pierre O’Brien')).toBe('jean pierre obrien');
  });

  it('reads a searched phone number as the end of its E.164 form', () => {
    expect(phoneDigits('06 12 34 56 78')).toBe('612345678');
    expect(phoneDigits('+33 6 12 34 56 78')).toBe('33612345678');
    expect(phoneDigits('(415) 555-0100')).toBe('4155550100');
    expect(phoneDigits('030/1234567')).toBe('301234567');
    expect(phoneDigits('+44 (0)20 7946 0011')).toBe('442079460011');
    expect(phoneDigits('tel:+33199001234')).toBe('33199001234');
    expect(phoneDigits('12345')).toBeUndefined();
    expect(phoneDigits('Dupont 75')).toBeUndefined();
  });
});

describe('hints for a misspelt parameter', () => {
  it('names the parameter within an edit or two, swaps counting one', () => {
    const known = ['country', 'mode', 'limit', 'cursor', 'campaign'];
    expect(nearestName('contry', known)).toBe('country');
    expect(nearestName('mdoe', known)).toBe('mode');
    expect(nearestName('Limit', known)).toBe('limit');
    expect(nearestName('campain', known)).toBe('campaign');
    expect(nearestName('zzz', known)).toBeUndefined();
    expect(nearestName('mod', ['mode', 'sort'])).toBe('mode');
  });
});
