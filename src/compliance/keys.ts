import { type SQL, sql } from 'drizzle-orm';
import type { SuppressionScope } from '../../db/schema';
import { keyedHash } from './secret';

/**
 * What a suppression matches, as keyed hashes: a phone number or e-mail address (by value, so that the same
 * number on any record, or imported again after an erasure, matches), a person or company (by id), an
 * e-mail domain, or a record's id in the CRM it came from.
 */
export function suppressionKey(scope: SuppressionScope, value: string, channel?: 'phone' | 'email'): Buffer {
  switch (scope) {
    case 'contact_point':
      return keyedHash(channel ?? (value.includes('@') ? 'email' : 'phone'), value);
    case 'person':
      return keyedHash('prospect', value);
    case 'company':
      return keyedHash('company', value);
    case 'email_domain':
      return keyedHash('domain', value.toLowerCase());
    case 'external_id':
      return keyedHash('external', value);
  }
}

/**
 * The keys that name a person, but for their numbers and addresses themselves: them, their company, their
 * CRM id, and the e-mail domains of their addresses and of their company.
 */
export function personKeys(person: {
  id: string;
  companyId: string | null;
  externalId: string | null;
  domains: Iterable<string | null | undefined>;
}): Buffer[] {
  const keys = [suppressionKey('person', person.id)];
  if (person.companyId) keys.push(suppressionKey('company', person.companyId));
  if (person.externalId) keys.push(suppressionKey('external_id', person.externalId));
  const domains = new Set<string>();
  for (const domain of person.domains) if (domain) domains.add(domain);
  for (const domain of domains) keys.push(suppressionKey('email_domain', domain));
  return keys;
}

/** Enough of a value for a person to recognise it, not enough to use it: "+33 6•••••78", "j•••@example.fr". */
export function suppressionHint(scope: SuppressionScope, value: string): string {
  if (scope === 'contact_point') {
    const at = value.lastIndexOf('@');
    if (at > 0) return `${value[0]}•••${value.slice(at)}`;
    return `${value.slice(0, Math.min(4, value.length - 2))}${'•'.repeat(Math.max(0, value.length - 6))}${value.slice(-2)}`;
  }
  if (scope === 'external_id') return `external id ${value.slice(0, 2)}•••`;
  return value;
}

/**
 * `= ANY(…)` over keyed hashes. The hashes travel as hex text and are decoded in SQL, because bytea arrays do
 * not survive every driver's array serialisation.
 */
export function anyHash(hashes: readonly (Buffer | string)[]): SQL {
  const hex = hashes.map((h) => (typeof h === 'string' ? h : h.toString('hex')));
  return sql`ANY(ARRAY(SELECT decode(h, 'hex') FROM unnest(${sql.param(hex)}::text[]) AS h))`;
}
