import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, queryRows } from '../../src/db';
import type { JobRunner } from '../../src/jobs/runner';
import { eachInput, readChunk, type ScoringInput } from '../../src/scoring/inputs';
import { queueWaitingScoring } from '../../src/scoring/queue';
import { rescoreJobHandler } from '../../src/scoring/rescore';
import { saveScores } from '../../src/scoring/score-saves';
import { computeScores, scoringsOf } from '../../src/scoring/score-writes';
import { call, makeRunner, newOrg, type TestApp, type TestOrg, testApp } from '../helpers/app';
import { databases } from '../helpers/databases';
import { jobsSettled, waitFor } from '../helpers/wait';

const INDUSTRIES = ['46.69Z', '62.01Z', '46.69B', '10.71C'];
const SIZES = [4, 45, 600, 8000];
const TITLES = ['Acheteuse', 'Comptable', 'Directeur des achats', 'Stagiaire'];

/** Forty people at eight companies of four industries and four sizes, with four titles, in two countries. */
function peopleFile(tag: string): string {
  const lines = ['Prénom;Nom;Société;Code NAF;Effectif;Pays;Fonction;E-mail;Téléphone'];
  for (let i = 0; i < 40; i++) {
    const name = i === 7 ? '=HYPERLINK("http://x.example")' : `${tag}-${i}`;
    lines.push(
      [
        'Camille',
        name,
        `Société ${tag} ${i % 8}`,
        INDUSTRIES[(i % 8) % 4],
        SIZES[Math.floor((i % 8) / 2)],
        i % 5 === 0 ? 'DE' : 'FR',
        TITLES[Math.floor(i / 2) % 4],
        `camille.${tag}.${i}@exemple.fr`,
        `06 12 ${String(i).padStart(2, '0')} 34 ${tag.length + 10}`,
      ].join(';'),
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}

const profile = {
  industries: { codes: ['46.6'], points: 12 },
  employees: { min: 10, max: 1000, points: 8 },
  titles: { keywords: ['achat', 'acheteu'], points: 10 },
};

describe.each(databases)('ranked prospects, saved lists and exports on $name', ({ open }) => {
  let database: Database;
  let runner: JobRunner;
  let app: TestApp;
  let org: TestOrg;
  let campaignId: string;
  let people: { id: string; lastName: string }[];

  const settled = (kind?: string) => jobsSettled(database, org.orgId, kind);
  /** An organization's people read in runs of `limit` consecutive ids, as a full rescoring walks them. */
  async function* runsOf(orgId: string, limit: number) {
    for (let after: string | null = null; ; ) {
      const chunk = await readChunk(database.db, orgId, { after, limit });
      if (chunk.count === 0) return;
      yield chunk;
      after = chunk.last;
    }
  }

  /** Jobs this file runs by hand are leased to 'test'; once done, they are marked so. */
  const finishTestJobs = () =>
    database.db.execute(
      sql`UPDATE jobs SET status = 'succeeded', locked_until = NULL WHERE locked_by = 'test'`,
    );

  /**
   * Runs a full rescoring of the campaign here, in chunks of two so that what `onProgress` starts after
   * the first chunk has many chunks' time to land before the end. Its job is leased to 'test'.
   */
  async function rescoreByHand(onProgress: () => void, owner?: string) {
    const [job] = await queryRows<Record<string, unknown>>(
      database.db,
      sql`INSERT INTO jobs (id, org_id, kind, status, params, locked_by, locked_until)
          VALUES (gen_random_uuid(), ${org.orgId}, 'rescore', 'running', ${JSON.stringify({ campaignId })}::jsonb,
            'test', now() + interval '1 hour') RETURNING *`,
    );
    return rescoreJobHandler({ chunk: 2, threads: 0 })({
      job: {
        ...job,
        id: job!.id,
        orgId: org.orgId,
        createdBy: null,
        params: { campaignId },
        result: {},
        ...(owner ? { lockedBy: owner } : {}),
      } as never,
      database,
      signal: new AbortController().signal,
      progress: onProgress,
    });
  }

  async function ranked(query: string, key = org.caller) {
    const answer = await call(app, 'GET', `/v1/prospects?campaign=${campaignId}&${query}`, { key });
    expect(answer.status).toBe(200);
    return answer.body;
  }

  beforeAll(async () => {
    database = await open();
    runner = makeRunner(database, undefined, { pollMs: 20 });
    app = testApp(database, {}, runner);
    org = await newOrg(database);
    runner.start();
    const campaign = await call(app, 'POST', '/v1/campaigns', {
      key: org.marketer,
      json: { name: 'Négoce', idealProfile: profile },
    });
    campaignId = campaign.body.id;
    const imported = await call(app, 'POST', '/v1/imports', {
      key: org.manager,
      body: peopleFile('Rank'),
      headers: { 'content-type': 'text/csv' },
    });
    expect(imported.status).toBeLessThan(300);
    await settled();
    people = (await call(app, 'GET', '/v1/prospects?limit=100', { key: org.caller })).body.data;
    expect(people).toHaveLength(40);
  });
  afterAll(async () => {
    await runner.stop();
    await database.close();
  });

  it('lists a campaign’s prospects by score with reasons, filters and pages them, and keeps others out', async () => {
    const all = await ranked('limit=100');
    expect(all.data).toHaveLength(40);
    const scores = all.data.map((p: { score: { score: number } }) => p.score.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    const top = all.data[0];
    expect(top.score.fit).toBe(100);
    const industry = top.score.reasons.positive.find((r: { code: string }) => r.code === 'fit.industry');
    expect(industry.fr).toMatch(/^Secteur 46\.69[ZB] dans la cible \(\+12\)$/);
    expect(top.score.reasons.positive[0].fr).toMatch(/\(\+\d+\)$/);
    expect(top.contactPoints.length).toBeGreaterThan(0);

    // Pages of 7 walk the same order without overlap.
    const seen: string[] = [];
    for (let cursor: string | null = null, first = true; first || cursor; first = false) {
      const page = await ranked(`limit=7${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...page.data.map((p: { id: string }) => p.id));
      cursor = page.nextCursor;
    }
    expect(seen).toEqual(all.data.map((p: { id: string }) => p.id));
    // A cursor belongs to its order: reused with another, it is refused rather than cutting a page wrong.
    const rankPage = await ranked('limit=7&sort=-rank');
    const misused = await call(
      app,
      'GET',
      `/v1/prospects?campaign=${campaignId}&sort=score&cursor=${rankPage.nextCursor}`,
      {
        key: org.caller,
      },
    );
    expect(misused.status).toBe(400);
    expect(JSON.stringify(misused.body.errors)).toContain('sorted by -rank');
    // So does it belong to its filters: under others, its keyset would skip rows.
    const scorePage = await ranked('sort=-score&limit=5');
    const refiltered = await call(
      app,
      'GET',
      `/v1/prospects?campaign=${campaignId}&sort=-score&limit=5&country=DE&cursor=${scorePage.nextCursor}`,
      { key: org.caller },
    );
    expect(refiltered.status).toBe(400);
    expect(refiltered.headers.get('content-type')).toContain('application/problem+json');
    expect(refiltered.body.errors).toEqual([expect.objectContaining({ field: 'cursor' })]);
    // The page size is not a filter, and the default order is -score.
    const resized = await ranked(`limit=9&cursor=${scorePage.nextCursor}`);
    expect(resized.data.map((p: { id: string }) => p.id)).toEqual(
      all.data.slice(5, 14).map((p: { id: string }) => p.id),
    );
    const ascending = await ranked('limit=100&sort=score');
    expect(ascending.data.map((p: { score: { score: number } }) => p.score.score)).toEqual(
      [...scores].reverse(),
    );
    const byRank = await ranked('limit=100&sort=-rank');
    const ranks = byRank.data.map((p: { score: { rank: number } }) => p.score.rank);
    expect(ranks).toEqual([...ranks].sort((a, b) => b - a));

    const high = await ranked('limit=100&minScore=50');
    expect(high.data.length).toBeGreaterThan(0);
    expect(high.data.length).toBeLessThan(40);
    expect(high.data.every((p: { score: { score: number } }) => p.score.score >= 50)).toBe(true);
    const low = await ranked('limit=100&maxScore=49');
    expect(low.data.length + high.data.length).toBe(40);
    const german = await ranked('limit=100&country=DE');
    expect(german.data).toHaveLength(8);
    const trade = await ranked('limit=100&industry=46.69');
    expect(trade.data).toHaveLength(20);
    expect((await ranked('limit=100&industry=4669')).data).toHaveLength(20);
    // SME: 10–249 employees, the ten people at companies of 45.
    const sme = await ranked('limit=100&segment=sme');
    expect(sme.data).toHaveLength(10);
    expect((await ranked('limit=100&segment=PME')).data).toEqual(sme.data);
    // Scores are whole: 49.5 and up is 50 and up.
    expect((await ranked('limit=100&minScore=49.5')).data).toEqual(high.data);
    expect((await ranked('limit=100&maxScore=49.9')).data).toEqual(low.data);

    const noCampaign = await call(app, 'GET', '/v1/prospects?sort=-score', { key: org.caller });
    expect(noCampaign.status).toBe(400);
    expect(noCampaign.body.errors[0].field).toBe('query:sort');
    const emptyRange = await call(
      app,
      'GET',
      `/v1/prospects?campaign=${campaignId}&minScore=80&maxScore=20`,
      {
        key: org.caller,
      },
    );
    expect(emptyRange.status).toBe(400);
    expect(emptyRange.body.errors[0].field).toBe('query:minScore');
    const badSegment = await call(app, 'GET', `/v1/prospects?campaign=${campaignId}&segment=huge`, {
      key: org.caller,
    });
    expect(badSegment.status).toBe(400);
    expect(badSegment.body.errors[0]).toMatchObject({
      field: 'query:segment',
      message: expect.stringContaining('pme'),
    });

    const other = await newOrg(database);
    const theirs = await call(app, 'GET', `/v1/prospects?campaign=${campaignId}`, { key: other.admin });
    expect(theirs.status).toBe(404);
    const exported = await call(app, 'GET', `/v1/prospects/export?campaign=${campaignId}`, {
      key: other.admin,
    });
    expect(exported.status).toBe(404);
  });

  it('refuses a country no prospect can carry, naming query:country and the code meant', async () => {
    const uk = await call(app, 'GET', `/v1/prospects?campaign=${campaignId}&country=UK`, { key: org.caller });
    expect(uk.status).toBe(400);
    expect(uk.body.errors).toEqual([
      expect.objectContaining({
        field: 'query:country',
        message: expect.stringContaining('did you mean GB?'),
      }),
    ]);
    const unknown = await call(app, 'GET', `/v1/prospects?campaign=${campaignId}&country=XX`, {
      key: org.caller,
    });
    expect([unknown.status, unknown.body.errors[0].field]).toEqual([400, 'query:country']);
    // The plain prospect list takes the same filter, and refuses it the same way.
    const plain = await call(app, 'GET', '/v1/prospects?country=UK', { key: org.caller });
    expect([plain.status, plain.body.errors[0].field]).toEqual([400, 'query:country']);
    expect((await ranked('limit=100&country=de')).data).toHaveLength(8);
  });

  it('refuses profile criteria that would match nobody, naming each', async () => {
    const refused = async (idealProfile: unknown) => {
      const answer = await call(app, 'POST', '/v1/campaigns', {
        key: org.marketer,
        json: { name: 'Nobody', idealProfile },
      });
      expect(answer.status).toBe(400);
      return answer.body.errors;
    };
    expect(await refused({ industries: { codes: ['46.6', 'abc!!'], points: 5 } })).toEqual([
      expect.objectContaining({ field: 'body:idealProfile.industries.codes[1]' }),
    ]);
    expect(await refused({ titles: { keywords: ['!!!'], points: 5 } })).toEqual([
      expect.objectContaining({ field: 'body:idealProfile.titles.keywords[0]' }),
    ]);
    expect(await refused({ seniority: { values: ['boss'], points: 5 } })).toEqual([
      expect.objectContaining({
        field: 'body:idealProfile.seniority.values[0]',
        message: expect.stringContaining('c_level, vp, director, manager, senior, entry'),
      }),
    ]);
    expect(await refused({ revenue: { min: 1, points: 5, currency: 'euro' } })).toEqual([
      expect.objectContaining({ field: 'body:idealProfile.revenue.currency' }),
    ]);
  });

  it('reads a refused call as a refusal, never as an unanswered call, from the stored outcomes', async () => {
    // An organization of its own: its interactions leave this file's people and their scores alone.
    const own = await newOrg(database);
    const campaign = await call(app, 'POST', '/v1/campaigns', {
      key: own.marketer,
      json: { name: 'Refus', idealProfile: { countries: { values: ['FR'], points: 10 } } },
    });
    const person = await call(app, 'POST', '/v1/prospects', {
      key: own.manager,
      json: { lastName: 'Refus', country: 'FR' },
    });
    const at = Date.now();
    const items = ['Pas intéressé', 'refusé', 'not interested'].map((outcome, d) => ({
      prospectId: person.body.id,
      type: 'call_attempted',
      outcome,
      occurredAt: new Date(at - (d + 1) * 86_400_000).toISOString(),
    }));
    expect((await call(app, 'POST', '/v1/interactions', { key: own.caller, json: { items } })).status).toBe(
      201,
    );
    const scored = await call(app, 'GET', `/v1/campaigns/${campaign.body.id}/scores/${person.body.id}`, {
      key: own.caller,
    });
    expect(scored.status).toBe(200);
    expect(scored.body.reasons.negative.map((r: { code: string }) => r.code)).toEqual(['engagement.refused']);
    expect(scored.body.reasons.negative[0].fr).toMatch(/^A refusé 3 fois au téléphone/);
    // A perfect fit (60) less three fresh refusals (about −43).
    expect(scored.body.score).toBe(17);
  });

  it('offers nobody who reached the goal or opted out a moment ahead, and rescores a deleted company’s people', async () => {
    const company = await call(app, 'POST', '/v1/companies', {
      key: org.manager,
      json: { name: 'Négoce Rhône', industryCode: '46.69Z', employeeCount: 80, country: 'FR' },
    });
    const person = async (lastName: string) =>
      (
        await call(app, 'POST', '/v1/prospects', {
          key: org.manager,
          json: { companyId: company.body.id, lastName, jobTitle: 'Acheteur', country: 'FR' },
        })
      ).body.id as string;
    const [booked, ahead] = [await person('Booké'), await person('Avance')];
    const log = (prospectId: string, type: string, at: number) =>
      call(app, 'POST', '/v1/interactions', {
        key: org.caller,
        json: { prospectId, type, occurredAt: new Date(at).toISOString() },
      });
    await settled('rescore_queue');
    const stored = async (id: string) =>
      (await ranked(`limit=100&companyId=${company.body.id}`)).data.find((p: { id: string }) => p.id === id)
        .score;
    expect((await stored(booked)).rank).toBeGreaterThan(50);
    // The campaign's goal (a meeting booked) reached: the score stays, the person is no longer offered.
    expect((await log(booked, 'meeting_booked', Date.now() - 3 * 86_400_000)).status).toBe(201);
    // A dialer's local time written as UTC: an opt-out 90 seconds ahead counts at once.
    expect((await log(ahead, 'opt_out', Date.now() + 90_000)).status).toBe(201);
    await settled('rescore_queue');
    const reached = await stored(booked);
    expect(reached.rank).toBe(0);
    expect(reached.score).toBeGreaterThan(50);
    expect(reached.reasons.negative[0]).toMatchObject({
      code: 'goal.reached',
      points: 0,
      en: "Reached the campaign's goal already (meeting booked) 3 days ago: no longer offered for a call",
    });
    expect((await stored(ahead)).rank).toBe(0);
    // A company deleted takes its industry and size from its people's scores.
    const before = await stored(ahead);
    expect((await call(app, 'DELETE', `/v1/companies/${company.body.id}`, { key: org.manager })).status).toBe(
      204,
    );
    await settled('rescore_queue');
    const after = (
      await call(app, 'GET', `/v1/prospects?campaign=${campaignId}&q=Avance`, { key: org.caller })
    ).body.data[0].score;
    expect(after.fit).toBeLessThan(before.fit);
    for (const id of [booked, ahead])
      expect((await call(app, 'DELETE', `/v1/prospects/${id}`, { key: org.manager })).status).toBe(204);
  });

  it('rescores everyone at a company an import changes, not only the rows that named it', async () => {
    const company = await call(app, 'POST', '/v1/companies', {
      key: org.manager,
      json: { name: 'Négoce Import', industryCode: '46.69Z', employeeCount: 40, country: 'FR' },
    });
    for (const lastName of ['Colin', 'Perrin'])
      await call(app, 'POST', '/v1/prospects', {
        key: org.manager,
        json: { companyId: company.body.id, lastName, jobTitle: 'Acheteur', country: 'FR' },
      });
    await settled('rescore_queue');
    const stored = async (lastName: string) =>
      (await ranked(`limit=100&companyId=${company.body.id}`)).data.find(
        (p: { lastName: string }) => p.lastName === lastName,
      ).score;
    expect((await stored('Perrin')).fit).toBe(100);
    // The company moves to software; the file names only Colin.
    const imported = await call(app, 'POST', '/v1/imports', {
      key: org.manager,
      body: 'Nom;Société;Code NAF;Effectif;Pays;Fonction\r\nColin;Négoce Import;62.01Z;40;FR;Acheteur\r\n',
      headers: { 'content-type': 'text/csv' },
    });
    expect(imported.status).toBeLessThan(300);
    await settled('rescore_queue');
    const perrin = await stored('Perrin');
    expect(perrin.fit).toBeLessThan(100);
    expect(JSON.stringify(perrin.reasons)).not.toContain('46.69Z');
    for (const p of (await ranked(`limit=100&companyId=${company.body.id}`)).data)
      expect((await call(app, 'DELETE', `/v1/prospects/${p.id}`, { key: org.manager })).status).toBe(204);
  });

  it('rescores the people new interactions touch and keeps the history of their scores', async () => {
    const [before] = (await ranked('limit=1&sort=score')).data;
    const at = Date.now();
    const items = [1, 2, 3, 4].map((d) => ({
      prospectId: before.id,
      type: d === 1 ? 'email_replied' : 'email_clicked',
      occurredAt: new Date(at - d * 86_400_000).toISOString(),
    }));
    expect((await call(app, 'POST', '/v1/interactions', { key: org.caller, json: { items } })).status).toBe(
      201,
    );
    await settled('rescore_queue');
    const after = (await ranked('limit=100')).data.find((p: { id: string }) => p.id === before.id);
    expect(after.score.score).toBeGreaterThan(before.score.score);
    expect(after.score.reasons.positive.map((r: { code: string }) => r.code)).toContain(
      'engagement.email_clicked',
    );
    // On demand and stored agree.
    const onDemand = await call(app, 'GET', `/v1/campaigns/${campaignId}/scores/${before.id}`, {
      key: org.caller,
    });
    expect(onDemand.body.score).toBe(after.score.score);
    const history = await call(app, 'GET', `/v1/campaigns/${campaignId}/scores/${before.id}/history`, {
      key: org.caller,
    });
    expect(history.status).toBe(200);
    expect(history.body.data.map((h: { score: number }) => h.score)).toEqual([
      after.score.score,
      before.score.score,
    ]);

    // A rescoring that finds nothing new rewrites nothing.
    const job = await call(app, 'POST', `/v1/campaigns/${campaignId}/rescore`, { key: org.manager });
    expect(job.status).toBe(202);
    expect(job.headers.get('location')).toBe(`/v1/jobs/${job.body.id}`);
    await settled('rescore');
    const done = await call(app, 'GET', `/v1/jobs/${job.body.id}`, { key: org.manager });
    expect(done.body).toMatchObject({ status: 'succeeded', result: { scored: 40, changed: 0 } });
    expect(done.body.progress).toMatchObject({ rowsDone: 40, rowsTotal: 40 });
    const again = await call(app, 'GET', `/v1/campaigns/${campaignId}/scores/${before.id}/history`, {
      key: org.caller,
    });
    expect(again.body.data).toHaveLength(2);
    const stranger = await newOrg(database);
    const theirPerson = await call(app, 'POST', '/v1/prospects', {
      key: stranger.manager,
      json: { lastName: 'Autre' },
    });
    expect(
      (
        await call(app, 'GET', `/v1/campaigns/${campaignId}/scores/${theirPerson.body.id}/history`, {
          key: org.caller,
        })
      ).status,
    ).toBe(404);
    expect((await call(app, 'POST', `/v1/campaigns/${campaignId}/rescore`, { key: org.caller })).status).toBe(
      403,
    );
  });

  it('reads the same facts of each person in runs of consecutive people as by their ids', async () => {
    // Events on people at the edges of runs of three, and on someone of another organization whose id
    // falls among them: a run reads its people's events as one range of ids.
    const at = Date.now();
    const items = [0, 2, 3, 5, 39].flatMap((i, k) =>
      ['email_opened', 'call_attempted'].map((type, j) => ({
        prospectId: people[i]!.id,
        type,
        occurredAt: new Date(at - (k * 2 + j + 1) * 3_600_000).toISOString(),
        ...(type === 'call_attempted' ? { outcome: k % 2 ? 'no_answer' : 'Refus poli' } : {}),
      })),
    );
    expect((await call(app, 'POST', '/v1/interactions', { key: org.caller, json: { items } })).status).toBe(
      201,
    );
    const stranger = await newOrg(database);
    const theirs = await call(app, 'POST', '/v1/prospects', {
      key: stranger.manager,
      json: { lastName: 'Autre' },
    });
    await call(app, 'POST', '/v1/interactions', {
      key: stranger.caller,
      json: { prospectId: theirs.body.id, type: 'email_clicked' },
    });
    await settled();
    const ids = people.map((p) => p.id).sort();
    const byId = new Map<string, ScoringInput>();
    eachInput(await readChunk(database.db, org.orgId, { ids }), (input) => byId.set(input.prospectId, input));
    const inRuns = new Map<string, ScoringInput>();
    for await (const chunk of runsOf(org.orgId, 3)) {
      const read: string[] = [];
      eachInput(chunk, (input) => {
        read.push(input.prospectId);
        inRuns.set(input.prospectId, input);
      });
      expect(read).toEqual([...read].sort());
      expect([chunk.first, chunk.last]).toEqual([read[0], read.at(-1)]);
    }
    expect([...inRuns.keys()]).toEqual(ids);
    expect(inRuns).toEqual(byId);
    const edge = inRuns.get(people[39]!.id)!;
    expect(edge.events.map((e) => [e.type, e.outcome])).toEqual([
      ['call_attempted', 'Refus poli'],
      ['email_opened', null],
    ]);
    expect(inRuns.get(people[1]!.id)!.events.filter((e) => e.at > at - 86_400_000)).toEqual([]);
  });

  it('reads text in any script, with line breaks and separators, byte for byte across chunks and threads', async () => {
    // A chunk travels as the UTF-8 bytes PostgreSQL sent, cut at its line breaks: values with accents,
    // characters of three and four bytes, line breaks, tabs, commas and quotes come out as they went in,
    // at either side of a chunk's edge and after a copy to another thread (a Buffer arrives a Uint8Array).
    const own = await newOrg(database);
    const texts = [
      { jobTitle: 'Directrice générale adjointe — 採購 🚀', department: 'Achats\nGroupe\t"Sud"' },
      { jobTitle: 'Ingénieur, études', department: 'R&D\\Île-de-France' },
      { jobTitle: 'Acheteur', department: null },
    ];
    const made = new Map<string, (typeof texts)[number]>();
    for (const [i, t] of texts.entries()) {
      const response = await call(app, 'POST', '/v1/prospects', {
        key: own.manager,
        json: {
          lastName: `Texte ${i}`,
          ...t,
          attributes: { note: `ligne 1\nligne 2 ${'é'.repeat(i)}`, clé: '🙂' },
        },
      });
      expect(response.status).toBe(201);
      made.set(response.body.id, t);
      const event = await call(app, 'POST', '/v1/interactions', {
        key: own.caller,
        json: {
          prospectId: response.body.id,
          type: 'call_attempted',
          outcome: `Rappeler, lundi\nmatin 🙂 ${i}`,
        },
      });
      expect(event.status).toBe(201);
    }
    const read = new Map<string, ScoringInput>();
    for await (const chunk of runsOf(own.orgId, 2)) {
      const here: ScoringInput[] = [];
      eachInput(chunk, (input) => here.push(input));
      const copied: ScoringInput[] = [];
      eachInput(structuredClone(chunk), (input) => copied.push(input));
      expect(copied).toEqual(here);
      expect(here).toHaveLength(chunk.count);
      for (const input of here) read.set(input.prospectId, input);
    }
    expect(read.size).toBe(texts.length);
    for (const [id, t] of made) {
      const input = read.get(id)!;
      const i = texts.indexOf(t);
      expect([input.jobTitle, input.department]).toEqual([t.jobTitle, t.department]);
      expect(input.attributes).toEqual({ note: `ligne 1\nligne 2 ${'é'.repeat(i)}`, clé: '🙂' });
      expect(input.events.map((e) => e.outcome)).toEqual([`Rappeler, lundi\nmatin 🙂 ${i}`]);
    }
  });

  it('rewrites every changed row after a profile change and moves the replaced scores to the history', async () => {
    const everyone = async () =>
      new Map<string, number>(
        (await ranked('limit=100')).data.map((p: { id: string; score: { score: number } }) => [
          p.id,
          p.score.score,
        ]),
      );
    const historyOf = async (id: string) =>
      (await call(app, 'GET', `/v1/campaigns/${campaignId}/scores/${id}/history`, { key: org.caller })).body
        .data as { at: string; score: number }[];
    const before = await everyone();
    // The German who fits least: the country's points raise their share of the profile.
    const german = (await ranked('limit=1&country=DE&sort=score')).data[0].id as string;
    const was = await historyOf(german);
    const patch = (idealProfile: object) =>
      call(app, 'PATCH', `/v1/campaigns/${campaignId}`, { key: org.manager, json: { idealProfile } });
    expect((await patch({ ...profile, countries: { values: ['DE'], points: 30 } })).status).toBe(200);
    await settled('rescore');
    const after = await everyone();
    expect(after.size).toBe(before.size);
    expect(after.get(german)).toBeGreaterThan(before.get(german)!);
    const moved = [...before].filter(([id, score]) => after.get(id) !== score).length;
    expect(moved).toBeGreaterThan(20);
    // The score replaced is the history's newest line, with the time it held from.
    const now = await historyOf(german);
    expect(now).toHaveLength(was.length + 1);
    expect(now[0]!.score).toBe(after.get(german));
    expect(now[1]).toEqual(was[0]);
    expect(Date.parse(now[0]!.at)).toBeGreaterThan(Date.parse(was[0]!.at));
    const [{ rows }] = (await queryRows<{ rows: number }>(
      database.db,
      sql`SELECT count(*)::int AS rows FROM prospect_scores WHERE org_id = ${org.orgId} AND campaign_id = ${campaignId}`,
    )) as [{ rows: number }];
    expect(rows).toBe(40);
    expect((await patch(profile)).status).toBe(200);
    await settled('rescore');
  });

  it('moves every score to the history when a new profile changes them all', async () => {
    const count = async (table: 'prospect_scores' | 'score_history') =>
      (
        (await queryRows<{ n: number }>(
          database.db,
          sql`SELECT count(*)::int AS n FROM ${sql.identifier(table)} WHERE org_id = ${org.orgId} AND campaign_id = ${campaignId}`,
        )) as [{ n: number }]
      )[0].n;
    const before = new Map<string, number>(
      (await ranked('limit=100')).data.map((p: { id: string; score: { score: number } }) => [
        p.id,
        p.score.score,
      ]),
    );
    const history = await count('score_history');
    // Everyone gains the country's points and loses the title's: every fit, so every score, moves.
    const everyone = {
      ...profile,
      titles: { keywords: ['astronaute'], points: 10 },
      countries: { values: ['FR', 'DE'], points: 30 },
    };
    const patched = await call(app, 'PATCH', `/v1/campaigns/${campaignId}`, {
      key: org.manager,
      json: { idealProfile: everyone },
    });
    expect(patched.status).toBe(200);
    await settled('rescore');
    const after = (await ranked('limit=100')).data as { id: string; score: { score: number } }[];
    expect(after).toHaveLength(40);
    for (const p of after) expect(p.score.score).not.toBe(before.get(p.id));
    expect(await count('prospect_scores')).toBe(40);
    expect(await count('score_history')).toBe(history + 40);
    const one = after[0]!;
    const lines = (
      await call(app, 'GET', `/v1/campaigns/${campaignId}/scores/${one.id}/history`, { key: org.caller })
    ).body.data as { score: number }[];
    expect(lines.slice(0, 2).map((l) => l.score)).toEqual([one.score.score, before.get(one.id)]);
    await call(app, 'PATCH', `/v1/campaigns/${campaignId}`, {
      key: org.manager,
      json: { idealProfile: profile },
    });
    await settled('rescore');
    expect(await count('score_history')).toBe(history + 80);
  });

  it('resumes a rescoring where its last committed chunk left it', async () => {
    await database.db.execute(sql`DELETE FROM prospect_scores WHERE org_id = ${org.orgId}`);
    const [job] = await queryRows<{ id: string }>(
      database.db,
      // Leased to this test for an hour, so that the app's runner leaves it alone.
      sql`INSERT INTO jobs (id, org_id, kind, status, params, locked_by, locked_until)
          VALUES (gen_random_uuid(), ${org.orgId}, 'rescore', 'running', ${JSON.stringify({ campaignId })}::jsonb,
            'test', now() + interval '1 hour') RETURNING id`,
    );
    const read = async () =>
      (
        await queryRows<Record<string, unknown>>(database.db, sql`SELECT * FROM jobs WHERE id = ${job!.id}`)
      ).map((r) => ({ ...r, orgId: r.org_id, createdBy: null, result: r.result }))[0] as never;
    // In this thread, one segment, fifteen prospects a chunk.
    const handler = rescoreJobHandler({ chunk: 15, threads: 0 });
    const controller = new AbortController();
    // Stops after the first chunk, as a process that dies would.
    const first = await handler({
      job: await read(),
      database,
      signal: controller.signal,
      progress: () => controller.abort(),
    });
    expect(first.status).toBe('failed');
    const [partial] = await queryRows<{ n: number; checkpoint: number }>(
      database.db,
      sql`SELECT (SELECT count(*)::int FROM prospect_scores WHERE org_id = ${org.orgId}) AS n,
            (SELECT checkpoint FROM jobs WHERE id = ${job!.id}) AS checkpoint`,
    );
    expect(partial).toEqual({ n: 15, checkpoint: 15 });
    // Past a number of rows written, the rescoring analyzes the table for the planner.
    const second = await rescoreJobHandler({ chunk: 15, threads: 0, analyzeAfter: 40 })({
      job: await read(),
      database,
      signal: new AbortController().signal,
      progress: () => {},
    });
    expect(second).toMatchObject({ status: 'succeeded', result: { scored: 40, changed: 40 } });
    const [all] = await queryRows<{ n: number }>(
      database.db,
      sql`SELECT count(*)::int AS n FROM prospect_scores WHERE org_id = ${org.orgId}`,
    );
    expect(all!.n).toBe(40);
    const [stats] = await queryRows<{ estimated: number; rows: number }>(
      database.db,
      sql`SELECT reltuples::int AS estimated, (SELECT count(*)::int FROM prospect_scores) AS rows
          FROM pg_class WHERE oid = 'prospect_scores'::regclass`,
    );
    expect(stats!.estimated).toBe(stats!.rows);
    await finishTestJobs();
  });

  it('stops a rescoring overtaken by a change of profile, and never writes stale scores over the queue’s', async () => {
    let patched = false;
    const outcome = await rescoreByHand(() => {
      if (patched) return;
      patched = true;
      // Through the API, as a marketer would while the job runs; on PGlite it waits for the chunk's end.
      void call(app, 'PATCH', `/v1/campaigns/${campaignId}`, {
        key: org.marketer,
        json: { halfLifeDays: 20 },
      });
    });
    expect(outcome).toMatchObject({ status: 'succeeded', result: { superseded: true } });
    expect((outcome.result as { scored: number }).scored).toBeLessThan(40);
    await finishTestJobs();
    await settled();

    // A full rescoring reads a person, the queue then scores a new click, the rescoring writes late.
    const person = people[5]!.id;
    const scoring = await scoringsOf(
      { db: database.db, orgId: org.orgId, actor: { keyId: null, role: 'admin' } },
      campaignId,
    );
    const [{ now: readAt }] = (await queryRows<{ now: string }>(
      database.db,
      sql`SELECT now()::text AS now`,
    )) as [{ now: string }];
    const stale = computeScores(
      scoring,
      await readChunk(database.db, org.orgId, { ids: [person] }),
      new Date(),
    );
    await new Promise((resolve) => setTimeout(resolve, 20));
    const items = [1, 2].map((d) => ({
      prospectId: person,
      type: 'email_replied',
      occurredAt: new Date(Date.now() - d * 3_600_000).toISOString(),
    }));
    expect((await call(app, 'POST', '/v1/interactions', { key: org.caller, json: { items } })).status).toBe(
      201,
    );
    await settled('rescore_queue');
    const fresh = (await ranked('limit=100')).data.find((p: { id: string }) => p.id === person).score;
    await database.db.transaction(async (tx) =>
      saveScores({ db: tx as never, orgId: org.orgId, actor: { keyId: null, role: 'admin' } }, stale, {
        readAt: new Date(readAt).toISOString(),
      }),
    );
    const after = (await ranked('limit=100')).data.find((p: { id: string }) => p.id === person).score;
    expect(after.score).toBe(fresh.score);
    expect(after.reasons.positive.map((r: { code: string }) => r.code)).toContain('engagement.email_replied');
  });

  it('stops a rescoring when another of its campaign is asked for, which then scores everyone once', async () => {
    const before = await queryRows<{ n: number }>(
      database.db,
      sql`SELECT count(*)::int AS n FROM score_history WHERE org_id = ${org.orgId}`,
    );
    let asked: Promise<{ status: number }> | undefined;
    // Nothing changed in the campaign: a second rescoring asked for as the first one runs.
    const outcome = await rescoreByHand(() => {
      asked ??= call(app, 'POST', `/v1/campaigns/${campaignId}/rescore`, { key: org.manager });
    });
    expect((await asked!).status).toBe(202);
    // The older one stopped at its next chunk, without a word of the campaign having changed.
    expect(outcome).toMatchObject({ status: 'succeeded', result: { superseded: true } });
    expect((outcome.result as { scored: number }).scored).toBeLessThan(40);
    await finishTestJobs();
    await settled();
    const [newer] = await queryRows<{ status: string; result: { scored: number; superseded?: boolean } }>(
      database.db,
      sql`SELECT status, result FROM jobs WHERE org_id = ${org.orgId} AND kind = 'rescore'
          ORDER BY created_at DESC LIMIT 1`,
    );
    expect(newer).toMatchObject({ status: 'succeeded', result: { scored: people.length } });
    expect(newer!.result.superseded).toBeUndefined();
    // Everyone has one score, and nothing changed in anyone's: no new line in the history.
    const [counts] = await queryRows<{ rows: number; people: number }>(
      database.db,
      sql`SELECT count(*)::int AS rows, count(DISTINCT prospect_id)::int AS people FROM prospect_scores
          WHERE org_id = ${org.orgId} AND campaign_id = ${campaignId}`,
    );
    expect(counts).toEqual({ rows: people.length, people: people.length });
    const after = await queryRows<{ n: number }>(
      database.db,
      sql`SELECT count(*)::int AS n FROM score_history WHERE org_id = ${org.orgId}`,
    );
    expect(after[0]!.n).toBe(before[0]!.n);
  });

  it('writes no chunk of a rescoring once another process took its job over', async () => {
    // The job is leased to 'test'; this run believes it still holds it as 'stalled' (a process that slept
    // past its lease while another claimed the job).
    const outcome = rescoreByHand(() => {}, 'stalled');
    await expect(outcome).rejects.toThrow(/taken over by another process/);
    const [job] = await queryRows<{ checkpoint: number }>(
      database.db,
      sql`SELECT checkpoint FROM jobs WHERE org_id = ${org.orgId} AND kind = 'rescore' AND status = 'running'
            AND locked_by = 'test'`,
    );
    expect(job!.checkpoint).toBe(0);
    await finishTestJobs();
  });

  it('exports the ranking as CSV with scores and reasons, for spreadsheets, formulas defused', async () => {
    const csv = await call(app, 'GET', `/v1/prospects/export?campaign=${campaignId}&country=FR&lang=fr`, {
      key: org.manager,
    });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const lines = (csv.body as string).trimEnd().split('\r\n');
    expect(lines[0]).toBe(
      'prospect_id,first_name,last_name,job_title,company,industry_code,employees,country,phone,email,score,rank,probability,fit,engagement,reasons_for,reasons_against,do_not_contact',
    );
    expect(lines).toHaveLength(33);
    expect(lines.slice(1).every((l) => l.includes(',FR,'))).toBe(true);
    expect(csv.body).toContain('Secteur 46.69Z dans la cible (+12)');
    expect(csv.body).toContain(`"'=HYPERLINK(""http://x.example"")"`);
    // Phones stay as a dialer reads them: a + that only a number can follow is no formula.
    expect(csv.body).toMatch(/,\+336\d{8},/);
    const excel = await call(app, 'GET', `/v1/prospects/export?campaign=${campaignId}&format=excel&lang=en`, {
      key: org.manager,
    });
    const raw = await app.request(`/v1/prospects/export?campaign=${campaignId}&format=excel`, {
      headers: { authorization: `Bearer ${org.manager}` },
    });
    expect([...new Uint8Array(await raw.arrayBuffer()).slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect((excel.body as string).split('\r\n')[0]).toContain('prospect_id;first_name;');
    expect(excel.body).toContain('Industry 46.69Z in the target (+12)');
    // Someone on the do-not-contact list is marked, in the list and the file, whatever their score.
    const listed = await ranked('limit=100&country=FR');
    const chosen = listed.data[0];
    const number = chosen.contactPoints.find((cp: { channel: string }) => cp.channel === 'phone').value;
    expect(
      (
        await call(app, 'POST', '/v1/suppressions', {
          key: org.caller,
          json: { scope: 'contact_point', value: number, channel: 'phone', reason: 'asked by letter' },
        })
      ).status,
    ).toBe(201);
    const marked = await ranked('limit=100&country=FR');
    expect(marked.data.find((p: { id: string }) => p.id === chosen.id).doNotContact).toEqual(['phone']);
    expect(marked.data.filter((p: { doNotContact: string[] }) => p.doNotContact.length > 0)).toHaveLength(1);
    const again = await call(app, 'GET', `/v1/prospects/export?campaign=${campaignId}&country=FR&lang=fr`, {
      key: org.manager,
    });
    const row = (again.body as string).split('\r\n').find((l) => l.startsWith(chosen.id))!;
    expect(row.endsWith(',phone')).toBe(true);
    // For Excel, grouped, so that it stays text and keeps its +.
    expect(excel.body).toMatch(/;\+33 6 \d{2} \d{2} \d{2} \d{2};/);
    expect(excel.body).not.toMatch(/;\+336\d{8};/);
    expect(
      (await call(app, 'GET', `/v1/prospects/export?campaign=${campaignId}`, { key: org.caller })).status,
    ).toBe(403);
  });

  it('leaves people no longer offered out of a list in the calling order, not out of one by score', async () => {
    const company = await call(app, 'POST', '/v1/companies', {
      key: org.manager,
      json: { name: 'Liste Opt-out', industryCode: '46.69Z', employeeCount: 40, country: 'FR' },
    });
    const ids: string[] = [];
    for (const lastName of ['Offert', 'Parti'])
      ids.push(
        (
          await call(app, 'POST', '/v1/prospects', {
            key: org.manager,
            json: { companyId: company.body.id, lastName, jobTitle: 'Acheteur', country: 'FR' },
          })
        ).body.id,
      );
    await call(app, 'POST', '/v1/interactions', {
      key: org.caller,
      json: {
        prospectId: ids[1],
        type: 'opt_out',
        occurredAt: new Date(Date.now() - 86_400_000).toISOString(),
      },
    });
    await settled('rescore_queue');
    // Both scored, the opted-out one at rank 0 (stored scores follow the queue's jobs).
    await waitFor(async () => {
      const stored = (await ranked(`limit=10&companyId=${company.body.id}`)).data as {
        score: { rank: number };
      }[];
      return stored.length === 2 && stored.some((p) => p.score.rank === 0) ? true : undefined;
    });
    const list = async (sort: string) =>
      call(app, 'POST', '/v1/lists', {
        key: org.marketer,
        json: { name: `Opt-out ${sort}`, campaignId, criteria: { companyId: company.body.id }, sort },
      });
    const calling = await list('-rank');
    expect(calling.body.size).toBe(1);
    const review = await list('-score');
    expect(review.body.size).toBe(2);
    for (const made of [calling, review])
      await call(app, 'DELETE', `/v1/lists/${made.body.id}`, { key: org.manager });
    for (const id of ids) await call(app, 'DELETE', `/v1/prospects/${id}`, { key: org.manager });
  });

  it('saves a list from the ranking, lets a manager trim and approve it, then freezes it', async () => {
    const bad = await call(app, 'POST', '/v1/lists', {
      key: org.marketer,
      json: { name: 'Vide', campaignId, criteria: { minScore: 101 } },
    });
    expect(bad.status).toBe(400);
    const none = await call(app, 'POST', '/v1/lists', {
      key: org.marketer,
      json: { name: 'Personne', campaignId, criteria: { country: 'US' } },
    });
    expect(none.status).toBe(400);
    expect(none.body.errors[0].field).toBe('criteria');
    // "filters" for "criteria" would have listed everyone, opted-out people included.
    const misnamed = await call(app, 'POST', '/v1/lists', {
      key: org.marketer,
      json: { name: 'Filtres', campaignId, filters: { country: 'FR' } },
    });
    expect(misnamed.status).toBe(400);
    expect(JSON.stringify(misnamed.body.errors)).toContain('filters');
    const made = await call(app, 'POST', '/v1/lists', {
      key: org.marketer,
      json: { name: 'Lundi matin', campaignId, criteria: { country: 'FR' }, limit: 10 },
    });
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ status: 'draft', size: 10, sort: '-rank', limit: 10 });
    // Its criteria are what was sent: they can be sent again as they are.
    expect(made.body.criteria).toEqual({ country: 'FR' });
    const again = await call(app, 'POST', '/v1/lists', {
      key: org.marketer,
      json: {
        name: 'Lundi matin (bis)',
        campaignId,
        criteria: made.body.criteria,
        sort: made.body.sort,
        limit: 10,
      },
    });
    expect(again.status).toBe(201);
    await call(app, 'DELETE', `/v1/lists/${again.body.id}`, { key: org.manager });
    const members = await call(app, 'GET', `/v1/lists/${made.body.id}/members?limit=100`, {
      key: org.caller,
    });
    expect(members.body.data.map((m: { position: number }) => m.position)).toEqual([
      1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
    ]);
    const ranks = members.body.data.map((m: { listed: { rank: number } }) => m.listed.rank);
    expect(ranks).toEqual([...ranks].sort((a, b) => b - a));
    expect(members.body.data[0].score.reasons.positive.length).toBeGreaterThan(0);
    const dropped = members.body.data[0].prospect.id;
    expect(
      (await call(app, 'DELETE', `/v1/lists/${made.body.id}/members/${dropped}`, { key: org.marketer }))
        .status,
    ).toBe(204);
    expect((await call(app, 'POST', `/v1/lists/${made.body.id}/approve`, { key: org.marketer })).status).toBe(
      403,
    );
    const approved = await call(app, 'POST', `/v1/lists/${made.body.id}/approve`, { key: org.manager });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ status: 'approved', size: 9, approvedBy: expect.any(String) });
    expect((await call(app, 'POST', `/v1/lists/${made.body.id}/approve`, { key: org.manager })).status).toBe(
      409,
    );
    const second = members.body.data[1].prospect.id;
    expect(
      (await call(app, 'DELETE', `/v1/lists/${made.body.id}/members/${second}`, { key: org.manager })).status,
    ).toBe(409);
    const exported = await call(app, 'GET', `/v1/lists/${made.body.id}/export`, { key: org.manager });
    const lines = (exported.body as string).trimEnd().split('\r\n');
    expect(lines).toHaveLength(10);
    expect(lines[1]!.startsWith(second)).toBe(true);
    const listed = await call(app, 'GET', `/v1/lists?campaignId=${campaignId}&status=approved`, {
      key: org.caller,
    });
    expect(listed.body.data.map((l: { id: string }) => l.id)).toEqual([made.body.id]);

    const other = await newOrg(database);
    for (const path of [
      `/v1/lists/${made.body.id}`,
      `/v1/lists/${made.body.id}/members`,
      `/v1/lists/${made.body.id}/export`,
    ])
      expect((await call(app, 'GET', path, { key: other.admin })).status).toBe(404);
    expect((await call(app, 'POST', `/v1/lists/${made.body.id}/approve`, { key: other.admin })).status).toBe(
      404,
    );
    const foreign = await call(app, 'POST', '/v1/lists', {
      key: other.admin,
      json: { name: 'Leur liste', campaignId },
    });
    expect(foreign.status).toBe(404);
  });

  it('queues a drain for people left waiting on the queue, once', async () => {
    await settled();
    await database.db.execute(
      sql`INSERT INTO score_queue (org_id, prospect_id, queued_at) VALUES (${org.orgId}, ${people[9]!.id}, now() - interval '5 minutes')
          ON CONFLICT (org_id, prospect_id) DO UPDATE SET queued_at = excluded.queued_at, scored_at = NULL`,
    );
    await runner.stop();
    expect(await queueWaitingScoring(database.db)).toBeGreaterThanOrEqual(1);
    expect(await queueWaitingScoring(database.db)).toBe(0);
    runner.start();
    await settled('rescore_queue');
    const [left] = await queryRows<{ n: number }>(
      database.db,
      sql`SELECT count(*)::int AS n FROM score_queue WHERE org_id = ${org.orgId} AND scored_at IS NULL`,
    );
    expect(left!.n).toBe(0);
  });

  it('forgets the scores and list places of a deleted prospect', async () => {
    const victim = people[3]!.id;
    const rows = () =>
      queryRows<{ scores: number; history: number; lists: number }>(
        database.db,
        sql`SELECT (SELECT count(*) FROM prospect_scores WHERE prospect_id = ${victim})::int AS scores,
                   (SELECT count(*) FROM score_history WHERE prospect_id = ${victim})::int AS history,
                   (SELECT count(*) FROM prospect_list_members WHERE prospect_id = ${victim})::int AS lists`,
      );
    const [before] = await rows();
    // Something to forget in each: a score, a former one, a place on a list.
    expect(before!.scores).toBeGreaterThan(0);
    expect(before!.history).toBeGreaterThan(0);
    expect(before!.lists).toBeGreaterThan(0);
    expect((await call(app, 'DELETE', `/v1/prospects/${victim}`, { key: org.manager })).status).toBe(204);
    expect(await rows()).toEqual([{ scores: 0, history: 0, lists: 0 }]);
  });
});
