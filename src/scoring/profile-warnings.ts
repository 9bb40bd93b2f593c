import { sql } from 'drizzle-orm';
import type { Ctx } from '../context';
import { queryRows } from '../db';
import { nearestName } from '../lib/nearest-name';
import { attributeKey } from '../prospects/fold';
import type { IdealProfile } from './fit';
import { knownRegion, nearestRegion, regionIn, regionName } from './regions';

/** Something a profile says that is likely not what was meant, by the field it is in. */
export interface ProfileWarning {
  field: string;
  message: string;
}

/**
 * Regions of a profile that are neither a region Tiède knows (US states, Canadian provinces, French
 * regions, by name or code) nor the region of any of the organization's prospects or companies: a typo
 * ("Californa") matches nobody, silently. They are said, with the name likely meant, rather than refused:
 * a region Tiède does not know ("Bayern") is matched as written, and people from there may be imported
 * after the campaign is made.
 */
export async function profileWarnings(
  ctx: Ctx,
  profile: IdealProfile | undefined,
): Promise<ProfileWarning[]> {
  return [...(await regionWarnings(ctx, profile)), ...(await attributeWarnings(ctx, profile))];
}

async function regionWarnings(ctx: Ctx, profile: IdealProfile | undefined): Promise<ProfileWarning[]> {
  const values = profile?.regions?.values ?? [];
  const unknown = values.flatMap((value, i) => (knownRegion(value) ? [] : [{ value, i }]));
  if (unknown.length === 0) return [];
  const stored = await queryRows<{ region: string; country: string | null }>(
    ctx.db,
    sql`SELECT DISTINCT coalesce(p.region, c.region) AS region, coalesce(p.country, c.country) AS country
        FROM prospects p LEFT JOIN companies c ON c.org_id = p.org_id AND c.id = p.company_id
        WHERE p.org_id = ${ctx.orgId} AND coalesce(p.region, c.region) IS NOT NULL
        UNION
        SELECT region, country FROM companies WHERE org_id = ${ctx.orgId} AND region IS NOT NULL`,
  );
  const storedNames = [...new Set(stored.map((s) => s.region))];
  return unknown
    .filter(({ value }) => !stored.some((s) => regionIn([value], s.region, s.country)))
    .map(({ value, i }) => {
      const folded = storedNames.map(regionName);
      const near = nearestName(regionName(value), folded);
      const meant = near === undefined ? nearestRegion(value) : storedNames[folded.indexOf(near)];
      return {
        field: `body:idealProfile.regions.values.${i}`,
        message:
          `"${value}" is no region Tiède knows, and no prospect's region reads so` +
          (meant ? `: did you mean "${meant}"?` : ' yet: it matches nobody until one does'),
      };
    });
}

/**
 * Conditions on an attribute that no prospect or company of the organization has, by its key as imports
 * store it (attributeKey: "Niveau client" is niveau_client): a misspelt key ("niveau_clinet") matches
 * nobody, silently. Said with the key likely meant, rather than refused: the attribute may come with a
 * later import. Reads every record's keys, once a profile with such conditions is saved.
 */
async function attributeWarnings(ctx: Ctx, profile: IdealProfile | undefined): Promise<ProfileWarning[]> {
  const conditions = profile?.attributes ?? [];
  if (conditions.length === 0) return [];
  const rows = await queryRows<{ key: string }>(
    ctx.db,
    sql`SELECT DISTINCT jsonb_object_keys(attributes) AS key FROM prospects WHERE org_id = ${ctx.orgId}
        UNION
        SELECT DISTINCT jsonb_object_keys(attributes) FROM companies WHERE org_id = ${ctx.orgId}`,
  );
  const stored = new Map(rows.map((r) => [attributeKey(r.key), r.key]));
  const keys = [...stored.keys()];
  return conditions.flatMap((condition, i) => {
    const key = attributeKey(condition.key);
    if (stored.has(key)) return [];
    const near = nearestName(key, keys);
    return [
      {
        field: `body:idealProfile.attributes.${i}.key`,
        message:
          `no prospect or company has an attribute "${condition.key}"` +
          (near ? `: did you mean "${stored.get(near)}"?` : ' yet: it matches nobody until one does'),
      },
    ];
  });
}
