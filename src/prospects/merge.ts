import type { CompanyDraft, ContactPointDraft, ProspectDraft } from './drafts';

/** Later values win where they are given; attributes merge key by key. */
export function mergeDrafts<T extends { attributes: Record<string, unknown> }>(base: T, next: T): T {
  const merged = { ...base } as Record<string, unknown>;
  for (const [key, value] of Object.entries(next)) {
    if (key === 'attributes' || value === undefined) continue;
    merged[key] = value;
  }
  merged.attributes = { ...base.attributes, ...next.attributes };
  return merged as T;
}

export function foldName(name: string | undefined): string | undefined {
  return name
    ?.normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');
}

/**
 * Whether two records can be the same person. A shared phone is often a switchboard: it only merges
 * records whose names do not contradict each other.
 */
export function samePersonByName(
  a: Pick<ProspectDraft, 'firstName' | 'lastName'>,
  b: Pick<ProspectDraft, 'firstName' | 'lastName'>,
): boolean {
  // One record's whole name in one field ("Paul Lefèvre" as the last name, as a "Nom" column holds it)
  // is the other's first and last names.
  const whole = (p: typeof a) => foldName(`${p.firstName ?? ''}${p.lastName ?? ''}`);
  const reversed = (p: typeof a) => foldName(`${p.lastName ?? ''}${p.firstName ?? ''}`);
  const oneField = (p: typeof a) => !p.firstName !== !p.lastName;
  if (
    (oneField(a) || oneField(b)) &&
    whole(a) &&
    (whole(a) === whole(b) || whole(a) === reversed(b) || reversed(a) === whole(b))
  )
    return true;
  // First and last names swapped between two records ("Lévêque Hélène" typed the other way round).
  const [af0, al0, bf0, bl0] = [a.firstName, a.lastName, b.firstName, b.lastName].map(foldName);
  if (af0 && al0 && af0 === bl0 && al0 === bf0) return true;
  const [al, bl] = [foldName(a.lastName), foldName(b.lastName)];
  if (al && bl && al !== bl) return false;
  const [af, bf] = [foldName(a.firstName), foldName(b.firstName)];
  if (af && bf && af !== bf) return false;
  return true;
}

export type { CompanyDraft, ContactPointDraft, ProspectDraft };
