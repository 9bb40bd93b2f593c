import { type SQL, sql } from 'drizzle-orm';
import type { SuppressionScope } from '../../db/schema';
import type { Ctx } from '../context';
import { queryRows } from '../db';
import { DAY } from '../lib/durations';
import type { DecisionFacts } from './decision-facts';
import { anyHash, personKeys, suppressionKey } from './keys';
import type { Policy } from './policy';
import { registryTable } from './registries';
import type { ContactChannel, LegalBasis, RulePack } from './rules/types';
import type { Candidate, CurrentSnapshot, Subjects } from './subjects';
import { calleeTimeZones } from './zones';

const p = sql.param;

/** How far back attempts matter: the longest cap, budget or cooldown of the law and the policy, and a margin. */
export function lookbackMs(policy: Policy, packs: RulePack[]): number {
  let days = 0;
  for (const pack of packs) {
    for (const byAudience of Object.values(pack.rules)) {
      for (const rule of Object.values(byAudience ?? {})) {
        for (const cap of rule?.caps ?? []) days = Math.max(days, cap.value.windowMinutes / 1440);
        days = Math.max(days, rule?.refusalCooldownDays?.value ?? 0);
      }
    }
  }
  for (const cap of policy.caps) days = Math.max(days, cap.windowHours / 24);
  if (policy.pressureBudget) days = Math.max(days, policy.pressureBudget.windowDays);
  for (const cooldown of Object.values(policy.refusalCooldownDays)) days = Math.max(days, cooldown ?? 0);
  // Consents end at a refusal after them: a year of refusals is enough for the policy's consent age.
  days = Math.max(days, policy.consentMaxAgeDays);
  return (Math.ceil(days) + 2) * DAY;
}

interface SuppressionRow {
  id: string;
  scope: SuppressionScope;
  channel: string;
  reason: string;
  hash: string;
}

interface ConsentRow {
  id: string;
  prospectId: string | null;
  contactPointId: string | null;
  channel: string;
  basis: LegalBasis;
  givenAt: Date;
  expiresAt: Date | null;
  withdrawnAt: Date | null;
}

interface AttemptRow {
  prospectId: string | null;
  contactPointId: string | null;
  companyId: string | null;
  channel: ContactChannel;
  at: Date;
  refused: boolean;
}

/** The keys a candidate's suppressions may be recorded under. */
function candidateKeys(subjects: Subjects, candidate: Candidate): Buffer[] {
  const { prospect, point } = candidate;
  const keys = personKeys({
    id: prospect.id,
    companyId: prospect.companyId,
    externalId: prospect.externalId,
    domains: [
      ...prospect.contactPoints.map((link) => subjects.points.get(link.id)?.domain),
      prospect.companyId ? subjects.companyDomains.get(prospect.companyId) : undefined,
    ],
  });
  if (point) keys.push(suppressionKey('contact_point', point.value, point.channel));
  return keys;
}

/** The keys of the person's other contact points, whatever their channel. */
function siblingKeys(subjects: Subjects, candidate: Candidate): Buffer[] {
  const keys: Buffer[] = [];
  for (const link of candidate.prospect.contactPoints) {
    if (link.id === candidate.point?.id) continue;
    const point = subjects.points.get(link.id);
    if (point) keys.push(suppressionKey('contact_point', point.value, point.channel));
  }
  return keys;
}

const toDate = (value: Date | string | null) =>
  value === null ? null : value instanceof Date ? value : new Date(value);

/**
 * Everything decide() needs for each candidate, read in a fixed number of set-based queries whatever the
 * number of candidates: suppressions by keyed hash, consents, recent attempts, registry listings.
 */
