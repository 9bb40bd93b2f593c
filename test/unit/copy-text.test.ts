import { describe, expect, it } from 'vitest';
import { copyEscape, copyJson } from '../../src/lib/copy-text';

describe('JSON as a field of COPY’s text format', () => {
  it.each([
    'Acheteuse',
    'Directeur\tachats',
    'ligne 1\nligne 2\r\n',
    'C:\\achats\\',
    '« Responsable » "achats"',
    '\u0000\u001f\u2028',
    '',
  ])('is escaped as any text would be: %j', (value) => {
    const json = JSON.stringify({ title: value, facts: [value, 1.5] });
    expect(copyJson(json)).toBe(copyEscape(json));
  });
});
