import { z } from '@hono/zod-openapi';
import type { StoredReason } from '../../db/schema';
import type { Ctx } from '../context';
import { csvLine } from '../lib/csv-out';
import { getOrganization } from '../orgs/service';
import type { LinkedContactPoint } from '../prospects/contact-points';
import { internationalForm } from '../prospects/phone';
import type { RankedRow } from './ranked';
import { writeReason } from './reasons';
import { storedShown } from './score';

/** The CSV export of a ranked or saved list: one row per person, with its score and reasons in one language. */

export type ExportRow = RankedRow & {
  company: {
    name: string;
    industryCode: string | null;
    employeeCount: number | null;
    employeeBand: string | null;
  } | null;
  contactPoints: LinkedContactPoint[];
  /** The channels the person is on the do-not-contact list for: a dialer fed the file must skip them. */
  doNotContact: string[];
};

export const EXPORT_HEADER = [
  'prospect_id',
  'first_name',
  'last_name',
  'job_title',
  'company',
  'industry_code',
  'employees',
  'country',
  'phone',
  'email',
  'score',
  'rank',
  'probability',
  'fit',
  'engagement',
  'reasons_for',
  'reasons_against',
  'do_not_contact',
] as const;

/**
 * A row of the CSV export: the person, its first valid phone and e-mail, its score and reasons in one
 * language. For Excel (`;` between cells, as where the comma is the decimal mark) decimals take a comma,
 * or Excel reads them as text, and phones are grouped ("+33 6 12 34 56 78"), or Excel makes a number of
 * them and drops the "+".
 */
export function exportFields(
  row: ExportRow,
  language: 'fr' | 'en',
  excel = false,
): (string | number | null)[] {
  const first = (channel: 'phone' | 'email') =>
    row.contactPoints.find((cp) => cp.channel === channel && cp.status === 'valid')?.value ?? null;
  const reasons = (list: StoredReason[]) => list.map((r) => writeReason(r)[language]).join(' ; ');
  const { prospect: p, score: s } = row;
  const shown = storedShown(s);
  return [
    p.id,
    p.firstName,
    p.lastName,
    p.jobTitle,
    row.company?.name ?? null,
    row.company?.industryCode ?? null,
    // The headcount, else the band as written ("50 à 99").
    row.company?.employeeCount ?? row.company?.employeeBand ?? null,
    p.country,
    excel ? phoneForExcel(first('phone')) : first('phone'),
    first('email'),
    s.score,
    s.rank,
    s.probability === null ? null : decimal(Math.round(s.probability * 10_000) / 10_000, excel),
    s.fit,
    s.engagement,
    reasons(shown.positive),
    reasons(shown.negative),
    row.doNotContact.join(' '),
  ];
}

const decimal = (n: number, comma: boolean) => (comma ? String(n).replace('.', ',') : n);
const phoneForExcel = (e164: string | null) => (e164 === null ? null : internationalForm(e164));

/** The export, written as it is read: a thousand rows at a time, never the whole list in memory. */
export function csvStream(rows: AsyncGenerator<ExportRow[]>, language: 'fr' | 'en', excel: boolean) {
  const options = { delimiter: excel ? (';' as const) : (',' as const), guardFormulas: true };
  const encoder = new TextEncoder();
  return new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(`${excel ? '\ufeff' : ''}${csvLine(EXPORT_HEADER, options)}\r\n`));
    },
    async pull(controller) {
      const next = await rows.next();
      if (next.done) return controller.close();
      const text = next.value
        .map((r) => `${csvLine(exportFields(r, language, excel), options)}\r\n`)
        .join('');
      if (text) controller.enqueue(encoder.encode(text));
    },
    async cancel() {
      await rows.return(undefined);
    },
  });
}

/** The options of every CSV export: Excel's flavour, and the language of the reasons. */
export const exportOptions = {
  format: z.enum(['csv', 'excel']).default('csv'),
  lang: z.enum(['fr', 'en']).optional(),
};

export const csvResponse = {
  200: { description: 'The CSV file', content: { 'text/csv': { schema: z.string() } } },
};

/** The export as a streamed body with its headers: the language asked, else the organization's. */
export async function csvExport(
  ctx: Ctx,
  rows: AsyncGenerator<ExportRow[]>,
  options: { format: 'csv' | 'excel'; lang?: 'fr' | 'en' | undefined; filename: string },
) {
  const language =
    options.lang ?? ((await getOrganization(ctx.db, ctx.orgId)).defaultLanguage === 'fr' ? 'fr' : 'en');
  return {
    body: csvStream(rows, language, options.format === 'excel'),
    headers: {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="${options.filename}"`,
    },
  };
}

/**
 * On a server, every page of an export read in one snapshot (REPEATABLE READ, read only), so that a
 * rescoring running meanwhile cannot move a person from one page to another, listed twice or not at all.
 * On PGlite, whose one connection a long transaction would hold, page by page.
 */
export async function* inOneSnapshot<T>(ctx: Ctx, pages: (ctx: Ctx) => AsyncGenerator<T>): AsyncGenerator<T> {
  if (!ctx.concurrent || ctx.inTransaction) {
    yield* pages(ctx);
    return;
  }
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => {
    finish = resolve;
  });
  let opened!: (tx: Ctx) => void;
  const ready = new Promise<Ctx>((resolve) => {
    opened = resolve;
  });
  const transaction = ctx.db.transaction(
    async (tx) => {
      opened({ ...ctx, db: tx as unknown as Ctx['db'], inTransaction: true });
      await finished;
    },
    { isolationLevel: 'repeatable read', accessMode: 'read only' },
  );
  transaction.catch(() => {});
  try {
    const tx = await Promise.race([
      ready,
      transaction.then(() => {
        throw new Error('the export snapshot closed before it was read');
      }),
    ]);
    yield* pages(tx);
  } finally {
    finish();
    await transaction.catch(() => {});
  }
}
