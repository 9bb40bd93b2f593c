import { describe, expect, it } from 'vitest';
import { normalizeEmail } from '../../src/prospects/email';

describe('normalizeEmail', () => {
  it.each([
    ['  Anne.Martin@ACME.fr ', 'anne.martin@acme.fr', 'acme.fr'],
    ['Anne Martin <anne@acme.fr>', 'anne@acme.fr', 'acme.fr'],
    ['mailto:Contact@Boulangerie-Emile.FR', 'contact@boulangerie-emile.fr', 'boulangerie-emile.fr'],
    ['jean+crm@sub.example.co.uk', 'jean+crm@sub.example.co.uk', 'sub.example.co.uk'],
    ['élodie@café.fr', 'élodie@café.fr', 'café.fr'],
  ])('%j → %s', (raw, value, domain) => {
    expect(normalizeEmail(raw)).toEqual({ ok: true, value, domain });
  });

  it.each([
    'anne',
    'anne@',
    '@acme.fr',
    'anne@acme',
    'anne..martin@acme.fr',
    'anne@acme..fr',
    'anne martin@acme.fr',
    'anne@-acme.fr',
    'anne@acme.f1',
  ])('refuses %j', (raw) => {
    expect(normalizeEmail(raw).ok).toBe(false);
  });
});
