/**
 * The columns new prospects and contact points are copied with, in the order of the COPY text that the
 * import's converter and the batch writer build.
 */
export const PROSPECT_COPY_COLUMNS = [
  'org_id',
  'company_id',
  'kind',
  'id',
  'external_id',
  'first_name',
  'last_name',
  'job_title',
  'seniority',
  'department',
  'language',
  'country',
  'region',
  'city',
  'postal_code',
  'time_zone',
  'attributes',
  'contact_points',
];

export const CONTACT_POINT_COPY_COLUMNS = [
  'org_id',
  'id',
  'channel',
  'value',
  'phone_type',
  'country',
  'domain',
  'prospect_ids',
];
