import type { InteractionChannel, InteractionType } from '../../db/schema';
import { zonedTimeToUtc } from '../lib/dates';
import { DAY } from '../lib/durations';
import { seededRandom } from '../lib/random';
import type { ProspectWrite } from '../prospects/batch-write';
import { luhn } from '../prospects/company-values';
import { companyDedupeKey } from '../prospects/drafts';
import { fold } from '../prospects/fold';
import { normalizePhone } from '../prospects/phone';
import { CAMPAIGNS, type CountryPool, INDUSTRIES, POOLS } from './pools';

type Rng = ReturnType<typeof seededRandom>;

export interface DemoEvent {
  type: InteractionType;
  channel?: InteractionChannel;
  occurredAt: Date;
  outcome?: string;
  campaign?: string;
  note?: string;
}

export interface DemoPerson {
  row: ProspectWrite;
  externalId: string;
  events: DemoEvent[];
}

export interface DemoOrganization {
  companies: number;
  people: DemoPerson[];
}

const COUNTRY_SHARE: [CountryPool['country'], number][] = [
  ['FR', 0.55],
  ['GB', 0.15],
  ['US', 0.15],
  ['DE', 0.15],
];

/** Draws one of the items with the given probabilities (summing to 1). */
function weighted<T>(rng: Rng, items: [T, number][]): T {
  let left = rng.next();
  for (const [item, share] of items) {
    left -= share;
    if (left < 0) return item;
  }
  return items.at(-1)![0];
}

function phone(rng: Rng, patterns: string[], country: string): string {
  for (;;) {
    const raw = rng.pick(patterns).replace(/#/g, () => String(rng.int(0, 9)));
    if (normalizePhone(raw, country).ok) return raw;
  }
}

function slug(text: string): string {
  return fold(text).replace(/ /g, '-');
}

/** A day's local working time in the person's zone, as an instant. */
function atWork(rng: Rng, day: Date, timeZone: string): Date {
  return zonedTimeToUtc(
    {
      year: day.getUTCFullYear(),
      month: day.getUTCMonth() + 1,
      day: day.getUTCDate(),
      hour: rng.int(9, 17),
      minute: rng.int(0, 59),
    },
    timeZone,
  );
}

/**
 * A demo organization: companies and people in FR, GB, US and DE with firmographics, phones in ranges
 * kept for fiction where regulators have them, and about four months of e-mails, calls and meetings
 * whose odds follow how warm each person is.
 */
export function generateDemo(
  options: { seed?: number; companies?: number; people?: number; now?: Date } = {},
): DemoOrganization {
  const rng = seededRandom(options.seed ?? 2026);
  const now = options.now ?? new Date();
  const companyCount = options.companies ?? 240;
  const peopleCount = options.people ?? 600;

  const companies = Array.from({ length: companyCount }, (_, i) => {
    const country = weighted(rng, COUNTRY_SHARE);
    const pool = POOLS.find((p) => p.country === country)!;
    const industry = rng.pick(INDUSTRIES);
    const founder = rng.pick(pool.lastNames);
    const name = `${industry.trade[country]} ${founder} ${rng.pick(pool.legalForms)}`;
    const place = rng.pick(pool.cities);
    const employees = Math.max(1, Math.round(Math.exp(rng.next() * 7)));
    const code =
      country === 'FR'
        ? { industryCode: industry.naf, industryScheme: 'NAF' }
        : country === 'US'
          ? { industryCode: industry.naics, industryScheme: 'NAICS' }
          : country === 'GB'
            ? { industryCode: industry.ukSic, industryScheme: 'SIC' }
            : { industryCode: industry.naf.slice(0, 5), industryScheme: 'NACE' };
    const company = {
      name,
      ...registration(rng, country),
      ...code,
      industryLabel: industry.label,
      employeeCount: employees,
      annualRevenue: Math.round(employees * (80_000 + rng.next() * 150_000)),
      revenueCurrency: country === 'GB' ? 'GBP' : country === 'US' ? 'USD' : 'EUR',
      country,
      region: place.region,
      city: place.city,
      postalCode: place.postalCode,
      domain: `${slug(`${industry.trade[country]} ${founder}`)}-${i}.${pool.domainSuffix}`,
      attributes: { segment: employees < 10 ? 'TPE' : employees < 250 ? 'PME' : 'ETI' },
      switchboard: phone(rng, pool.phones.fixed, country),
    };
    return { pool, company };
  });

  const people: DemoPerson[] = [];
  for (let i = 0; i < peopleCount; i++) {
    const { pool, company } = companies[i < companyCount ? i : rng.int(0, companyCount - 1)]!;
    const firstName = rng.pick(pool.firstNames);
    const lastName = rng.pick(pool.lastNames);
    const role = rng.pick(pool.titles);
    const timeZone =
      company.country === 'US'
        ? (
            {
              NY: 'America/New_York',
              FL: 'America/New_York',
              IL: 'America/Chicago',
              TX: 'America/Chicago',
              CO: 'America/Denver',
              CA: 'America/Los_Angeles',
            } as Record<string, string>
          )[company.region]!
        : pool.timeZones[0]!;
    const email = `${slug(firstName)}.${slug(lastName)}${i}@${company.domain}`;
    const { switchboard, ...draft } = company;
    const contactPoints = [
      { channel: 'email' as const, value: email, domain: company.domain, label: 'work e-mail' },
      toPhone(
        rng.chance(0.6) ? phone(rng, pool.phones.mobile, pool.country) : switchboard,
        pool.country,
        'work phone',
      ),
    ];
    const externalId = `DEMO-${String(i + 1).padStart(4, '0')}`;
    people.push({
      externalId,
      row: {
        line: i + 2,
        company: { ...draft, dedupeKey: companyDedupeKey(draft) },
        prospect: {
          externalId,
          kind: 'b2b',
          firstName,
          lastName,
          jobTitle: role.title,
          seniority: role.seniority,
          department: role.department,
          language: pool.language,
          country: pool.country,
          region: company.region,
          city: company.city,
          timeZone,
          attributes: {},
        },
        contactPoints,
      },
      events: history(rng, now, timeZone),
    });
  }
  return { companies: companyCount, people };
}

/** A registration id of the country's kind, well-formed (a SIREN passes its Luhn check). */
function registration(rng: Rng, country: CountryPool['country']) {
  const digits = (n: number) => Array.from({ length: n }, () => rng.int(0, 9)).join('');
  if (country === 'FR') {
    const body = `${rng.int(3, 9)}${digits(7)}`;
    const check = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].find((d) => luhn(`${body}${d}`))!;
    return { registrationId: `${body}${check}`, registrationScheme: 'SIREN' };
  }
  if (country === 'GB') return { registrationId: `0${digits(7)}`, registrationScheme: 'COMPANIES_HOUSE' };
  if (country === 'US')
    return { registrationId: `${rng.int(10, 99)}-${digits(7)}`, registrationScheme: 'EIN' };
  return { registrationId: `HRB${rng.int(10000, 299999)}`, registrationScheme: 'HRB' };
}

