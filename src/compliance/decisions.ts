import type { Ctx } from '../context';
import { AppError, invalid, notFound } from '../http/errors';
import { getOrganization } from '../orgs/service';
import { contactPointId } from '../prospects/contact-point-id';
import { normalizeEmail } from '../prospects/email';
import { normalizePhone } from '../prospects/phone';
import { type Decision, decide } from './decide';
import { gatherFacts, lookbackMs } from './facts';
import { RULE_PACKS } from './rules/packs';
import type { ContactChannel } from './rules/types';
import {
  type Candidate,
  loadSubjects,
  pointsById,
  pointsFor,
  type SubjectPoint,
  type SubjectProspect,
  type Subjects,
} from './subjects';

export interface DecisionRequest {
  channel: ContactChannel;
  prospectId?: string;
  contactPointId?: string;
  /** A number or address, for a contact the organization may not hold yet. */
  value?: string;
  /** For a bare value: who holds it (default b2c, the stricter) and where. */
  kind?: 'b2b' | 'b2c';
  country?: string;
  at: Date;
  sector?: string;
}

export interface CandidateDecision extends Decision {
  prospectId: string | null;
  contactPointId: string | null;
}

export interface DecisionAnswer extends CandidateDecision {
  channel: ContactChannel;
  at: Date;
  /** Every contact point considered, when the person has several for the channel. */
  alternatives: {
    contactPointId: string | null;
    allowed: boolean;
    nextAllowedAt: Date | null;
    reasons: string[];
  }[];
}

const wantedChannel = (channel: ContactChannel) => (channel === 'email' ? 'email' : 'phone');

function transientProspect(point: SubjectPoint, request: DecisionRequest): SubjectProspect {
  return {
    id: '00000000-0000-0000-0000-000000000000',
    kind: request.kind ?? 'b2c',
    country: request.country ?? point.country,
    region: null,
    postalCode: null,
    timeZone: null,
    companyId: null,
    externalId: null,
    contactPoints: [{ id: point.id, label: null }],
  };
}

/** Who and through what the request is about: one or more candidates, with the subjects they come from. */
async function resolveCandidates(
  ctx: Ctx,
  request: DecisionRequest,
): Promise<{ subjects: Subjects; candidates: Candidate[]; person: boolean }> {
  const wanted = wantedChannel(request.channel);
  if (request.prospectId) {
    const subjects = await loadSubjects(ctx, [request.prospectId]);
    const prospect = subjects.prospects.get(request.prospectId);
    if (!prospect) throw notFound('Prospect');
    if (request.contactPointId) {
      const point = subjects.points.get(request.contactPointId);
      if (!point || !prospect.contactPoints.some((l) => l.id === point.id))
        throw notFound('Contact point of this prospect');
      if (point.channel !== wanted)
        throw invalid(`a ${point.channel} contact point cannot carry ${request.channel}`, [
          { field: 'contactPointId', message: `is an ${point.channel} contact point` },
        ]);
      return { subjects, candidates: [{ prospect, point }], person: false };
    }
    const points = pointsFor(subjects, prospect, request.channel);
    return {
      subjects,
      candidates:
        points.length > 0 ? points.map((point) => ({ prospect, point })) : [{ prospect, point: null }],
      person: true,
    };
  }

  let point: SubjectPoint | undefined;
  if (request.contactPointId) {
    [point] = await pointsById(ctx, [request.contactPointId]);
    if (!point) throw notFound('Contact point');
    if (point.channel !== wanted)
      throw invalid(`a ${point.channel} contact point cannot carry ${request.channel}`, [
        { field: 'contactPointId', message: `is an ${point.channel} contact point` },
      ]);
  } else if (request.value !== undefined) {
    const org = await getOrganization(ctx.db, ctx.orgId);
    const normalized = normalizedPoint(ctx.orgId, request, org.defaultCountry);
    [point] = await pointsById(ctx, [normalized.id]);
    point ??= normalized;
  } else {
    throw invalid('say whom to decide for', [
      { field: 'prospectId', message: 'give a prospectId, a contactPointId or a value' },
    ]);
  }
  const subjects = await loadSubjects(ctx, point.prospectIds);
  subjects.points.set(point.id, point);
  const holders = point.prospectIds.flatMap((id) => subjects.prospects.get(id) ?? []);
  const candidates =
    holders.length > 0
      ? holders.map((prospect) => ({ prospect, point: point! }))
      : [{ prospect: transientProspect(point, request), point }];
  return { subjects, candidates, person: false };
}

