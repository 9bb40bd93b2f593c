import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { channelsStoppedFor, suppressUnheld } from '../compliance/opt-outs';
import type { Ctx } from '../context';
import { queryRows } from '../db';
import type { FieldError } from '../http/errors';
import { insertInteractions } from '../interactions/service';
import { pointFitsChannel } from '../interactions/types';
import { ambiguousNames } from '../prospects/batch-match';
import { newWriteSession, writeProspectBatch } from '../prospects/batch-write';
import { contactPointId } from '../prospects/contact-points';
import { channelOfValue } from '../prospects/drafts';
import type { FastRows } from './fast-rows';
import { type FastConflict, loadKnownKeys, writeProspectImportBatch } from './fast-write';
import type { ImportTarget } from './fields';
import type { InteractionRecord, ProspectRef } from './interaction-records';
import type { ProspectRecord } from './prospect-records';

export interface Counts {
  rows: number;
  created: number;
  updated: number;
  /** Rows that matched a prospect and changed nothing of it. */
  unchanged: number;
  rejected: number;
  skipped: number;
  duplicates: number;
  /** Stops (opt-outs, do-not-calls) about a number or address nobody holds, kept as suppressions of it. */
  suppressed: number;
  companiesCreated: number;
  companiesUpdated: number;
}

export const zeroCounts = (): Counts => ({
  rows: 0,
  created: 0,
  updated: 0,
  unchanged: 0,
  rejected: 0,
  skipped: 0,
  duplicates: 0,
  suppressed: 0,
  companiesCreated: 0,
  companiesUpdated: 0,
});

/** What an import does with the rows of one target. */
export interface TargetAdapter<R extends { line: number }> {
  /** Fields a file must map for the target to make sense, as alternatives: one of each group. */
  required: { fields: string[]; what: string }[];
  /** Checks that need the database (a referenced prospect exists); read-only. */
  prepare(ctx: Ctx, records: R[]): Promise<{ ok: R[]; rejected: FieldError[] }>;
  /** Writes the careful records and the fast rows; a conflict when the fast rows must be written with care. */
  write(ctx: Ctx, records: R[], fast?: FastRows): Promise<Partial<Counts> | FastConflict>;
  /** Whether the converter may route rows to the fast path, and the keys it must know first. */
  loadKnownKeys?(ctx: Ctx, know: (keys: string[]) => void): Promise<boolean>;
  /**
   * The records an earlier attempt of the import wrote, prepared again but not written, so that what the
   * adapter counts across rows (the repeats of an event without an id) is what it was: a resumed import
   * would otherwise count again from nothing.
   */
  replay?(records: R[]): void;
}

/**
 * Above this many contact points, an organization's import looks its rows up batch by batch instead of
 * reading every key first.
 */
const KNOWN_KEYS_LIMIT = 2_000_000;

export function prospectAdapter(): TargetAdapter<ProspectRecord> {
  const session = newWriteSession();
  return {
    required: [
      {
        fields: [
          'companyName',
          'registrationId',
          'website',
          'firstName',
          'lastName',
          'fullName',
          'email',
          'phone',
          'mobile',
          'externalId',
        ],
        what: 'a name, a company, an e-mail or a phone',
      },
    ],
    prepare: async (ctx, records) => {
      const ambiguous = await ambiguousNames(ctx, records);
      if (ambiguous.length === 0) return { ok: records, rejected: [] };
      const refused = new Set(ambiguous.map((a) => a.row));
      return {
        ok: records.filter((r) => !refused.has(r)),
        rejected: ambiguous.map(({ row, count }) => {
          const who = [row.prospect!.firstName, row.prospect!.lastName].filter(Boolean).join(' ');
          return {
            line: row.line,
            message: `line ${row.line}: ${count} people named ${who} at ${row.company!.name} already, and the row names none of them: add an e-mail, a phone or a CRM id`,
          };
        }),
      };
    },
    write: (ctx, records, fast) =>
      fast
        ? writeProspectImportBatch(ctx, records, fast, session)
        : writeProspectBatch(ctx, records, session),
    loadKnownKeys: (ctx, know) => loadKnownKeys(ctx, know, KNOWN_KEYS_LIMIT),
  };
}

