import { z } from '@hono/zod-openapi';
import {
  ATTEMPT_OUTCOMES,
  LEGAL_BASES,
  REGISTRIES,
  SUPPRESSION_CHANNELS,
  SUPPRESSION_SCOPES,
} from '../../db/schema';
import { instant as strictInstant } from '../http/instant';
import { unknownNames } from '../http/query-keys';
import { RankedCriteria } from '../scoring/ranked';
import { REASON_CODES } from './reasons';

const dateTime = (description?: string) =>
  z.string().openapi({ format: 'date-time', ...(description ? { description } : {}) });
// Instants a decision or a record can be about: rolling windows a year back, schedules years ahead.
const EARLIEST = Date.UTC(1971, 0, 1);
const LATEST = Date.UTC(2200, 0, 1);
// ISO 8601 with an offset, nothing looser (Date.parse read "5/11" as 11 May 2001).
const instant = (what: string) =>
  strictInstant()
    .refine((date) => date.getTime() >= EARLIEST && date.getTime() < LATEST, {
      error: `${what} must be between 1971 and 2200`,
    })
    .openapi({ type: 'string', format: 'date-time' });

// The sectors the law names, however a campaign writes them: "Rénovation énergétique" is energy_renovation.
const SECTOR_SYNONYMS: Record<string, string> = {
  renovation_energetique: 'energy_renovation',
  energy_renovation: 'energy_renovation',
  energies_renouvelables: 'renewable_energy',
  energie_renouvelable: 'renewable_energy',
  renewable_energy: 'renewable_energy',
  adaptation_du_logement: 'housing_adaptation',
  adaptation_logement: 'housing_adaptation',
  housing_adaptation: 'housing_adaptation',
};

export function normalizeSector(value: string): string {
  const key = value
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_|_$/g, '');
  return SECTOR_SYNONYMS[key] ?? key;
}

const sector = () =>
  z.string().max(100).transform(normalizeSector).openapi({
    example: 'energy_renovation',
    description:
      'The campaign’s sector, for sector bans (energy_renovation, renewable_energy, housing_adaptation)',
  });

export const ChannelSchema = z
  .enum(['phone', 'sms', 'email'])
  .openapi({ description: 'How the person would be contacted' });

export const ReasonSchema = z
  .object({
    code: z.enum(REASON_CODES),
    message: z.object({ fr: z.string(), en: z.string() }),
    rule: z.string().openapi({ example: 'FR bloctel-2023-03-01 phone/b2c' }),
    source: z.string().openapi({ example: 'C. conso. D.223-9 (décret 2022-1313)…; regulation.md §2.2' }),
    confidence: z.enum(['C', 'S', 'U', 'policy']).openapi({
      description:
        'C official text, S concordant sources, U unconfirmed (a setting), policy: the organization’s own rule',
    }),
  })
  .openapi('Reason');

export const DecisionSchema = z
  .object({
    allowed: z.boolean(),
    reasons: z.array(ReasonSchema),
    nextAllowedAt: dateTime(
      'The first instant from which the contact would be allowed if waiting is enough; null when it is not',
    ).nullable(),
    jurisdiction: z.string().nullable().openapi({ example: 'FR' }),
    rules: z.string().nullable().openapi({ example: 'FR consent-2026-08-11' }),
    zones: z.array(z.string()).openapi({ description: "The callee's possible time zones" }),
    checked: z
      .array(z.record(z.string(), z.unknown()))
      .openapi({ description: 'What an allowed decision relied on: registry snapshot, consent, counts' }),
    prospectId: z.string().nullable(),
    contactPointId: z.string().nullable(),
    channel: ChannelSchema,
    at: dateTime(),
    alternatives: z.array(
      z.object({
        contactPointId: z.string().nullable(),
        allowed: z.boolean(),
        nextAllowedAt: dateTime().nullable(),
        reasons: z.array(z.string()),
      }),
    ),
  })
  .openapi('ContactDecision');

export const DecisionInputSchema = z
  .object({
    channel: ChannelSchema,
    prospectId: z.string().uuid().optional(),
    contactPointId: z.string().uuid().optional(),
    value: z.string().min(1).max(320).optional().openapi({
      description: 'A number or address the organization may not hold yet',
      example: '06 12 34 56 78',
    }),
    kind: z
      .enum(['b2b', 'b2c'])
      .optional()
      .openapi({ description: 'For a bare value: a business or a consumer (default b2c, the stricter)' }),
    country: z
      .string()
      .regex(/^[A-Za-z]{2}$/, { error: 'a two-letter country code' })
      .transform((v) => v.toUpperCase())
      .optional(),
    at: instant('at').optional().openapi({ description: 'Default: now' }),
    sector: sector().optional(),
  })
  .openapi('ContactDecisionInput');