function normalizedPoint(orgId: string, request: DecisionRequest, defaultCountry: string): SubjectPoint {
  const raw = request.value!;
  if (request.channel === 'email') {
    const email = normalizeEmail(raw);
    if (!email.ok)
      throw invalid('the value is not an e-mail address', [{ field: 'value', message: email.reason }]);
    return {
      id: contactPointId(orgId, 'email', email.value),
      channel: 'email',
      value: email.value,
      phoneType: null,
      country: null,
      domain: email.domain,
      status: 'valid',
      prospectIds: [],
    };
  }
  const phone = normalizePhone(raw, request.country ?? defaultCountry);
  if (!phone.ok)
    throw invalid('the value is not a phone number', [{ field: 'value', message: phone.reason }]);
  return {
    id: contactPointId(orgId, 'phone', phone.e164),
    channel: 'phone',
    value: phone.e164,
    phoneType: phone.type,
    country: phone.country,
    domain: null,
    status: 'valid',
    prospectIds: [],
  };
}

/** Decides for every candidate with one round of queries, under the policy the subjects were read with. */
export async function decideCandidates(
  ctx: Ctx,
  subjects: Subjects,
  candidates: Candidate[],
  options: { channel: ContactChannel; at: Date; sector?: string | null },
): Promise<CandidateDecision[]> {
  const facts = await gatherFacts(ctx, subjects, candidates, {
    channel: options.channel,
    at: options.at,
    lookback: lookbackMs(subjects.policy, RULE_PACKS),
    sector: options.sector ?? null,
    snapshots: options.channel === 'email' ? [] : subjects.snapshots,
  });
  return facts.map((f, i) => ({
    ...decide(f, RULE_PACKS, subjects.policy, options.at),
    prospectId: subjects.prospects.has(candidates[i]!.prospect.id) ? candidates[i]!.prospect.id : null,
    contactPointId: candidates[i]!.point?.id ?? null,
  }));
}

/** Of a person's contact points, the one to use: the first allowed, else the first to be allowed, else the first. */
export function bestOf(decisions: CandidateDecision[]): CandidateDecision {
  const allowed = decisions.find((d) => d.allowed);
  if (allowed) return allowed;
  let best: CandidateDecision | undefined;
  for (const d of decisions) {
    if (d.nextAllowedAt && (!best?.nextAllowedAt || d.nextAllowedAt < best.nextAllowedAt)) best = d;
  }
  return best ?? decisions[0]!;
}

/** One number held by several people: allowed only if allowed for each, and when the last of them allows it. */
function strictestOf(decisions: CandidateDecision[]): CandidateDecision {
  if (decisions.length === 1) return decisions[0]!;
  const refused = decisions.filter((d) => !d.allowed);
  if (refused.length === 0) return { ...decisions[0]!, checked: decisions.flatMap((d) => d.checked) };
  const never = refused.some((d) => d.nextAllowedAt === null);
  const seen = new Set<string>();
  return {
    ...refused[0]!,
    reasons: refused
      .flatMap((d) => d.reasons)
      .filter((r) => !seen.has(`${r.code} ${r.rule}`) && seen.add(`${r.code} ${r.rule}`)),
    nextAllowedAt: never ? null : new Date(Math.max(...refused.map((d) => d.nextAllowedAt!.getTime()))),
    prospectId: null,
  };
}

/** May we contact this person, number or address, on this channel, at this instant? */
export async function decideContact(ctx: Ctx, request: DecisionRequest): Promise<DecisionAnswer> {
  if (Number.isNaN(request.at.getTime()))
    throw new AppError('VALIDATION', 'at is not a date', {
      errors: [{ field: 'at', message: 'not a date' }],
    });
  const resolved = await resolveCandidates(ctx, request);
  const decisions = await decideCandidates(ctx, resolved.subjects, resolved.candidates, {
    ...request,
  });
  const chosen = resolved.person ? bestOf(decisions) : strictestOf(decisions);
  return {
    ...chosen,
    channel: request.channel,
    at: request.at,
    alternatives: decisions.map((d) => ({
      contactPointId: d.contactPointId,
      allowed: d.allowed,
      nextAllowedAt: d.nextAllowedAt,
      reasons: d.reasons.map((r) => r.code),
    })),
  };
}

export const BATCH_MAX = 100_000;
const BATCH_CHUNK = 2_000;
const WEEK = 7 * 86_400_000;

