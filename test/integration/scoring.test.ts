import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { models } from '../../db/schema';
import { type Database, queryRows } from '../../src/db';
import { seededRandom } from '../../src/lib/random';
import { readInputs } from '../../src/scoring/inputs';
import { call, newOrg, orgApp, type TestApp, type TestOrg } from '../helpers/app';
import { databases } from '../helpers/databases';

describe.each(databases)('campaigns and scores through the API on $name', ({ open }) => {
  let database: Database;
  let app: TestApp;
  let org: TestOrg;
  beforeAll(async () => ({ database, app, org } = await orgApp(open)));
  afterAll(() => database.close());

  const profile = {
    industries: { codes: ['46.6'], points: 12 },
    employees: { min: 10, max: 250, points: 8 },
    titles: { keywords: ['achat', 'acheteur'], points: 10 },
  };

  it('warns of profile regions that are neither known nor any prospect’s, with the name likely meant', async () => {
    // An organization of its own: the prospect it adds would change the others' histories.
    const org = await newOrg(database);
    const regions = (values: string[]) => ({ ...profile, regions: { values, points: 5 } });
    const created = await call(app, 'POST', '/v1/campaigns', {
      key: org.marketer,
      json: { name: 'Régions', idealProfile: regions(['IDF', 'Californa', 'Normandie', 'Bayern']) },
    });
    expect(created.status).toBe(201);
    expect(created.body.idealProfile.regions.values).toEqual(['IDF', 'Californa', 'Normandie', 'Bayern']);
    expect(created.body.warnings).toEqual([
      {
        field: 'body:idealProfile.regions.values.1',
        message:
          '"Californa" is no region Tiède knows, and no prospect\'s region reads so: did you mean "California"?',
      },
      {
        field: 'body:idealProfile.regions.values.3',
        message:
          '"Bayern" is no region Tiède knows, and no prospect\'s region reads so yet: it matches nobody until one does',
      },
    ]);
    // Once a company is from there, even one without people yet, the region is one the organization has;
    // a misspelling of it is said.
    const company = await call(app, 'POST', '/v1/companies', {
      key: org.manager,
      json: { name: 'Bayerische Handel GmbH', country: 'DE', region: 'Bayern' },
    });
    expect(company.status).toBe(201);
    const patch = (values: string[]) =>
      call(app, 'PATCH', `/v1/campaigns/${created.body.id}`, {
        key: org.marketer,
        json: { idealProfile: regions(values) },
      });
    const known = await patch(['Bayern', 'PACA', 'La Réunion', 'guadeloupe']);
    expect(known.status).toBe(200);
    expect(known.body.warnings).toBeUndefined();
    const misspelt = await patch(['Bayren']);
    expect(misspelt.body.warnings).toEqual([
      {
        field: 'body:idealProfile.regions.values.0',
        message:
          '"Bayren" is no region Tiède knows, and no prospect\'s region reads so: did you mean "Bayern"?',
      },
    ]);
    // A read of the campaign says nothing of it: warnings come with a change.
    const read = await call(app, 'GET', `/v1/campaigns/${created.body.id}`, { key: org.caller });
    expect(read.body.warnings).toBeUndefined();
  });

  it('matches an attribute named as its column was, and warns of one that nobody has', async () => {
    const org = await newOrg(database);
    // An import stores the column "Niveau client" as niveau_client.
    const person = await call(app, 'POST', '/v1/prospects', {
      key: org.manager,
      json: { lastName: 'Garnier', attributes: { niveau_client: 'Or' } },
    });
    expect(person.status).toBe(201);
    const condition = (key: string) => ({
      attributes: [{ key, op: 'in', value: ['Or', 'Argent'], points: 4 }],
    });
    const named = await call(app, 'POST', '/v1/campaigns', {
      key: org.marketer,
      json: { name: 'Clients or', idealProfile: condition('Niveau client') },
    });
    expect(named.status).toBe(201);
    expect(named.body.warnings).toBeUndefined();
    const scored = await call(app, 'GET', `/v1/campaigns/${named.body.id}/scores/${person.body.id}`, {
      key: org.caller,
    });
    expect(scored.body).toMatchObject({ fit: { points: 4 }, missed: [] });
    expect(scored.body.reasons.positive).toMatchObject([
      { code: 'fit.attribute.Niveau client', fr: 'Niveau client = Or, dans la cible (+4)' },
    ]);
    const misspelt = await call(app, 'PATCH', `/v1/campaigns/${named.body.id}`, {
      key: org.marketer,
      json: {
        idealProfile: {
          ...condition('Niveau clinet'),
          ...{
            attributes: [
              ...condition('Niveau clinet').attributes,
              ...condition('Secteur interne').attributes,
            ],
          },
        },
      },
    });
    expect(misspelt.status).toBe(200);
    expect(misspelt.body.warnings).toEqual([
      {
        field: 'body:idealProfile.attributes.0.key',
        message: 'no prospect or company has an attribute "Niveau clinet": did you mean "niveau_client"?',
      },
      {
        field: 'body:idealProfile.attributes.1.key',
        message:
          'no prospect or company has an attribute "Secteur interne" yet: it matches nobody until one does',
      },
    ]);
  });

  it('creates a campaign, scores a prospect with readable reasons, and keeps other organizations out', async () => {
    const created = await call(app, 'POST', '/v1/campaigns', {
      key: org.marketer,
      json: { name: 'Fournitures industrielles', idealProfile: profile, successTypes: ['meeting_booked'] },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ halfLifeDays: 30, successTypes: ['meeting_booked'] });
    const company = await call(app, 'POST', '/v1/companies', {
      key: org.manager,
      json: { name: 'Négoce Rhône SARL', industryCode: '46.69Z', employeeCount: 45, country: 'FR' },
    });
    const person = await call(app, 'POST', '/v1/prospects', {
      key: org.manager,
      json: { companyId: company.body.id, lastName: 'Morel', jobTitle: 'Acheteuse', country: 'FR' },
    });
    expect(person.status).toBe(201);
    const now = Date.now();
    const items = [
      ...[2, 5, 9].map((d) => ({ type: 'email_clicked', daysAgo: d })),
      ...[1, 6, 12].map((d) => ({ type: 'call_attempted', daysAgo: d })),
    ].map(({ type, daysAgo }) => ({
      prospectId: person.body.id,
      type,
      occurredAt: new Date(now - daysAgo * 86_400_000).toISOString(),
    }));
    expect((await call(app, 'POST', '/v1/interactions', { key: org.caller, json: { items } })).status).toBe(
      201,
    );

    const scored = await call(app, 'GET', `/v1/campaigns/${created.body.id}/scores/${person.body.id}`, {
      key: org.caller,
    });
    expect(scored.status).toBe(200);
    expect(scored.body.fit).toEqual({ score: 100, points: 30, max: 30 });
    expect(scored.body.model).toBeNull();
    // Three calls in twelve days: the rank offered for contact is below the score.
    expect(scored.body.pressure.touches).toBe(3);
    expect(scored.body.rank).toBe(scored.body.score - scored.body.pressure.penalty);
    expect(scored.body.rank).toBeLessThan(scored.body.score);
    expect(scored.body.score).toBeGreaterThan(60);
    expect(scored.body.reasons.positive.map((r: { fr: string }) => r.fr)).toEqual([
      'Secteur 46.69Z dans la cible (+12)',
      'Fonction « Acheteuse » dans la cible (+10)',
      'Effectif de 45 dans la cible (+8)',
    ]);
    expect(scored.body.reasons.negative[0].en).toMatch(
      /^Called 3 times without an answer in the last 12 days \(−\d\)$/,
    );

    const other = await newOrg(database);
    expect((await call(app, 'GET', `/v1/campaigns/${created.body.id}`, { key: other.admin })).status).toBe(
      404,
    );
    expect(
      (
        await call(app, 'GET', `/v1/campaigns/${created.body.id}/scores/${person.body.id}`, {
          key: other.admin,
        })
      ).status,
    ).toBe(404);
    const theirs = await call(app, 'POST', '/v1/campaigns', { key: other.admin, json: { name: 'Theirs' } });
    expect(
      (
        await call(app, 'GET', `/v1/campaigns/${theirs.body.id}/scores/${person.body.id}`, {
          key: other.admin,
        })
      ).status,
    ).toBe(404);
  });

  it('reads call outcomes that say nobody answered as unanswered calls', async () => {
    // Calls logged "no_answer" (as the attempts' outcomes log them) or "pas répondu" pile up as
    // unanswered; answered ones do not. An organization of its own: the training below
    // learns from all of this one's people.
    const own = await newOrg(database);
    const campaign = await call(app, 'POST', '/v1/campaigns', {
      key: own.marketer,
      json: { name: 'Appels', idealProfile: profile },
    });
    const now = Date.now();
    const called = async (outcomes: string[]) => {
      const someone = await call(app, 'POST', '/v1/prospects', {
        key: own.manager,
        json: { lastName: 'Appel', jobTitle: 'Acheteur', country: 'FR' },
      });
      const items = outcomes.map((outcome, i) => ({
        prospectId: someone.body.id,
        type: 'call_attempted',
        outcome,
        occurredAt: new Date(now - (i + 1) * 86_400_000).toISOString(),
      }));
      expect((await call(app, 'POST', '/v1/interactions', { key: own.caller, json: { items } })).status).toBe(
        201,
      );
      const score = await call(app, 'GET', `/v1/campaigns/${campaign.body.id}/scores/${someone.body.id}`, {
        key: own.caller,
      });
      return score.body.reasons.negative.map((r: { en: string }) => r.en.replace(/ \(.*$/, ''));
    };
    const piled = ['Called 3 times without an answer in the last 3 days'];
    expect(await called(['no_answer', 'pas répondu', 'busy'])).toEqual(piled);
    // Three calls with the same outcome: that outcome alone decides whether they pile up.
    for (const outcome of ['no_answer', 'No answer', 'unanswered', 'Non repondu', 'pas répondu'])
      expect([outcome, await called([outcome, outcome, outcome])]).toEqual([outcome, piled]);
    for (const outcome of ['answered', 'ANSWERED', 'A répondu', 'repondu, à rappeler'])
      expect([outcome, await called([outcome, outcome, outcome])]).toEqual([outcome, []]);
  });

  it('trains a model on the organization’s own outcomes, measures it, activates it, and says when history is too thin', async () => {
    const lines = ['Prénom;Nom;Société;Fonction;E-mail'];
    for (let i = 0; i < 400; i++) {
      const title = i % 3 === 0 ? 'Directeur des achats' : i % 3 === 1 ? 'Assistante' : 'Comptable';
      lines.push(`Alex;Model-${i};Société ${i % 40};${title};alex.${i}@modele.example`);
    }
    const imported = await call(app, 'POST', '/v1/imports', {
      key: org.manager,
      body: `${lines.join('\n')}\n`,
      headers: { 'content-type': 'text/csv' },
    });
    expect(imported.status).toBeLessThan(300);
    const people: { id: string; jobTitle: string; lastName: string }[] = [];
    for (let cursor: string | null = null, first = true; first || cursor; first = false) {
      const page = await call(
        app,
        'GET',
        `/v1/prospects?limit=500&q=Model-${cursor ? `&cursor=${cursor}` : ''}`,
        {
          key: org.caller,
        },
      );
      people.push(...page.body.data);
      cursor = page.body.nextCursor;
    }
    expect(people.length).toBe(400);
    // Buyers book meetings far more often; everyone got e-mails before.
    const items = people.flatMap((p) => {
      const n = Number(p.lastName.split('-')[1]);
      const buyer = p.jobTitle.startsWith('Directeur');
      const booked = buyer ? n % 10 < 7 : n % 10 === 0;
      return [
        { prospectId: p.id, type: 'email_sent', occurredAt: '2026-09-01T09:00:00Z' },
        ...(booked ? [{ prospectId: p.id, type: 'meeting_booked', occurredAt: '2026-09-10T09:00:00Z' }] : []),
      ];
    });
    for (let i = 0; i < items.length; i += 1000)
      expect(
        (
          await call(app, 'POST', '/v1/interactions', {
            key: org.caller,
            json: { items: items.slice(i, i + 1000) },
          })
        ).status,
      ).toBe(201);
    const campaign = await call(app, 'POST', '/v1/campaigns', {
      key: org.marketer,
      json: { name: 'Rendez-vous acheteurs' },
    });
    const trained = await call(app, 'POST', '/v1/models', {
      key: org.marketer,
      json: { campaignId: campaign.body.id },
    });
    expect(trained.status).toBe(201);
    expect(trained.body).toMatchObject({
      status: 'ready',
      active: false,
      rows: expect.any(Number),
      successTypes: ['meeting_booked'],
    });
    expect(trained.body.successes).toBeGreaterThan(90);
    expect(trained.body.metrics.auc).toBeGreaterThan(0.8);
    expect(trained.body.metrics.liftByDecile).toHaveLength(10);
    // The buyers' title, or the level it says (director).
    expect(trained.body.metrics.strongest[0].feature).toMatch(
      /^(job title = Directeur des achats|seniority level = director)$/,
    );
    expect(trained.body.weights).toBeUndefined();
    const fetched = await call(app, 'GET', `/v1/models/${trained.body.id}`, { key: org.caller });
    expect(fetched.body.metrics.calibration).toHaveLength(10);
    // Read once before: the activation must show at once, whatever this process remembers of the campaign.
    const before = await call(app, 'GET', `/v1/campaigns/${campaign.body.id}/scores/${people[0]!.id}`, {
      key: org.caller,
    });
    expect(before.body.model).toBeNull();
    const activated = await call(app, 'POST', `/v1/models/${trained.body.id}/activate`, {
      key: org.marketer,
    });
    expect(activated.body.active).toBe(true);
    const rescoring = await call(app, 'GET', `/v1/jobs/${activated.body.rescoringJobId}`, {
      key: org.marketer,
    });
    expect(rescoring.body).toMatchObject({ kind: 'rescore', params: { campaignId: campaign.body.id } });
    // Activated again, it is already the campaign's model: nobody is rescored.
    const again = await call(app, 'POST', `/v1/models/${trained.body.id}/activate`, { key: org.marketer });
    expect(again.body).toMatchObject({ active: true, rescoringJobId: null });
    expect(campaign.body.rescoringJobId).toEqual(expect.any(String));
    expect(campaign.body.rescoringJobId).not.toBe(activated.body.rescoringJobId);
    // Once active, the model's view joins the score: a buyer ranks above an assistant.
    const scoreOf = async (title: string) => {
      const person = people.find((p) => p.jobTitle === title)!;
      const answer = await call(app, 'GET', `/v1/campaigns/${campaign.body.id}/scores/${person.id}`, {
        key: org.caller,
      });
      expect(answer.status).toBe(200);
      return answer.body;
    };
    const buyer = await scoreOf('Directeur des achats');
    const assistant = await scoreOf('Assistante');
    expect(buyer.model).toMatchObject({ id: trained.body.id, probability: expect.any(Number) });
    expect(buyer.model.probability).toBeGreaterThan(assistant.model.probability);
    expect(buyer.model.percentile).toBeGreaterThan(assistant.model.percentile);
    expect(buyer.score).toBeGreaterThan(assistant.score);
    // The model weighs half of the score: its view is a reason of its own.
    type Reason = { code: string; fr: string };
    const modelReasons = (answer: { reasons: { positive: Reason[]; negative: Reason[] } }) =>
      [...answer.reasons.positive, ...answer.reasons.negative].filter((r) => r.code === 'model.percentile');
    expect(modelReasons(buyer)[0]?.fr).toMatch(
      /^Le modèle estime ses chances à \d+ % \(mieux que \d+ % des prospects\) \([+−]\d+\)$/,
    );
    const other = await newOrg(database);
    expect((await call(app, 'GET', `/v1/models/${trained.body.id}`, { key: other.admin })).status).toBe(404);
    expect(
      (await call(app, 'POST', '/v1/models', { key: other.admin, json: { campaignId: campaign.body.id } }))
        .status,
    ).toBe(404);

    const sales = await call(app, 'POST', '/v1/campaigns', {
      key: org.marketer,
      json: { name: 'Ventes', successTypes: ['purchase'] },
    });
    const thin = await call(app, 'POST', '/v1/models', {
      key: org.marketer,
      json: { campaignId: sales.body.id },
    });
    expect(thin.body).toMatchObject({ status: 'insufficient_history', successes: 0 });
    expect(thin.body.metrics.message).toContain('fit and engagement');
    expect(
      (await call(app, 'POST', `/v1/models/${thin.body.id}/activate`, { key: org.marketer })).status,
    ).toBe(409);
  });

  it('counts the history of those who did not reach the goal up to dates like the successes’, not to today', async () => {
    const o = await newOrg(database);
    const lines = ['Prénom;Nom;E-mail'];
    for (let i = 0; i < 400; i++) lines.push(`Eve;Watch-${i};eve.${i}@watch.example`);
    await call(app, 'POST', '/v1/imports', {
      key: o.manager,
      body: `${lines.join('\n')}\n`,
      headers: { 'content-type': 'text/csv' },
    });
    const people: { id: string }[] = [];
    for (let cursor: string | null = null, first = true; first || cursor; first = false) {
      const page = await call(app, 'GET', `/v1/prospects?limit=500${cursor ? `&cursor=${cursor}` : ''}`, {
        key: o.caller,
      });
      people.push(...page.body.data);
      cursor = page.body.nextCursor;
    }
    // Everyone got the same four e-mails; a quarter booked a meeting on a day that has nothing to do with them.
    const day = 86_400_000;
    const ago = (days: number) => new Date(Date.now() - days * day).toISOString();
    const random = seededRandom(11);
    const items = people.flatMap((p) => [
      ...[100, 70, 40, 10].map((d) => ({ prospectId: p.id, type: 'email_sent', occurredAt: ago(d) })),
      ...(random.chance(0.25)
        ? [{ prospectId: p.id, type: 'meeting_booked', occurredAt: ago(1 + random.next() * 105) }]
        : []),
    ]);
    for (let i = 0; i < items.length; i += 1000)
      await call(app, 'POST', '/v1/interactions', {
        key: o.caller,
        json: { items: items.slice(i, i + 1000) },
      });
    const campaign = await call(app, 'POST', '/v1/campaigns', { key: o.marketer, json: { name: 'Watch' } });
    const trained = await call(app, 'POST', '/v1/models', {
      key: o.marketer,
      json: { campaignId: campaign.body.id, minSuccesses: 20 },
    });
    expect(trained.body.status).toBe('ready');
    // Counted up to today for the others, "fewer e-mails" predicted a meeting perfectly (AUC 1.0).
    expect(trained.body.metrics.auc).toBeLessThan(0.75);
  });

  it('keeps a model to the goal it learnt, refuses one no better than chance, and rescores only on a real change', async () => {
    const campaign = await call(app, 'POST', '/v1/campaigns', {
      key: org.marketer,
      json: { name: 'Rendez-vous', successTypes: ['meeting_booked'], halfLifeDays: 30 },
    });
    const model = (auc: number, active: boolean) =>
      database.db
        .insert(models)
        .values({
          orgId: org.orgId,
          campaignId: campaign.body.id,
          status: 'ready',
          active,
          rows: 500,
          successes: 60,
          successTypes: ['meeting_booked'],
          metrics: { auc },
        })
        .returning()
        .then(([row]) => row!);
    const weak = await model(0.52, false);
    const refused = await call(app, 'POST', `/v1/models/${weak.id}/activate`, { key: org.marketer });
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toContain('AUC 0.520');
    const active = await model(0.74, true);
    const rescorings = async () =>
      (
        await queryRows<{ n: number }>(
          database.db,
          sql`SELECT count(*)::int AS n FROM jobs WHERE org_id = ${org.orgId} AND kind = 'rescore'
                AND params->>'campaignId' = ${campaign.body.id}`,
        )
      )[0]!.n;
    const before = await rescorings();
    const same = await call(app, 'PATCH', `/v1/campaigns/${campaign.body.id}`, {
      key: org.marketer,
      json: { halfLifeDays: 30, name: 'Rendez-vous pris' },
    });
    expect(same.status).toBe(200);
    expect(same.body.rescoringJobId).toBeNull();
    expect(await rescorings()).toBe(before);
    expect((await call(app, 'GET', `/v1/models/${active.id}`, { key: org.caller })).body.active).toBe(true);
    const goal = await call(app, 'PATCH', `/v1/campaigns/${campaign.body.id}`, {
      key: org.marketer,
      json: { successTypes: ['purchase'] },
    });
    expect(goal.body.rescoringJobId).toEqual(expect.any(String));
    expect(await rescorings()).toBe(before + 1);
    expect((await call(app, 'GET', `/v1/models/${active.id}`, { key: org.caller })).body.active).toBe(false);
    // The same goal in another order, or repeated, is the same goal.
    const reordered = await call(app, 'PATCH', `/v1/campaigns/${campaign.body.id}`, {
      key: org.marketer,
      json: { successTypes: ['purchase', 'purchase'] },
    });
    expect(reordered.body).toMatchObject({ successTypes: ['purchase'], rescoringJobId: null });
    // So is the same profile with its lists in another order: not written, nobody rescored.
    const patchProfile = (idealProfile: unknown) =>
      call(app, 'PATCH', `/v1/campaigns/${campaign.body.id}`, { key: org.marketer, json: { idealProfile } });
    expect((await patchProfile(profile)).body.rescoringJobId).toEqual(expect.any(String));
    const reorderedProfile = await patchProfile({
      ...profile,
      titles: { ...profile.titles, keywords: [...profile.titles.keywords].reverse() },
    });
    expect(reorderedProfile.body).toMatchObject({ idealProfile: profile, rescoringJobId: null });
    const widened = await patchProfile({ ...profile, titles: { ...profile.titles, keywords: ['buyer'] } });
    expect(widened.body.rescoringJobId).toEqual(expect.any(String));
    const aimless = await call(app, 'PATCH', `/v1/campaigns/${campaign.body.id}`, {
      key: org.marketer,
      json: { successTypes: ['opt_out'] },
    });
    expect(aimless.status).toBe(400);
    expect(JSON.stringify(aimless.body.errors)).toContain('cannot aim at it');
    // Nor can it be activated again: it learnt the old goal.
    const again = await call(app, 'POST', `/v1/models/${active.id}/activate`, { key: org.marketer });
    expect(again.status).toBe(409);
    expect(again.body.detail).toContain(
      "learnt to predict meeting_booked, but the campaign's goal is now purchase",
    );
  });

  it('reads a headcount band when the company has no count: in the fit and in the segment filter', async () => {
    const campaign = await call(app, 'POST', '/v1/campaigns', {
      key: org.marketer,
      json: { name: 'ETI', idealProfile: { employees: { min: 250, max: 4999, points: 10 } } },
    });
    const scoreFor = async (employeeBand: string) => {
      const company = await call(app, 'POST', '/v1/companies', {
        key: org.manager,
        json: { name: `Bande ${employeeBand}`, employeeBand, country: 'FR' },
      });
      const person = await call(app, 'POST', '/v1/prospects', {
        key: org.manager,
        json: { companyId: company.body.id, lastName: 'Effectif', country: 'FR' },
      });
      const scored = await call(app, 'GET', `/v1/campaigns/${campaign.body.id}/scores/${person.body.id}`, {
        key: org.caller,
      });
      reasons = scored.body.reasons;
      return scored.body.fit.points;
    };
    let reasons: { positive: { fr: string; en: string }[] } = { positive: [] };
    expect(await scoreFor('250-499')).toBe(10);
    // Told as the band it is, not as an exact headcount of 250.
    expect(reasons.positive[0]).toMatchObject({
      fr: "Tranche d'effectif 250-499 dans la cible (+10)",
      en: 'Headcount band 250-499, in the target range (+10)',
    });
    expect(await scoreFor('1,000-4,999')).toBe(10);
    expect(await scoreFor('1.000 à 4.999')).toBe(10);
    expect(await scoreFor('1k-5k')).toBe(10);
    expect(await scoreFor('10-19')).toBe(0);
    expect(await scoreFor('1,000,000+')).toBe(0);
    // A band typed by hand beyond any integer fails nothing.
    expect(await scoreFor('3000000k')).toBe(0);
    // No count and no band (or one without a number): a criterion that could not be checked, not a giant.
    const unknown = async (json: Record<string, unknown>) => {
      const person = await call(app, 'POST', '/v1/prospects', { key: org.manager, json });
      const scored = await call(app, 'GET', `/v1/campaigns/${campaign.body.id}/scores/${person.body.id}`, {
        key: org.caller,
      });
      return scored.body.missed;
    };
    const company = await call(app, 'POST', '/v1/companies', {
      key: org.manager,
      json: { name: 'Bande inconnue', employeeBand: 'NC', country: 'FR' },
    });
    expect(await unknown({ lastName: 'Sans société', country: 'FR' })).toEqual([
      { code: 'fit.employees', missing: true },
    ]);
    expect(await unknown({ companyId: company.body.id, lastName: 'Bande NC' })).toEqual([
      { code: 'fit.employees', missing: true },
    ]);
    const large = await call(app, 'GET', `/v1/prospects?campaign=${campaign.body.id}&segment=GE&limit=100`, {
      key: org.caller,
    });
    expect(large.body.data.map((p: { lastName: string }) => p.lastName)).not.toContain('Sans société');
  });

  it('offers last, whatever its fit, a person who opted out and has not come back, until they do', async () => {
    const campaign = await call(app, 'POST', '/v1/campaigns', {
      key: org.marketer,
      json: { name: 'Désinscrits', idealProfile: profile },
    });
    const company = await call(app, 'POST', '/v1/companies', {
      key: org.manager,
      json: { name: 'Négoce Saône', industryCode: '46.69Z', employeeCount: 45, country: 'FR' },
    });
    const person = await call(app, 'POST', '/v1/prospects', {
      key: org.manager,
      json: { companyId: company.body.id, lastName: 'Rey', jobTitle: 'Acheteur', country: 'FR' },
    });
    const scoreNow = async () =>
      (
        await call(app, 'GET', `/v1/campaigns/${campaign.body.id}/scores/${person.body.id}`, {
          key: org.caller,
        })
      ).body;
    const before = await scoreNow();
    expect(before.score).toBe(60);
    const log = (type: string, daysAgo: number) =>
      call(app, 'POST', '/v1/interactions', {
        key: org.caller,
        json: {
          prospectId: person.body.id,
          type,
          occurredAt: new Date(Date.now() - daysAgo * 86_400_000).toISOString(),
        },
      });
    expect((await log('opt_out', 200)).status).toBe(201);
    const out = await scoreNow();
    expect(out.score).toBe(20);
    expect(out.rank).toBe(0);
    expect(out.reasons.negative[0]).toMatchObject({
      code: 'engagement.opt_out',
      points: -40,
      en: 'Opted out 200 days ago and has not come back since (−40)',
    });
    await log('form_submitted', 10);
    const back = await scoreNow();
    expect(back.rank).toBeGreaterThan(50);
    expect(back.engagement.points).toBeGreaterThan(7);
    expect(back.reasons.negative.every((r: { points: number }) => r.points > -1)).toBe(true);
    // A call whose outcome asks not to be called again stands as an opt-out does, on demand and once stored.
    const other = await call(app, 'POST', '/v1/prospects', {
      key: org.manager,
      json: { companyId: company.body.id, lastName: 'Vidal', jobTitle: 'Acheteur', country: 'FR' },
    });
    const called = await call(app, 'POST', '/v1/interactions', {
      key: org.caller,
      json: {
        prospectId: other.body.id,
        type: 'call_answered',
        outcome: 'Ne plus appeler',
        occurredAt: new Date(Date.now() - 3 * 86_400_000).toISOString(),
      },
    });
    expect(called.status).toBe(201);
    const asked = await call(app, 'GET', `/v1/campaigns/${campaign.body.id}/scores/${other.body.id}`, {
      key: org.caller,
    });
    expect(asked.body.rank).toBe(0);
    expect(asked.body.reasons.negative[0]).toMatchObject({ code: 'engagement.opt_out', points: -40 });
  });

  it('reads a not_interested outcome, as the service and lemlist log it, as a refusal', async () => {
    const campaign = await call(app, 'POST', '/v1/campaigns', {
      key: org.marketer,
      json: { name: 'Refus', idealProfile: profile },
    });
    const person = await call(app, 'POST', '/v1/prospects', {
      key: org.manager,
      json: { lastName: 'Garnier', jobTitle: 'Acheteur', country: 'FR' },
    });
    const logged = await call(app, 'POST', '/v1/interactions', {
      key: org.caller,
      json: {
        prospectId: person.body.id,
        type: 'call_attempted',
        outcome: 'not_interested',
        occurredAt: new Date(Date.now() - 2 * 86_400_000).toISOString(),
      },
    });
    expect(logged.status).toBe(201);
    const scored = await call(app, 'GET', `/v1/campaigns/${campaign.body.id}/scores/${person.body.id}`, {
      key: org.caller,
    });
    expect(scored.body.reasons.negative.map((r: { code: string }) => r.code)).toEqual(['engagement.refused']);
  });

  it('reads outcomes as they were logged, commas and colons included, on demand and in a rescoring’s reads', async () => {
    const own = await newOrg(database);
    const campaign = await call(app, 'POST', '/v1/campaigns', {
      key: own.marketer,
      json: { name: 'Dispositions', idealProfile: profile },
    });
    const logged = async (type: string, outcome: string) => {
      const person = await call(app, 'POST', '/v1/prospects', {
        key: own.manager,
        json: { lastName: outcome, jobTitle: 'Acheteur', country: 'FR' },
      });
      const at = new Date(Date.now() - 2 * 86_400_000).toISOString();
      const item = { prospectId: person.body.id, type, outcome, occurredAt: at };
      expect((await call(app, 'POST', '/v1/interactions', { key: own.caller, json: item })).status).toBe(201);
      return person.body.id as string;
    };
    const people = {
      refused: await logged('call_attempted', 'Pas intéressé, rappeler en 2027'),
      stopped: await logged('call_answered', 'Répondu : DNC, merci'),
      answered: await logged('call_attempted', 'Répondu, à rappeler'),
    };
    const codes = (reasons: { negative: { code: string }[] }) => reasons.negative.map((r) => r.code);
    const expected = {
      refused: ['engagement.refused'],
      stopped: ['engagement.opt_out'],
      answered: [],
    };
    for (const [who, id] of Object.entries(people)) {
      const scored = await call(app, 'GET', `/v1/campaigns/${campaign.body.id}/scores/${id}`, {
        key: own.caller,
      });
      expect([who, codes(scored.body.reasons)]).toEqual([who, expected[who as keyof typeof expected]]);
    }
    // Both reads a rescoring makes (a range of people, a list of them) hand over the outcomes as logged.
    const ids = Object.values(people);
    for (const selection of [{ after: null, limit: 10 }, { ids }]) {
      const inputs = await readInputs(database.db, own.orgId, selection);
      expect(inputs.map((i) => [i.prospectId, i.events.map((e) => e.outcome)]).sort()).toEqual(
        [
          [people.refused, ['Pas intéressé, rappeler en 2027']],
          [people.stopped, ['Répondu : DNC, merci']],
          [people.answered, ['Répondu, à rappeler']],
        ].sort(),
      );
    }
  });

  it('refuses unknown fields and conditions that could never match, naming them', async () => {
    const campaign = (json: unknown) => call(app, 'POST', '/v1/campaigns', { key: org.marketer, json });
    const fields = async (json: unknown) => {
      const answer = await campaign(json);
      expect(answer.status).toBe(400);
      return JSON.stringify(answer.body.errors);
    };
    expect(await fields({ name: 'X', unknownField: 1 })).toContain('unknownField');
    // Inside a criterion too: a misspelt key would have been dropped, and the criterion changed.
    const misspelt = await campaign({
      name: 'X',
      idealProfile: { industries: { codes: ['46'], points: 20, schem: 'NAF' } },
    });
    expect(misspelt.status).toBe(400);
    expect(misspelt.body.errors).toEqual([
      expect.objectContaining({ field: 'body:idealProfile.industries.schem', message: 'unknown field' }),
    ]);
    // A range with neither bound would hold everyone ("minimum" is no key of it).
    expect(await fields({ name: 'X', idealProfile: { employees: { points: 5 } } })).toContain(
      'a range needs min, max or both',
    );
    expect(
      (await campaign({ name: 'X', idealProfile: { employees: { minimum: 10, points: 5 } } })).status,
    ).toBe(400);
    const pitched = await campaign({ name: 'X', pitch: { offer: 'o', dataSource: 'd', ofer2: 'x' } });
    expect(pitched.status).toBe(400);
    const lowercase = await campaign({
      name: 'X',
      idealProfile: { countries: { values: ['fr'], points: 5 } },
    });
    expect(lowercase.body.idealProfile.countries.values).toEqual(['FR']);
    const condition = (c: object) => ({
      name: 'X',
      idealProfile: { attributes: [{ key: 'note', points: 5, ...c }] },
    });
    expect(await fields(condition({ op: 'gte', value: 'abc' }))).toMatch(
      /attributes.*value.*compares numbers/,
    );
    expect(await fields(condition({ op: 'eq' }))).toContain('needs a value');
    expect(await fields(condition({ op: 'in', value: 'abc' }))).toContain('list');
    expect(await fields({ name: 'X', idealProfile: { titles: { keywords: ['  '], points: 5 } } })).toContain(
      'blank',
    );
    expect((await campaign(condition({ op: 'gte', value: '1 200,5' }))).status).toBe(201);
    // A country no prospect can carry: every stored country is an ISO code the import knows.
    const countries = (values: string[]) => ({
      name: 'X',
      idealProfile: { countries: { values, points: 5 } },
    });
    const unknown = await campaign(countries(['FR', 'XX']));
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors).toEqual([
      expect.objectContaining({ field: 'body:idealProfile.countries.values[1]' }),
    ]);
    expect(await fields(countries(['UK']))).toContain('did you mean GB?');
    expect((await campaign(countries(['fr', 'GB', 'XK']))).status).toBe(201);
    const trained = await call(app, 'POST', '/v1/models', {
      key: org.marketer,
      json: { campaignId: '01900000-0000-7000-8000-000000000001', minSucesses: 5 },
    });
    expect(trained.status).toBe(400);
    expect(JSON.stringify(trained.body.errors)).toContain('minSucesses');
  });

  it('refuses a bad profile naming the field, and lets only campaign owners change one', async () => {
    const bad = await call(app, 'POST', '/v1/campaigns', {
      key: org.manager,
      json: { name: 'X', idealProfile: { employees: { min: 500, max: 10, points: 5 }, colour: 'blue' } },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).join(' ')).toMatch(/employees/);
    const created = await call(app, 'POST', '/v1/campaigns', { key: org.manager, json: { name: 'Y' } });
    expect(
      (
        await call(app, 'PATCH', `/v1/campaigns/${created.body.id}`, {
          key: org.caller,
          json: { halfLifeDays: 7 },
        })
      ).status,
    ).toBe(403);
    const changed = await call(app, 'PATCH', `/v1/campaigns/${created.body.id}`, {
      key: org.marketer,
      json: { halfLifeDays: 7, idealProfile: profile },
    });
    expect(changed.body).toMatchObject({ halfLifeDays: 7, name: 'Y', idealProfile: profile });
    // What a change leaves out stays as it was.
    const renamed = await call(app, 'PATCH', `/v1/campaigns/${created.body.id}`, {
      key: org.marketer,
      json: { name: 'Z' },
    });
    expect(renamed.body).toMatchObject({
      name: 'Z',
      halfLifeDays: 7,
      idealProfile: profile,
      successTypes: ['meeting_booked'],
    });
    const listed = await call(app, 'GET', '/v1/campaigns', { key: org.caller });
    expect(listed.body.data.map((c: { id: string }) => c.id)).toContain(created.body.id);
  });
});
