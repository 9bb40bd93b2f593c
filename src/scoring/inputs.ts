import { sql } from 'drizzle-orm';
import type { InteractionType } from '../../db/schema';
import { type Db, queryRows } from '../db';
import { type EngagementEvent, OUTCOME_PATTERNS } from './engagement';
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

/** Prospects in id order after a given id (and up to another), or those of a list of ids. */
export type Selection = { after: string | null; until?: string | null; limit: number } | { ids: string[] };

/**
 * A prospect's events travel as one text, "type:minute[:r|a|ar],…" (the minute since the epoch; r for an
 * outcome read as a refusal, a for an answered call), which the driver hands over without parsing arrays.
 */
const OUTCOMES: Record<string, string> = { r: 'refused', a: 'answered', ar: 'answered, refused' };

/** Events oldest first; times to the minute. Parsed by hand: rescoring reads ten million of them. */
function eventsOf(text: string | null): EngagementEvent[] {
  if (!text) return [];
  const events: EngagementEvent[] = [];
  let sorted = true;
  let previous = Number.POSITIVE_INFINITY;
  for (let start = 0; start < text.length; ) {
    let end = text.indexOf(',', start);
    if (end === -1) end = text.length;
    const typeEnd = text.indexOf(':', start);
    let minuteEnd = text.indexOf(':', typeEnd + 1);
    if (minuteEnd === -1 || minuteEnd > end) minuteEnd = end;
    const minute = Number(text.slice(typeEnd + 1, minuteEnd));
    // The index gives a person's events newest first: kept in that order, then turned round.
    if (minute > previous) sorted = false;
    previous = minute;
    events.push({
      type: text.slice(start, typeEnd) as InteractionType,
      at: minute * 60_000,
      outcome: minuteEnd < end ? (OUTCOMES[text.slice(minuteEnd + 1, end)] ?? null) : null,
    });
    start = end + 1;
  }
  events.reverse();
  return sorted ? events : events.sort((a, b) => a.at - b.at);
}

export async function readInputs(db: Db, orgId: string, selection: Selection): Promise<ScoringInput[]> {
  // The limit is written into the statement: under a generic plan a parameter would hide it, and the planner
  // would sort every prospect of the organization to keep a few thousand.
  const which =
    'ids' in selection
      ? sql`AND p.id = ANY(${sql.param(selection.ids)}::uuid[])`
      : sql`${selection.after ? sql`AND p.id > ${selection.after}::uuid` : sql``}
          ${selection.until ? sql`AND p.id <= ${selection.until}::uuid` : sql``}
          ORDER BY p.id LIMIT ${sql.raw(String(Math.trunc(selection.limit)))}`;
  // The whole chunk travels as one JSON document that PostgreSQL writes and JSON.parse reads natively:
  // parsing it column by column cost the service more than scoring it.
  const [result] = await queryRows<{ chunk: string | ScoringInput[] | null }>(
    db,
    sql`SELECT json_agg(x ORDER BY x."prospectId")::text AS chunk FROM (
          SELECT p.id AS "prospectId", p.kind, p.language, p.job_title AS "jobTitle", p.seniority, p.department,
            coalesce(p.country, c.country) AS country, coalesce(p.region, c.region) AS region,
            c.industry_code AS "industryCode", c.employee_count AS "employeeCount", c.annual_revenue AS "annualRevenue",
            coalesce(c.attributes, '{}'::jsonb) || p.attributes AS attributes,
            -- From the index alone (interactions_by_prospect), newest first; date_part is cheaper than extract.
            (SELECT string_agg(i.type || ':' || floor(date_part('epoch', i.occurred_at) / 60)::int
                      || CASE WHEN i.outcome IS NULL THEN ''
                              WHEN i.outcome ~* ${OUTCOME_PATTERNS.answered}
                                THEN CASE WHEN i.outcome ~* ${OUTCOME_PATTERNS.refused} THEN ':ar' ELSE ':a' END
                              WHEN i.outcome ~* ${OUTCOME_PATTERNS.refused} THEN ':r' ELSE '' END, ',')
             FROM interactions i WHERE i.org_id = p.org_id AND i.prospect_id = p.id) AS events
          FROM prospects p LEFT JOIN companies c ON c.org_id = p.org_id AND c.id = p.company_id
          WHERE p.org_id = ${orgId} ${which}
        ) x`,
  );
  const chunk = result?.chunk ?? null;
  const inputs: ScoringInput[] = chunk === null ? [] : typeof chunk === 'string' ? JSON.parse(chunk) : chunk;
  for (const input of inputs) input.events = eventsOf(input.events as unknown as string | null);
  return inputs;
}
