import { describe, expect, it } from 'vitest';
import { generateDemo } from '../../src/demo/generate';
import { checkDraft } from '../../src/outreach/check';
import { DRAFT_CHANNELS, fullText } from '../../src/outreach/content';
import { buildFacts, type Pitch } from '../../src/outreach/facts';
import { gsm7Length } from '../../src/outreach/message-length';
import { templateDraft } from '../../src/outreach/template';

const pitch: Pitch = {
  offer: 'Un diagnostic gratuit de vos contrats télécom',
  valuePropositions: ['Un seul interlocuteur pour la téléphonie fixe et mobile'],
  facts: ['Diagnostic réalisé en une semaine'],
  dataSource: 'l’annuaire des entreprises (data.gouv.fr)',
  postalAddress: '10 rue de la Paix, 75002 Paris',
};
const sender = { name: 'Claire Moreau', company: 'Tiède Conseil', role: 'conseillère' };

describe('the template drafter', () => {
  const demo = generateDemo({ seed: 7, now: new Date('2026-11-02T09:00:00Z') });

  it('writes drafts that pass every check, for every demo prospect and every channel, in French and English', () => {
    let checked = 0;
    const failures: string[] = [];
    for (const person of demo.people) {
      const prospect = { kind: 'b2b' as const, ...person.row.prospect! };
      for (const channel of DRAFT_CHANNELS) {
        for (const language of ['fr', 'en'] as const) {
          const facts = buildFacts(prospect, person.row.company ?? null, {
            channel,
            language,
            pitch,
            sender,
            reasons: ['3 clics ces 14 derniers jours'],
          });
          const content = templateDraft(facts);
          const check = checkDraft(channel, content, facts);
          checked++;
          if (!check.passed || check.findings.length)
            failures.push(
              `${channel}/${language}: ${check.findings.map((f) => f.en).join('; ')}\n${fullText(channel, content)}`,
            );
        }
      }
    }
    expect(failures.slice(0, 3)).toEqual([]);
    expect(checked).toBe(demo.people.length * 10);
  });

  it('refuses an e-mail to the United States without the sender’s postal address (CAN-SPAM)', () => {
    const us = demo.people.find((p) => p.row.prospect?.country === 'US')!;
    const { postalAddress: _none, ...withoutAddress } = pitch;
    const facts = buildFacts({ kind: 'b2b', ...us.row.prospect! }, us.row.company ?? null, {
      channel: 'email',
      pitch: withoutAddress,
      sender,
    });
    const check = checkDraft('email', templateDraft(facts), facts);
    expect(check.passed).toBe(false);
    expect(check.findings.map((f) => [f.code, f.rule])).toEqual([
      ['MISSING_POSTAL_ADDRESS', expect.stringContaining('CAN-SPAM')],
    ]);
    const french = demo.people.find((p) => p.row.prospect?.country === 'FR')!;
    const fr = buildFacts({ kind: 'b2b', ...french.row.prospect! }, french.row.company ?? null, {
      channel: 'email',
      pitch: withoutAddress,
      sender,
    });
    expect(checkDraft('email', templateDraft(fr), fr).passed).toBe(true);
  });

  it('writes from the pitch’s texts in the draft’s language when it has them', () => {
    const translated = {
      ...pitch,
      emailOptOut: 'Répondez STOP pour ne plus rien recevoir.',
      translations: {
        en: {
          offer: 'A free review of your phone contracts',
          facts: ['Review done in one week'],
          dataSource: 'the Sirene register',
        },
      },
    };
    const english = buildFacts(
      { kind: 'b2b', firstName: 'Tom', country: 'GB' },
      { name: 'Baker Ltd' },
      { channel: 'email', pitch: translated, sender },
    );
    expect(english.pitch.offer).toBe('A free review of your phone contracts');
    expect(english.pitch.facts).toEqual(['Review done in one week']);
    // What the translation leaves out is empty, never the other language's: no French claim in an English draft.
    expect(english.pitch.valuePropositions).toEqual([]);
    expect(english.pitch.emailOptOut).toBeUndefined();
    expect(english.pitch.dataSource).toBe('the Sirene register');
    const french = buildFacts(
      { kind: 'b2b', firstName: 'Léa', country: 'FR' },
      { name: 'Martin SA' },
      { channel: 'email', pitch: translated, sender },
    );
    expect(french.pitch.offer).toBe(pitch.offer);
    expect(JSON.stringify(templateDraft(english))).toContain('a free review of your phone contracts');
  });

  it('is deterministic and never writes the contact details', () => {
    const person = demo.people[0]!;
    const facts = buildFacts({ kind: 'b2b', ...person.row.prospect! }, person.row.company ?? null, {
      channel: 'email',
      pitch,
      sender,
    });
    expect(templateDraft(facts)).toEqual(templateDraft(facts));
    const text = JSON.stringify(facts);
    for (const cp of person.row.contactPoints) expect(text).not.toContain(cp.value);
  });

  it('fits an SMS in 160 GSM-7 characters whatever the offer', () => {
    const facts = buildFacts({ kind: 'b2c', firstName: 'Françoise', country: 'FR' }, null, {
      channel: 'sms',
      pitch: { ...pitch, offer: `Une offre ${'très '.repeat(60)}longue « où ça coûte » œuvre` },
      sender,
    });
    const { text } = templateDraft(facts) as { text: string };
    expect(gsm7Length(text)).not.toBeNull();
    expect(gsm7Length(text)!).toBeLessThanOrEqual(160);
    expect(text).toContain('STOP');
    expect(checkDraft('sms', { text }, facts).passed).toBe(true);
  });
});
