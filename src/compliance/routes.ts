import { createRoute, z } from '@hono/zod-openapi';
import { AppError } from '../http/errors';
import {
  conflictResponse,
  errorResponses,
  IdParam,
  json,
  jsonBody,
  out,
  router,
  security,
  unprocessableResponse,
} from '../http/openapi';
import { pageQuery, pageSchema } from '../http/pagination';
import { authorize } from '../http/permissions';
import { present } from '../http/present';
import { recordOutcome } from './attempt-outcomes';
import { getAttempt, listAttempts, reserveAttempt } from './attempts';
import { listAudit } from './audit';
import { batchTargets } from './batch-targets';
import { type BatchAnswer, decideBatch, decideContact } from './decisions';
import { DEFAULT_POLICY, PolicySchema } from './policy';
import { loadPolicy, savePolicy } from './policy-store';
import { REASON_CODES, REASON_MESSAGES } from './reasons';
import { RULE_PACKS } from './rules/packs';
import {
  AttemptSchema,
  AuditEntrySchema,
  BatchInputSchema,
  BatchSchema,
  DecisionInputSchema,
  DecisionSchema,
  instant,
  OutcomeInputSchema,
  ReservationInputSchema,
} from './schemas';

const StoredPolicySchema = z
  .object({
    policy: PolicySchema,
    version: z.number().int().openapi({ description: '0 until the organization saves a policy of its own' }),
    updatedAt: z.string().nullable().openapi({ format: 'date-time' }),
    defaults: PolicySchema,
  })
  .openapi('StoredPolicy');

function summarize(answer: BatchAnswer): string {
  const reasons = Object.entries(answer.now.byReason)
    .sort((a, b) => b[1] - a[1])
    .map(([code, n]) => `${n.toLocaleString('en')} ${code}`);
  return `${answer.total.toLocaleString('en')} targets${reasons.length ? `: ${reasons.join(', ')}` : ''} → ${answer.now.contactable.toLocaleString('en')} contactable now, ${answer.week.contactable.toLocaleString('en')} this week`;
}

