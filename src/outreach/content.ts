import { z } from 'zod';

/**
 * What a draft is, per channel: the structure the LLM must return (parsed with zod) and the template
 * drafter fills, and the way each part is read as text by the checks (a finding points at a part).
 */

export const DRAFT_CHANNELS = ['call_script', 'email', 'sms', 'voicemail', 'linkedin'] as const;
export type DraftChannel = (typeof DRAFT_CHANNELS)[number];

export const OBJECTIONS = ['not_interested', 'send_email', 'has_provider', 'data_source'] as const;

/** A non-empty string of bounded length: an answer or an edit of a megabyte is refused, not checked. */
const line = z.string().min(1).max(4000);

export const CallScriptSchema = z.object({
  opening: line.describe('Who calls, for which company, and the name of the person called'),
  reason: line.describe('Why this call, grounded in one fact about the prospect'),
  permissionQuestion: line.describe('Asks whether now is a good moment, and accepts a no'),
  discoveryQuestions: z.array(line).min(3).max(5).describe('Open questions fitted to the industry and role'),
  valueHypotheses: z
    .array(z.object({ hypothesis: line, basedOn: line.describe('The fact from the inputs it rests on') }))
    .min(1)
    .max(3),
  objections: z
    .array(z.object({ objection: z.enum(OBJECTIONS), answer: line }))
    .min(4)
    .max(6)
    .describe('One answer for each of the four usual objections'),
  exit: line.describe('A graceful close that offers not to be called again and records it'),
  nextSteps: z.array(line).min(1).max(3),
});

export const EmailSchema = z.object({
  subject: line,
  body: z.string().min(1).max(8000).describe('Plain text, ending with the sender and the opt-out line'),
});

export const SmsSchema = z.object({ text: line });
export const VoicemailSchema = z.object({ text: line });
export const LinkedinSchema = z.object({ text: line });

export const CONTENT_SCHEMAS = {
  call_script: CallScriptSchema,
  email: EmailSchema,
  sms: SmsSchema,
  voicemail: VoicemailSchema,
  linkedin: LinkedinSchema,
} as const;

export type CallScript = z.infer<typeof CallScriptSchema>;
export type DraftContent =
  | CallScript
  | z.infer<typeof EmailSchema>
  | z.infer<typeof SmsSchema>
  | z.infer<typeof VoicemailSchema>
  | z.infer<typeof LinkedinSchema>;

/** One readable part of a draft: where it is (a JSON pointer into the content) and its text. */
export interface DraftPart {
  path: string;
  text: string;
  /** The part a reader meets first and the one that carries the ask: lints on asks and length look at these. */
  role: 'subject' | 'body' | 'script';
}

/** The draft as the parts a person reads, in reading order. */
export function partsOf(channel: DraftChannel, content: DraftContent): DraftPart[] {
  if (channel === 'call_script') {
    const s = content as CallScript;
    return [
      { path: '/opening', text: s.opening, role: 'script' },
      { path: '/reason', text: s.reason, role: 'script' },
      { path: '/permissionQuestion', text: s.permissionQuestion, role: 'script' },
      ...s.discoveryQuestions.map((text, i) => ({
        path: `/discoveryQuestions/${i}`,
        text,
        role: 'script' as const,
      })),
      ...s.valueHypotheses.flatMap((v, i) => [
        { path: `/valueHypotheses/${i}/hypothesis`, text: v.hypothesis, role: 'script' as const },
        { path: `/valueHypotheses/${i}/basedOn`, text: v.basedOn, role: 'script' as const },
      ]),
      ...s.objections.map((o, i) => ({
        path: `/objections/${i}/answer`,
        text: o.answer,
        role: 'script' as const,
      })),
      { path: '/exit', text: s.exit, role: 'script' },
      ...s.nextSteps.map((text, i) => ({ path: `/nextSteps/${i}`, text, role: 'script' as const })),
    ];
  }
  if (channel === 'email') {
    const e = content as z.infer<typeof EmailSchema>;
    return [
      { path: '/subject', text: e.subject, role: 'subject' },
      { path: '/body', text: e.body, role: 'body' },
    ];
  }
  return [{ path: '/text', text: (content as { text: string }).text, role: 'body' }];
}

/** The whole draft as one text, for the checks that look for something anywhere in it. */
export function fullText(channel: DraftChannel, content: DraftContent): string {
  return partsOf(channel, content)
    .map((p) => p.text)
    .join('\n');
}
