import { copyEscape } from '../lib/copy-text';
import { newId } from '../lib/ids';
import { KeyDigests, wideDigest } from '../lib/key-digests';
import type { KeyedCompany } from '../prospects/batch-companies';
import type { ProspectRecord } from './prospect-records';

/**
 * The rows of a batch that can only create: a person whose CRM id, e-mails and phones neither the
 * organization nor an earlier row of the file has. They need no look-up and no merge, so the
 * conversion writes them as COPY text at once, and the import's thread only sends it on.
 */
export interface FastRows {
  count: number;
  ids: string[];
  /** Per row: the company's dedupe key, or null. */
  companyKeys: (string | null)[];
  /** Per row: the type the file gave, or null (then b2b with a company, b2c without). */
  kinds: (string | null)[];
  /** Per row: the prospect's COPY text from its id on (PROSPECT_COPY_COLUMNS after the first three). */
  tails: string[];
  /** COPY lines (without their line end) of their contact points, every column of CONTACT_POINT_COPY_COLUMNS. */
  contactPoints: string[];
  /** Their companies, each the first time it comes with these values, with its line. */
  companies: { line: number; company: KeyedCompany }[];
}

/**
 * The keys the router holds at most: 4,000,000 (a file of two million people with a phone and an e-mail
 * each) take 32 MB of digests. A bigger file, or an organization with more keys, is written with care.
 */
const MAX_KEYS = 4_000_000;

/** Beyond this many companies the router forgets which it has sent; sending again costs a cache hit. */
const SENT_LIMIT = 50_000;

/**
 * Sorts converted rows into fast and careful ones, in file order. It knows what the organization had
 * when the import began (`know`) and what the file has brought since; until `enable`, every row is careful.
 */
export class RowRouter {
  private readonly met = new KeyDigests();
  /** Dedupe key → digest of the values last sent. */
  private readonly sent = new Map<string, number>();
  private readonly digests = new WeakMap<object, number>();
  private enabled = false;
  /** Set once the keys outgrow MAX_KEYS: from then on every row is careful. */
  private full = false;

  constructor(private readonly orgId: string) {}

  know(keys: string[]): void {
    if (this.full) return;
    for (const key of keys) this.met.add(key);
    this.full = this.met.size > MAX_KEYS;
  }

  enable(): void {
    this.enabled = !this.full;
  }

  reset(): void {
    this.met.clear();
    this.sent.clear();
    this.enabled = false;
    this.full = false;
  }

  /**
   * Writes a batch's fast rows into `fast` and answers the others, in file order. A row is fast when none of
   * its keys was met before it: in the organization, an earlier batch, or an earlier row of this batch. A
   * fast row whose key a later row of the same batch meets turns careful too: the careful writer matches
   * the rows of a batch with each other, and must see both.
   */
  route(records: ProspectRecord[], fast: FastRows): ProspectRecord[] {
    if (this.full || !this.enabled) return records;
    if (this.met.size > MAX_KEYS) {
      // Past this size, the rest of the file takes the careful path, and the set stops growing.
      this.full = true;
      this.enabled = false;
      return records;
    }
    const isFast = new Array<boolean>(records.length);
    const firstIn = new Map<string, number>();
    const meet = (key: string, i: number): boolean => {
      const first = firstIn.get(key);
      if (first !== undefined) {
        isFast[first] = false;
        return true;
      }
      firstIn.set(key, i);
      return this.met.meet(key);
    };
    for (let i = 0; i < records.length; i++) {
      const record = records[i]!;
      // Every key is met, whatever the row's path: a later row with one of them is not new.
      // A person named at a company and nothing else may be there already: only the careful writer can tell.
      const p = record.prospect;
      let isNew =
        p !== undefined &&
        !(!p.externalId && record.contactPoints.length === 0 && p.lastName && record.company);
      for (const cp of record.contactPoints) if (meet(cp.id!, i)) isNew = false;
      const externalId = record.prospect?.externalId;
      if (externalId && meet(externalKey(externalId), i)) isNew = false;
      isFast[i] = isNew;
    }
    const careful: ProspectRecord[] = [];
    for (let i = 0; i < records.length; i++) {
      const record = records[i]!;
      if (isFast[i]) this.write(record, fast);
      else {
        careful.push(record);
        // The careful writer may give the company other values: the next fast row sends its own again.
        if (record.company) this.sent.delete(record.company.dedupeKey);
      }
    }
    return careful;
  }

  private write(record: ProspectRecord, fast: FastRows): void {
    const id = newId();
    const p = record.prospect!;
    const company = record.company;
    fast.count++;
    fast.ids.push(id);
    fast.companyKeys.push(company?.dedupeKey ?? null);
    fast.kinds.push(p.kind ?? null);
    const links: string[] = [];
    for (const cp of record.contactPoints) {
      links.push(`{"id":"${cp.id}","label":${cp.label === undefined ? 'null' : JSON.stringify(cp.label)}}`);
      // Joined arrays: a template of twenty pieces leaves a chain of twenty cons strings per line.
      fast.contactPoints.push(
        [
          this.orgId,
          cp.id,
          cp.channel,
          copyEscape(cp.value),
          field(cp.phoneType),
          field(cp.country),
          field(cp.domain),
          `{${id}}`,
        ].join('\t'),
      );
    }
    fast.tails.push(
      [
        id,
        field(p.externalId),
        field(p.firstName),
        field(p.lastName),
        field(p.jobTitle),
        field(p.seniority),
        field(p.department),
        field(p.language),
        field(p.country ?? p.countryGuess),
        field(p.region),
        field(p.city),
        field(p.postalCode),
        field(p.timeZone),
        copyEscape(JSON.stringify(p.attributes)),
        copyEscape(`[${links.join(',')}]`),
      ].join('\t'),
    );
    if (!company) return;
    // Rows of one company share its draft (the converter's cache): its digest is computed once.
    let signature = this.digests.get(company);
    if (signature === undefined) {
      signature = wideDigest(company.signature ?? JSON.stringify(company));
      this.digests.set(company, signature);
    }
    if (this.sent.get(company.dedupeKey) !== signature) {
      if (this.sent.size >= SENT_LIMIT) this.sent.clear();
      this.sent.set(company.dedupeKey, signature);
      fast.companies.push({ line: record.line, company });
    }
  }
}

/** A text field of COPY's text format; \\N when absent. */
function field(value: string | undefined): string {
  return value === undefined ? '\\N' : copyEscape(value);
}

export function emptyFastRows(): FastRows {
  return { count: 0, ids: [], companyKeys: [], kinds: [], tails: [], contactPoints: [], companies: [] };
}

export function externalKey(externalId: string): string {
  return `x\n${externalId}`;
}
