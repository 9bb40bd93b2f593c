import { sql } from 'drizzle-orm';
import { type Ctx, systemCtx } from '../context';
import { type Database, queryRows } from '../db';
import { insertInteractions } from '../interactions/service';
import { createApiKey, createOrganization } from '../orgs/service';
import { lockOrganizationWrites, newWriteSession, writeProspectBatch } from '../prospects/batch-write';
import { createCampaign } from '../scoring/campaigns';
import { loadDemoCompliance } from './compliance';
import { generateDemo } from './generate';

/** Creates the demo organization with its people, companies and interactions, and keys to explore it. */
export async function loadDemo(database: Database, options: Parameters<typeof generateDemo>[0] = {}) {
  const demo = generateDemo(options);
  const org = await createOrganization(database.db, {
    name: 'Démo Tiède',
    defaultCountry: 'FR',
    defaultLanguage: 'fr',
  });
  const ctx = systemCtx(database.db, org.id);
  await database.db.transaction(async (tx) => {
    const inTx: Ctx = { ...ctx, db: tx as unknown as Ctx['db'], inTransaction: true };
    await lockOrganizationWrites(inTx);
    await writeProspectBatch(
      inTx,
      demo.people.map((p) => p.row),
      newWriteSession(),
    );
  });
  const rows = await queryRows<{ id: string; external_id: string }>(
    database.db,
    sql`SELECT id, external_id FROM prospects WHERE org_id = ${org.id}`,
  );
  const ids = new Map(rows.map((r) => [r.external_id, r.id]));
  const events = demo.people.flatMap((person) =>
    person.events.map((event) => ({ ...event, prospectId: ids.get(person.externalId)!, source: 'demo' })),
  );
  for (let i = 0; i < events.length; i += 2000) await insertInteractions(ctx, events.slice(i, i + 2000));
  const compliance = await loadDemoCompliance(ctx, options.now ?? new Date());
  // A campaign to see ranked lists at once: the service scores it when it starts (a queued job).
  const campaign = await createCampaign(ctx, {
    name: 'Fournitures industrielles — acheteurs',
    description: 'Demo: wholesale and industry, buyers and purchasing, 10 to 1,000 employees',
    idealProfile: {
      industries: { codes: ['46.6', '46.9', '25', '28'], points: 12 },
      employees: { min: 10, max: 1000, points: 8 },
      titles: {
        keywords: ['achat', 'acheteur', 'procurement', 'purchasing', 'buyer', 'einkauf'],
        points: 10,
      },
      departments: { keywords: ['purchasing', 'achats', 'operations'], points: 5 },
    },
    successTypes: ['meeting_booked'],
    halfLifeDays: 30,
    // What drafts are written from: POST /v1/drafts with this campaign works at once.
    pitch: {
      offer: 'Un réapprovisionnement automatique de vos fournitures industrielles',
      valuePropositions: [
        'Moins de ruptures sur les références que vous commandez le plus',
        'Une seule commande groupée par mois au lieu de dizaines',
      ],
      facts: ['Livraison sous 48 heures en France métropolitaine', 'Catalogue de 12 000 références'],
      dataSource: 'les registres publics des entreprises (Sirene, Companies House) et leurs sites',
      postalAddress: '12 rue des Forges, 69007 Lyon, France',
      translations: {
        en: {
          offer: 'Automatic restocking of your industrial supplies',
          valuePropositions: [
            'Fewer stock-outs on the items you order most',
            'One grouped order a month instead of dozens',
          ],
          facts: ['Delivery within 48 hours in mainland France', 'A catalogue of 12,000 items'],
          dataSource: 'public company registers (Sirene, Companies House) and company websites',
        },
      },
      sender: { name: 'Claire Moreau', company: 'Tiède Démo', role: 'conseillère' },
    },
  });
  const admin = await createApiKey(database.db, org.id, { name: 'demo admin', role: 'admin' });
  const caller = await createApiKey(database.db, org.id, { name: 'demo caller', role: 'caller' });
  return {
    orgId: org.id,
    companies: demo.companies,
    people: demo.people.length,
    interactions: events.length,
    compliance,
    campaignId: campaign.id,
    adminKey: admin.key,
    callerKey: caller.key,
  };
}
