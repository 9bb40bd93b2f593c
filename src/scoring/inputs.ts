import { sql } from 'drizzle-orm';
import type { InteractionType } from '../../db/schema';
import { type Db, queryRows } from '../db';
import type { EngagementEvent } from './engagement';
import type { FitSubject } from './fit';

/**
 * What scoring reads of a prospect: its record and its company's (the fit's subject and the model's
 * columns), and every interaction it had. The score on demand, the rescoring and the training all read
 * through here, so that a prospect is scored from the same facts whichever way it is asked.
 */
export interface ScoringInput extends FitSubject {
  prospectId: string;
  kind: string;
  language: string | null;
  /** Oldest first, to the minute. */
  events: EngagementEvent[];
}

/** Prospects in id order after a given id, or those of a list of ids. */
export type Selection = { after: string | null; limit: number } | { ids: string[] };

interface Row extends FitSubject {
  prospectId: string;
  kind: string;
  language: string | null;
  types: InteractionType[] | null;
  outcomes: (string | null)[] | null;
  minutes: number[] | null;
}

/** Events as the index gives them (any order), oldest first; times to the minute. */
function eventsOf(row: Row): EngagementEvent[] {
  const { types, outcomes, minutes } = row;
  if (!types || !minutes) return [];
  const events: EngagementEvent[] = new Array(types.length);
  for (let i = 0; i < types.length; i++)
    events[i] = {
      type: types[i]!,
      occurredAt: new Date(minutes[i]! * 60_000),
      outcome: outcomes?.[i] ?? null,
    };
  return events.sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime());
}

export async function readInputs(db: Db, orgId: string, selection: Selection): Promise<ScoringInput[]> {
  // The limit is written into the statement: under a generic plan a parameter would hide it, and the planner
  // would sort every prospect of the organization to keep a few thousand.
  const which =
    'ids' in selection
      ? sql`AND p.id = ANY(${sql.param(selection.ids)}::uuid[]) ORDER BY p.id`
      : sql`${selection.after ? sql`AND p.id > ${selection.after}::uuid` : sql``} ORDER BY p.id LIMIT ${sql.raw(String(Math.trunc(selection.limit)))}`;
  const rows = await queryRows<Row>(
    db,
    sql`WITH p AS (
          SELECT p.id AS "prospectId", p.kind, p.language, p.job_title AS "jobTitle", p.seniority, p.department,
            coalesce(p.country, c.country) AS country, coalesce(p.region, c.region) AS region,
            c.industry_code AS "industryCode", c.employee_count AS "employeeCount", c.annual_revenue AS "annualRevenue",
            coalesce(c.attributes, '{}'::jsonb) || p.attributes AS attributes
          FROM prospects p LEFT JOIN companies c ON c.org_id = p.org_id AND c.id = p.company_id
          WHERE p.org_id = ${orgId} ${which}
        )
        SELECT p.*, e.types, e.outcomes, e.minutes FROM p
        LEFT JOIN LATERAL (
          -- Read from the index alone (interactions_by_prospect); date_part, a float, is cheaper than extract.
          SELECT array_agg(i.type) AS types, array_agg(i.outcome) AS outcomes,
                 array_agg(floor(date_part('epoch', i.occurred_at) / 60)::int) AS minutes
          FROM interactions i WHERE i.org_id = ${orgId} AND i.prospect_id = p."prospectId"
        ) e ON true
        ORDER BY p."prospectId"`,
  );
  return rows.map((row) => ({
    prospectId: row.prospectId,
    kind: row.kind,
    language: row.language,
    jobTitle: row.jobTitle,
    seniority: row.seniority,
    department: row.department,
    country: row.country,
    region: row.region,
    industryCode: row.industryCode,
    employeeCount: row.employeeCount === null ? null : Number(row.employeeCount),
    annualRevenue: row.annualRevenue === null ? null : Number(row.annualRevenue),
    attributes: row.attributes,
    events: eventsOf(row),
  }));
}
