import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTransaction } from '../../src/context';
import { type Database, queryRows } from '../../src/db';
import type { JobRunner } from '../../src/jobs/runner';
import type { IdealProfile } from '../../src/scoring/fit';
import { eachInput, type Refitting, readChunk } from '../../src/scoring/inputs';
import { writeReasons } from '../../src/scoring/reasons';
import { storedShown } from '../../src/scoring/score';
import { saveScores } from '../../src/scoring/score-saves';
import {
  type ComputedScores,
  computeScores,
  computeScoresInSlices,
  copyLine,
  type Scoring,
  scoringsOf,
} from '../../src/scoring/score-writes';
import { call, makeRunner, newOrg, type TestApp, type TestOrg, testApp } from '../helpers/app';
import { databases } from '../helpers/databases';
import { jobsSettled } from '../helpers/wait';

/**
 * A new profile is scored from the parts stored with each score (engagement, pressure, the model, their
 * reasons) instead of everyone's events. These tests hold that path to the full one: at the same instant,
 * the same rows to the byte, whatever the history, and the full path wherever the stored parts no longer hold.
 */

const NAF = ['46.69Z', '62.01Z', '46.69B', '10.71C', '47.11F'];
const SIZES = ['4', '45', '600', '8000', ''];
const TITLES = ['Acheteuse', 'Comptable', 'Directeur des achats', 'Stagiaire', 'Responsable achats', ''];
const COUNTRIES = ['FR', 'DE', 'BE', 'ES'];

