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
  const [al, bl] = [foldName(a.lastName), foldName(b.lastName)];
  if (al && bl && al !== bl) return false;
  const [af, bf] = [foldName(a.firstName), foldName(b.firstName)];
  if (af && bf && af !== bf) return false;
  return true;
}

export type { CompanyDraft, ContactPointDraft, ProspectDraft };
