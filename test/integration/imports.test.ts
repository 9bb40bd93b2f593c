import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, queryRows } from '../../src/db';
import { migrate } from '../../src/migrate';
import { call, newOrg, orgApp, type TestApp, type TestOrg, testApp } from '../helpers/app';
import { databases } from '../helpers/databases';
import { bytes, fixture, multipart } from '../helpers/files';

const csv = (key: string, body: Buffer | string, query = '', headers: Record<string, string> = {}) =>
  [
    `/v1/imports${query ? `?${query}` : ''}`,
    { key, body: bytes(body), headers: { 'content-type': 'text/csv', ...headers } },
  ] as const;

describe.each(databases)('CSV import on $name', ({ open }) => {
  let database: Database;
  let app: TestApp;
  let org: TestOrg;
  beforeAll(async () => ({ database, app, org } = await orgApp(open)));
  afterAll(() => database.close());

  const people = async (o: TestOrg) =>
    (await call(app, 'GET', '/v1/prospects?limit=500', { key: o.caller })).body.data;

  it('imports a French Excel file (Windows-1252, ";", quoted line breaks) and reports every row', async () => {
    const o = await newOrg(database);
    const response = await call(app, 'POST', ...csv(o.manager, fixture('fr-excel-cp1252.csv')));
    expect(response.status).toBe(200);
    const { result } = response.body;
    expect(result).toMatchObject({ encoding: 'windows-1252', delimiter: ';' });
    expect(result.counts).toMatchObject({ rows: 6, created: 4, updated: 0, rejected: 1, skipped: 1 });
    expect(result.rejected).toEqual([
      { line: 6, field: 'phone', message: 'line 6: phone "+33 1 23" is not a valid number for FR' },
    ]);
    expect(result.columns.ignored).toEqual([
      {
        column: 'Commentaire',
        reason: 'no field recognises this header: map it, or keep it as a custom attribute with keepUnmapped',
      },
    ]);
    expect(
      result.columns.mapped.map((m: { column: string; field: string }) => `${m.column}→${m.field}`),
    ).toEqual(
      expect.arrayContaining([
        'Raison sociale→companyName',
        'SIRET→registrationId',
        'Code NAF→industryCode',
        'Téléphone→phone',
        'Portable→mobile',
        'E-mail→email',
        'Prénom→firstName',
        'Nom→lastName',
      ]),
    );
    const list = await people(o);
    const emile = list.find((p: { lastName: string }) => p.lastName === 'Durand');
    expect(emile).toMatchObject({
      firstName: 'Émile',
      city: 'Paris',
      postalCode: '75011',
      country: 'FR',
      kind: 'b2b',
      company: { name: 'Boulangerie Émile SARL' },
    });
    expect(emile.contactPoints.map((c: { value: string }) => c.value).sort()).toEqual([
      '+33123456789',
      '+33612345678',
      'emile@boulangerie-emile.fr',
    ]);
    const company = await call(app, 'GET', `/v1/companies/${emile.companyId}`, { key: o.caller });
    expect(company.body).toMatchObject({
      registrationId: '55208131700026',
      industryCode: '10.71C',
      employeeCount: 12,
      domain: 'boulangerie-emile.fr',
    });
    const martin = list.find((p: { lastName: string }) => p.lastName === 'Martin');
    expect(
      (await call(app, 'GET', `/v1/companies/${martin.companyId}`, { key: o.caller })).body.employeeBand,
    ).toBe('10-19');
  });

  it('reads UTF-8 with a BOM, commas, and countries that change how phones read', async () => {
    const o = await newOrg(database);
    const response = await call(app, 'POST', ...csv(o.manager, fixture('utf8-bom.csv')));
    expect(response.body.result).toMatchObject({
      encoding: 'utf-8',
      delimiter: ',',
      counts: { created: 3, rejected: 0 },
    });
    const byName = Object.fromEntries((await people(o)).map((p: { lastName: string }) => [p.lastName, p]));
    expect(byName.Brown.contactPoints.map((c: { value: string }) => c.value)).toContain('+442079460958');
    expect(byName.Müller).toMatchObject({
      firstName: 'Jürgen',
      country: 'DE',
      company: { name: 'Müller & Söhne GmbH' },
    });
    expect(byName.Müller.contactPoints.map((c: { value: string }) => c.value)).toContain('+493012345678');
    expect(byName.Lee).toMatchObject({ jobTitle: 'VP, Operations', country: 'US' });
  });

  it('maps CRM exports: HubSpot, Pipedrive, SIRENE (tab-separated)', async () => {
    const o = await newOrg(database);
    const hubspot = await call(app, 'POST', ...csv(o.manager, fixture('hubspot-contacts.csv')));
    expect(hubspot.body.result.counts).toMatchObject({ created: 2, rejected: 0 });
    const claire = (await people(o)).find((p: { lastName: string }) => p.lastName === 'Dubois');
    expect(claire).toMatchObject({ externalId: '101', jobTitle: 'Responsable logistique', country: 'FR' });
    const company = (await call(app, 'GET', `/v1/companies/${claire.companyId}`, { key: o.caller })).body;
    expect(company).toMatchObject({
      employeeCount: 250,
      annualRevenue: 12000000,
      industryLabel: 'Transportation',
      domain: 'logistik.fr',
    });

    const pipedrive = await call(app, 'POST', ...csv(o.manager, fixture('pipedrive-people.csv')));
    expect(pipedrive.body.result.counts).toMatchObject({ created: 2, rejected: 0 });
    const sophie = (await people(o)).find((p: { firstName: string }) => p.firstName === 'Sophie');
    expect(sophie).toMatchObject({ lastName: 'GIRARD', company: { name: 'Menuiserie Girard' } });

    const sirene = await call(app, 'POST', ...csv(o.manager, fixture('sirene-etablissements.tsv')));
    expect(sirene.body.result).toMatchObject({
      delimiter: '\t',
      counts: { rows: 2, created: 2, rejected: 0 },
    });
    const companies = (
      await call(app, 'GET', '/v1/companies?registrationId=55208131700026', { key: o.caller })
    ).body.data;
    expect(companies[0]).toMatchObject({
      name: 'DISTRIBUTION MODERNE',
      industryCode: '46.69Z',
      employeeBand: '50-99',
      postalCode: '69002',
    });
  });

  it('refuses a multipart body with two files rather than import one and drop the other', async () => {
    const o = await newOrg(database);
    const form = multipart('Nom;Email\nA;a@x.fr\n');
    form.append('file2', new Blob(['Nom;Email\nB;b@x.fr\n'], { type: 'text/csv' }), 'autre.csv');
    const response = await call(app, 'POST', '/v1/imports', { key: o.manager, body: form });
    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([{ field: 'file', message: 'one file per import' }]);
    expect(await people(o)).toHaveLength(0);
  });

  it('takes a multipart upload with options as form fields, and an explicit mapping', async () => {
    const o = await newOrg(database);
    const file = 'Nom client;Tel direct;Segment;Ne pas importer\nGarage Dupuis;04 76 00 00 00;PME;x\n';
    const response = await call(app, 'POST', '/v1/imports', {
      key: o.manager,
      body: multipart(file, {
        mapping: JSON.stringify({
          'Nom client': 'companyName',
          'Tel direct': 'phone',
          Segment: 'attributes.segment',
          'Ne pas importer': null,
        }),
      }),
    });
    expect(response.status).toBe(200);
    expect(response.body.params.filename).toBe('export.csv');
    expect(response.body.result.columns).toEqual({
      mapped: [
        { column: 'Nom client', field: 'companyName', source: 'mapping' },
        { column: 'Tel direct', field: 'phone', source: 'mapping' },
        { column: 'Segment', field: 'attributes.segment', source: 'mapping' },
      ],
      ignored: [{ column: 'Ne pas importer', reason: 'ignored by the mapping' }],
    });
    const [person] = await people(o);
    expect(person).toMatchObject({ attributes: { segment: 'PME' }, company: { name: 'Garage Dupuis' } });
  });

  it('updates the prospect a row matches by e-mail or phone instead of creating another', async () => {
    const o = await newOrg(database);
    await call(
      app,
      'POST',
      ...csv(o.manager, 'Prénom,Nom,Email,Téléphone\nAnne,Martin,anne@acme.fr,01 23 45 67 89\n'),
    );
    const second = await call(
      app,
      'POST',
      ...csv(o.manager, 'Prénom,Nom,E-mail,Fonction\nAnne,Martin,ANNE@acme.fr,DAF\n'),
    );
    expect(second.body.result.counts).toMatchObject({ created: 0, updated: 1 });
    const third = await call(
      app,
      'POST',
      ...csv(o.manager, 'Nom,Portable,Téléphone\nMartin,06 99 88 77 66,+33123456789\n'),
    );
    expect(third.body.result.counts).toMatchObject({ created: 0, updated: 1 });
    const list = await people(o);
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ firstName: 'Anne', jobTitle: 'DAF' });
    expect(list[0].contactPoints).toHaveLength(3);
  });

  it('does not merge two people because they share a switchboard number', async () => {
    const o = await newOrg(database);
    const file =
      'Prénom,Nom,Téléphone,Email\nAnne,Martin,01 40 00 00 00,anne@acme.fr\nLuc,Bernard,01 40 00 00 00,luc@acme.fr\nAnne,Martin,01 40 00 00 00,\n';
    const response = await call(app, 'POST', ...csv(o.manager, file));
    expect(response.body.result.counts).toMatchObject({ created: 2, updated: 1 });
    const list = await people(o);
    expect(list).toHaveLength(2);
    for (const person of list)
      expect(person.contactPoints.find((c: { channel: string }) => c.channel === 'phone').sharedWith).toBe(1);
  });

  it('gives people without a country their phone’s, never over a stored one, and counts an identical re-import as unchanged', async () => {
    const o = await newOrg(database);
    const file =
      'Prénom;Nom;Portable;E-mail\nJulie;Morel;06 11 22 33 44;julie@morel.fr\nTom;Hart;+44 20 7946 0958;tom@hart.co.uk\nZoé;Lenoir;;zoe@lenoir.fr\n';
    const first = await call(app, 'POST', ...csv(o.manager, file));
    expect(first.body.result.counts).toMatchObject({ created: 3 });
    const countries = async () =>
      Object.fromEntries(
        (await people(o)).map((p: { lastName: string; country: string | null; updatedAt: string }) => [
          p.lastName,
          [p.country, p.updatedAt],
        ]),
      );
    const before = await countries();
    expect(Object.fromEntries(Object.entries(before).map(([k, v]) => [k, v[0]]))).toEqual({
      Morel: 'FR',
      Hart: 'GB',
      Lenoir: null,
    });
    const again = await call(app, 'POST', ...csv(o.manager, file));
    expect(again.body.result.counts).toMatchObject({ created: 0, updated: 0, unchanged: 3 });
    expect(await countries()).toEqual(before);
    // A country given once stays: a later file without one does not guess over it.
    await call(app, 'POST', ...csv(o.manager, 'E-mail;Pays\njulie@morel.fr;Belgique\n'));
    await call(app, 'POST', ...csv(o.manager, file));
    expect((await countries()).Morel[0]).toBe('BE');
  });

  it('knows a person with no CRM id, e-mail or phone by their names at their company (a LinkedIn export sent twice)', async () => {
    const o = await newOrg(database);
    const file =
      'First Name,Last Name,URL,Email Address,Company,Position,Connected On\nNadia,Haddad,https://www.linkedin.com/in/nadia-haddad,,Acme SAS,Acheteuse,12 Nov 2026\nNadia,Haddad,https://www.linkedin.com/in/nadia-h,,Autre SA,Comptable,12 Nov 2026\n';
    expect((await call(app, 'POST', ...csv(o.manager, file))).body.result.counts).toMatchObject({
      created: 2,
    });
    const again = await call(app, 'POST', ...csv(o.manager, file.replace('Acheteuse', 'Responsable achats')));
    expect(again.body.result.counts).toMatchObject({ created: 0, updated: 1, unchanged: 1 });
    const list = await people(o);
    expect(list.map((p: { jobTitle: string }) => p.jobTitle).sort()).toEqual([
      'Comptable',
      'Responsable achats',
    ]);
    // Two of those names at the company already: the row cannot say which, and is refused, not added.
    await call(
      app,
      'POST',
      ...csv(
        o.manager,
        // Stored in France: the LinkedIn rows, which name no country, find the company by its name.
        'Prénom;Nom;Société;Pays;Téléphone\nLuc;Bernard;Transports Faure;France;04 78 00 00 01\nLuc;Bernard;Transports Faure;France;04 78 00 00 02\n',
      ),
    );
    const linkedIn = 'First Name,Last Name,Company,Position\nLuc,Bernard,Transports Faure,Exploitant\n';
    for (let i = 0; i < 2; i++) {
      const sent = await call(app, 'POST', ...csv(o.manager, linkedIn));
      expect(sent.body.result.counts).toMatchObject({ created: 0, rejected: 1 });
      expect(sent.body.result.rejected[0].message).toBe(
        'line 2: 2 people named Luc Bernard at Transports Faure already, and the row names none of them: add an e-mail, a phone or a CRM id',
      );
    }
    expect((await people(o)).filter((p: { lastName: string }) => p.lastName === 'Bernard')).toHaveLength(2);
  });

  it('knows a person by their names at their company with accents and case aside, either way round', async () => {
    const o = await newOrg(database);
    const stored = (first: string, last: string, company: string, email: string) =>
      `Prénom;Nom;Société;Pays;E-mail\n${first};${last};${company};France;${email}\n`;
    const linkedIn = (first: string, last: string, company: string) =>
      `First Name,Last Name,Company,Position\n${first},${last},${company},Gérant\n`;
    await call(
      app,
      'POST',
      ...csv(o.manager, stored('François', 'Lévêque', 'Boulangerie Châtelet SARL', 'fl@chatelet.fr')),
    );
    const plain = await call(
      app,
      'POST',
      ...csv(o.manager, linkedIn('Francois', 'LEVEQUE', 'Boulangerie Chatelet')),
    );
    expect(plain.body.result.counts).toMatchObject({ created: 0, updated: 1, companiesCreated: 0 });
    await call(app, 'POST', ...csv(o.manager, stored('Rene', 'Lefevre', 'Fromagerie Dupre', 'rl@dupre.fr')));
    const accented = await call(
      app,
      'POST',
      ...csv(o.manager, linkedIn('René', 'Lefèvre', 'Fromagerie Dupré')),
    );
    expect(accented.body.result.counts).toMatchObject({ created: 0, updated: 1, companiesCreated: 0 });
    const list = await people(o);
    expect(list).toHaveLength(2);
    expect(list.map((p: { jobTitle: string }) => p.jobTitle)).toEqual(['Gérant', 'Gérant']);
  });

  it('updates, not duplicates, people first imported with their whole name as the last name', async () => {
    const o = await newOrg(database);
    const file = 'Nom;E-mail;Téléphone\nPaul Lefèvre;paul@lefevre.fr;01 44 55 66 01 poste 123\n';
    await call(app, 'POST', ...csv(o.manager, file));
    const fixed = await call(
      app,
      'POST',
      ...csv(o.manager, file, `mapping=${encodeURIComponent('{"Nom":"fullName"}')}`),
    );
    expect(fixed.body.result.counts).toMatchObject({ created: 0, updated: 1 });
    const [person] = await people(o);
    expect(person).toMatchObject({ firstName: 'Paul', lastName: 'Lefèvre' });
    const detail = await call(app, 'GET', `/v1/prospects/${person.id}`, { key: o.caller });
    expect(detail.body.contactPoints.find((c: { channel: string }) => c.channel === 'phone')).toMatchObject({
      value: '+33144556601',
      label: 'Téléphone (ext. 123)',
    });
  });

  it("refuses a row that is only a name, as a report footer's company line is", async () => {
    const o = await newOrg(database);
    const file = [
      '"First Name","Last Name","Account Name","Phone","Email"',
      '"Rémi","Gaillard","Cirque Pinder","05 61 11 22 33","remi@pinder.fr"',
      '""',
      '"Pinder Holding"',
      '"Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved."',
      '"Generated By:","Marie Curie","30/11/2026 09:12"',
      '"Pinder Holding"',
    ].join('\r\n');
    const response = await call(app, 'POST', ...csv(o.manager, `${file}\r\n`));
    expect(response.body.result.counts).toMatchObject({ created: 1, companiesCreated: 1, rejected: 1 });
    expect(response.body.result.rejected[0].message).toBe(
      'line 4: only a name ("Pinder Holding"): nothing to reach or place this person by (no e-mail, phone, company or CRM id)',
    );
  });

  it('refuses a cell longer than the API takes for its field, naming line, field and column', async () => {
    const o = await newOrg(database);
    const pasted = 'x'.repeat(5000);
    const file = [
      'Prénom;Nom;Fonction;E-mail;Note client',
      `Anne;Martin;${pasted};anne@m.fr;ok`,
      `Paul;Durand;Acheteur;paul@d.fr;${'y'.repeat(10_001)}`,
      'Lise;Petit;Acheteuse;lise@p.fr;fidèle',
    ].join('\n');
    const response = await call(app, 'POST', ...csv(o.manager, `${file}\n`, 'keepUnmapped=true'));
    expect(response.body.result.counts).toMatchObject({ created: 1, rejected: 2 });
    expect(response.body.result.rejected).toEqual([
      {
        line: 2,
        field: 'jobTitle',
        message: 'line 2: jobTitle ("Fonction") is 5,000 characters long, at most 200',
      },
      {
        line: 3,
        field: 'attributes.note_client',
        message: 'line 3: attributes.note_client ("Note client") is 10,001 characters long, at most 10,000',
      },
    ]);
    expect((await people(o)).map((p: { lastName: string }) => p.lastName)).toEqual(['Petit']);
  });

  it('finds the header below a title line, and its delimiter', async () => {
    const o = await newOrg(database);
    const file =
      'Export des contacts du 30/11/2026\n\nPrénom;Nom;E-mail;Société\nAnne;Roy;anne@roy.fr;Roy SA\nLuc;Blanc;luc@blanc.fr;Blanc SARL\n';
    const response = await call(app, 'POST', ...csv(o.manager, file));
    expect(response.status).toBe(200);
    expect(response.body.result).toMatchObject({
      delimiter: ';',
      header: ['Prénom', 'Nom', 'E-mail', 'Société'],
      counts: { created: 2, rejected: 0 },
      warnings: ['line 3 is the header: the 2 lines above it (a title?) left out'],
    });
  });

  it('rescores the people of a company an import changes, and counts a company left as it was as unchanged', async () => {
    const o = await newOrg(database);
    const row = (headcount: number) =>
      `Prénom;Nom;E-mail;Société;Effectif\nAnne;Roy;anne@roy.fr;Roy SA;${headcount}\n`;
    await call(app, 'POST', '/v1/campaigns', { key: o.marketer, json: { name: 'Tailles' } });
    await call(app, 'POST', ...csv(o.manager, row(10)));
    const queued = async () =>
      (
        await queryRows<{ n: number }>(
          database.db,
          sql`SELECT count(*)::int AS n FROM score_queue WHERE org_id = ${o.orgId}`,
        )
      )[0]!.n;
    await database.db.execute(sql`DELETE FROM score_queue WHERE org_id = ${o.orgId}`);
    const same = await call(app, 'POST', ...csv(o.manager, row(10)));
    expect(same.body.result.counts).toMatchObject({ unchanged: 1, companiesUpdated: 0 });
    expect(await queued()).toBe(0);
    await database.db.execute(sql`DELETE FROM score_queue WHERE org_id = ${o.orgId}`);
    const bigger = await call(app, 'POST', ...csv(o.manager, row(500)));
    expect(bigger.body.result.counts).toMatchObject({ unchanged: 1, companiesUpdated: 1 });
    expect(await queued()).toBe(1);
  });

  it("leaves out a Salesforce report's footer, saying where it starts", async () => {
    const o = await newOrg(database);
    const file = [
      '"First Name","Last Name","Account Name","Email","Mobile"',
      '"Jane","Roe","Acme SAS","jane.roe@acme.example","06 12 34 56 01"',
      '"John","Doe","Acme SAS","john.doe@acme.example","06 12 34 56 02"',
      '',
      '"Generated By:","Jane Doe"',
      '"Tiède Inc."',
      '"Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved."',
      '"Confidential Information - Do Not Distribute"',
    ].join('\r\n');
    const response = await call(app, 'POST', ...csv(o.manager, `${file}\r\n`));
    expect(response.body.result.counts).toMatchObject({ created: 2, companiesCreated: 1, rejected: 0 });
    expect(response.body.result.warnings).toEqual([
      'line 5: "Generated By:" starts the report\'s footer; it and the short lines after it were left out',
    ]);
    expect((await people(o)).map((p: { lastName: string }) => p.lastName).sort()).toEqual(['Doe', 'Roe']);
  });

  it("leaves out a Salesforce report's summary line, naming it, as well as its footer", async () => {
    const o = await newOrg(database);
    const file = [
      '"Contacts par compte"',
      '"Nom complet","Compte","Téléphone","SIRET"',
      '"Anne Roy","Roy SA","01 23 45 67 01","552 081 317 00026"',
      '"Luc Blanc","Roy SA","01 23 45 67 02","552 081 317 00026"',
      '',
      '"Total",2',
      '',
      '"Généré par : Marie Curie","30/11/2026 09:12"',
      '"Copyright (c) 2000-2026 salesforce.com, inc. Tous droits réservés."',
    ].join('\r\n');
    const response = await call(app, 'POST', ...csv(o.manager, `${file}\r\n`));
    expect(response.body.result.counts).toMatchObject({ created: 2, companiesCreated: 1, rejected: 0 });
    expect(response.body.result.warnings).toEqual(
      expect.arrayContaining([
        'line 6: "Total" is a report\'s summary line, not a record; left out',
        'line 8: "Généré par : Marie Curie" starts the report\'s footer; it and the short lines after it were left out',
      ]),
    );
    expect((await people(o)).map((p: { lastName: string }) => p.lastName).sort()).toEqual(['Blanc', 'Roy']);
  });

  it('never merges records with different CRM ids, nor names that differ by a digit', async () => {
    const o = await newOrg(database);
    const first = [
      'External ID;Prénom;Nom;Portable;Email',
      'MRG-5;Jean;Martin;06 98 76 54 05;jean.martin@mrg.fr',
      'MRG-6;Jean;Martin;06 98 76 54 05;jm@autre.fr',
      'MRG-7;;;06 98 76 54 05;compta@mrg.fr',
    ].join('\n');
    expect((await call(app, 'POST', ...csv(o.manager, `${first}\n`))).body.result.counts).toMatchObject({
      created: 3,
      updated: 0,
    });
    // Across files too: a row with another CRM id and the same e-mail is someone else at that address.
    const second =
      'External ID;Prénom;Nom;Email\nMRG-8;;;jean.martin@mrg.fr\nMRG-5;Jean;Martin;jean.martin@mrg.fr\n';
    expect((await call(app, 'POST', ...csv(o.manager, second))).body.result.counts).toMatchObject({
      created: 1,
      unchanged: 1,
    });
    for (const id of ['MRG-5', 'MRG-6', 'MRG-7', 'MRG-8']) {
      const found = await call(app, 'GET', `/v1/prospects?externalId=${id}`, { key: o.caller });
      expect([id, found.body.data.length]).toEqual([id, 1]);
    }
    const numbered = 'Prénom;Nom;Téléphone\nUser7;Test7;01 45 00 00 07\nUser8;Test8;01 45 00 00 07\n';
    expect((await call(app, 'POST', ...csv(o.manager, numbered))).body.result.counts).toMatchObject({
      created: 2,
    });
  });

  it('does not rename the person of a shared mailbox after another who writes from it', async () => {
    const o = await newOrg(database);
    await call(app, 'POST', ...csv(o.manager, 'Prénom;Nom;E-mail\nHélène;Marchand;standard@roux.fr\n'));
    const other = await call(
      app,
      'POST',
      ...csv(o.manager, 'Prénom;Nom;E-mail;Fonction\nKarim;Benz;standard@roux.fr;Comptable\n'),
    );
    expect(other.body.result.counts).toMatchObject({ created: 1, updated: 0 });
    const same = await call(
      app,
      'POST',
      ...csv(o.manager, 'Prénom;Nom;E-mail;Fonction\nHelene;MARCHAND;standard@roux.fr;Gérante\n'),
    );
    expect(same.body.result.counts).toMatchObject({ created: 0, updated: 1 });
    const byName = Object.fromEntries(
      (await people(o)).map((p: { lastName: string; jobTitle: string | null }) => [p.lastName, p.jobTitle]),
    );
    expect(byName).toEqual({ MARCHAND: 'Gérante', Benz: 'Comptable' });
  });

  it('finds a company written with or without its SIREN or country, instead of making a second', async () => {
    const o = await newOrg(database);
    const companies = async () =>
      (await call(app, 'GET', '/v1/companies?limit=100', { key: o.caller })).body.data.map(
        (c: { name: string; registrationId: string | null; country: string | null }) =>
          `${c.name}|${c.registrationId ?? ''}|${c.country ?? ''}`,
      );
    // Named first without a SIREN, then with one: the same company, which takes the SIREN.
    await call(app, 'POST', ...csv(o.manager, 'Société;Nom;E-mail\nSirenCo;Roy;roy@sirenco.fr\n'));
    await call(
      app,
      'POST',
      ...csv(o.manager, 'Société;SIREN;Nom;E-mail\nSirenCo SAS;732829320;Blanc;blanc@sirenco.fr\n'),
    );
    // A SIREN's company is French, the row saying nothing of its country.
    expect(await companies()).toEqual(['SirenCo SAS|732829320|FR']);
    // Then by its name alone, in a file with a country: still that one.
    await call(
      app,
      'POST',
      ...csv(o.manager, 'Société;Pays;Nom;E-mail\nSIRENCO;France;Vidal;vidal@sirenco.fr\n'),
    );
    expect(await companies()).toEqual(['SIRENCO|732829320|FR']);
    const staff = (await call(app, 'GET', '/v1/prospects?limit=100', { key: o.caller })).body.data;
    expect(new Set(staff.map((p: { company: { id: string } }) => p.company.id)).size).toBe(1);
    // In one batch, a row by the old key and a row bringing the SIREN: still one company.
    await call(app, 'POST', ...csv(o.manager, 'Société;Pays;Nom;E-mail\nBlanc;France;A;a@blanc.fr\n'));
    await call(
      app,
      'POST',
      ...csv(
        o.manager,
        'Société;Pays;SIREN;Nom;E-mail\nBlanc;France;;B;b@blanc.fr\nBlanc SAS;France;552081317;C;c@blanc.fr\nBlanc;;;D;d@blanc.fr\n',
      ),
    );
    expect((await companies()).filter((c: string) => c.toLowerCase().startsWith('blanc'))).toEqual([
      'Blanc|552081317|FR',
    ]);
    // New in one file, named once with a country and once without: one company.
    await call(
      app,
      'POST',
      ...csv(o.manager, 'Société;Pays;Nom;E-mail\nJaune;France;E;e@jaune.fr\nJaune;;F;f@jaune.fr\n'),
    );
    expect((await companies()).filter((c: string) => c.startsWith('Jaune'))).toEqual(['Jaune||FR']);
    // Two of that name in two countries: a row that names neither country cannot say which.
    await call(
      app,
      'POST',
      ...csv(
        o.manager,
        'Société;Pays;Nom;E-mail\nDupont;France;A;a@dupont.fr\nDupont;Allemagne;B;b@dupont.de\n',
      ),
    );
    await call(app, 'POST', ...csv(o.manager, 'Société;Nom;E-mail\nDupont;C;c@dupont.com\n'));
    expect((await companies()).filter((c: string) => c.startsWith('Dupont')).sort()).toEqual([
      'Dupont||',
      'Dupont||DE',
      'Dupont||FR',
    ]);
  });

  it('gives companies stored before name keys theirs at start-up, so that rows find them by name', async () => {
    const o = await newOrg(database);
    await database.db.execute(
      sql`INSERT INTO companies (org_id, id, name, registration_id, registration_scheme, dedupe_key, attributes)
          VALUES (${o.orgId}, '01a22709-4079-7007-93dc-3ad69c466001', 'SirenCo S.A.S.', '732829320', 'SIREN',
                  'reg:SIREN:732829320', '{}')`,
    );
    await migrate(database);
    const [row] = await queryRows<{ name_key: string }>(
      database.db,
      sql`SELECT name_key FROM companies WHERE id = '01a22709-4079-7007-93dc-3ad69c466001'`,
    );
    expect(row!.name_key).toBe('sirenco');
    await call(app, 'POST', ...csv(o.manager, 'Société;Nom;E-mail\nSirenCo;Roy;roy@sirenco.fr\n'));
    const companies = await call(app, 'GET', '/v1/companies?limit=10', { key: o.caller });
    expect(companies.body.data.map((c: { registrationId: string }) => c.registrationId)).toEqual([
      '732829320',
    ]);
  });

  it('in atomic mode imports nothing when a row is bad, and reports every bad row at once', async () => {
    const o = await newOrg(database);
    const file =
      'Nom,Email,Téléphone\nA,a@x.fr,01 23 45 67 89\nB,not-an-email,\nC,c@x.fr,+33 1 23\nD,d@x.fr,\n';
    const response = await call(app, 'POST', ...csv(o.manager, file, 'mode=atomic'));
    expect(response.status).toBe(422);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(response.body.errors).toEqual([
      { line: 3, field: 'email', message: 'line 3: e-mail "not-an-email" is not an e-mail address' },
      { line: 4, field: 'phone', message: 'line 4: phone "+33 1 23" is not a valid number for FR' },
    ]);
    expect(response.body.counts).toMatchObject({ rows: 4, rejected: 2, created: 0 });
    expect(await people(o)).toEqual([]);
    const job = await call(app, 'GET', `/v1/jobs/${response.body.jobId}`, { key: o.caller });
    expect(job.body).toMatchObject({ status: 'failed', error: { code: 'ROWS_REJECTED' } });
    const good = await call(app, 'POST', ...csv(o.manager, 'Nom,Email\nA,a@x.fr\nD,d@x.fr\n', 'mode=atomic'));
    expect(good.body.result.counts).toMatchObject({ created: 2 });
  });

  it('in partial mode keeps the good rows and lists the rejected ones, downloadable as CSV to fix and resend', async () => {
    const o = await newOrg(database);
    const file = 'Nom;Email;Téléphone\nA;a@x.fr;01 23 45 67 89\nB;b@x;\nC;c@x.fr;+33 1 23\n';
    const response = await call(app, 'POST', ...csv(o.manager, file));
    expect(response.body.result.counts).toMatchObject({ rows: 3, created: 1, rejected: 2 });
    const page = await call(app, 'GET', `/v1/jobs/${response.body.id}/rejections`, { key: o.caller });
    expect(page.body.data).toEqual([
      {
        line: 3,
        field: 'email',
        message: 'line 3: e-mail "b@x" is not a valid e-mail address',
        raw: ['B', 'b@x', ''],
      },
      {
        line: 4,
        field: 'phone',
        message: 'line 4: phone "+33 1 23" is not a valid number for FR',
        raw: ['C', 'c@x.fr', '+33 1 23'],
      },
    ]);
    const asCsv = await call(app, 'GET', `/v1/jobs/${response.body.id}/rejections`, {
      key: o.caller,
      headers: { accept: 'text/csv' },
    });
    expect(asCsv.headers.get('content-type')).toContain('text/csv');
    expect(asCsv.body).toBe(
      [
        'error;Nom;Email;Téléphone',
        '"line 3: e-mail ""b@x"" is not a valid e-mail address";B;b@x;',
        '"line 4: phone ""+33 1 23"" is not a valid number for FR";C;c@x.fr;+33 1 23',
        '',
      ].join('\r\n'),
    );
    // A byte-order mark first, so that Excel opens the accents right.
    const raw = await app.request(`/v1/jobs/${response.body.id}/rejections`, {
      headers: { authorization: `Bearer ${o.caller}`, accept: 'text/csv' },
    });
    expect([...new Uint8Array(await raw.arrayBuffer()).subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  });

  it('answers clearly for an empty file, a header-only file, a binary file and a file it cannot map', async () => {
    const empty = await call(app, 'POST', ...csv(org.manager, ''));
    expect(empty.status).toBe(422);
    expect(empty.body.detail).toBe('the file is empty');

    const headerOnly = await call(app, 'POST', ...csv(org.manager, 'Nom;Email\r\n'));
    expect(headerOnly.status).toBe(200);
    expect(headerOnly.body.result.counts).toMatchObject({ rows: 0, created: 0 });

    const xlsx = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(200, 7)]);
    const binary = await call(app, 'POST', ...csv(org.manager, xlsx));
    expect(binary.status).toBe(422);
    expect(binary.body.detail).toContain('Excel workbook');
    const png = await call(
      app,
      'POST',
      ...csv(org.manager, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0x0d, 1, 2, 3])),
    );
    expect(png.body.detail).toContain('binary');

    const unmapped = await call(app, 'POST', ...csv(org.manager, 'Colonne A;Colonne B\n1;2\n'));
    expect(unmapped.status).toBe(422);
    expect(unmapped.body.detail).toContain('no column gives a name, a company, an e-mail or a phone');
    const noHeader = await call(
      app,
      'POST',
      ...csv(org.manager, 'anne@acme.fr;01 23 45 67 89\nluc@acme.fr;01 23 45 67 88\n'),
    );
    expect(noHeader.body.detail).toContain('looks like data');
  });

  it('refuses bad options and bad mappings with the field at fault, and JSON bodies with 415', async () => {
    const options = await call(
      app,
      'POST',
      ...csv(org.manager, 'Nom\nA\n', 'mode=sometimes&defaultCountry=France'),
    );
    expect(options.status).toBe(400);
    expect(options.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'defaultCountry',
      'mode',
    ]);
    // A misspelt option is a mistake to say, not a default to use in silence.
    const misspelt = await call(app, 'POST', ...csv(org.manager, 'Nom\nA\n', 'targt=interactions&Target=x'));
    expect(misspelt.status).toBe(400);
    expect(JSON.stringify(misspelt.body.errors)).toMatch(/targt.*Target|Target.*targt/);
    // A code that names no country, a zone that does not exist: said up front, not a 500 or every row rejected.
    const unknown = await call(
      app,
      'POST',
      ...csv(org.manager, 'Nom\nA\n', 'target=interactions&defaultCountry=XX&timeZone=Mars/Olympus'),
    );
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors).toEqual([
      { field: 'defaultCountry', message: 'names no country (e.g. FR, GB, US)' },
      { field: 'timeZone', message: '"Mars/Olympus" is not a time zone (e.g. Europe/Paris)' },
    ]);
    const mapping = await call(
      app,
      'POST',
      ...csv(org.manager, 'Nom\nA\n', `mapping=${encodeURIComponent('{"Fax":"phone"}')}`),
    );
    expect(mapping.status).toBe(400);
    expect(mapping.body.errors[0]).toMatchObject({ field: 'mapping.Fax' });
    const json = await call(app, 'POST', '/v1/imports', { key: org.manager, json: { rows: [] } });
    expect(json.status).toBe(415);
    const tooLarge = testApp(database, { MAX_UPLOAD_BYTES: 100 });
    expect((await call(tooLarge, 'POST', ...csv(org.manager, `Nom\n${'A\n'.repeat(100)}`))).status).toBe(413);
  });

  it('reports a quote left open with its line, keeping the rows before it in partial mode', async () => {
    const o = await newOrg(database);
    const response = await call(app, 'POST', ...csv(o.manager, 'Nom,Email\nA,a@x.fr\nB,"b@x.fr\nC,c@x.fr\n'));
    expect(response.status).toBe(422);
    expect(response.body.detail).toBe('line 3: a quoted field is never closed (a quote is missing)');
  });

  it('lets only the roles that own lists import prospects', async () => {
    for (const key of [org.caller, org.marketer]) {
      expect((await call(app, 'POST', ...csv(key, 'Nom\nA\n'))).status).toBe(403);
    }
    expect((await call(app, 'POST', ...csv(org.caller, 'x\n', 'target=interactions'))).status).toBe(403);
  });

  it('imports nothing twice for a repeated Idempotency-Key, and refuses the key for another request', async () => {
    const o = await newOrg(database);
    const file = 'Nom,Email\nA,a@x.fr\nB,b@x.fr\n';
    const first = await call(app, 'POST', ...csv(o.manager, file, '', { 'idempotency-key': 'upload-42' }));
    const again = await call(app, 'POST', ...csv(o.manager, file, '', { 'idempotency-key': 'upload-42' }));
    expect(again.status).toBe(200);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body.id).toBe(first.body.id);
    expect(await people(o)).toHaveLength(2);
    const other = await call(
      app,
      'POST',
      ...csv(o.manager, file, 'mode=atomic', { 'idempotency-key': 'upload-42' }),
    );
    expect(other.status).toBe(422);
    const jobs = await call(app, 'GET', '/v1/jobs?kind=import', { key: o.caller });
    expect(jobs.body.data).toHaveLength(1);
    // A multipart upload tried again: the client draws a new boundary, the key still replays.
    const form = () => ({
      key: o.manager,
      body: multipart(file, { mode: 'partial' }),
      headers: { 'idempotency-key': 'form-7' },
    });
    const sent = await call(app, 'POST', '/v1/imports', form());
    const resent = await call(app, 'POST', '/v1/imports', form());
    expect([sent.status, resent.status]).toEqual([200, 200]);
    expect(resent.headers.get('idempotent-replayed')).toBe('true');
    expect(resent.body.id).toBe(sent.body.id);
  });

  it('reads a file of two exports pasted together, one UTF-8 and one Windows-1252, accents and all', async () => {
    const o = await newOrg(database);
    const utf8 = Buffer.from(
      `Prénom;Nom;E-mail\r\n${[0, 1, 2, 3, 4].map((i) => `Élodie${i};Mixé;mix${i}@mix.fr\r\n`).join('')}`,
      'utf8',
    );
    const latin1 = Buffer.from('Zoé;Mélangé;zoe@mix.fr\r\n', 'latin1');
    const response = await call(app, 'POST', ...csv(o.manager, Buffer.concat([utf8, latin1])));
    expect(response.body.result).toMatchObject({ encoding: 'utf-8+windows-1252', counts: { created: 6 } });
    expect(response.body.result.warnings).toEqual([
      expect.stringMatching(/^the file is UTF-8 with some characters in Windows-1252/),
    ]);
    // Mostly Windows-1252, with a UTF-8 line pasted in.
    const other = await newOrg(database);
    const french = Buffer.concat([
      Buffer.from('Prénom;Nom;E-mail\r\nZoé;Mélangé;zoe@mix.fr\r\nAnaïs;Bézier;anais@mix.fr\r\n', 'latin1'),
      Buffer.from('Hélène;Lefèvre;helene@mix.fr\r\n', 'utf8'),
    ]);
    const again = await call(app, 'POST', ...csv(other.manager, french));
    expect(again.body.result.encoding).toBe('windows-1252+utf-8');
    const names = (await people(other)).map((p: { firstName: string; lastName: string }) =>
      [p.firstName, p.lastName].join(' '),
    );
    expect(names.sort()).toEqual(['Anaïs Bézier', 'Hélène Lefèvre', 'Zoé Mélangé']);
    const mixed = (await people(o)).map((p: { lastName: string }) => p.lastName);
    expect(mixed).toContain('Mélangé');
    expect(mixed.filter((n: string) => n.includes('\uFFFD'))).toEqual([]);
  });

  /**
   * Imports people (`Prénom;Nom;E-mail;Téléphone` lines), checks they were all created, then imports events
   * about them (`Date;Type;E-mail;Téléphone` lines); returns the events' import.
   */
  async function peopleThenEvents(o: TestOrg, persons: string[], events: string[]) {
    const file = (header: string, lines: string[]) => `${[header, ...lines].join('\n')}\n`;
    const created = await call(app, 'POST', ...csv(o.manager, file('Prénom;Nom;E-mail;Téléphone', persons)));
    expect(created.body.result.counts).toMatchObject({ created: persons.length });
    return call(
      app,
      'POST',
      ...csv(o.marketer, file('Date;Type;E-mail;Téléphone', events), 'target=interactions'),
    );
  }

  it('places an event by its phone when its e-mail is unknown, and never on one of several sharing a number', async () => {
    const o = await newOrg(database);
    const imported = await peopleThenEvents(
      o,
      [
        'Jérôme;Lefèvre;jerome@boulangerie.fr;04 72 00 00 01',
        'Paul;Martin;paul@standard.fr;01 23 45 67 89',
        'Lucie;Martin;lucie@standard.fr;01 23 45 67 89',
      ],
      [
        '05/02/2026 11:00;note;nouvelle.adresse@boulangerie.fr;04 72 00 00 01',
        '06/02/2026 08:00;Appel;;01 23 45 67 89',
        '06/02/2026 09:00;Appel;lucie@standard.fr;01 23 45 67 89',
      ],
    );
    expect(imported.body.result.counts).toMatchObject({ rows: 3, created: 2, rejected: 1 });
    expect(imported.body.result.rejected).toEqual([
      {
        line: 3,
        message:
          'line 3: phone 01 23 45 67 89 is shared by 2 prospects; name the person by e-mail, CRM id or id',
      },
    ]);
    const typesOf = async (lastName: string, firstName: string) => {
      const person = (await people(o)).find(
        (p: { lastName: string; firstName: string }) => p.lastName === lastName && p.firstName === firstName,
      );
      const detail = await call(app, 'GET', `/v1/prospects/${person.id}`, { key: o.caller });
      return detail.body.latestInteractions.map((i: { type: string }) => i.type);
    };
    expect(await typesOf('Lefèvre', 'Jérôme')).toEqual(['note']);
    expect(await typesOf('Martin', 'Lucie')).toHaveLength(1);
    expect(await typesOf('Martin', 'Paul')).toEqual([]);
  });

  it('rejects an event whose references name two people, and links an event only to a contact point its channel uses', async () => {
    const o = await newOrg(database);
    const imported = await peopleThenEvents(
      o,
      ['Jonas;Weber;jonas@exemple.de;+49 30 1234567', 'Lena;Bauer;lena@exemple.de;+49 89 1234567'],
      [
        '05/02/2026 11:00;email_sent;jonas@exemple.de;+49 89 1234567',
        '06/02/2026 08:00;call_attempted;lena@exemple.de;',
        '06/02/2026 09:00;call_attempted;jonas@exemple.de;+49 30 1234567',
      ],
    );
    expect(imported.body.result.counts).toMatchObject({ rows: 3, created: 2, rejected: 1 });
    expect(imported.body.result.rejected).toEqual([
      {
        line: 2,
        message: 'line 2: e-mail jonas@exemple.de and phone +49 89 1234567 are two different prospects',
      },
    ]);
    const calls = await call(app, 'GET', '/v1/interactions?type=call_attempted', { key: o.caller });
    const byPoint = Object.fromEntries(
      calls.body.data.map((i: { occurredAt: string; contactPointId: string | null }) => [
        i.occurredAt.slice(11, 13),
        i.contactPointId !== null,
      ]),
    );
    // Lena's call found by her e-mail is hers, by no contact point; Jonas's is linked to his number.
    expect(byPoint).toEqual({ '07': false, '08': true });
  });

  it('warns once when a file of month-first dates is read day first, and reads it right with dateOrder=mdy', async () => {
    const o = await newOrg(database);
    await call(app, 'POST', ...csv(o.manager, 'Prénom;Nom;E-mail\nAnne;Roy;anne@roy.fr\n'));
    const events = [
      'Date,Type,E-mail',
      '03/04/2026,email_sent,anne@roy.fr',
      '10/31/2026,email_opened,anne@roy.fr',
      '11/30/2026,email_clicked,anne@roy.fr',
    ].join('\n');
    const dayFirst = await call(app, 'POST', ...csv(o.marketer, `${events}\n`, 'target=interactions'));
    expect(dayFirst.body.result.counts).toMatchObject({ created: 3 });
    expect(dayFirst.body.result.warningCount).toBe(1);
    expect(dayFirst.body.result.warnings).toEqual([
      expect.stringMatching(/^line 3: date "10\/31\/2026" .*import it again with dateOrder "mdy"$/),
    ]);
    const other = await newOrg(database);
    await call(app, 'POST', ...csv(other.manager, 'Prénom;Nom;E-mail\nAnne;Roy;anne@roy.fr\n'));
    const monthFirst = await call(
      app,
      'POST',
      ...csv(other.marketer, `${events}\n`, 'target=interactions&dateOrder=mdy'),
    );
    expect(monthFirst.body.result.warningCount).toBe(0);
    // Without event ids, a file sent again records nothing twice: events are known by what they say.
    const again = await call(
      app,
      'POST',
      ...csv(other.marketer, `${events}\n`, 'target=interactions&dateOrder=mdy'),
    );
    expect(again.body.result.counts).toMatchObject({ created: 0, duplicates: 3 });
    const anne = (await people(other))[0];
    const detail = await call(app, 'GET', `/v1/prospects/${anne.id}`, { key: other.caller });
    expect(
      detail.body.latestInteractions.map((i: { occurredAt: string }) => i.occurredAt.slice(0, 10)),
    ).toEqual(['2026-11-29', '2026-10-30', '2026-03-03']);
    // Identical lines in one file are events that happened that many times.
    const calls =
      'Date,Type,E-mail,Résultat\n03/04/2026,call_attempted,anne@roy.fr,no answer\n03/04/2026,call_attempted,anne@roy.fr,no answer\n';
    const twice = () => call(app, 'POST', ...csv(other.marketer, calls, 'target=interactions&dateOrder=mdy'));
    expect((await twice()).body.result.counts).toMatchObject({ created: 2, duplicates: 0 });
    expect((await twice()).body.result.counts).toMatchObject({ created: 0, duplicates: 2 });
  });

  it('keeps a stop about a number or address nobody holds as a suppression of it', async () => {
    const o = await newOrg(database);
    await call(app, 'POST', ...csv(o.manager, 'Prénom;Nom;Téléphone\nAnne;Roy;01 42 68 53 00\n'));
    const file = [
      'Date;Téléphone;E-mail;Type;Canal;Résultat',
      '20/11/2026 09:00;06 12 34 56 78;;Appel;;Ne plus appeler',
      '20/11/2026 09:05;;zoe@exemple.fr;Désinscription;;',
      '20/11/2026 09:10;06 98 76 54 32;;Appel;;Pas de réponse',
      '20/11/2026 09:15;01 42 68 53 00;;Appel;;Ne plus appeler',
      '20/11/2026 09:20;06 11 22 33 44;;Plainte;;',
      '20/11/2026 09:25;06 55 66 77 88;;Désinscription;email;',
    ].join('\n');
    const response = await call(app, 'POST', ...csv(o.marketer, `${file}\n`, 'target=interactions'));
    expect(response.status).toBe(200);
    expect(response.body.result.counts).toMatchObject({ rows: 6, created: 1, suppressed: 3, rejected: 2 });
    expect(response.body.result.rejected.map((r: { message: string }) => r.message)).toEqual([
      'line 4: no prospect has phone 06 98 76 54 32',
      'line 7: no prospect has phone 06 55 66 77 88',
    ]);
    const entries = (await call(app, 'GET', '/v1/suppressions', { key: o.manager })).body.data;
    const unheld = entries
      .filter((e: { source: string }) => e.source.startsWith('import '))
      .map((e: { scope: string; channel: string; reason: string; source: string }) => [
        e.source.replace(/^import \S+ /, ''),
        e.scope,
        e.channel,
        e.reason,
      ])
      .sort();
    expect(unheld).toEqual([
      ['line 2', 'contact_point', 'phone', 'opted out'],
      ['line 3', 'contact_point', 'email', 'opted out'],
      ['line 6', 'contact_point', 'all', 'complained'],
    ]);
    const check = (value: string) =>
      call(app, 'GET', `/v1/suppressions/check?value=${encodeURIComponent(value)}`, { key: o.manager });
    expect((await check('0612345678')).body.suppressed).toBe(true);
    expect((await check('zoe@exemple.fr')).body.suppressed).toBe(true);
    expect((await check('0698765432')).body.suppressed).toBe(false);
    // The number's owner imported later is not called.
    await call(app, 'POST', ...csv(o.manager, 'Prénom;Nom;Portable\nLéa;Martin;06 12 34 56 78\n'));
    const lea = (await people(o)).find((p: { lastName: string }) => p.lastName === 'Martin');
    const decision = await call(app, 'POST', '/v1/contact-decisions', {
      key: o.caller,
      json: { prospectId: lea.id, channel: 'phone' },
    });
    expect(decision.body.allowed).toBe(false);
    expect(decision.body.reasons.map((r: { code: string }) => r.code)).toContain('SUPPRESSED');
    // Sent again, the file records nothing twice; the number's stop is now Léa's event.
    const again = await call(app, 'POST', ...csv(o.marketer, `${file}\n`, 'target=interactions'));
    expect(again.body.result.counts).toMatchObject({ created: 1, duplicates: 1, suppressed: 2 });
    const after = (await call(app, 'GET', '/v1/suppressions', { key: o.manager })).body.data;
    expect(after.filter((e: { source: string }) => e.source.startsWith('import '))).toHaveLength(3);
  });

  it('imports interactions found by e-mail, with French dates, and rejects the rows it cannot place', async () => {
    const o = await newOrg(database);
    await call(app, 'POST', ...csv(o.manager, fixture('fr-excel-cp1252.csv')));
    const response = await call(
      app,
      'POST',
      ...csv(o.marketer, fixture('dialer-calls.csv'), 'target=interactions'),
    );
    expect(response.status).toBe(200);
    expect(response.body.result.counts).toMatchObject({ rows: 5, created: 3, rejected: 2 });
    expect(response.body.result.rejected).toEqual([
      { line: 5, message: 'line 5: no prospect has e-mail inconnu@nulle-part.fr' },
      {
        line: 6,
        field: 'occurredAt',
        message: 'line 6: date "31/11/2026 11:00" is not a date (e.g. 2026-11-29T14:30 or 29/11/2026 14:30)',
      },
    ]);
    const emile = (await people(o)).find((p: { lastName: string }) => p.lastName === 'Durand');
    const detail = await call(app, 'GET', `/v1/prospects/${emile.id}`, { key: o.caller });
    expect(
      detail.body.latestInteractions.map((i: { type: string; occurredAt: string; outcome: string }) => [
        i.type,
        i.occurredAt,
        i.outcome,
      ]),
    ).toEqual([
      ['call_answered', '2026-11-05T13:40:00.000Z', 'intéressé, rappeler'],
      ['call_attempted', '2026-11-02T09:15:00.000Z', 'pas de réponse'],
    ]);
    expect(detail.body.latestInteractions[0]).toMatchObject({
      campaign: 'Automne 2026',
      metadata: { durationSeconds: 252 },
      externalId: 'C-2',
      source: 'import',
    });
    const replay = await call(
      app,
      'POST',
      ...csv(o.marketer, fixture('dialer-calls.csv'), 'target=interactions'),
    );
    expect(replay.body.result.counts).toMatchObject({ created: 0, duplicates: 3 });
  });
});
