import { describe, expect, it } from 'vitest';
import {
  answered,
  type EngagementEvent,
  engagementScore,
  OUTCOME_WORDS,
  refusal,
} from '../../src/scoring/engagement';
import type { FitSubject, IdealProfile } from '../../src/scoring/fit';
import { eventsOf } from '../../src/scoring/inputs';
import { scoreInput } from '../../src/scoring/score';

const DAY = 86_400_000;
const now = new Date('2026-11-29T12:00:00Z');
const ago = (days: number, type: EngagementEvent['type'], outcome?: string): EngagementEvent => ({
  type,
  at: now.getTime() - days * DAY,
  outcome: outcome ?? null,
});

const profile: IdealProfile = {
  industries: { codes: ['46.6'], points: 10 },
  countries: { values: ['FR'], points: 10 },
};

const person = (overrides: Partial<FitSubject> = {}) => ({
  prospectId: 'p',
  kind: 'b2b',
  language: null,
  industryCode: '46.69Z',
  employeeCount: null,
  annualRevenue: null,
  country: 'DE',
  region: null,
  jobTitle: null,
  seniority: null,
  department: null,
  attributes: {},
  ...overrides,
});

const scored = (events: EngagementEvent[], overrides: Partial<FitSubject> = {}) =>
  scoreInput(
    { id: 'c', idealProfile: profile, successTypes: ['meeting_booked'], halfLifeDays: 30 },
    undefined,
    { ...person(overrides), events },
    now,
  );

describe('negative engagement', () => {
  it('puts a person who bounced and refused below the same person never contacted, point for point', () => {
    const cold = scored([]);
    expect(cold.score).toBe(30); // half the fit, at 60 %
    const turnedDown = scored([ago(1, 'email_bounced'), ago(1, 'call_attempted', 'Refusé')]);
    // −4.9 and −14.7 a day later: −20 off the score.
    expect(turnedDown.engagement.points).toBeCloseTo(-19.6, 5);
    expect(turnedDown.score).toBe(10);
    expect(turnedDown.rank).toBeLessThan(cold.rank);
    // The engagement score itself stays 0–100.
    expect(turnedDown.engagement.score).toBe(0);
  });

  it('never takes a score below 0, and lets signals above zero offset the ones below first', () => {
    const poor = scored([ago(1, 'call_attempted', 'refused'), ago(1, 'email_bounced')], {
      industryCode: '10.71C',
    });
    expect(poor.score).toBe(0);
    const mixed = scored([ago(1, 'email_bounced'), ago(1, 'meeting_booked')]);
    expect(mixed.score).toBeGreaterThan(30);
  });

  it('still takes a standing opt-out off in full, the refusals below zero with it', () => {
    const fits = { country: 'FR' };
    expect(scored([], fits).score).toBe(60);
    const optedOut = scored([ago(1, 'opt_out')], fits);
    expect([optedOut.score, optedOut.rank]).toEqual([20, 0]);
    const refusedToo = scored([ago(1, 'opt_out'), ago(1, 'call_attempted', 'pas intéressé')], fits);
    expect([refusedToo.score, refusedToo.rank]).toEqual([5, 0]);
  });
});

describe('a refused call', () => {
  it('is an answered call: never counted among the unanswered ones', () => {
    const codes = (events: EngagementEvent[]) =>
      engagementScore(events, now).contributions.map((c) => [c.code, c.facts.count]);
    expect(
      codes([
        ago(1, 'call_attempted', 'Refusé'),
        ago(2, 'call_attempted', 'pas intéressée'),
        ago(3, 'call_attempted', 'not interested'),
      ]),
    ).toEqual([['engagement.refused', 3]]);
    // Two calls nobody picked up and a refusal: two unanswered, which are free.
    expect(
      codes([
        ago(1, 'call_attempted', 'no_answer'),
        ago(2, 'call_attempted', 'no_answer'),
        ago(3, 'call_attempted', 'refused'),
      ]),
    ).toEqual([['engagement.refused', 1]]);
  });

  it('is read the same from the events text a scoring read hands over', () => {
    const minute = Math.floor(now.getTime() / 60_000);
    const text = ['Refusé', 'pas intéressée', 'Refusé\u001f trop cher']
      .map((outcome, d) => `call_attempted:${minute - (d + 1) * 1440}:${outcome}`)
      .join(',');
    const events = eventsOf(text);
    expect(events.map((e) => e.outcome)).toEqual(['Refusé, trop cher', 'pas intéressée', 'Refusé']);
    expect(engagementScore(events, now).contributions.map((c) => c.code)).toEqual(['engagement.refused']);
  });

  it.each([
    'refus',
    'Refusé',
    'refusée',
    'refuse de parler',
    'Refused',
    'Not interested',
    'not_interested',
    'NOT-INTERESTED',
    'pas intéressé',
    'Pas intéressée',
    'pas interesse',
    'Non intéressé',
    'NON INTERESSE',
    'non-intéressée',
    'Pas interessée',
    'uninterested',
    'Pas de besoin',
    'Déjà équipé',
    'Aucun intérêt',
    "Pas d'intérêt pour le moment",
    'ne plus appeler',
    'remove from list',
    'STOP',
    'stop.',
    'a dit stop, raccroche',
  ])('reads %j as a refusal', (outcome) => {
    expect(refusal(outcome)).toBe(true);
  });

  // A do-not-call is the opt-out it asks for (countedType), not a refusal that fades; "not DNC" neither.
  it.each([
    'stopped by later',
    'unstoppable',
    'non-stop',
    'STOP_SMS',
    'Not DNC',
    'do not call before 14h',
    'answered',
    'no_answer',
    'rappeler demain',
    '',
  ])('does not read %j as a refusal', (outcome) => {
    expect(refusal(outcome)).toBe(false);
  });

  it('reads the words folded, from the start of a word: "désintéressé" is no interest shown', () => {
    expect(answered('Désintéressé')).toBe(false);
    expect(refusal('Désintéressé')).toBe(true);
    expect(answered('Intéressée, rappeler')).toBe(true);
    expect(refusal('Intéressée, rappeler')).toBe(false);
    expect(OUTCOME_WORDS.refusedWholeWords).toEqual(['stop']);
  });

  it.each([
    'Ne répond pas, rappeler demain',
    'NRP - à rappeler',
    'Absent, rappeler lundi',
    'Indisponible, rappeler',
    'Messagerie, rappeler',
    'pas décroché, rappeler',
    'Faux numéro',
    'No answer - call back',
  ])('reads %j as nobody picked up, whatever else it says', (outcome) => {
    expect(answered(outcome)).toBe(false);
    expect(refusal(outcome)).toBe(false);
  });
});
