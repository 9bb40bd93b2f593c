import { describe, expect, it } from 'vitest';
import { suppressionHint, suppressionKey } from '../../src/compliance/keys';
import { keyedHash, useSuppressionSecret } from '../../src/compliance/secret';
import { normalizeSuppression } from '../../src/compliance/suppression-values';

useSuppressionSecret('unit test secret of at least thirty-two characters');

const hashOf = (value: string, scope: 'contact_point' | 'email_domain' = 'contact_point') => {
  const normalized = normalizeSuppression({ scope, value }, 'FR');
  if ('message' in normalized) throw new Error(normalized.message);
  return normalized.hash.toString('hex');
};

describe('suppression keys', () => {
  it('gives every way of writing one number or address the same key', () => {
    expect(
      new Set(
        ['06 12 34 56 78', '+33612345678', '0033 6 12 34 56 78', '06.12.34.56.78'].map((v) => hashOf(v)),
      ).size,
    ).toBe(1);
    expect(hashOf(' Marie.Durand@Exemple.FR ')).toBe(hashOf('marie.durand@exemple.fr'));
    expect(hashOf('Exemple.FR', 'email_domain')).toBe(hashOf('contact@exemple.fr', 'email_domain'));
  });

  it('keeps the kinds apart: a person id and a number with the same text do not collide', () => {
    expect(suppressionKey('person', 'abc').equals(suppressionKey('external_id', 'abc'))).toBe(false);
    expect(
      suppressionKey('contact_point', 'x@y.fr', 'email').equals(suppressionKey('email_domain', 'x@y.fr')),
    ).toBe(false);
  });

  it('depends on the secret, so a stolen table cannot be matched against a phone book', () => {
    const before = keyedHash('phone', '+33612345678');
    useSuppressionSecret('another secret of at least thirty-two characters!');
    const after = keyedHash('phone', '+33612345678');
    useSuppressionSecret('unit test secret of at least thirty-two characters');
    expect(before.equals(after)).toBe(false);
    expect(keyedHash('phone', '+33612345678').equals(before)).toBe(true);
  });

  it('shows a hint a person can recognise without the value', () => {
    expect(suppressionHint('contact_point', '+33612345678')).toBe('+336••••••78');
    expect(suppressionHint('contact_point', 'marie@exemple.fr')).toBe('m•••@exemple.fr');
    expect(suppressionHint('external_id', 'crm-12345')).toBe('external id cr•••');
  });

  it('names the field and the problem for a value that is no number, address or domain', () => {
    expect(normalizeSuppression({ scope: 'contact_point', value: 'call me maybe' }, 'FR')).toMatchObject({
      field: 'value',
    });
    expect(normalizeSuppression({ scope: 'contact_point', value: 'marie@' }, 'FR')).toMatchObject({
      field: 'value',
    });
    expect(normalizeSuppression({ scope: 'email_domain', value: 'not a domain' }, 'FR')).toMatchObject({
      field: 'value',
    });
    expect(normalizeSuppression({ scope: 'contact_point', value: '  ' }, 'FR')).toMatchObject({
      field: 'value',
    });
  });
});