/**
 * Refuses keys an object does not name, each at its own path with the one it was likely meant as: a
 * misspelt filter (`contry`) would otherwise be dropped and the dry run would count the whole base.
 */
function refuseUnknownKeys(known: readonly string[]) {
  return (value: Record<string, unknown>, check: z.RefinementCtx) => {
    for (const { field, message } of unknownNames(Object.keys(value), known, { where: '', what: 'a filter' }))
      check.addIssue({ code: 'custom', path: [field!], message });
  };
}

// The filters of GET /v1/prospects, with a campaign's scores and a company size as ranked lists take them.
const prospectFilterShape = {
  ...RankedCriteria,
  externalId: z.string().trim().min(1).max(200).optional(),
  updatedSince: instant('filter.updatedSince').optional(),
  campaign: z.string().uuid().optional().openapi({
    description: 'Only the prospects this campaign has scored (needed for minScore and maxScore)',
  }),
};

const ProspectFilterSchema = z
  .looseObject(prospectFilterShape)
  .superRefine(refuseUnknownKeys(Object.keys(prospectFilterShape)))
  .openapi('ProspectFilter', { additionalProperties: false });

export type ProspectFilter = z.infer<typeof ProspectFilterSchema>;

export const BatchInputSchema = z
  .object({
    channel: ChannelSchema,
    prospectIds: z.array(z.string().uuid()).max(100_000).optional(),
    filter: ProspectFilterSchema.optional().openapi({
      description: 'The filters of GET /v1/prospects; at most 100,000 prospects may match',
    }),
    at: instant('at').optional(),
    sector: sector().optional(),
    includeIds: z
      .boolean()
      .default(true)
      .openapi({ description: 'List the contactable prospects, not only the counts' }),
  })
  .openapi('ContactDecisionBatchInput');

const Tally = z.object({
  contactable: z.number().int(),
  refused: z.number().int(),
  byReason: z.record(z.string(), z.number().int()),
});

export const BatchSchema = z
  .object({
    channel: ChannelSchema,
    at: dateTime(),
    total: z.number().int(),
    now: Tally,
    week: Tally.openapi({
      description: 'Contactable at some instant within 7 days; reasons of those who are not',
    }),
    contactableNow: z.array(z.object({ prospectId: z.string(), contactPointId: z.string().nullable() })),
    contactableThisWeek: z.array(
      z.object({ prospectId: z.string(), contactPointId: z.string().nullable(), from: dateTime() }),
    ),
    unknown: z.array(z.string()),
    summary: z.string().openapi({
      example: '1,000 targets: 100 REGISTRY_LISTED, 50 OUTSIDE_WINDOW → 820 contactable now, 950 this week',
    }),
  })
  .openapi('ContactDecisionBatch');

export const AttemptSchema = z
  .object({
    id: z.string(),
    prospectId: z.string().nullable(),
    contactPointId: z.string().nullable(),
    companyId: z.string().nullable(),
    channel: ChannelSchema,
    at: dateTime(),
    campaign: z.string().nullable(),
    sector: z.string().nullable(),
    reservedBy: z.string().nullable(),
    outcome: z.enum(ATTEMPT_OUTCOMES).nullable(),
    outcomeAt: dateTime().nullable(),
    refused: z.boolean(),
    checked: z.array(z.record(z.string(), z.unknown())),
  })
  .openapi('ContactAttempt');

export const ReservationInputSchema = z
  .object({
    prospectId: z
      .string()
      .uuid()
      .optional()
      .openapi({ description: 'Optional with a contactPointId that belongs to one record only' }),
    contactPointId: z
      .string()
      .uuid()
      .optional()
      .openapi({ description: 'Default: the first of the person’s contact points that is allowed' }),
    channel: ChannelSchema,
    campaign: z.string().max(200).optional(),
    sector: sector().optional(),
  })
  .refine((r) => r.prospectId || r.contactPointId, {
    path: ['prospectId'],
    error: 'give a prospectId, a contactPointId, or both',
  })
  .openapi('ContactAttemptInput');

const Proof = z.record(z.string(), z.unknown()).openapi({
  description: 'Who, when, how: a recording id, a form URL and IP, a contract reference',
  example: { recording: 'rec-2026-11-29-0042' },
});

