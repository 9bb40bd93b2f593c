import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db';
import { call, newOrg, orgApp, type TestApp, type TestOrg, testApp } from '../helpers/app';
import { databases } from '../helpers/databases';

describe.each(databases)('companies, prospects and contact points on $name', ({ open }) => {
  let database: Database;
  let app: TestApp;
  let org: TestOrg;
  beforeAll(async () => ({ database, app, org } = await orgApp(open)));
  afterAll(() => database.close());

  it('creates a company with normalized firmographics and refuses a second one with the same key', async () => {
    const created = await call(app, 'POST', '/v1/companies', {
      key: org.manager,
      json: {
        name: 'Boulangerie Émile',
        registrationId: '552 081 317',
        industryCode: '1071C',
        employeeBand: '10-19',
        country: 'France',
        domain: 'https://www.emile.fr/',
        attributes: { segment: 'TPE' },
      },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      registrationId: '552081317',
      registrationScheme: 'SIREN',
      industryCode: '10.71C',
      industryScheme: 'NAF',
      country: 'FR',
      domain: 'emile.fr',
      attributes: { segment: 'TPE' },
    });
    expect(created.body).not.toHaveProperty('orgId');
    const again = await call(app, 'POST', '/v1/companies', {
      key: org.manager,
      json: { name: 'Autre nom', registrationId: '552081317' },
    });
    expect(again.status).toBe(409);
    expect(again.body.existingId).toBe(created.body.id);
  });

  it('answers validation errors with each field at fault', async () => {
    const response = await call(app, 'POST', '/v1/companies', {
      key: org.manager,
      json: { name: '', employeeCount: -3, country: 'Atlantis', domain: 'not a domain' },
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    const fields = response.body.errors.map((e: { field: string }) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['body:name', 'body:employeeCount']));
    const semantic = await call(app, 'POST', '/v1/companies', {
      key: org.manager,
      json: { name: 'X', country: 'Atlantis', domain: 'not a domain' },
    });
    expect(semantic.body.errors).toEqual([
      { field: 'country', message: '"Atlantis" is not a country' },
      { field: 'domain', message: '"not a domain" is not a domain or URL' },
    ]);
    const broken = await call(app, 'POST', '/v1/companies', {
      key: org.manager,
      body: '{"name":',
      headers: { 'content-type': 'application/json' },
    });
    expect(broken.status).toBe(400);
    expect(broken.body.detail).toBe('the body is not valid JSON');
  });

  it("creates a prospect with contact points normalized with the company's country, and returns it whole", async () => {
    const company = await call(app, 'POST', '/v1/companies', {
      key: org.manager,
      json: { name: 'Thames Tea Ltd', country: 'GB' },
    });
    const created = await call(app, 'POST', '/v1/prospects', {
      key: org.manager,
      json: {
        companyId: company.body.id,
        firstName: 'Olivia',
        lastName: 'Brown',
        jobTitle: 'Head of Procurement',
        language: 'English',
        contactPoints: [
          { value: '020 7946 0958', label: 'direct' },
          { value: ' Olivia.Brown@ThamesTea.co.uk ' },
          { channel: 'phone', value: '07400 123456' },
        ],
      },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      kind: 'b2b',
      language: 'en',
      company: { name: 'Thames Tea Ltd', country: 'GB' },
      latestInteractions: [],
    });
    expect(
      created.body.contactPoints.map((c: { value: string; phoneType: string | null }) => [
        c.value,
        c.phoneType,
      ]),
    ).toEqual([
      ['+442079460958', 'fixed_line'],
      ['olivia.brown@thamestea.co.uk', null],
      ['+447400123456', 'mobile'],
    ]);
    const fetched = await call(app, 'GET', `/v1/prospects/${created.body.id}`, { key: org.caller });
    expect(fetched.body).toEqual(created.body);
  });

  it('refuses a prospect whose phone does not parse, naming the contact point', async () => {
    const response = await call(app, 'POST', '/v1/prospects', {
      key: org.manager,
      json: {
        lastName: 'X',
        country: 'FR',
        contactPoints: [{ value: 'anne@acme.fr' }, { value: '+33 1 23' }],
      },
    });
    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([
      { field: 'contactPoints[1].value', message: 'phone "+33 1 23" is not a valid number for FR' },
    ]);
  });

  it('names a field it does not know instead of dropping it', async () => {
    const response = await call(app, 'POST', '/v1/prospects', {
      key: org.manager,
      json: {
        lastName: 'X',
        company: { name: 'Acme' },
        contactPoints: [{ value: 'x@acme.fr', kind: 'work' }],
      },
    });
    expect(response.status).toBe(400);
    const said = JSON.stringify(response.body.errors);
    expect(said).toContain('company');
    expect(said).toContain('kind');
    const company = await call(app, 'POST', '/v1/companies', {
      key: org.manager,
      json: { name: 'Acme', siret: '1' },
    });
    expect(company.status).toBe(400);
    expect(JSON.stringify(company.body.errors)).toContain('siret');
  });

  it('shares a number two records have, as one contact point', async () => {
    const a = await call(app, 'POST', '/v1/prospects', {
      key: org.manager,
      json: { lastName: 'Standard', contactPoints: [{ value: '01 40 00 00 00' }] },
    });
    const b = await call(app, 'POST', '/v1/prospects', {
      key: org.manager,
      json: { lastName: 'Accueil', contactPoints: [{ value: '+33 1 40 00 00 00' }] },
    });
    expect(a.body.contactPoints[0].id).toBe(b.body.contactPoints[0].id);
    const fetched = await call(app, 'GET', `/v1/prospects/${a.body.id}`, { key: org.caller });
    expect(fetched.body.contactPoints[0].sharedWith).toBe(1);
    const detail = await call(app, 'GET', `/v1/contact-points/${a.body.contactPoints[0].id}`, {
      key: org.caller,
    });
    expect(detail.body.prospects.map((p: { prospectId: string }) => p.prospectId).sort()).toEqual(
      [a.body.id, b.body.id].sort(),
    );
    const lookup = await call(
      app,
      'GET',
      `/v1/contact-points?value=${encodeURIComponent('01 40 00 00 00')}`,
      { key: org.caller },
    );
    expect(lookup.body.data.map((c: { value: string }) => c.value)).toEqual(['+33140000000']);
  });

  it('refuses a second record of a person it has, and lets other people share an address or a number', async () => {
    const o = await newOrg(database);
    const post = (json: Record<string, unknown>) =>
      call(app, 'POST', '/v1/prospects', { key: o.manager, json });
    const first = await post({
      firstName: 'Hélène',
      lastName: 'Roux',
      contactPoints: [{ value: 'helene@roux.fr' }, { value: '06 10 20 30 40' }],
    });
    expect(first.status).toBe(201);
    const again = await post({
      firstName: 'helene',
      lastName: 'ROUX',
      contactPoints: [{ value: 'Helene@Roux.fr' }],
    });
    expect(again.status).toBe(409);
    expect(again.headers.get('content-type')).toBe('application/problem+json');
    expect(again.body.existingId).toBe(first.body.id);
    expect(
      (await post({ lastName: 'Hélène Roux', contactPoints: [{ value: '06 10 20 30 40' }] })).status,
    ).toBe(409);
    // Another person at the same mailbox or number, or a record without a last name on a number, is kept.
    expect(
      (await post({ firstName: 'Marc', lastName: 'Roux', contactPoints: [{ value: 'helene@roux.fr' }] }))
        .status,
    ).toBe(201);
    expect((await post({ firstName: 'Hélène', contactPoints: [{ value: '06 10 20 30 40' }] })).status).toBe(
      201,
    );
    // Nor by another way in: names swapped, an address added later, a name changed.
    expect(
      (await post({ firstName: 'Roux', lastName: 'Hélène', contactPoints: [{ value: 'helene@roux.fr' }] }))
        .status,
    ).toBe(409);
    const bare = await post({ firstName: 'Hélène', lastName: 'Roux' });
    const added = await call(app, 'POST', `/v1/prospects/${bare.body.id}/contact-points`, {
      key: o.manager,
      json: { value: 'helene@roux.fr' },
    });
    expect([added.status, added.body.existingId]).toEqual([409, first.body.id]);
    const marc = (await call(app, 'GET', '/v1/prospects?q=marc', { key: o.manager })).body.data[0];
    const renamed = await call(app, 'PATCH', `/v1/prospects/${marc.id}`, {
      key: o.manager,
      json: { firstName: 'Hélène' },
    });
    expect(renamed.status).toBe(409);
  });

  it('updates a prospect: given fields change, null clears, attributes merge', async () => {
    const created = await call(app, 'POST', '/v1/prospects', {
      key: org.manager,
      json: { firstName: 'Jean', lastName: 'Petit', jobTitle: 'DAF', attributes: { a: 1, b: 'x' } },
    });
    const patched = await call(app, 'PATCH', `/v1/prospects/${created.body.id}`, {
      key: org.manager,
      json: { jobTitle: null, timeZone: 'Europe/Paris', attributes: { a: null, c: true } },
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({
      firstName: 'Jean',
      jobTitle: null,
      timeZone: 'Europe/Paris',
      attributes: { b: 'x', c: true },
    });
    expect(patched.body.attributes).not.toHaveProperty('a');
    const bad = await call(app, 'PATCH', `/v1/prospects/${created.body.id}`, {
      key: org.manager,
      json: { timeZone: 'Mars/Olympus' },
    });
    expect(bad.body.errors).toEqual([
      { field: 'timeZone', message: '"Mars/Olympus" is not an IANA zone such as Europe/Paris' },
    ]);
  });

  it('refuses a second prospect with the same CRM id', async () => {
    await call(app, 'POST', '/v1/prospects', {
      key: org.manager,
      json: { lastName: 'A', externalId: 'HS-1' },
    });
    const again = await call(app, 'POST', '/v1/prospects', {
      key: org.manager,
      json: { lastName: 'B', externalId: 'HS-1' },
    });
    expect(again.status).toBe(409);
  });

  it('adds, marks and removes contact points', async () => {
    const created = await call(app, 'POST', '/v1/prospects', {
      key: org.manager,
      json: { lastName: 'Roux', country: 'FR' },
    });
    const added = await call(app, 'POST', `/v1/prospects/${created.body.id}/contact-points`, {
      key: org.manager,
      json: { value: '06 98 76 54 32', label: 'mobile' },
    });
    expect(added.status).toBe(201);
    const cp = added.body.contactPoints[0];
    expect(cp).toMatchObject({ value: '+33698765432', label: 'mobile', phoneType: 'mobile' });
    const bad = await call(app, 'POST', `/v1/prospects/${created.body.id}/contact-points`, {
      key: org.manager,
      json: { value: '06 98' },
    });
    expect(bad.status).toBe(400);
    const marked = await call(app, 'PATCH', `/v1/contact-points/${cp.id}`, {
      key: org.manager,
      json: { status: 'invalid', statusReason: 'wrong number' },
    });
    expect(marked.body).toMatchObject({ status: 'invalid', statusReason: 'wrong number' });
    expect(
      (
        await call(app, 'DELETE', `/v1/prospects/${created.body.id}/contact-points/${cp.id}`, {
          key: org.manager,
        })
      ).status,
    ).toBe(204);
    expect(
      (await call(app, 'GET', `/v1/prospects/${created.body.id}`, { key: org.manager })).body.contactPoints,
    ).toEqual([]);
  });

  it('pages through prospects with a cursor, newest first, without overlap', async () => {
    const fresh = await newOrg(database);
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) {
      ids.push(
        (
          await call(app, 'POST', '/v1/prospects', {
            key: fresh.manager,
            json: { lastName: `P${i}`, country: i % 2 ? 'FR' : 'DE' },
          })
        ).body.id,
      );
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const response: Awaited<ReturnType<typeof call>> = await call(
        app,
        'GET',
        `/v1/prospects?limit=3${cursor ? `&cursor=${cursor}` : ''}`,
        { key: fresh.caller },
      );
      expect(response.body.data.length).toBeLessThanOrEqual(3);
      seen.push(...response.body.data.map((p: { id: string }) => p.id));
      cursor = response.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());
    const filtered = await call(app, 'GET', '/v1/prospects?country=fr', { key: fresh.caller });
    expect(filtered.body.data.map((p: { lastName: string }) => p.lastName)).toEqual(['P5', 'P3', 'P1']);
    expect((await call(app, 'GET', '/v1/prospects?cursor=garbage', { key: fresh.caller })).status).toBe(400);
    expect((await call(app, 'GET', '/v1/prospects?limit=100000', { key: fresh.caller })).status).toBe(400);
  });

  it('refuses a query parameter the route does not take, with the one it was likely meant as', async () => {
    const misspelt = await call(app, 'GET', '/v1/prospects?contry=FR&limit=5', { key: org.manager });
    expect(misspelt.status).toBe(400);
    expect(misspelt.headers.get('content-type')).toBe('application/problem+json');
    expect(misspelt.body.errors).toEqual([
      { field: 'query:contry', message: 'not a parameter of this route (did you mean country?)' },
    ]);
    // Given twice, a parameter is refused by name rather than validated as a list it never is.
    const twice = await call(app, 'GET', '/v1/prospects?limit=5&limit=10', { key: org.manager });
    expect(twice.status).toBe(400);
    expect(twice.body.errors).toEqual([
      { field: 'query:limit', message: 'given 2 times ("5", "10"): give it once' },
    ]);
    const noQuery = await call(app, 'GET', `/v1/prospects/${crypto.randomUUID()}?expand=all`, {
      key: org.manager,
    });
    expect(noQuery.status).toBe(400);
    expect(noQuery.body.errors[0].field).toBe('query:expand');
    // Routes read by hand check theirs too: an import, a do-not-contact list.
    const imported = await call(app, 'POST', '/v1/imports?mdoe=atomic', {
      key: org.manager,
      headers: { 'content-type': 'text/csv' },
      body: 'E-mail\na@b.fr\n',
    });
    expect(imported.status).toBe(400);
    expect(imported.body.errors).toEqual([
      { field: 'query:mdoe', message: 'not a parameter of this route (did you mean mode?)' },
    ]);
    const suppressed = await call(app, 'POST', '/v1/suppressions/import?chanel=phone', {
      key: org.admin,
      headers: { 'content-type': 'text/csv' },
      body: '0612345678\n',
    });
    expect(suppressed.status).toBe(400);
    expect(suppressed.body.errors[0]).toMatchObject({ field: 'query:chanel' });
    expect((await call(app, 'GET', '/v1/prospects?country=FR', { key: org.manager })).status).toBe(200);
    // A country no record can carry is refused as well, with the one meant.
    const uk = await call(app, 'GET', '/v1/companies?country=UK', { key: org.manager });
    expect([uk.status, uk.body.errors?.[0]?.field]).toEqual([400, 'query:country']);
  });

  it('filters prospects by industry prefix, name, job title and channel', async () => {
    const fresh = await newOrg(database);
    const naf = await call(app, 'POST', '/v1/companies', {
      key: fresh.manager,
      json: { name: 'Grossiste', industryCode: '46.69Z' },
    });
    const it = await call(app, 'POST', '/v1/companies', {
      key: fresh.manager,
      json: { name: 'ESN', industryCode: '62.02A' },
    });
    await call(app, 'POST', '/v1/prospects', {
      key: fresh.manager,
      json: {
        companyId: naf.body.id,
        firstName: 'Luc',
        lastName: 'Moreau',
        jobTitle: 'Acheteur',
        contactPoints: [{ value: 'luc@g.fr' }],
      },
    });
    await call(app, 'POST', '/v1/prospects', {
      key: fresh.manager,
      json: {
        companyId: it.body.id,
        firstName: 'Inès',
        lastName: 'Garcia',
        jobTitle: 'DSI',
        contactPoints: [{ value: '06 11 22 33 44' }],
      },
    });
    const names = async (query: string) =>
      (await call(app, 'GET', `/v1/prospects?${query}`, { key: fresh.caller })).body.data.map(
        (p: { lastName: string }) => p.lastName,
      );
    expect(await names('industry=46.6')).toEqual(['Moreau']);
    // Without NAF's dot, or in small letters, as people type it.
    expect(await names('industry=4669')).toEqual(['Moreau']);
    expect(await names('industry=46.69z')).toEqual(['Moreau']);
    expect(await names('industry=4670')).toEqual([]);
    // "46" of NAICS is another trade: the scheme keeps them apart.
    const us = await call(app, 'POST', '/v1/companies', {
      key: fresh.manager,
      json: { name: 'Wholesale Inc', industryCode: '462110', industryScheme: 'NAICS', country: 'US' },
    });
    await call(app, 'POST', '/v1/prospects', {
      key: fresh.manager,
      json: { companyId: us.body.id, lastName: 'Smith', contactPoints: [{ value: 'smith@w.com' }] },
    });
    expect((await names('industry=46')).sort()).toEqual(['Moreau', 'Smith']);
    expect(await names('industry=46&industryScheme=NAF')).toEqual(['Moreau']);
    expect(await names('industry=46&industryScheme=NAICS')).toEqual(['Smith']);
    expect(await names('industry=46&industryScheme=naf')).toEqual(['Moreau']);
    // With NAF's dot or without it, the same people: "46.21" finds NAICS 462110 as "4621" does.
    expect(await names('industry=46.21')).toEqual(await names('industry=4621'));
    expect(await names('industry=46.21')).toEqual(['Smith']);
    // Four digits for a French company are a NAF class, when created as when changed.
    const french = await call(app, 'POST', '/v1/companies', {
      key: fresh.manager,
      json: { name: 'Travaux Publics', industryCode: '4211', country: 'FR' },
    });
    expect(french.body).toMatchObject({ industryCode: '42.11', industryScheme: 'NAF' });
    const changed = await call(app, 'PATCH', `/v1/companies/${french.body.id}`, {
      key: fresh.manager,
      json: { industryCode: '4299' },
    });
    expect(changed.body).toMatchObject({ industryCode: '42.99', industryScheme: 'NAF' });
    const companies = await call(app, 'GET', '/v1/companies?industry=46&industryScheme=NACE', {
      key: fresh.caller,
    });
    expect(companies.body.data.map((c: { name: string }) => c.name)).toEqual(['Grossiste']);
    expect((await call(app, 'GET', '/v1/prospects?industryScheme=ISIC', { key: fresh.caller })).status).toBe(
      400,
    );
    expect(await names('q=garc')).toEqual(['Garcia']);
    // Accents and case aside, either way; an address or a number in any form finds its person.
    expect(await names('q=ines%20GAR')).toEqual(['Garcia']);
    // Every word, in any order, punctuation aside.
    expect(await names(`q=${encodeURIComponent('Garcia Inès')}`)).toEqual(['Garcia']);
    expect(await names(`q=${encodeURIComponent('tel:+33 (0)6 11 22 33 44')}`)).toEqual(['Garcia']);
    expect(await names(`q=${encodeURIComponent('Morëau')}`)).toEqual(['Moreau']);
    expect(await names('q=luc%40g')).toEqual(['Moreau']);
    expect(await names(`q=${encodeURIComponent('+33 6 11 22 33 44')}`)).toEqual(['Garcia']);
    expect(await names('q=06.11.22.33.44')).toEqual(['Garcia']);
    expect(await names('q=0611223345')).toEqual([]);
    const byName = await call(app, 'GET', `/v1/companies?q=${encodeURIComponent('GROSSÍSTE')}`, {
      key: fresh.caller,
    });
    expect(byName.body.data.map((c: { name: string }) => c.name)).toEqual(['Grossiste']);
    expect(await names('jobTitle=achet')).toEqual(['Moreau']);
    expect(await names('channel=phone')).toEqual(['Garcia']);
    expect(await names(`companyId=${it.body.id}`)).toEqual(['Garcia']);
  });

  it('deletes a company without deleting its people', async () => {
    const company = await call(app, 'POST', '/v1/companies', {
      key: org.manager,
      json: { name: 'Éphémère' },
    });
    const person = await call(app, 'POST', '/v1/prospects', {
      key: org.manager,
      json: { companyId: company.body.id, lastName: 'Reste' },
    });
    expect((await call(app, 'DELETE', `/v1/companies/${company.body.id}`, { key: org.admin })).status).toBe(
      204,
    );
    const after = await call(app, 'GET', `/v1/prospects/${person.body.id}`, { key: org.caller });
    expect(after.body).toMatchObject({ companyId: null, company: null, lastName: 'Reste' });
    expect((await call(app, 'DELETE', `/v1/prospects/${person.body.id}`, { key: org.manager })).status).toBe(
      204,
    );
    expect((await call(app, 'GET', `/v1/prospects/${person.body.id}`, { key: org.caller })).status).toBe(404);
  });

  it('answers 413 when a JSON body passes MAX_BODY_BYTES', async () => {
    const small = testApp(database, { MAX_BODY_BYTES: 1000 });
    const response = await call(small, 'POST', '/v1/companies', {
      key: org.manager,
      json: { name: 'x'.repeat(2000) },
    });
    expect(response.status).toBe(413);
    expect(response.body.code).toBe('PAYLOAD_TOO_LARGE');
    // As a real client sends it, with its Content-Length: answered from the header, before reading.
    const body = JSON.stringify({ name: 'x'.repeat(2000) });
    const declared = await call(small, 'POST', '/v1/companies', {
      key: org.manager,
      body,
      headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) },
    });
    expect(declared.status).toBe(413);
    const fits = JSON.stringify({ name: 'Petite société' });
    const fine = await call(small, 'POST', '/v1/companies', {
      key: org.manager,
      body: fits,
      headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(fits)) },
    });
    expect(fine.status).toBe(201);
  });
});
