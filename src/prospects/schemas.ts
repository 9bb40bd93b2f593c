import { z } from '@hono/zod-openapi';
import { CHANNELS, PROSPECT_KINDS } from '../../db/schema';
import { StoredScoreSchema } from '../scoring/score-schema';
import { INDUSTRY_SCHEMES } from './company-values';
import { TEXT_LIMITS } from './limits';
import { normalizeCountry } from './locale';

export const Timestamp = z.string().openapi({ format: 'date-time', example: '2026-11-29T09:30:00.000Z' });
export const AttributeValue = z.union([
  z.string().max(TEXT_LIMITS.attributeValue),
  z.number(),
  z.boolean(),
  z.null(),
]);
export const Attributes = z.record(z.string().max(TEXT_LIMITS.attributeKey), AttributeValue).openapi({
  description: 'Custom attributes; in a PATCH, null removes a key',
  example: { segment: 'PME', source: 'salon 2026' },
});

const text = (max = 500) => z.string().trim().max(max);
const nullableText = (max = 500) => text(max).nullable().optional();

/** An industry scheme as people type it, in any case: "naf" is NAF. */
export const IndustrySchemeInput = z
  .string()
  .transform((v) => v.trim().toUpperCase())
  .pipe(z.enum(INDUSTRY_SCHEMES));

/**
 * A profile's or a filter's country must be one a prospect can carry: every stored country went through
 * normalizeCountry, so a code it does not give back as itself ("XX", "UK") would match nobody.
 */
export function countryProblem(code: string, check: z.RefinementCtx): void {
  const upper = code.toUpperCase();
  const known = normalizeCountry(upper);
  if (known === upper) return;
  check.addIssue({
    code: 'custom',
    message: `"${code}" is not an ISO 3166-1 country code${known ? ` (did you mean ${known}?)` : ''}`,
  });
}

/** A country to filter by, as an ISO code that a record can carry ("UK" is refused, with GB meant). */
export const CountryCodeInput = z.string().length(2).toUpperCase().superRefine(countryProblem);

// Input bodies are strict: a field the API does not know is named in a 400, never dropped in silence.
export const CompanyInputSchema = z
  .strictObject({
    name: text(TEXT_LIMITS.companyName).min(1),
    registrationId: nullableText(TEXT_LIMITS.registrationId).openapi({
      description: 'SIREN, SIRET, Companies House number, EIN…',
      example: '55208131766522',
    }),
    registrationScheme: z
      .enum(['SIREN', 'SIRET', 'COMPANIES_HOUSE', 'EIN', 'HRB', 'VAT', 'OTHER'])
      .nullable()
      .optional(),
    industryCode: nullableText(TEXT_LIMITS.industryCode).openapi({ example: '46.69Z' }),
    industryScheme: z.enum(INDUSTRY_SCHEMES).nullable().optional(),
    industryLabel: nullableText(TEXT_LIMITS.industryLabel),
    employeeCount: z.number().int().min(0).max(10_000_000).nullable().optional(),
    employeeBand: nullableText(TEXT_LIMITS.employeeBand).openapi({ example: '50-99' }),
    annualRevenue: z.number().min(0).nullable().optional(),
    revenueCurrency: z.string().length(3).nullable().optional(),
    country: nullableText(TEXT_LIMITS.country).openapi({ description: 'ISO code or name', example: 'FR' }),
    region: nullableText(TEXT_LIMITS.region),
    city: nullableText(TEXT_LIMITS.city),
    postalCode: nullableText(TEXT_LIMITS.postalCode),
    domain: nullableText(TEXT_LIMITS.domain).openapi({
      description: 'Domain or web site URL',
      example: 'acme.fr',
    }),
    attributes: Attributes.optional(),
  })
  .openapi('CompanyInput');

export const CompanyPatchSchema = CompanyInputSchema.partial().openapi('CompanyPatch');

export const CompanySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    registrationId: z.string().nullable(),
    registrationScheme: z.string().nullable(),
    industryCode: z.string().nullable(),
    industryScheme: z.string().nullable(),
    industryLabel: z.string().nullable(),
    employeeCount: z.number().nullable(),
    employeeBand: z.string().nullable(),
    annualRevenue: z.number().nullable(),
    revenueCurrency: z.string().nullable(),
    country: z.string().nullable(),
    region: z.string().nullable(),
    city: z.string().nullable(),
    postalCode: z.string().nullable(),
    domain: z.string().nullable(),
    attributes: Attributes,
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .openapi('Company');

export const ContactPointInputSchema = z
  .strictObject({
    channel: z
      .enum(CHANNELS)
      .optional()
      .openapi({ description: 'phone or email; guessed from the value when absent' }),
    value: text(320).min(1).openapi({ example: '06 12 34 56 78' }),
    label: nullableText(60).openapi({ example: 'mobile' }),
  })
  .openapi('ContactPointInput');