export async function gatherFacts(
  ctx: Ctx,
  subjects: Subjects,
  candidates: Candidate[],
  options: {
    channel: ContactChannel;
    at: Date;
    lookback: number;
    sector?: string | null;
    snapshots: CurrentSnapshot[];
  },
): Promise<DecisionFacts[]> {
  if (candidates.length === 0) return [];
  const { channel } = options;
  const keysByCandidate = candidates.map((c) => candidateKeys(subjects, c).map((k) => k.toString('hex')));
  const siblingsByCandidate = candidates.map((c) => siblingKeys(subjects, c).map((k) => k.toString('hex')));
  const allKeys = [...new Set([...keysByCandidate.flat(), ...siblingsByCandidate.flat()])];
  const prospectIds = [...new Set(candidates.map((c) => c.prospect.id))];
  const personPoints = [...new Set(candidates.flatMap((c) => c.prospect.contactPoints.map((l) => l.id)))];
  const companyIds = [
    ...new Set(candidates.flatMap((c) => (c.prospect.companyId ? [c.prospect.companyId] : []))),
  ];
  const numbers =
    channel === 'email'
      ? []
      : [
          ...new Set(
            candidates.flatMap((c) => (c.point?.channel === 'phone' ? [c.point.value.slice(1)] : [])),
          ),
        ];
  const since = new Date(options.at.getTime() - options.lookback).toISOString();

  // One statement, four answers: each is a set-based lookup on an index, aggregated to JSON.
  const [row] = await queryRows<{
    suppressions: SuppressionRow[] | null;
    consents: ConsentRow[] | null;
    attempts: AttemptRow[] | null;
    listed: { serial: number; number: string }[] | null;
  }>(
    ctx.db,
    sql`SELECT
          (SELECT json_agg(json_build_object('id', id, 'scope', scope, 'channel', channel, 'reason', reason,
              'hash', encode(value_hash, 'hex')))
            FROM suppressions
            WHERE org_id = ${ctx.orgId} AND removed_at IS NULL AND value_hash = ${anyHash(allKeys)}) AS suppressions,
          (SELECT json_agg(json_build_object('id', id, 'prospectId', prospect_id, 'contactPointId', contact_point_id,
              'channel', channel, 'basis', basis, 'givenAt', given_at, 'expiresAt', expires_at,
              'withdrawnAt', withdrawn_at))
            FROM consents
            WHERE org_id = ${ctx.orgId}
              AND (prospect_id = ANY(${p(prospectIds)}::uuid[]) OR contact_point_id = ANY(${p(personPoints)}::uuid[]))
          ) AS consents,
          (SELECT json_agg(json_build_object('prospectId', prospect_id, 'contactPointId', contact_point_id,
              'companyId', company_id, 'channel', channel, 'at', at, 'refused', refused))
            FROM contact_attempts
            WHERE org_id = ${ctx.orgId} AND at > ${since}::timestamptz AND outcome IS DISTINCT FROM 'cancelled'
              AND (prospect_id = ANY(${p(prospectIds)}::uuid[]) OR contact_point_id = ANY(${p(personPoints)}::uuid[])
                   OR company_id = ANY(${p(companyIds)}::uuid[]))
          ) AS attempts,
          ${listedNumbers(options.snapshots, numbers)} AS listed`,
  );
  const suppressionRows = row?.suppressions ?? [];
  const consentRows = row?.consents ?? [];
  const attemptRows = row?.attempts ?? [];
  const listed = new Map<number, Set<string>>();
  for (const entry of row?.listed ?? []) {
    const set = listed.get(entry.serial) ?? new Set();
    set.add(entry.number);
    listed.set(entry.serial, set);
  }

  const suppressionsByKey = new Map<string, SuppressionRow[]>();
  for (const row of suppressionRows) {
    const list = suppressionsByKey.get(row.hash) ?? [];
    list.push(row);
    suppressionsByKey.set(row.hash, list);
  }
  const consentsByProspect = groupBy(consentRows, (c) => c.prospectId);
  const consentsByPoint = groupBy(consentRows, (c) => c.contactPointId);
  const attemptsByProspect = groupBy(attemptRows, (a) => a.prospectId);
  const attemptsByPoint = groupBy(attemptRows, (a) => a.contactPointId);
  const attemptsByCompany = groupBy(attemptRows, (a) => a.companyId);

  return candidates.map((candidate, i) => {
    const { prospect, point } = candidate;
    const suppressions = [
      ...keysByCandidate[i]!.flatMap((k) => suppressionsByKey.get(k) ?? []),
      // The person's other numbers and addresses: an objection to every channel, or an erasure, is theirs.
      ...siblingsByCandidate[i]!.flatMap((k) =>
        (suppressionsByKey.get(k) ?? []).filter((s) => s.channel === 'all' || s.reason === 'erasure'),
      ),
    ];
    const consents = new Map<string, ConsentRow>();
    for (const c of consentsByProspect.get(prospect.id) ?? [])
      if (!c.contactPointId || c.contactPointId === point?.id) consents.set(c.id, c);
    if (point)
      for (const c of consentsByPoint.get(point.id) ?? [])
        if (!c.prospectId || c.prospectId === prospect.id) consents.set(c.id, c);
    const own = new Set(prospect.contactPoints.map((l) => l.id));
    const attempts = new Set<AttemptRow>();
    for (const a of attemptsByProspect.get(prospect.id) ?? []) attempts.add(a);
    for (const id of own) for (const a of attemptsByPoint.get(id) ?? []) attempts.add(a);
    if (point) for (const a of attemptsByPoint.get(point.id) ?? []) attempts.add(a);
    if (prospect.companyId) for (const a of attemptsByCompany.get(prospect.companyId) ?? []) attempts.add(a);
    const registries: DecisionFacts['registries'] = {};
    for (const snapshot of options.snapshots) {
      registries[snapshot.registry] = {
        snapshotId: snapshot.id,
        asOf: snapshot.asOf,
        listed: point?.channel === 'phone' && listed.get(snapshot.serial)?.has(point.value.slice(1)) === true,
      };
    }
    return {
      channel,
      sector: options.sector ?? null,
      contactPoint: point
        ? {
            id: point.id,
            value: point.value,
            status: point.status,
            country: point.country,
            phoneType: point.phoneType,
          }
        : null,
      prospect: {
        id: prospect.id,
        kind: prospect.kind,
        country: prospect.country,
        region: prospect.region,
        postalCode: prospect.postalCode,
        companyId: prospect.companyId,
      },
      zones: calleeTimeZones({
        timeZone: prospect.timeZone,
        phone: point?.channel === 'phone' ? point.value : null,
        country: prospect.country ?? point?.country ?? null,
        region: prospect.region,
        postalCode: prospect.postalCode,
      }),
      suppressions: suppressions.map((s) => ({
        id: s.id,
        scope: s.scope,
        channel: s.channel,
        reason: s.reason,
      })),
      consents: [...consents.values()].map((c) => ({
        id: c.id,
        channel: c.channel,
        basis: c.basis,
        givenAt: toDate(c.givenAt)!,
        expiresAt: toDate(c.expiresAt),
        withdrawnAt: toDate(c.withdrawnAt),
      })),
      registries,
      attempts: [...attempts].map((a) => ({
        at: toDate(a.at)!,
        channel: a.channel,
        person: a.prospectId === prospect.id || (a.contactPointId !== null && own.has(a.contactPointId)),
        contactPoint: point !== null && a.contactPointId === point.id,
        company: prospect.companyId !== null && a.companyId === prospect.companyId,
        refused: a.refused,
      })),
    };
  });
}

function groupBy<T>(rows: T[], key: (row: T) => string | null): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const row of rows) {
    const k = key(row);
    if (k === null) continue;
    const list = groups.get(k);
    if (list) list.push(row);
    else groups.set(k, [row]);
  }
  return groups;
}

/** Which of the numbers (E.164 digits) each snapshot lists, as a JSON subquery. */
function listedNumbers(snapshots: CurrentSnapshot[], numbers: string[]): SQL {
  if (numbers.length === 0 || snapshots.length === 0) return sql`NULL::json`;
  const parts = snapshots.map(
    (s) =>
      sql`SELECT ${s.serial}::int AS serial, number::text AS number FROM ${sql.raw(registryTable(s.serial))} WHERE number = ANY(${p(numbers)}::bigint[])`,
  );
  return sql`(SELECT json_agg(x) FROM (${sql.join(parts, sql` UNION ALL `)}) x)`;
}