export const OutcomeInputSchema = z
  .object({
    outcome: z.enum(ATTEMPT_OUTCOMES),
    at: instant('at').optional().openapi({ description: 'Default: now' }),
    note: z
      .string()
      .max(10_000)
      .optional()
      .openapi({ description: 'Free text about the call: erased with the person' }),
    scope: z
      .enum(['channel', 'all'])
      .optional()
      .openapi({ description: 'For do_not_contact: this channel (default) or every channel' }),
    consent: z
      .object({
        purpose: z.string().min(1).max(500),
        proof: Proof.default({}),
        expiresAt: instant('consent.expiresAt').optional(),
      })
      .optional()
      .openapi({ description: 'For consent_given' }),
    proof: Proof.optional().openapi({ description: 'For consent_withdrawn' }),
  })
  .openapi('ContactAttemptOutcome');

export const SuppressionSchema = z
  .object({
    id: z.string(),
    scope: z.enum(SUPPRESSION_SCOPES),
    channel: z.enum(SUPPRESSION_CHANNELS),
    hint: z.string().nullable().openapi({
      description: 'Enough of the value to recognise it; the value itself is kept only as a keyed hash',
    }),
    reason: z.string(),
    source: z.string(),
    createdAt: dateTime(),
    createdBy: z.string().nullable(),
    removedAt: dateTime().nullable(),
    removedBy: z.string().nullable(),
    removalReason: z.string().nullable(),
  })
  .openapi('Suppression');

export const SuppressionInputSchema = z
  .object({
    scope: z.enum(SUPPRESSION_SCOPES),
    value: z.string().min(1).max(320).optional().openapi({
      description: 'contact_point: number or address; email_domain: the domain; external_id: the CRM id',
    }),
    prospectId: z.string().uuid().optional().openapi({ description: 'For scope person' }),
    companyId: z.string().uuid().optional().openapi({ description: 'For scope company' }),
    channel: z.enum(SUPPRESSION_CHANNELS).default('all'),
    reason: z.string().min(1).max(500),
    source: z.string().min(1).max(500).default('api'),
  })
  .openapi('SuppressionInput');

export const ConsentSchema = z
  .object({
    id: z.string(),
    prospectId: z.string().nullable(),
    contactPointId: z.string().nullable(),
    channel: z.enum(SUPPRESSION_CHANNELS),
    purpose: z.string(),
    basis: z.enum(LEGAL_BASES),
    source: z.string(),
    proof: z.record(z.string(), z.unknown()),
    givenAt: dateTime(),
    expiresAt: dateTime().nullable(),
    withdrawnAt: dateTime().nullable(),
    withdrawalProof: z.record(z.string(), z.unknown()).nullable(),
    createdAt: dateTime(),
    createdBy: z.string().nullable(),
  })
  .openapi('Consent');

export const ConsentInputSchema = z
  .object({
    prospectId: z.string().uuid().optional(),
    contactPointId: z.string().uuid().optional(),
    channel: z.enum(SUPPRESSION_CHANNELS),
    purpose: z.string().min(1).max(500).openapi({ example: 'offres de rénovation de toiture' }),
    basis: z.enum(LEGAL_BASES).default('consent'),
    source: z.string().min(1).max(500).openapi({ example: 'web form /devis' }),
    proof: Proof,
    givenAt: instant('givenAt').optional().openapi({ description: 'Default: now' }),
    expiresAt: instant('expiresAt').optional(),
  })
  .openapi('ConsentInput');

export const SnapshotSchema = z
  .object({
    id: z.string(),
    registry: z.enum(REGISTRIES),
    asOf: z.string().openapi({ format: 'date' }),
    status: z.enum(['loading', 'ready', 'failed', 'superseded']),
    fileName: z.string().nullable(),
    numbers: z.number().int(),
    rejectedLines: z.number().int(),
    rejections: z
      .array(z.object({ line: z.number().int(), message: z.string() }))
      .openapi({ description: 'The first 1,000 rejected lines' }),
    error: z.string().nullable(),
    createdAt: dateTime(),
    createdBy: z.string().nullable(),
    readyAt: dateTime().nullable(),
  })
  .openapi('RegistrySnapshot');

export const AuditEntrySchema = z
  .object({
    id: z.string(),
    at: dateTime(),
    actorKeyId: z.string().nullable(),
    actorRole: z.string().nullable(),
    action: z.string(),
    subjectType: z.string(),
    subjectId: z.string().nullable(),
    details: z.record(z.string(), z.unknown()),
  })
  .openapi('AuditEntry');

export const ErasureSchema = z
  .object({
    prospectId: z.string(),
    contactPointsDeleted: z.number().int(),
    contactPointsKept: z
      .number()
      .int()
      .openapi({ description: 'Shared with other people: only the link was removed' }),
    interactionsDeleted: z.number().int(),
    consentsDeleted: z.number().int(),
    draftsDeleted: z.number().int(),
    attemptsAnonymized: z.number().int(),
    importRejectionsDeleted: z.number().int(),
    suppressionsKept: z.number().int(),
  })
  .openapi('Erasure');

export { instant };
