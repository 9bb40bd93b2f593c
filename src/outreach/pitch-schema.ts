import { z } from '@hono/zod-openapi';

const text = (max: number) => z.string().trim().min(1).max(max);

export const SenderSchema = z
  .strictObject({ name: text(200), company: text(200), role: text(200).optional() })
  .openapi('Sender', { example: { name: 'Claire Moreau', company: 'Tiède Conseil', role: 'conseillère' } });

const PitchTextSchema = z
  .strictObject({
    offer: text(500),
    valuePropositions: z.array(text(500)).max(10).optional(),
    facts: z.array(text(500)).max(30).optional(),
    dataSource: text(300),
    emailOptOut: text(300).optional(),
    smsOptOut: text(60).optional(),
  })
  .openapi('PitchText');

export const PitchSchema = z
  .strictObject({
    offer: text(500),
    valuePropositions: z.array(text(500)).max(10).default([]),
    facts: z.array(text(500)).max(30).default([]).openapi({
      description: 'Approved claims: the only statements about the offer that a draft may make',
    }),
    dataSource: text(300).openapi({ description: 'Where the prospects’ details come from (GDPR art. 14)' }),
    emailOptOut: text(300).optional(),
    smsOptOut: text(60).optional(),
    postalAddress: text(300).optional().openapi({
      description: 'The sender’s postal address, written in e-mails (required in those to the United States)',
    }),
    sender: SenderSchema.optional(),
    translations: z
      .partialRecord(z.enum(['fr', 'en']), PitchTextSchema)
      .optional()
      .openapi({ description: 'The same texts in another language, used for drafts in that language' }),
  })
  .openapi('Pitch', {
    example: {
      offer: 'Un diagnostic gratuit de vos contrats télécom',
      valuePropositions: ['Un seul interlocuteur pour la téléphonie fixe et mobile'],
      facts: ['Diagnostic réalisé en une semaine'],
      dataSource: 'le registre Sirene (INSEE)',
    },
  });