export function interactionAdapter(jobId: string): TargetAdapter<InteractionRecord> {
  // How many times the import met each event so far: the third identical call of a day is a third call.
  const met = new Map<string, number>();
  const fingerprintOf = (r: InteractionRecord) => {
    const base = eventFingerprint(r);
    const n = (met.get(base) ?? 0) + 1;
    met.set(base, n);
    return n === 1 ? base : `${base}#${n}`;
  };
  return {
    required: [
      {
        fields: ['prospectId', 'externalId', 'email', 'phone'],
        what: 'the prospect (id, CRM id, e-mail or phone)',
      },
      { fields: ['type'], what: 'the event type (or the type option)' },
      // A "Time" column may hold full date-times (interaction-records reads them as the date).
      { fields: ['occurredAt', 'time'], what: 'the date' },
    ],
    prepare: resolveProspects,
    replay: (records) => {
      for (const r of records) if (r.prospectId !== undefined && !r.externalId) fingerprintOf(r);
    },
    write: async (ctx, records) => {
      const unheld = records.filter((r) => r.prospectId === undefined);
      await suppressUnheld(
        ctx,
        unheld.flatMap((r) =>
          (r.unheld ?? []).map((stop) => ({
            ...stop,
            reason: r.type === 'complaint' ? ('complained' as const) : ('opted out' as const),
            source: `import ${jobId} line ${r.line}`,
          })),
        ),
      );
      const held = records.filter((r) => r.prospectId !== undefined);
      if (held.length === 0) return { suppressed: unheld.length };
      const created = await insertInteractions(
        ctx,
        held.map((r) => ({
          prospectId: r.prospectId!,
          ...(r.contactPointId ? { contactPointId: r.contactPointId } : {}),
          type: r.type,
          channel: r.channel,
          occurredAt: r.occurredAt,
          ...(r.outcome ? { outcome: r.outcome } : {}),
          ...(r.campaign ? { campaign: r.campaign } : {}),
          ...(r.note ? { note: r.note } : {}),
          externalId: r.externalId ?? fingerprintOf(r),
          metadata: r.metadata,
          source: 'import',
        })),
      );
      return {
        created: created.length,
        duplicates: held.length - created.length,
        suppressed: unheld.length,
      };
    },
  };
}

const p = sql.param;

/**
 * An event without an id of its own is known by what it says: who, what, when, how it went, and how
 * many times the file said it before (`#2`, `#3`). A file imported twice then records each event once, as
 * with ids ("fp:…" in `externalId`), and three identical calls in it stay three.
 */
function eventFingerprint(r: InteractionRecord): string {
  const said = [r.prospectId, r.type, r.channel, r.occurredAt.toISOString(), r.outcome, r.campaign, r.note];
  return `fp:${createHash('sha256')
    .update(said.map((v) => v ?? '').join('\u0000'))
    .digest('base64url')
    .slice(0, 32)}`;
}

/**
 * Finds the prospect each event concerns, by the row's references in turn (id, CRM id, e-mail, phone):
 * an e-mail nobody has falls back to the row's phone. A number several prospects share (a switchboard)
 * names none of them; rows that name nobody this organization knows, or only such a number, are rejected.
 */
