import { sql } from 'drizzle-orm';
import type { ContactPointLink } from '../../db/schema';
import type { Ctx } from '../context';
import { queryRows } from '../db';
import { DEFAULT_POLICY, type Policy } from './policy';
import type { ContactChannel, RegistryName } from './rules/types';

/**
 * Who a decision is about: the prospects and their contact points, their company's domain, and the
 * organization's policy and registry copies, as read before the facts are gathered.
 */

const p = sql.param;

export interface SubjectProspect {
  id: string;
  kind: 'b2b' | 'b2c';
  country: string | null;
  region: string | null;
  postalCode: string | null;
  timeZone: string | null;
  companyId: string | null;
  externalId: string | null;
  contactPoints: ContactPointLink[];
}

export interface SubjectPoint {
  id: string;
  channel: 'phone' | 'email';
  value: string;
  phoneType: string | null;
  country: string | null;
  domain: string | null;
  status: 'valid' | 'invalid';
  prospectIds: string[];
}

/** Who would be contacted, through which contact point (null: they have none for the channel). */
export interface Candidate {
  prospect: SubjectProspect;
  point: SubjectPoint | null;
}

export interface Subjects {
  prospects: Map<string, SubjectProspect>;
  points: Map<string, SubjectPoint>;
  companyDomains: Map<string, string>;
  /** The organization's policy as it stood when the subjects were read. */
  policy: Policy;
  /** The newest ready copy of each registry the organization imported. */
  snapshots: CurrentSnapshot[];
}

/**
 * Prospects with their contact points and their company's domain, and the organization's policy and
 * registry copies, in one statement: a decision is a few round trips, and each costs more than its query.
 */
export async function loadSubjects(ctx: Ctx, prospectIds: string[]): Promise<Subjects> {
  const [row] = await queryRows<{
    prospects: SubjectProspect[] | null;
    points: SubjectPoint[] | null;
    companies: { id: string; domain: string }[] | null;
    policy: Partial<Policy> | null;
    snapshots: CurrentSnapshot[] | null;
  }>(
    ctx.db,
    sql`WITH p AS MATERIALIZED (
          SELECT id, kind, country, region, postal_code, time_zone, company_id, external_id, contact_points
          FROM prospects WHERE org_id = ${ctx.orgId} AND id = ANY(${p(prospectIds)}::uuid[])
        )
        SELECT
          (SELECT json_agg(json_build_object('id', id, 'kind', kind, 'country', country, 'region', region,
              'postalCode', postal_code, 'timeZone', time_zone, 'companyId', company_id, 'externalId', external_id,
              'contactPoints', contact_points)) FROM p) AS prospects,
          (SELECT json_agg(json_build_object('id', c.id, 'channel', c.channel, 'value', c.value,
              'phoneType', c.phone_type, 'country', c.country, 'domain', c.domain, 'status', c.status,
              'prospectIds', c.prospect_ids))
            FROM contact_points c
            WHERE c.org_id = ${ctx.orgId}
              AND c.id = ANY(ARRAY(SELECT DISTINCT (l->>'id')::uuid FROM p, jsonb_array_elements(p.contact_points) l))
          ) AS points,
          (SELECT json_agg(json_build_object('id', id, 'domain', domain)) FROM companies
            WHERE org_id = ${ctx.orgId} AND domain IS NOT NULL
              AND id = ANY(ARRAY(SELECT DISTINCT company_id FROM p WHERE company_id IS NOT NULL))) AS companies,
          (SELECT policy FROM policies WHERE org_id = ${ctx.orgId}) AS policy,
          (SELECT json_agg(s) FROM (
            SELECT DISTINCT ON (registry) id, serial, registry, as_of::text AS "asOf"
            FROM registry_snapshots WHERE org_id = ${ctx.orgId} AND status = 'ready'
            ORDER BY registry, as_of DESC, serial DESC) s) AS snapshots`,
  );
  const prospects = new Map<string, SubjectProspect>();
  const points = new Map<string, SubjectPoint>();
  const companyDomains = new Map<string, string>();
  for (const prospect of row?.prospects ?? []) prospects.set(prospect.id, prospect);
  for (const point of row?.points ?? []) points.set(point.id, point);
  for (const company of row?.companies ?? []) companyDomains.set(company.id, company.domain);
  return {
    prospects,
    points,
    companyDomains,
    policy: { ...DEFAULT_POLICY, ...row?.policy },
    snapshots: row?.snapshots ?? [],
  };
}

export function pointsById(ctx: Ctx, ids: string[]): Promise<SubjectPoint[]> {
  return queryRows<SubjectPoint>(
    ctx.db,
    sql`SELECT id, channel, value, phone_type AS "phoneType", country, domain, status, prospect_ids AS "prospectIds"
        FROM contact_points WHERE org_id = ${ctx.orgId} AND id = ANY(${p(ids)}::uuid[])`,
  );
}

/** The contact points of a prospect that can carry the channel, in the prospect's order (SMS: not fixed lines). */
export function pointsFor(
  subjects: Subjects,
  prospect: SubjectProspect,
  channel: ContactChannel,
): SubjectPoint[] {
  const wanted = channel === 'email' ? 'email' : 'phone';
  const found: SubjectPoint[] = [];
  for (const link of prospect.contactPoints) {
    const point = subjects.points.get(link.id);
    if (!point || point.channel !== wanted) continue;
    if (channel === 'sms' && point.phoneType === 'fixed_line') continue;
    found.push(point);
  }
  return found;
}

export interface CurrentSnapshot {
  id: string;
  serial: number;
  registry: RegistryName;
  asOf: string;
}