/** A seeded generator, so that a failure can be replayed. */
function random(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

const START: IdealProfile = {
  industries: { codes: ['46.6'], points: 12 },
  employees: { min: 10, max: 1000, points: 8 },
  titles: { keywords: ['achat', 'acheteu'], points: 10 },
};

/** Profiles that move the fit every way: more points, fewer, none at all, points against. */
const PROFILES: IdealProfile[] = [
  { ...START, countries: { values: ['FR'], points: 6 } },
  { industries: { codes: ['62'], points: 3 } },
  {},
  { titles: { keywords: ['stagiaire'], points: -20 }, industries: { codes: ['10', '47'], points: 2 } },
  { countries: { values: ['DE', 'BE'], points: 40 }, employees: { min: 1000, points: 1 } },
];

/** Every kind of signal engagement reads, with outcomes that read as answered, refused and do-not-call. */
const EVENTS: { type: string; outcome?: string }[] = [
  { type: 'email_sent' },
  { type: 'email_opened' },
  { type: 'email_opened' },
  { type: 'email_clicked' },
  { type: 'email_replied', outcome: 'Intéressé' },
  { type: 'email_replied', outcome: 'Pas intéressé' },
  { type: 'email_bounced' },
  { type: 'call_attempted', outcome: 'no_answer' },
  { type: 'call_attempted', outcome: 'no_answer' },
  { type: 'call_attempted', outcome: 'no_answer' },
  { type: 'call_attempted', outcome: 'Répondu' },
  { type: 'call_answered', outcome: 'Rappeler plus tard' },
  { type: 'call_answered', outcome: 'Ne plus appeler' },
  { type: 'voicemail_left' },
  { type: 'web_visit' },
  { type: 'opt_out' },
];

describe.each(databases)('rescoring a new profile from the stored parts on $name', ({ open }) => {
  let database: Database;
  let runner: JobRunner;
  let app: TestApp;
  let org: TestOrg;
  let campaignId: string;

  const settled = (kind?: string) => jobsSettled(database, org.orgId, kind);

  const lastRescoring = async () =>
    (
      await queryRows<{ result: Record<string, unknown> }>(
        database.db,
        sql`SELECT result FROM jobs WHERE org_id = ${org.orgId} AND kind = 'rescore' AND status = 'succeeded'
            ORDER BY finished_at DESC LIMIT 1`,
      )
    )[0]!.result;

  const patch = (json: object) =>
    call(app, 'PATCH', `/v1/campaigns/${campaignId}`, { key: org.manager, json });

  beforeAll(async () => {
    database = await open();
    runner = makeRunner(database, undefined, { pollMs: 20 });
    app = testApp(database, {}, runner);
    org = await newOrg(database);
    runner.start();
    const next = random(7);
    const pick = <T>(list: T[]) => list[Math.floor(next() * list.length)]!;
    const lines = ['Prénom;Nom;Société;Code NAF;Effectif;Pays;Fonction;E-mail'];
    for (let i = 0; i < 240; i++)
      lines.push(
        `Sam;Refit-${i};Société ${i % 60};${NAF[(i % 60) % 5]};${SIZES[Math.floor((i % 60) / 12)]};` +
          `${pick(COUNTRIES)};${pick(TITLES)};sam.${i}@refit.example`,
      );
    const imported = await call(app, 'POST', '/v1/imports', {
      key: org.manager,
      body: `${lines.join('\n')}\n`,
      headers: { 'content-type': 'text/csv' },
    });
    expect(imported.status).toBeLessThan(300);
    await settled();
    const people = (await call(app, 'GET', '/v1/prospects?limit=500', { key: org.caller })).body.data as {
      id: string;
      jobTitle: string | null;
    }[];
    expect(people).toHaveLength(240);
    // Up to a year back, buyers booking meetings more often: enough history for a model to learn.
    const now = Date.now();
    const items = people.flatMap((p) => {
      const count = Math.floor(next() * 9);
      const events = Array.from({ length: count }, () => {
        const event = pick(EVENTS);
        const at = new Date(now - Math.floor(next() * 400 * 86_400_000) - 3_600_000).toISOString();
        return { prospectId: p.id, occurredAt: at, ...event };
      });
      const books = p.jobTitle?.includes('chat') ? next() < 0.7 : next() < 0.05;
      if (books)
        events.push({
          prospectId: p.id,
          type: 'meeting_booked',
          occurredAt: new Date(now - Math.floor(next() * 60 * 86_400_000) - 3_600_000).toISOString(),
        });
      return events;
    });
    for (let i = 0; i < items.length; i += 1000) {
      const logged = await call(app, 'POST', '/v1/interactions', {
        key: org.caller,
        json: { items: items.slice(i, i + 1000) },
      });
      expect(logged.status).toBe(201);
    }
    const campaign = await call(app, 'POST', '/v1/campaigns', {
      key: org.marketer,
      json: { name: 'Achats', idealProfile: START },
    });
    campaignId = campaign.body.id;
    await settled();
    const trained = await call(app, 'POST', '/v1/models', { key: org.marketer, json: { campaignId } });
    expect(trained.status).toBe(201);
    const activated = await call(app, 'POST', `/v1/models/${trained.body.id}/activate`, { key: org.manager });
    expect(activated.status).toBe(200);
    await settled();
  }, 120_000);
  afterAll(async () => {
    await runner.stop();
    await database.close();
  });

  const system = () => ({ db: database.db, orgId: org.orgId }) as never;
  const under = (scorings: Scoring[], idealProfile: IdealProfile) =>
    scorings.map((s) => ({ ...s, campaign: { ...s.campaign, idealProfile } }));

  /** The campaign's rows for everyone at an instant under a profile, as scored from the events. */
  async function fromEvents(scorings: Scoring[], idealProfile: IdealProfile, at: Date) {
    const chunk = await readChunk(database.db, org.orgId, { after: null, limit: 10_000 });
    return computeScores(under(scorings, idealProfile), chunk, at);
  }

  /** Rescores everyone under a profile at an instant as after a profile change: from the stored parts where they hold. */
  async function refit(scorings: Scoring[], idealProfile: IdealProfile, at: Date, refitting: Refitting) {
    const chunk = await readChunk(database.db, org.orgId, { after: null, limit: 10_000 }, refitting);
    let refitted = 0;
    eachInput(chunk, (input) => {
      if (input.refit) {
        refitted++;
        expect(input.events).toEqual([]);
      }
    });
    const computed = computeScores(under(scorings, idealProfile), chunk, at);
    expect(computed.fits).toHaveLength(refitted);
    await withTransaction(system(), (tx) =>
      saveScores(tx, computed, { range: { first: chunk.first!, last: chunk.last! }, shared: true }),
    );
    return refitted;
  }

  /** The stored rows, each as the COPY text a scoring from the events writes, and their fingerprints. */
  async function stored() {
    const rows = await queryRows<{
      prospect_id: string;
      line: string;
    }>(
      database.db,
      sql`SELECT prospect_id, score || E'\t' || rank || E'\t' || fit || E'\t' || reasons::text || E'\t' || engagement
            || E'\t' || pressure || E'\t' || touches || E'\t' || coalesce(probability::text, '-') || E'\t'
            || coalesce(model_id::text, '-') || E'\t' || adjustment || E'\t' || CASE WHEN held THEN 't' ELSE 'f' END
            || E'\t' || coalesce(percentile::text, '-') || E'\t' || other_reasons::text || E'\t' || fingerprint
            || E'\t' || fit_fingerprint AS line
          FROM prospect_scores WHERE org_id = ${org.orgId} AND campaign_id = ${campaignId}`,
    );
    return new Map(rows.map((r) => [r.prospect_id, r.line]));
  }

  /** What a scoring from the events computed, as stored() writes it. */
  const expected = (computed: ComputedScores) =>
    new Map(
      computed.rows.map((r) => [
        r.prospectId,
        `${copyLine(computed, r).replaceAll('\\N', '-')}\t${r.fingerprint}\t${r.fitFingerprint}`,
      ]),
    );

  it('writes, from the stored parts, the very rows a scoring of everyone’s events writes', async () => {
    const scorings = await scoringsOf(system(), campaignId);
    const modelId = scorings[0]!.scorer?.id ?? null;
    expect(modelId).not.toBeNull();
    const refitting = { campaignId, modelId };
    // The scores as a full rescoring stores them at this instant, under the first profile.
    const at = new Date();
    const first = await fromEvents(scorings, START, at);
    await withTransaction(system(), (tx) => saveScores(tx, first));
    let held = 0;
    let reached = 0;
    for (const profile of PROFILES) {
      expect(await refit(scorings, profile, at, refitting)).toBe(240);
      const events = await fromEvents(scorings, profile, at);
      expect(await stored()).toEqual(expected(events));
      // Nothing left for a scoring from the events to write.
      expect(await withTransaction(system(), (tx) => saveScores(tx, events))).toBe(0);
      for (const copy of expected(events).values()) {
        if (copy.split('\t')[10] === 't') held++;
        if (copy.includes('reached')) reached++;
      }
    }
    // The history held people back (opted out, goal reached).
    expect(held).toBeGreaterThan(20);
    expect(reached).toBeGreaterThan(20);
  });

  it('scores a chunk a slice at a time exactly as in one go, from the events and from the stored parts', async () => {
    const scorings = await scoringsOf(system(), campaignId);
    const refitting = { campaignId, modelId: scorings[0]!.scorer?.id ?? null };
    const at = new Date();
    let fits = 0;
    for (const chunk of [
      await readChunk(database.db, org.orgId, { after: null, limit: 10_000 }),
      await readChunk(database.db, org.orgId, { after: null, limit: 10_000 }, refitting),
    ]) {
      const whole = computeScores(under(scorings, PROFILES[1]!), chunk, at);
      const sliced = await computeScoresInSlices(under(scorings, PROFILES[1]!), chunk, at, 7);
      expect(whole.prospectIds).toHaveLength(240);
      expect(sliced.prospectIds).toEqual(whole.prospectIds);
      expect(sliced.rows).toEqual(whole.rows);
      expect(sliced.fits).toEqual(whole.fits);
      expect(sliced.reasons.text(0, sliced.reasons.at)).toBe(whole.reasons.text(0, whole.reasons.at));
      fits += whole.fits.length;
    }
    // The stored parts of the scoring above hold: the second chunk is refitted.
    expect(fits).toBeGreaterThan(0);
  });

  it('reads the events of people whose stored parts are missing or of another model', async () => {
    const scorings = await scoringsOf(system(), campaignId);
    const refitting = { campaignId, modelId: scorings[0]!.scorer!.id };
    const at = new Date();
    const first = await fromEvents(scorings, START, at);
    await withTransaction(system(), (tx) => saveScores(tx, first));
    // Rows written before the parts were kept, and rows of a model no longer active.
    await database.db.execute(
      sql`UPDATE prospect_scores SET held = NULL, other_reasons = NULL, fit_fingerprint = NULL, fingerprint = 0
            WHERE org_id = ${org.orgId}
            AND prospect_id IN (SELECT id FROM prospects WHERE org_id = ${org.orgId} ORDER BY id LIMIT 30)`,
    );
    await database.db.execute(
      sql`UPDATE prospect_scores SET model_id = gen_random_uuid() WHERE org_id = ${org.orgId}
            AND prospect_id IN (SELECT id FROM prospects WHERE org_id = ${org.orgId} ORDER BY id DESC LIMIT 20)`,
    );
    expect(await refit(scorings, PROFILES[0]!, at, refitting)).toBe(190);
    expect(await stored()).toEqual(expected(await fromEvents(scorings, PROFILES[0]!, at)));
  });

  it('rescores a change of profile alone from the stored parts, anything else from the events', async () => {
    // The full rescoring that activating the model queued scored under today's goal, half-life and model.
    expect((await patch({ idealProfile: PROFILES[0] })).status).toBe(200);
    await settled();
    expect(await lastRescoring()).toMatchObject({ scored: 240, fromStoredParts: true });
    const listed = (
      await call(app, 'GET', `/v1/prospects?campaign=${campaignId}&limit=500`, { key: org.caller })
    ).body.data as { id: string; score: { score: number } }[];
    expect(listed).toHaveLength(240);
    // A new half-life changes every engagement: everyone is read again, and the parts stored anew.
    expect((await patch({ halfLifeDays: 20 })).status).toBe(200);
    await settled();
    expect(await lastRescoring()).not.toHaveProperty('fromStoredParts');
    expect((await patch({ idealProfile: PROFILES[1] })).status).toBe(200);
    await settled();
    expect(await lastRescoring()).toMatchObject({ fromStoredParts: true });
    // A full rescoring that did not finish (stopped by the change that followed it, say) leaves parts of
    // two versions: the next profile is scored from the events.
    await database.db.execute(sql`UPDATE campaigns SET rescored_parts = 'older' WHERE id = ${campaignId}`);
    expect((await patch({ idealProfile: PROFILES[2] })).status).toBe(200);
    await settled();
    expect(await lastRescoring()).not.toHaveProperty('fromStoredParts');
    // That rescoring stored every part anew: the next profile is scored from them again. Scored so, it
    // leaves the next daily rescoring due, as nothing that time changes was refreshed.
    const due = async () =>
      (
        await queryRows<{ at: string; parts: string }>(
          database.db,
          sql`SELECT rescored_at::text AS at, rescored_parts AS parts FROM campaigns WHERE id = ${campaignId}`,
        )
      )[0]!;
    const before = await due();
    expect(before.parts).not.toBe('older');
    expect((await patch({ idealProfile: PROFILES[3] })).status).toBe(200);
    await settled();
    expect(await lastRescoring()).toMatchObject({ fromStoredParts: true });
    expect(await due()).toEqual(before);
  });

  it('leaves, when it writes the new fits, the people deleted or scored by the queue since the chunk was read', async () => {
    await settled();
    const scorings = await scoringsOf(system(), campaignId);
    const refitting = { campaignId, modelId: scorings[0]!.scorer!.id };
    const at = new Date();
    const first = await fromEvents(scorings, START, at);
    await withTransaction(system(), (tx) => saveScores(tx, first));
    const before = await stored();
    const [{ readAt }] = (await queryRows<{ readAt: string }>(
      database.db,
      sql`SELECT now()::text AS "readAt"`,
    )) as [{ readAt: string }];
    const chunk = await readChunk(database.db, org.orgId, { after: null, limit: 10_000 }, refitting);
    const computed = computeScores(under(scorings, PROFILES[4]!), chunk, at);
    expect(computed.fits).toHaveLength(240);
    const [gone, rescored] = [computed.fits[3]!.prospectId, computed.fits[7]!.prospectId];
    expect((await call(app, 'DELETE', `/v1/prospects/${gone}`, { key: org.manager })).status).toBe(204);
    await database.db.execute(
      sql`INSERT INTO score_queue (org_id, prospect_id, queued_at, scored_at)
          VALUES (${org.orgId}, ${rescored}, now(), now())
          ON CONFLICT (org_id, prospect_id) DO UPDATE SET scored_at = now()`,
    );
    const save = () =>
      withTransaction(system(), (tx) =>
        saveScores(tx, computed, { range: { first: chunk.first!, last: chunk.last! }, shared: true, readAt }),
      );
    expect(await save()).toBe(238);
    const after = await stored();
    expect(after.has(gone)).toBe(false);
    expect(after.get(rescored)).toBe(before.get(rescored));
    // The same fits again: every row already holds them.
    expect(await save()).toBe(0);
  });

  it('leaves a row as it is the day after when only its reasons’ ages moved, and tells them from the day it is read', async () => {
    await settled();
    const scorings = await scoringsOf(system(), campaignId);
    const at = new Date();
    const dayAfter = new Date(at.getTime() + 86_400_000);
    const first = await fromEvents(scorings, START, at);
    await withTransaction(system(), (tx) => saveScores(tx, first));
    const next = await fromEvents(scorings, START, dayAfter);
    const changed = next.rows.filter((r, i) => r.fingerprint !== first.rows[i]!.fingerprint).length;
    const moved = next.rows.filter((r, i) => r.score !== first.rows[i]!.score).length;
    // Decay moves some scores and points; the ages alone no longer rewrite anyone.
    expect(changed).toBeGreaterThanOrEqual(moved);
    expect(changed).toBeLessThan(first.rows.length / 2);
    expect(await withTransaction(system(), (tx) => saveScores(tx, next))).toBe(changed);
    // Each row, rewritten or not, reads the day after as a scoring that day writes it.
    const told = (row: { reasons: unknown; otherReasons: unknown }) =>
      writeReasons(storedShown(row as Parameters<typeof storedShown>[0], dayAfter.getTime()));
    const rows = await queryRows<{ prospectId: string; reasons: unknown; otherReasons: unknown }>(
      database.db,
      sql`SELECT prospect_id AS "prospectId", reasons, other_reasons AS "otherReasons" FROM prospect_scores
          WHERE org_id = ${org.orgId} AND campaign_id = ${campaignId}`,
    );
    const parse = (value: unknown) => (typeof value === 'string' ? JSON.parse(value) : value);
    const stored = new Map(
      rows.map((r) => [
        r.prospectId,
        told({ reasons: parse(r.reasons), otherReasons: parse(r.otherReasons) }),
      ]),
    );
    const fresh = new Map(
      next.rows.map((r) => {
        const fields = copyLine(next, r).split('\t');
        return [
          r.prospectId,
          told({ reasons: JSON.parse(fields[3]!), otherReasons: JSON.parse(fields[12]!) }),
        ];
      }),
    );
    expect(stored).toEqual(fresh);
    const ages = [...stored.values()].flatMap((r) => [...r.positive, ...r.negative]).map((r) => r.en);
    expect(ages.some((text) => /in the last \d+ days|\d+ days? ago/.test(text))).toBe(true);
  });
});
