import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, queryRows } from '../../src/db';
import { generateDemo } from '../../src/demo/generate';
import { loadDemo } from '../../src/demo/load';
import { normalizeEmail } from '../../src/prospects/email';
import { normalizePhone } from '../../src/prospects/phone';
import { call, testApp } from '../helpers/app';
import { databases } from '../helpers/databases';

describe('the demo generator', () => {
  const now = new Date('2026-11-29T12:00:00Z');
  const demo = generateDemo({ now });

  it('is large enough and spans FR, GB, US and DE', () => {
    expect(demo.companies).toBeGreaterThanOrEqual(200);
    expect(demo.people.length).toBeGreaterThanOrEqual(500);
    const countries = new Set(demo.people.map((p) => p.row.prospect!.country));
    expect([...countries].sort()).toEqual(['DE', 'FR', 'GB', 'US']);
  });

  it('gives everyone a valid e-mail and phone, and a past that is behind them', () => {
    for (const person of demo.people) {
      for (const cp of person.row.contactPoints) {
        if (cp.channel === 'email') expect(normalizeEmail(cp.value).ok).toBe(true);
        else expect(normalizePhone(cp.value, null)).toMatchObject({ ok: true, e164: cp.value });
      }
      for (const event of person.events)
        expect(event.occurredAt.getTime()).toBeLessThanOrEqual(now.getTime());
    }
    const types = new Set(demo.people.flatMap((p) => p.events.map((e) => e.type)));
    for (const type of ['email_sent', 'email_opened', 'call_attempted', 'call_answered', 'meeting_held'])
      expect(types).toContain(type);
  });

  it('is the same for the same seed', () => {
    const again = generateDemo({ now });
    expect(again.people.map((p) => p.row.contactPoints[0]!.value)).toEqual(
      demo.people.map((p) => p.row.contactPoints[0]!.value),
    );
  });
});

describe.each(databases)('npm run demo on $name', ({ open }) => {
  let database: Database;
  beforeAll(async () => {
    database = await open();
  });
  afterAll(() => database.close());

  it('loads an organization a newcomer can browse with the keys it prints', async () => {
    const loaded = await loadDemo(database, { companies: 210, people: 520 });
    const counts = await queryRows<{ companies: number; people: number; events: number }>(
      database.db,
      sql`SELECT (SELECT count(*)::int FROM companies WHERE org_id = ${loaded.orgId}) AS companies,
                 (SELECT count(*)::int FROM prospects WHERE org_id = ${loaded.orgId}) AS people,
                 (SELECT count(*)::int FROM interactions WHERE org_id = ${loaded.orgId}) AS events`,
    );
    expect(counts[0]).toEqual({ companies: 210, people: 520, events: loaded.interactions });
    const app = testApp(database);
    const page = await call(app, 'GET', '/v1/prospects?country=DE&limit=3', { key: loaded.callerKey });
    expect(page.body.data).toHaveLength(3);
    const detail = await call(app, 'GET', `/v1/prospects/${page.body.data[0].id}`, { key: loaded.callerKey });
    expect(detail.body.company.industryLabel).toEqual(expect.any(String));
    // The compliance set-up answers at once: British numbers on the CTPS copy, the others allowed.
    expect(loaded.compliance.suppressed).toBeGreaterThan(0);
    expect(loaded.compliance.consents).toBeGreaterThan(0);
    const batch = await call(app, 'POST', '/v1/contact-decisions/batch', {
      key: loaded.callerKey,
      json: { channel: 'phone', filter: { country: 'GB' } },
    });
    expect(batch.status).toBe(200);
    expect(batch.body.now.byReason.REGISTRY_LISTED).toBeGreaterThan(0);
    expect(batch.body.now.contactable).toBeGreaterThan(0);
    // The demo campaign has a pitch: drafts work at once, in each country's language, and pass their checks.
    for (const country of ['FR', 'GB', 'US', 'DE']) {
      const person = (
        await call(app, 'GET', `/v1/prospects?country=${country}&limit=1`, { key: loaded.callerKey })
      ).body.data[0];
      for (const channel of ['call_script', 'email']) {
        const made = await call(app, 'POST', '/v1/drafts', {
          key: loaded.callerKey,
          json: { prospectId: person.id, campaignId: loaded.campaignId, channel },
        });
        expect(made.status).toBe(201);
        expect(made.body).toMatchObject({
          generator: 'template',
          ready: true,
          findings: [],
          language: country === 'FR' ? 'fr' : 'en',
        });
        // The pitch's English texts for an English draft: no French offer in an English script.
        const text = JSON.stringify(made.body.content);
        if (country === 'FR') expect(text).toContain('réapprovisionnement automatique');
        else {
          expect(text).toContain('automatic restocking');
          expect(text).not.toContain('réapprovisionnement');
        }
      }
    }
  });
});