function toPhone(raw: string, country: string, label: string) {
  const parsed = normalizePhone(raw, country);
  if (!parsed.ok) throw new Error(`demo phone ${raw}: ${parsed.reason}`);
  return {
    channel: 'phone' as const,
    value: parsed.e164,
    phoneType: parsed.type,
    country: parsed.country ?? country,
    label,
  };
}

/** About four months of contact with one person; warmer people open, answer and meet more often. */
function history(rng: Rng, now: Date, timeZone: string): DemoEvent[] {
  const warmth = rng.next() ** 1.5;
  const events: DemoEvent[] = [];
  const day = (daysAgo: number) => new Date(now.getTime() - daysAgo * DAY);
  const add = (event: DemoEvent) => {
    if (event.occurredAt.getTime() <= now.getTime()) events.push(event);
  };
  CAMPAIGNS.forEach((campaign, c) => {
    if (!rng.chance(0.75)) return;
    const sent = atWork(rng, day(120 - c * 30 - rng.int(0, 10)), timeZone);
    add({ type: 'email_sent', occurredAt: sent, campaign });
    if (rng.chance(0.03)) {
      add({ type: 'email_bounced', occurredAt: new Date(sent.getTime() + 60_000), campaign });
      return;
    }
    if (rng.chance(0.2 + 0.5 * warmth)) {
      const opened = new Date(sent.getTime() + rng.int(1, 48) * 3_600_000);
      add({ type: 'email_opened', occurredAt: opened, campaign });
      if (rng.chance(0.5 * warmth))
        add({ type: 'email_clicked', occurredAt: new Date(opened.getTime() + 120_000), campaign });
      if (rng.chance(0.25 * warmth))
        add({
          type: 'email_replied',
          occurredAt: new Date(opened.getTime() + rng.int(1, 30) * 3_600_000),
          campaign,
        });
      if (rng.chance(0.4 * warmth))
        add({ type: 'web_visit', occurredAt: new Date(opened.getTime() + 300_000), campaign });
    }
  });
  const attempts = rng.chance(0.65) ? rng.int(1, 4) : 0;
  for (let a = 0; a < attempts; a++) {
    const at = atWork(rng, day(rng.int(1, 100)), timeZone);
    const campaign = rng.pick(CAMPAIGNS);
    if (!rng.chance(0.2 + 0.35 * warmth)) {
      add({
        type: 'call_attempted',
        occurredAt: at,
        outcome: rng.pick(['no_answer', 'no_answer', 'voicemail', 'busy']),
        campaign,
      });
      continue;
    }
    const outcome =
      warmth > 0.6 && rng.chance(0.7)
        ? 'interested'
        : rng.pick(['callback', 'not_interested', 'interested', 'refused']);
    add({ type: 'call_answered', occurredAt: at, outcome, campaign });
    if (outcome === 'interested' && rng.chance(0.5)) {
      const meeting = atWork(rng, new Date(at.getTime() + rng.int(2, 12) * DAY), timeZone);
      add({ type: 'meeting_booked', occurredAt: new Date(at.getTime() + 600_000), campaign });
      if (rng.chance(0.8)) {
        add({ type: 'meeting_held', occurredAt: meeting, campaign });
        if (rng.chance(0.3))
          add({ type: 'purchase', occurredAt: new Date(meeting.getTime() + rng.int(3, 20) * DAY), campaign });
      }
    }
    if (outcome === 'refused' && rng.chance(0.3))
      add({
        type: 'opt_out',
        occurredAt: new Date(at.getTime() + 60_000),
        outcome: 'asked not to be called',
        campaign,
      });
    break;
  }
  if (rng.chance(0.015))
    add({ type: 'opt_out', occurredAt: atWork(rng, day(rng.int(1, 60)), timeZone), outcome: 'unsubscribed' });
  return events.sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime());
}
