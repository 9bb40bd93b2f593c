import { describe, expect, it } from 'vitest';
import { asksNoContact, stopAskedBy } from '../../src/interactions/types';

/** Dispositions as dialers, CRMs and the API write them, and whether each asks not to be called again. */
const DISPOSITIONS: [string, boolean][] = [
  ['Ne pas rappeler', true],
  ['do_not_contact', true],
  ['Do not contact', true],
  ['DoNotCall', true],
  ['A demandé à ne plus être appelé', true],
  ['Pas intéressé - ne plus contacter', true],
  ['Ne plus appeler', true],
  ["Ne plus m'appeler", true],
  ['ne plus être recontactée', true],
  ['Do not call', true],
  ["Don't call me again", true],
  ['never call again', true],
  ['DNC', true],
  ['DNC - rappeler demain', true],
  ['do not call on this number', true],
  ['do not call at all', true],
  ['Remove from list', true],
  ['removed from the call list', true],
  ['Rappeler demain - do not call before 14h', false],
  ['ne pas appeler avant 14h30', false],
  ['ne pas rappeler ce soir', false],
  ["don't call me on Friday mornings", false],
  ['do not call until next week', false],
  ['Do not call 12h-14h', false],
  ['Not DNC', false],
  ['non DNC', false],
  ['NO DNC', false],
  ['Non, ne plus appeler', true],
  ['No - do not call', true],
  ['Do not call until further notice', true],
  ['ne plus appeler jusqu’à nouvel ordre', true],
  ['Refusé', false],
  ['Pas intéressé', false],
  ['Rappeler', false],
  ['dncx', false],
  ['', false],
];

describe('do-not-contact dispositions', () => {
  it.each(DISPOSITIONS)('%j asks to stop: %s', (outcome, stop) => {
    expect(asksNoContact(outcome)).toBe(stop);
  });

  it('stops the phone, or the e-mail or text a "do not contact" came by, and never reads an opt-out twice', () => {
    const event = (channel: 'phone' | 'email', outcome: string) =>
      stopAskedBy({ type: 'email_replied', channel, outcome });
    expect(event('phone', 'do_not_contact')).toBe('phone');
    expect(event('email', 'Do not contact')).toBe('email');
    expect(event('email', 'DNC')).toBe('phone');
    expect(stopAskedBy({ type: 'opt_out', channel: 'phone', outcome: 'DNC' })).toBeUndefined();
    expect(stopAskedBy({ type: 'call_answered', channel: 'phone', outcome: 'Not DNC' })).toBeUndefined();
  });
});
