import { describe, expect, it } from 'vitest';
import { normalizePhone } from '../../src/prospects/phone';

const ok = (raw: string, country: string | null) => {
  const result = normalizePhone(raw, country);
  if (!result.ok) throw new Error(`${raw}: ${result.reason}`);
  return result;
};

describe('normalizePhone', () => {
  it.each([
    ['01 23 45 67 89', 'FR', '+33123456789', 'fixed_line'],
    ['06.12.34.56.78', 'FR', '+33612345678', 'mobile'],
    ['0612345678', 'FR', '+33612345678', 'mobile'],
    ['+33 (0)1 23 45 67 89', 'FR', '+33123456789', 'fixed_line'],
    ['0033 6 12 34 56 78', 'FR', '+33612345678', 'mobile'],
    ['612345678', 'FR', '+33612345678', 'mobile'], // Excel ate the leading zero
    ['tél. : 01 23 45 67 89', 'FR', '+33123456789', 'fixed_line'],
    ['020 7946 0958', 'GB', '+442079460958', 'fixed_line'],
    ['+44 20 7946 0958', 'FR', '+442079460958', 'fixed_line'],
    ['07400 123456', 'GB', '+447400123456', 'mobile'],
    ['(415) 555-2671', 'US', '+14155552671', 'fixed_line_or_mobile'],
    ['1-415-555-2671', 'US', '+14155552671', 'fixed_line_or_mobile'],
    ['+1 213 555 0100', 'DE', '+12135550100', 'fixed_line_or_mobile'],
    ['030 12345678', 'DE', '+493012345678', 'fixed_line'],
    ['0151 23456789', 'DE', '+4915123456789', 'mobile'],
    ['+49 (0)30 12345678', 'FR', '+493012345678', 'fixed_line'],
    ['06 12 34 56 78 (Mobile)', 'FR', '+33612345678', 'mobile'], // Pipedrive labels its numbers
    ['01 23 45 67 89 (Work)', 'FR', '+33123456789', 'fixed_line'],
  ])('%s (%s) → %s', (raw, country, e164, type) => {
    const result = ok(raw, country);
    expect(result.e164).toBe(e164);
    expect(result.type).toBe(type);
  });

  it('reads French overseas numbers dialled nationally under their own calling code', () => {
    expect(ok('0690 12 34 56', 'FR')).toMatchObject({ e164: '+590690123456', country: 'GP', type: 'mobile' });
    expect(ok('0262 12 34 56', 'FR')).toMatchObject({ e164: '+262262123456', country: 'RE' });
  });

  it('keeps an extension apart from the number', () => {
    expect(ok('01 23 45 67 89 poste 214', 'FR')).toMatchObject({ e164: '+33123456789', extension: '214' });
    expect(ok('+1 415 555 2671 ext. 12', null)).toMatchObject({ e164: '+14155552671', extension: '12' });
  });

  it.each([
    ['+33 1 23', 'FR', 'is not a valid number for FR'],
    ['01 23', 'FR', 'too short'],
    ['06 12 34 56 78 90 12 34 56 78', 'FR', 'too many digits'],
    ['appeler le standard', 'FR', 'contains letters'],
    ['07700 900123', 'GB', 'not a valid number for GB'], // Ofcom's range for drama
    ['020 7946 0958', null, 'no country code'],
    ['', 'FR', 'empty'],
  ])('refuses %j (%s)', (raw, country, reason) => {
    const result = normalizePhone(raw, country);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toContain(reason);
  });
});
