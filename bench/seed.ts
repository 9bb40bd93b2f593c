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

/** A time-ordered id for the n-th row of a seeded table, as the service's UUIDv7 ids are ordered. */
const orderedId = (prefix: string, n: string) =>
  `('${prefix}-0000-7000-8000-' || lpad(to_hex(${n}), 12, '0'))::uuid`;

/**
 * Fills an organization with `people` prospects at a company per ten, with varied firmographics, and
 * `perPerson` interactions each on average over the last year, written in time order as a live log is,
 * so that one person's events lie scattered through the table. Ids are ordered as the service's are.
 */
export async function seedHistory(url: string, orgId: string, people: number, perPerson: number) {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  const companies = Math.ceil(people / 10);
  const events = people * perPerson;
  try {
    await sql.unsafe(`
      INSERT INTO companies (org_id, id, name, industry_code, industry_scheme, employee_count, annual_revenue, country, region, dedupe_key)
      SELECT '${orgId}'::uuid, ${orderedId('01900000', 'g')}, 'Entreprise ' || g,
        (ARRAY['46.69Z', '46.69B', '62.01Z', '41.20A', '10.71C', '47.11F', '70.22Z', '25.62B'])[1 + g % 8], 'NAF',
        (ARRAY[3, 12, 45, 120, 300, 900, 2500, 8000])[1 + (g * 7) % 8], (g % 97) * 250000,
        (ARRAY['FR', 'FR', 'FR', 'DE', 'GB', 'US'])[1 + (g * 3) % 6], (ARRAY['IDF', 'ARA', 'OCC', 'HDF', NULL])[1 + g % 5],
        'name:entreprise ' || g
      FROM generate_series(0, ${companies - 1}) g`);
    await sql.unsafe(`
      INSERT INTO prospects (org_id, id, company_id, kind, first_name, last_name, job_title, seniority, department, country, language, contact_points)
      SELECT '${orgId}'::uuid, ${orderedId('01910000', 'g')}, ${orderedId('01900000', `(g % ${companies})`)}, 'b2b', 'Camille', 'Martin-' || g,
        (ARRAY['Acheteuse', 'Directeur des achats', 'Responsable logistique', 'CTO', 'Office manager', 'Gérant'])[1 + g % 6],
        (ARRAY['staff', 'manager', 'director', 'executive'])[1 + (g * 5) % 4],
        (ARRAY['achats', 'logistique', 'it', 'direction'])[1 + (g * 11) % 4],
        (ARRAY['FR', 'FR', 'FR', 'DE', 'GB', 'US'])[1 + ((g % ${companies}) * 3) % 6], 'fr', '[]'::jsonb
      FROM generate_series(0, ${people - 1}) g`);
    // Each event a random person, a type drawn from a realistic mix, a time over the last year in order.
    await sql.unsafe(`
      INSERT INTO interactions (org_id, id, prospect_id, type, channel, occurred_at, outcome)
      SELECT '${orgId}'::uuid, ${orderedId('01920000', 'g')}, ${orderedId('01910000', `floor(random() * ${people})::int`)}, t.type, t.channel,
        now() - make_interval(secs => (${events} - g) * (365.0 * 86400 / ${events})),
        CASE WHEN t.type = 'call_attempted' THEN (ARRAY['no_answer', 'no_answer', 'busy', 'answered', 'refused'])[1 + floor(random() * 5)::int] END
      FROM generate_series(1, ${events}) g,
      LATERAL (SELECT (ARRAY['email_sent', 'email_sent', 'email_sent', 'email_opened', 'email_opened', 'email_clicked',
                             'call_attempted', 'call_attempted', 'web_visit', 'email_replied', 'call_answered', 'meeting_booked',
                             'email_bounced', 'sms_sent', 'voicemail_left', 'opt_out'])[1 + floor(random() * 16 + g * 0)::int] AS type) r,
      LATERAL (SELECT r.type, CASE WHEN r.type LIKE 'email%' THEN 'email' WHEN r.type = 'web_visit' THEN 'web'
                                   WHEN r.type = 'sms_sent' THEN 'sms' WHEN r.type = 'opt_out' THEN 'other' ELSE 'phone' END AS channel) t`);
    await sql.unsafe('VACUUM ANALYZE companies, prospects, interactions');
  } finally {
    await sql.end();
  }
}
