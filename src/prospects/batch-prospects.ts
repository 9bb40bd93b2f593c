import { sql } from 'drizzle-orm';
import type { Ctx } from '../context';
import { copyInto, queryRows } from '../db';
import type { Target } from './batch-match';
import { CONTACT_POINT_COPY_COLUMNS, PROSPECT_COPY_COLUMNS } from './copy-columns';
import type { ContactPointDraft } from './drafts';

/**
 * A batch's prospects written once its rows are matched (assignTargets): new ones copied in, matched ones
 * updated where a value changed, their contact points created or given the batch's prospects.
 */

function prospectRecord(target: Target, companyIds: Map<string, string>) {
  const d = target.draft;
  return {
    id: target.id,
    company_id: target.companyKey ? companyIds.get(target.companyKey) : undefined,
    external_id: d.externalId,
    kind: d.kind,
    first_name: d.firstName,
    last_name: d.lastName,
    job_title: d.jobTitle,
    seniority: d.seniority,
    department: d.department,
    language: d.language,
    country: d.country,
    country_guess: d.countryGuess,
    region: d.region,
    city: d.city,
    postal_code: d.postalCode,
    time_zone: d.timeZone,
    attributes: d.attributes,
    contact_points: target.links,
  };
}

const RECORD =
  sql.raw(`id uuid, company_id uuid, external_id text, kind text, first_name text, last_name text, job_title text,
  seniority text, department text, language text, country text, country_guess text, region text, city text, postal_code text, time_zone text,
  attributes jsonb, contact_points jsonb`);

/** New prospects go in with COPY: nothing to merge, and COPY is several times cheaper than INSERT … SELECT. */
export async function insertProspects(ctx: Ctx, targets: Target[], companyIds: Map<string, string>) {
  await copyInto(
    ctx.db,
    'prospects',
    PROSPECT_COPY_COLUMNS,
    targets.map((t) => {
      const d = t.draft;
      const companyId = t.companyKey ? companyIds.get(t.companyKey) : undefined;
      return [
        ctx.orgId,
        companyId,
        d.kind ?? (companyId ? 'b2b' : 'b2c'),
        t.id,
        d.externalId,
        d.firstName,
        d.lastName,
        d.jobTitle,
        d.seniority,
        d.department,
        d.language,
        d.country ?? d.countryGuess,
        d.region,
        d.city,
        d.postalCode,
        d.timeZone,
        d.attributes,
        JSON.stringify(t.links),
      ];
    }),
  );
}

/** The columns an import may change: those it copies new prospects with, but for their keys. */
const UPDATABLE = PROSPECT_COPY_COLUMNS.filter((c) => c !== 'org_id' && c !== 'id');
const columnsOf = (table: string) => sql.raw(UPDATABLE.map((c) => `${table}.${c}`).join(', '));

/**
 * Updates the prospects rows matched: given values replace stored ones; absent values leave them; an
 * existing CRM id is never overwritten. A prospect the rows change nothing of keeps its `updated_at`.
 * Answers the ids of those that changed.
 */
export async function updateProspects(
  ctx: Ctx,
  targets: Target[],
  companyIds: Map<string, string>,
): Promise<Set<string>> {
  if (targets.length === 0) return new Set();
  const payload = JSON.stringify(targets.map((t) => prospectRecord(t, companyIds)));
  const rows = await queryRows<{ id: string }>(
    ctx.db,
    sql`WITH n AS (
          SELECT pr.id, coalesce(u.company_id, pr.company_id) AS company_id, coalesce(u.kind, pr.kind) AS kind,
            coalesce(pr.external_id, u.external_id) AS external_id, coalesce(u.first_name, pr.first_name) AS first_name,
            coalesce(u.last_name, pr.last_name) AS last_name, coalesce(u.job_title, pr.job_title) AS job_title,
            coalesce(u.seniority, pr.seniority) AS seniority, coalesce(u.department, pr.department) AS department,
            coalesce(u.language, pr.language) AS language, coalesce(u.country, pr.country, u.country_guess) AS country,
            coalesce(u.region, pr.region) AS region, coalesce(u.city, pr.city) AS city,
            coalesce(u.postal_code, pr.postal_code) AS postal_code, coalesce(u.time_zone, pr.time_zone) AS time_zone,
            pr.attributes || coalesce(u.attributes, '{}'::jsonb) AS attributes, u.contact_points
          FROM json_to_recordset(${payload}::json) AS u(${RECORD})
          JOIN prospects pr ON pr.org_id = ${ctx.orgId} AND pr.id = u.id)
        UPDATE prospects AS pr SET (${sql.raw(UPDATABLE.join(', '))}, updated_at) = (${columnsOf('n')}, now())
        FROM n
        WHERE pr.org_id = ${ctx.orgId} AND pr.id = n.id AND (${columnsOf('pr')}) IS DISTINCT FROM (${columnsOf('n')})
        RETURNING pr.id`,
  );
  return new Set(rows.map((r) => r.id));
}

/** Creates the contact points the organization did not have, and adds the batch's prospects to the others. */
export async function writeContactPoints(ctx: Ctx, targets: Target[], known: Map<string, string[]>) {
  const owners = new Map<string, Set<string>>();
  const drafts = new Map<string, ContactPointDraft>();
  for (const target of targets) {
    for (const [id, draft] of target.drafts) {
      drafts.set(id, draft);
      const set = owners.get(id) ?? new Set(known.get(id));
      set.add(target.id);
      owners.set(id, set);
    }
  }
  const created: unknown[][] = [];
  const grown: object[] = [];
  for (const [id, set] of owners) {
    const before = known.get(id);
    const prospectIds = [...set].sort();
    if (!before) {
      const d = drafts.get(id)!;
      created.push([ctx.orgId, id, d.channel, d.value, d.phoneType, d.country, d.domain, prospectIds]);
    } else if (prospectIds.length > before.length) grown.push({ id, prospect_ids: prospectIds });
  }
  // Under the organization's lock, what the lookup did not find does not exist: plain COPY, no conflicts.
  await copyInto(ctx.db, 'contact_points', CONTACT_POINT_COPY_COLUMNS, created);
  if (grown.length > 0) {
    await ctx.db.execute(
      sql`UPDATE contact_points AS cp SET prospect_ids = u.prospect_ids, updated_at = now()
          FROM json_to_recordset(${JSON.stringify(grown)}::json) AS u(id uuid, prospect_ids uuid[])
          WHERE cp.org_id = ${ctx.orgId} AND cp.id = u.id`,
    );
  }
}