async function resolveProspects(ctx: Ctx, records: InteractionRecord[]) {
  const refs = records.flatMap((r) => [r.ref, ...(r.also ?? [])]);
  const of = (by: ProspectRef['by']) => refs.filter((r) => r.by === by).map((r) => r.value);
  const [ids, externalIds, values] = [of('id'), of('externalId'), of('contactPoint')];
  const [byId, byExternal, byValue] = await Promise.all([
    ids.length === 0
      ? []
      : queryRows<{ id: string }>(
          ctx.db,
          sql`SELECT id FROM prospects WHERE org_id = ${ctx.orgId} AND id = ANY(${p(ids)}::uuid[])`,
        ),
    externalIds.length === 0
      ? []
      : queryRows<{ id: string; external_id: string }>(
          ctx.db,
          sql`SELECT id, external_id FROM prospects WHERE org_id = ${ctx.orgId} AND external_id = ANY(${p(externalIds)}::text[])`,
        ),
    values.length === 0
      ? []
      : queryRows<{ id: string; prospect_ids: string[] }>(
          ctx.db,
          sql`SELECT id, prospect_ids FROM contact_points
              WHERE org_id = ${ctx.orgId} AND id = ANY(${p(values.map((v) => contactPointId(ctx.orgId, channelOfValue(v), v)))}::uuid[])`,
        ),
  ]);
  const known = new Set(byId.map((r) => r.id));
  const external = new Map(byExternal.map((r) => [r.external_id, r.id]));
  const holders = new Map(byValue.map((r) => [r.id, r.prospect_ids]));
  const ok: InteractionRecord[] = [];
  const rejected: FieldError[] = [];
  const describe = (ref: ProspectRef) =>
    ref.by === 'id' ? `id ${ref.value}` : ref.by === 'externalId' ? `CRM id "${ref.value}"` : ref.label;
  for (const record of records) {
    let found: { prospectId: string; pointId?: string; ref: ProspectRef } | undefined;
    let shared: { label: string; count: number } | undefined;
    let contradiction: string | undefined;
    for (const ref of [record.ref, ...(record.also ?? [])]) {
      let named: { prospectId: string; pointId?: string } | undefined;
      if (ref.by === 'id') named = known.has(ref.value) ? { prospectId: ref.value } : undefined;
      else if (ref.by === 'externalId') {
        const id = external.get(ref.value);
        named = id ? { prospectId: id } : undefined;
      } else {
        const channel = channelOfValue(ref.value);
        const pointId = contactPointId(ctx.orgId, channel, ref.value);
        const people = holders.get(pointId) ?? [];
        // The event is linked to the contact point it came by, not to an address a call cannot use.
        const linked = pointFitsChannel(record.channel, channel) ? { pointId } : {};
        if (people.length === 1) named = { prospectId: people[0]!, ...linked };
        else if (people.length > 1) shared ??= { label: ref.label, count: people.length };
      }
      if (!named) continue;
      if (!found) found = { ...named, ref };
      // Two references of the row naming two people: which one the event concerns is anyone's guess.
      else if (named.prospectId !== found.prospectId)
        contradiction = `${describe(found.ref)} and ${describe(ref)} are two different prospects`;
      else if (!found.pointId && named.pointId) found.pointId = named.pointId;
    }
    if (contradiction) {
      rejected.push({ line: record.line, message: `line ${record.line}: ${contradiction}` });
      continue;
    }
    if (!found) {
      // A stop about a number or address nobody holds is kept as a suppression of it, not lost.
      const unheld = shared ? [] : unheldStops(record);
      if (unheld.length > 0) {
        ok.push({ ...record, unheld });
        continue;
      }
      rejected.push({
        line: record.line,
        message: shared
          ? `line ${record.line}: ${shared.label} is shared by ${shared.count} prospects; name the person by e-mail, CRM id or id`
          : `line ${record.line}: no prospect has ${describe(record.ref)}`,
      });
      continue;
    }
    ok.push({
      ...record,
      prospectId: found.prospectId,
      ...(found.pointId ? { contactPointId: found.pointId } : {}),
    });
  }
  return { ok, rejected };
}

/** The numbers and addresses of a row that a stop (opt-out, complaint, do-not-call) asks to stop. */
function unheldStops(record: InteractionRecord): NonNullable<InteractionRecord['unheld']> {
  return [record.ref, ...(record.also ?? [])].flatMap((ref) => {
    if (ref.by !== 'contactPoint') return [];
    const pointChannel = channelOfValue(ref.value);
    const channels = channelsStoppedFor(record, pointChannel);
    return channels.length > 0 ? [{ value: ref.value, pointChannel, channels }] : [];
  });
}

export function adapterFor(target: ImportTarget, jobId: string): TargetAdapter<{ line: number }> {
  return (target === 'prospects'
    ? prospectAdapter()
    : interactionAdapter(jobId)) as unknown as TargetAdapter<{
    line: number;
  }>;
}