export const LinkedContactPointSchema = z
  .object({
    id: z.string(),
    channel: z.enum(CHANNELS),
    value: z.string().openapi({ description: 'E.164 phone or lower-case e-mail', example: '+33612345678' }),
    phoneType: z.string().nullable().openapi({ example: 'mobile' }),
    country: z.string().nullable(),
    domain: z.string().nullable(),
    status: z.enum(['valid', 'invalid']),
    statusReason: z.string().nullable(),
    label: z.string().nullable(),
    sharedWith: z
      .number()
      .int()
      .openapi({ description: 'How many other prospects share it (a switchboard, a family phone)' }),
  })
  .openapi('LinkedContactPoint');

export const ContactPointSchema = z
  .object({
    id: z.string(),
    channel: z.enum(CHANNELS),
    value: z.string(),
    phoneType: z.string().nullable(),
    country: z.string().nullable(),
    domain: z.string().nullable(),
    status: z.enum(['valid', 'invalid']),
    statusReason: z.string().nullable(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .openapi('ContactPoint');

export const ContactPointListItemSchema = ContactPointSchema.extend({
  prospectCount: z.number().int().openapi({ description: 'How many prospects have it' }),
}).openapi('ContactPointListItem');

export const ContactPointDetailSchema = ContactPointSchema.extend({
  prospects: z.array(z.object({ prospectId: z.string(), label: z.string().nullable() })),
}).openapi('ContactPointDetail');

const prospectFields = {
  companyId: z.string().uuid().nullable().optional(),
  externalId: nullableText(TEXT_LIMITS.externalId).openapi({
    description: 'Id in the CRM the prospect comes from',
  }),
  kind: z
    .enum(PROSPECT_KINDS)
    .optional()
    .openapi({ description: 'b2b (a person at a company) or b2c (a consumer)' }),
  firstName: nullableText(TEXT_LIMITS.firstName),
  lastName: nullableText(TEXT_LIMITS.lastName),
  jobTitle: nullableText(TEXT_LIMITS.jobTitle),
  seniority: nullableText(TEXT_LIMITS.seniority),
  department: nullableText(TEXT_LIMITS.department),
  language: nullableText(TEXT_LIMITS.language).openapi({ example: 'fr' }),
  country: nullableText(TEXT_LIMITS.country).openapi({ example: 'FR' }),
  region: nullableText(TEXT_LIMITS.region),
  city: nullableText(TEXT_LIMITS.city),
  postalCode: nullableText(TEXT_LIMITS.postalCode),
  timeZone: nullableText(TEXT_LIMITS.timeZone).openapi({ example: 'Europe/Paris' }),
  attributes: Attributes.optional(),
};

export const ProspectInputSchema = z
  .strictObject({ ...prospectFields, contactPoints: z.array(ContactPointInputSchema).max(20).optional() })
  .openapi('ProspectInput');

export const ProspectPatchSchema = z.strictObject(prospectFields).openapi('ProspectPatch');

const prospectBase = {
  id: z.string(),
  companyId: z.string().nullable(),
  externalId: z.string().nullable(),
  kind: z.enum(PROSPECT_KINDS),
  firstName: z.string().nullable(),
  lastName: z.string().nullable(),
  jobTitle: z.string().nullable(),
  seniority: z.string().nullable(),
  department: z.string().nullable(),
  language: z.string().nullable(),
  country: z.string().nullable(),
  region: z.string().nullable(),
  city: z.string().nullable(),
  postalCode: z.string().nullable(),
  timeZone: z.string().nullable(),
  attributes: Attributes,
  createdAt: Timestamp,
  updatedAt: Timestamp,
};

export const InteractionSchema = z
  .object({
    id: z.string(),
    prospectId: z.string(),
    contactPointId: z.string().nullable(),
    type: z.string(),
    channel: z.string(),
    occurredAt: Timestamp,
    timeGiven: z.boolean().openapi({
      description:
        "False when the event came without occurredAt, which is then the service's clock when it was recorded",
    }),
    outcome: z.string().nullable(),
    campaign: z.string().nullable(),
    note: z.string().nullable(),
    metadata: z.record(z.string(), z.unknown()),
    externalId: z.string().nullable(),
    source: z.string(),
    createdAt: Timestamp,
  })
  .openapi('Interaction');

export const ProspectListItemSchema = z
  .object({
    ...prospectBase,
    company: z.object({ id: z.string(), name: z.string() }).nullable(),
    contactPoints: z.array(LinkedContactPointSchema),
    score: StoredScoreSchema.optional().openapi({
      description: 'With a campaign: its score, probability and reasons',
    }),
    doNotContact: z.array(z.string()).optional().openapi({
      description:
        'With a campaign: the channels the person is on the do-not-contact list for, by anything that names them (all, or some of phone, sms, email); empty when none',
    }),
  })
  .openapi('ProspectListItem');

export const ProspectDetailSchema = z
  .object({
    ...prospectBase,
    company: CompanySchema.nullable(),
    contactPoints: z.array(LinkedContactPointSchema),
    latestInteractions: z.array(InteractionSchema),
  })
  .openapi('ProspectDetail');
