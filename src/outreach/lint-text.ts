import { z } from '@hono/zod-openapi';
import { PASSING_SCORE } from './check';
import { DRAFT_CHANNELS, type DraftPart } from './content';
import { lintParts } from './lint';
import { checkForbidden } from './mandatory';

/** `POST /v1/lint`: copy written by hand, checked as a draft is, without the facts a draft has. */

export const LintInputSchema = z
  .object({
    text: z.string().min(1).max(20_000),
    subject: z.string().max(500).optional(),
    channel: z.enum(DRAFT_CHANNELS).default('email'),
    hadConversation: z.boolean().default(false).openapi({
      description: 'The reader and you have talked or written before: "as discussed" is then allowed',
    }),
    known: z.array(z.string().max(500)).max(50).default([]).openapi({
      description: 'Links, phone numbers and addresses the text may contain (yours); any other is a finding',
    }),
    maxWords: z.number().int().min(10).max(2000).optional(),
  })
  .openapi('LintInput', {
    example: { subject: 'RE: votre projet', text: 'Dernière chance !!! Répondez vite.', channel: 'email' },
  });

export const LintResultSchema = z
  .object({
    score: z.number().int(),
    passed: z.boolean(),
    findings: z.array(z.record(z.string(), z.unknown())),
  })
  .openapi('LintResult');

export function lintText(input: z.infer<typeof LintInputSchema>) {
  const parts: DraftPart[] = [
    ...(input.subject ? [{ path: '/subject', text: input.subject, role: 'subject' as const }] : []),
    {
      path: '/text',
      text: input.text,
      role: input.channel === 'call_script' ? ('script' as const) : ('body' as const),
    },
  ];
  const lint = lintParts(parts, {
    channel: input.channel,
    hadConversation: input.hadConversation,
    maxWords: input.maxWords,
  });
  const findings = [...lint.findings, ...checkForbidden(parts, input.known)];
  return {
    score: lint.score,
    passed: lint.score >= PASSING_SCORE && !findings.some((f) => f.severity === 'error'),
    findings,
  };
}
