import postgres from 'postgres';

/**
 * Fills an organization with `rows` prospects straight through SQL (a company per ten, two contact
 * points and three interactions each), for the read benchmark when it runs without the import one.
 */
export async function seedProspects(url: string, orgId: string, rows: number): Promise<void> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  const companies = Math.ceil(rows / 10);
  try {
    await sql.unsafe(`
      CREATE TEMP TABLE seed AS
      SELECT g, gen_random_uuid() AS pid, md5('c' || (g % ${companies}))::uuid AS company_id,
        md5('e' || g)::uuid AS email_id, md5('p' || g)::uuid AS phone_id
      FROM generate_series(1, ${rows}) g`);
    await sql.unsafe(`
      INSERT INTO companies (org_id, id, name, industry_code, industry_scheme, employee_count, country, city, dedupe_key)
      SELECT '${orgId}'::uuid, md5('c' || g)::uuid, 'Entreprise ' || g, '46.69Z', 'NAF', g % 500 + 1, 'FR', 'Lyon',
        'name:entreprise ' || g || '|FR'
      FROM generate_series(0, ${companies - 1}) g`);
    await sql.unsafe(`
      INSERT INTO prospects (org_id, id, company_id, kind, first_name, last_name, job_title, country, city, contact_points)
      SELECT '${orgId}'::uuid, pid, company_id, 'b2b', 'Camille', 'Martin-' || g, 'Acheteuse', 'FR', 'Lyon',
        jsonb_build_array(jsonb_build_object('id', email_id, 'label', 'E-mail'), jsonb_build_object('id', phone_id, 'label', 'Téléphone'))
      FROM seed`);
    await sql.unsafe(`
      INSERT INTO contact_points (org_id, id, channel, value, domain, prospect_ids)
      SELECT '${orgId}'::uuid, email_id, 'email', 'camille.' || g || '@exemple.fr', 'exemple.fr', ARRAY[pid] FROM seed
      UNION ALL
      SELECT '${orgId}'::uuid, phone_id, 'phone', '+336' || lpad(g::text, 8, '0'), NULL, ARRAY[pid] FROM seed`);
    await sql.unsafe(`
      INSERT INTO interactions (org_id, id, prospect_id, type, channel, occurred_at)
      SELECT '${orgId}'::uuid, gen_random_uuid(), pid, (ARRAY['email_sent', 'email_opened', 'call_attempted'])[k],
        CASE WHEN k = 3 THEN 'phone' ELSE 'email' END, now() - make_interval(days => k)
      FROM seed, generate_series(1, 3) k`);
    await sql.unsafe('VACUUM ANALYZE companies, prospects, contact_points, interactions');
  } finally {
    await sql.end();
  }
}
