import { z } from '@hono/zod-openapi';
import type { ContactChannel, Slots } from './rules/types';

/** What an organization adds to the law. It can only tighten: decisions apply the law and the policy both. */
export interface Policy {
  /** Caps of its own, e.g. at most 2 calls a week into one company. */
  caps: {
    channel: ContactChannel | 'any';
    scope: 'contact_point' | 'person' | 'company';
    max: number;
    windowHours: number;
  }[];
  /** Touches of any kind a person may receive, e.g. at most 3 in 14 days. */
  pressureBudget: { max: number; windowDays: number } | null;
  /** Narrower hours per channel, in the callee's local time. */
  windows: Partial<Record<ContactChannel, Slots>>;
  /** Days without any contact: weekdays (0 = Sunday) and local dates. */
  quietDays: { weekdays: number[]; dates: string[] };
  /** How long a consent stays valid. 365 is the value reported for décret 2026-662, unconfirmed (regulation.md §2.4). */
  consentMaxAgeDays: number;
  /**
   * How long an existing-customer basis recorded without an end lasts: 18 months after the last purchase
   * for the US and Canadian lists' EBR exemption (47 CFR 64.1200(f)(5); CRTC; regulation.md §5, §7).
   */
  existingCustomerMaxAgeDays: number;
  /** Days after a refusal before contacting again, per channel; the law's cooldown applies when longer. */
  refusalCooldownDays: Partial<Record<ContactChannel, number>>;
  /** People with no contact for this long are listed and purged by the retention job (CNIL: 3 years; regulation.md §2.5). */
  retentionDays: number;
}

export const DEFAULT_POLICY: Policy = {
  caps: [],
  pressureBudget: null,
  windows: {},
  quietDays: { weekdays: [], dates: [] },
  consentMaxAgeDays: 365,
  existingCustomerMaxAgeDays: 548,
  refusalCooldownDays: {},
  retentionDays: 3 * 365,
};

const channel = z.enum(['phone', 'sms', 'email']);
const slot = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-4]):[0-5]\d$/, { error: 'a slot such as 09:00-12:30' });
const slots = z.partialRecord(z.enum(['0', '1', '2', '3', '4', '5', '6']), z.array(slot).max(6));

export const PolicySchema = z
  .object({
    caps: z
      .array(
        z.object({
          channel: z.enum(['phone', 'sms', 'email', 'any']),
          scope: z.enum(['contact_point', 'person', 'company']),
          // At least 1: a cap of 0 would be a ban, and a ban is a suppression (channel or all).
          max: z.number().int().min(1).max(1000),
          windowHours: z
            .number()
            .int()
            .min(1)
            .max(24 * 366),
        }),
      )
      .max(50)
      .default([]),
    pressureBudget: z
      .object({ max: z.number().int().min(1).max(1000), windowDays: z.number().int().min(1).max(366) })
      .nullable()
      .default(null),
    windows: z
      .partialRecord(channel, slots)
      .default({})
      .openapi({ example: { phone: { '1': ['10:00-12:00', '14:00-17:00'] } } }),
    quietDays: z
      .object({
        weekdays: z.array(z.number().int().min(0).max(6)).max(7),
        dates: z.array(z.string().regex(/^\d{4}-\d{2}-\d{2}$/)).max(366),
      })
      .default({ weekdays: [], dates: [] }),
    consentMaxAgeDays: z.number().int().min(1).max(3650).default(DEFAULT_POLICY.consentMaxAgeDays),
    existingCustomerMaxAgeDays: z
      .number()
      .int()
      .min(1)
      .max(3650)
      .default(DEFAULT_POLICY.existingCustomerMaxAgeDays),
    refusalCooldownDays: z.partialRecord(channel, z.number().int().min(0).max(3650)).default({}),
    retentionDays: z.number().int().min(30).max(3650).default(DEFAULT_POLICY.retentionDays),
  })
  .openapi('Policy');
