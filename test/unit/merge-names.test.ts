import { describe, expect, it } from 'vitest';
import { contactPointDraft } from '../../src/prospects/drafts';
import { samePersonByName } from '../../src/prospects/merge';

describe('whether two records name the same person', () => {
  it('takes a whole name in one field as the other record’s first and last names', () => {
    expect(samePersonByName({ lastName: 'Paul Lefèvre' }, { firstName: 'Paul', lastName: 'Lefèvre' })).toBe(
      true,
    );
    expect(samePersonByName({ firstName: 'Paul', lastName: 'Lefevre' }, { lastName: 'LEFÈVRE Paul' })).toBe(
      true,
    );
    expect(samePersonByName({ lastName: 'Paul Lefèvre' }, { firstName: 'Marie', lastName: 'Lefèvre' })).toBe(
      false,
    );
    // Names split two ways that happen to spell the same are two people.
    expect(
      samePersonByName({ firstName: 'Ann', lastName: 'Alee' }, { firstName: 'Anna', lastName: 'Lee' }),
    ).toBe(false);
  });
});

describe('a phone number with an extension', () => {
  it('keeps the extension on the person’s link to the number', () => {
    const draft = contactPointDraft('phone', '01 44 55 66 01 poste 123', 'FR', 'Téléphone');
    expect(draft).toMatchObject({
      ok: true,
      draft: { value: '+33144556601', label: 'Téléphone (ext. 123)' },
    });
    const bare = contactPointDraft('phone', '+1 415-555-0177 ext. 45', null);
    expect(bare).toMatchObject({ ok: true, draft: { value: '+14155550177', label: 'ext. 45' } });
  });
});