export interface BatchAnswer {
  channel: ContactChannel;
  at: Date;
  total: number;
  /** Contactable at `at`, and at some point in the 7 days from it. */
  now: { contactable: number; refused: number; byReason: Record<string, number> };
  week: { contactable: number; refused: number; byReason: Record<string, number> };
  /** Prospects contactable now, with the contact point to use. */
  contactableNow: { prospectId: string; contactPointId: string | null }[];
  /** Prospects contactable later this week, with the first instant. */
  contactableThisWeek: { prospectId: string; contactPointId: string | null; from: Date }[];
  /** Ids asked for that the organization does not have. */
  unknown: string[];
}

/** What a batch keeps of a decision: 100,000 whole decisions would not fit in the service's memory. */
interface Outline {
  allowed: boolean;
  contactPointId: string | null;
  nextAllowedAt: Date | null;
  codes: string[];
}

interface ChunkResult {
  unknown: string[];
  /** Each known prospect with the decision for their best contact point. */
  best: [string, Outline][];
}

async function decideChunk(
  ctx: Ctx,
  chunk: string[],
  options: { channel: ContactChannel; at: Date; sector?: string },
): Promise<ChunkResult> {
  const subjects = await loadSubjects(ctx, chunk);
  const unknown: string[] = [];
  const candidates: Candidate[] = [];
  for (const id of chunk) {
    const prospect = subjects.prospects.get(id);
    if (!prospect) {
      unknown.push(id);
      continue;
    }
    const points = pointsFor(subjects, prospect, options.channel);
    for (const point of points.length > 0 ? points : [null]) candidates.push({ prospect, point });
  }
  const decisions = await decideCandidates(ctx, subjects, candidates, {
    channel: options.channel,
    at: options.at,
    sector: options.sector ?? null,
  });
  const byProspect = new Map<string, CandidateDecision[]>();
  decisions.forEach((d, i) => {
    const id = candidates[i]!.prospect.id;
    const list = byProspect.get(id);
    if (list) list.push(d);
    else byProspect.set(id, [d]);
  });
  return {
    unknown,
    best: [...byProspect].map(([id, list]) => {
      const best = bestOf(list);
      return [
        id,
        {
          allowed: best.allowed,
          contactPointId: best.contactPointId,
          nextAllowedAt: best.nextAllowedAt,
          codes: [...new Set(best.reasons.map((r) => r.code))],
        },
      ];
    }),
  };
}

/**
 * A dry run over up to 100,000 prospects: who may be contacted now and within the week, and why not the
 * others. Reads in chunks, each with a fixed number of queries; nothing is reserved.
 */
export async function decideBatch(
  ctx: Ctx,
  input: { prospectIds: string[]; channel: ContactChannel; at: Date; sector?: string },
): Promise<BatchAnswer> {
  const ids = [...new Set(input.prospectIds)];
  const answer: BatchAnswer = {
    channel: input.channel,
    at: input.at,
    total: ids.length,
    now: { contactable: 0, refused: 0, byReason: {} },
    week: { contactable: 0, refused: 0, byReason: {} },
    contactableNow: [],
    contactableThisWeek: [],
    unknown: [],
  };
  const weekEnd = input.at.getTime() + WEEK;
  const chunks: string[][] = [];
  for (let start = 0; start < ids.length; start += BATCH_CHUNK)
    chunks.push(ids.slice(start, start + BATCH_CHUNK));
  // Two chunks in flight: the database reads one while this process decides the other.
  const results: ChunkResult[] = new Array(chunks.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(2, chunks.length) }, async () => {
      while (next < chunks.length) {
        const i = next++;
        results[i] = await decideChunk(ctx, chunks[i]!, input);
      }
    }),
  );
  for (const result of results) {
    answer.unknown.push(...result.unknown);
    for (const [prospectId, best] of result.best) {
      if (best.allowed) {
        answer.now.contactable++;
        answer.week.contactable++;
        answer.contactableNow.push({ prospectId, contactPointId: best.contactPointId });
        continue;
      }
      answer.now.refused++;
      tally(answer.now.byReason, best);
      if (best.nextAllowedAt && best.nextAllowedAt.getTime() < weekEnd) {
        answer.week.contactable++;
        answer.contactableThisWeek.push({
          prospectId,
          contactPointId: best.contactPointId,
          from: best.nextAllowedAt,
        });
      } else {
        answer.week.refused++;
        tally(answer.week.byReason, best);
      }
    }
  }
  answer.total -= answer.unknown.length;
  return answer;
}

function tally(counts: Record<string, number>, decision: Outline): void {
  for (const code of decision.codes) counts[code] = (counts[code] ?? 0) + 1;
}