export function complianceRoutes() {
  const app = router();

  app.openapi(
    createRoute({
      method: 'get',
      path: '/policy',
      tags: ['Compliance'],
      security,
      summary: "The organization's contact policy: its own caps, pressure budget, hours and quiet days",
      responses: { 200: json(StoredPolicySchema, 'The policy in force'), ...errorResponses },
    }),
    async (c) => {
      const ctx = c.get('ctx');
      authorize(ctx.actor.role, 'compliance:read');
      const stored = await loadPolicy(ctx);
      return c.json(out({ ...stored, defaults: DEFAULT_POLICY }), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'put',
      path: '/policy',
      tags: ['Compliance'],
      security,
      summary: 'Replace the policy',
      description:
        'The policy can only tighten the law: decisions apply the rule packs (GET /v1/rules) and the policy both. consentMaxAgeDays defaults to the unconfirmed 365 days reported for décret 2026-662. Every change is in the audit log with the previous version.',
      request: { body: jsonBody(PolicySchema) },
      responses: { 200: json(StoredPolicySchema, 'The new policy'), ...errorResponses },
    }),
    async (c) => {
      const ctx = c.get('ctx');
      authorize(ctx.actor.role, 'policy:write');
      const stored = await savePolicy(ctx, c.req.valid('json'));
      return c.json(out({ ...stored, defaults: DEFAULT_POLICY }), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/rules',
      tags: ['Compliance'],
      security,
      summary:
        'The law as data: rule packs per jurisdiction and period, each value with its source and confidence; the reason codes',
      responses: {
        200: json(
          z.object({
            packs: z.array(z.record(z.string(), z.unknown())),
            reasons: z.record(z.string(), z.object({ fr: z.string(), en: z.string() })),
          }),
          'Rule packs',
        ),
        ...errorResponses,
      },
    }),
    (c) => {
      authorize(c.get('ctx').actor.role, 'compliance:read');
      return c.json(
        out({
          packs: RULE_PACKS,
          reasons: Object.fromEntries(REASON_CODES.map((code) => [code, REASON_MESSAGES[code]])),
        }),
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/contact-decisions',
      tags: ['Compliance'],
      security,
      summary:
        'May we contact this person, number or address, on this channel, at this instant? Why not, and from when?',
      description: [
        'Give a prospectId (every contact point of theirs for the channel is considered, the first allowed is chosen), a contactPointId, or a bare value.',
        'The law is the callee’s (from the prospect’s country and region and the number’s); time is the callee’s local time. Nothing is reserved: use POST /v1/contact-attempts for that.',
      ].join('\n\n'),
      request: { body: jsonBody(DecisionInputSchema) },
      responses: { 200: json(DecisionSchema, 'The decision'), ...errorResponses },
    }),
    async (c) => {
      const ctx = c.get('ctx');
      authorize(ctx.actor.role, 'compliance:read');
      const body = c.req.valid('json');
      const answer = await decideContact(ctx, { ...body, at: body.at ?? new Date() });
      return c.json(out(answer), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/contact-decisions/batch',
      tags: ['Compliance'],
      security,
      summary:
        'Dry run over a list or a filter of up to 100,000 prospects: counts by reason and the contactable ones, now and this week',
      request: { body: jsonBody(BatchInputSchema) },
      responses: {
        200: json(BatchSchema, 'The counts and the contactable prospects'),
        ...errorResponses,
        ...unprocessableResponse,
      },
    }),
    async (c) => {
      const ctx = c.get('ctx');
      authorize(ctx.actor.role, 'compliance:read');
      const body = c.req.valid('json');
      let ids = body.prospectIds;
      if (!ids && !body.filter)
        throw new AppError('VALIDATION', 'give prospectIds or a filter', {
          errors: [{ field: 'prospectIds', message: 'give prospectIds or a filter' }],
        });
      if (!ids) ids = await batchTargets(ctx, body.filter ?? {});
      const answer = await decideBatch(ctx, {
        prospectIds: ids,
        channel: body.channel,
        at: body.at ?? new Date(),
        ...(body.sector ? { sector: body.sector } : {}),
      });
      const result = { ...answer, summary: summarize(answer) };
      if (!body.includeIds) {
        result.contactableNow = [];
        result.contactableThisWeek = [];
      }
      return c.json(out(result), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/contact-attempts',
      tags: ['Compliance'],
      security,
      summary:
        'Reserve an attempt now: decided and recorded in one transaction, so that no cap is ever exceeded',
      description:
        'Twenty callers and a mailing at once never exceed a cap or a budget, from any number of API processes: the person, their contact points and company are locked while the decision is made. A refusal is 409 problem+json with reasons[] and nextAllowedAt.',
      request: { body: jsonBody(ReservationInputSchema) },
      responses: {
        201: json(
          z.object({
            attempt: AttemptSchema,
            decision: DecisionSchema.omit({ channel: true, at: true, alternatives: true }),
          }),
          'Reserved',
        ),
        ...errorResponses,
        ...conflictResponse,
      },
    }),
    async (c) => {
      const ctx = c.get('ctx');
      authorize(ctx.actor.role, 'attempts:write');
      const reserved = await reserveAttempt(ctx, c.req.valid('json'));
      c.header('Location', `/v1/contact-attempts/${reserved.attempt.id}`);
      return c.json(out({ attempt: present(reserved.attempt), decision: reserved.decision }), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/contact-attempts/{id}/outcome',
      tags: ['Compliance'],
      security,
      summary:
        'How the attempt went, and what follows: wrong number → invalid, refused → cooldown, do_not_contact → suppressed, consent recorded with proof',
      request: { params: IdParam, body: jsonBody(OutcomeInputSchema) },
      responses: {
        200: json(AttemptSchema, 'The attempt with its outcome'),
        ...errorResponses,
        ...conflictResponse,
      },
    }),
    async (c) => {
      const ctx = c.get('ctx');
      authorize(ctx.actor.role, 'attempts:write');
      const body = c.req.valid('json');
      const updated = await recordOutcome(ctx, c.req.valid('param').id, {
        outcome: body.outcome,
        at: body.at ?? new Date(),
        ...(body.note ? { note: body.note } : {}),
        ...(body.scope ? { scope: body.scope } : {}),
        ...(body.consent
          ? {
              consent: {
                purpose: body.consent.purpose,
                proof: body.consent.proof,
                expiresAt: body.consent.expiresAt ?? null,
              },
            }
          : {}),
        ...(body.proof ? { proof: body.proof } : {}),
      });
      return c.json(out(present(updated)), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/contact-attempts',
      tags: ['Compliance'],
      security,
      summary: 'List attempts, newest first',
      request: {
        query: z.object({
          ...pageQuery,
          prospectId: z.string().uuid().optional(),
          contactPointId: z.string().uuid().optional(),
          campaign: z.string().max(200).optional(),
          since: instant('since').optional(),
        }),
      },
      responses: {
        200: json(pageSchema(AttemptSchema, 'ContactAttemptPage'), 'A page of attempts'),
        ...errorResponses,
      },
    }),
    async (c) => {
      const ctx = c.get('ctx');
      authorize(ctx.actor.role, 'compliance:read');
      const result = await listAttempts(ctx, c.req.valid('query'));
      return c.json(out({ data: result.data.map(present), nextCursor: result.nextCursor }), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/contact-attempts/{id}',
      tags: ['Compliance'],
      security,
      summary: 'Get an attempt',
      request: { params: IdParam },
      responses: { 200: json(AttemptSchema, 'The attempt'), ...errorResponses },
    }),
    async (c) => {
      const ctx = c.get('ctx');
      authorize(ctx.actor.role, 'compliance:read');
      return c.json(out(present(await getAttempt(ctx, c.req.valid('param').id))), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/audit',
      tags: ['Compliance'],
      security,
      summary:
        'The audit log, newest first: reservations, outcomes, suppressions, consents, policy changes, erasures',
      description:
        'Append-only: the database refuses to update or delete its rows. Entries hold ids and codes, never a number or an address.',
      request: {
        query: z.object({
          ...pageQuery,
          action: z.string().max(100).optional().openapi({ example: 'attempt.reserved' }),
          subjectId: z.string().max(100).optional(),
          actorKeyId: z.string().uuid().optional(),
          since: instant('since').optional(),
          until: instant('until').optional(),
        }),
      },
      responses: {
        200: json(pageSchema(AuditEntrySchema, 'AuditPage'), 'A page of entries'),
        ...errorResponses,
      },
    }),
    async (c) => {
      const ctx = c.get('ctx');
      authorize(ctx.actor.role, 'audit:read');
      const result = await listAudit(ctx, c.req.valid('query'));
      return c.json(out({ data: result.data.map(present), nextCursor: result.nextCursor }), 200);
    },
  );

  return app;
}
