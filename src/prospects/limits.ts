/**
 * The longest text each field of a company or a prospect takes: the API's schemas refuse longer, and an
 * import rejects a row with a longer cell, from this one table.
 */
export const TEXT_LIMITS = {
  companyName: 300,
  registrationId: 50,
  industryCode: 20,
  industryLabel: 300,
  employeeBand: 30,
  country: 60,
  region: 100,
  city: 100,
  postalCode: 20,
  domain: 300,
  externalId: 200,
  firstName: 100,
  lastName: 100,
  jobTitle: 200,
  seniority: 100,
  department: 100,
  language: 35,
  timeZone: 60,
  attributeKey: 100,
  attributeValue: 10_000,
} as const;
