import { eq, sql } from 'drizzle-orm';
import { policies } from '../../db/schema';
import { type Ctx, withTransaction } from '../context';
import { audit } from './audit';
import { DEFAULT_POLICY, type Policy } from './policy';

export interface StoredPolicy {
  policy: Policy;
  version: number;
  updatedAt: Date | null;
}

/** The organization's policy, or the defaults (version 0) until one is saved. */
export async function loadPolicy(ctx: Ctx): Promise<StoredPolicy> {
  const [row] = await ctx.db.select().from(policies).where(eq(policies.orgId, ctx.orgId));
  if (!row) return { policy: DEFAULT_POLICY, version: 0, updatedAt: null };
  return { policy: { ...DEFAULT_POLICY, ...row.policy }, version: row.version, updatedAt: row.updatedAt };
}

/** Replaces the policy; the previous and new versions go to the audit log. */
export async function savePolicy(ctx: Ctx, policy: Policy): Promise<StoredPolicy> {
  return withTransaction(ctx, async (tx) => {
    const before = await loadPolicy(tx);
    const [row] = await tx.db
      .insert(policies)
      .values({ orgId: tx.orgId, policy, version: 1, updatedBy: tx.actor.keyId })
      .onConflictDoUpdate({
        target: policies.orgId,
        set: {
          policy,
          version: sql`${policies.version} + 1`,
          updatedAt: new Date(),
          updatedBy: tx.actor.keyId,
        },
      })
      .returning();
    await audit(
      tx,
      'policy.updated',
      { type: 'policy', id: tx.orgId },
      { version: row!.version, before: before.policy, after: policy },
    );
    return { policy: row!.policy, version: row!.version, updatedAt: row!.updatedAt };
  });
}
