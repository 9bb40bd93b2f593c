import { sql } from 'drizzle-orm';
import { type Database, queryRows } from './db';
import { companyNameKey } from './prospects/drafts';

/**
 * Brings a database up to date: the migrations, then what SQL alone cannot compute. Companies written
 * before they kept a name key get it here, from their name by the same rule imports use (migration 0010
 * adds the column empty), a thousand at a time; once all have one, this is a scan that finds nothing.
 */
export async function migrate(database: Database): Promise<void> {
  await database.migrate();
  for (;;) {
    const rows = await queryRows<{ id: string; name: string }>(
      database.db,
      sql`SELECT id, name FROM companies WHERE name_key IS NULL LIMIT 1000`,
    );
    if (rows.length === 0) return;
    await database.db.execute(
      sql`UPDATE companies AS c SET name_key = u.name_key
          FROM unnest(${sql.param(rows.map((r) => r.id))}::uuid[], ${sql.param(rows.map((r) => companyNameKey(r.name)))}::text[])
            AS u(id, name_key)
          WHERE c.id = u.id`,
    );
  }
}
