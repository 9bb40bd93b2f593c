import type { ChannelRule, LegalBasis, RulePack, Slots, Sourced } from './types';

/**
 * The law as data, one pack per jurisdiction and period. Every value names its source in
 * ../shared/reference/regulation.md (section) and the text behind it; [U] values are defaults that
 * organizations change in their policy, not law.
 */

const C = <T>(value: T, source: string): Sourced<T> => ({ value, source, confidence: 'C' });
const S = <T>(value: T, source: string): Sourced<T> => ({ value, source, confidence: 'S' });
const U = <T>(value: T, source: string): Sourced<T> => ({ value, source, confidence: 'U' });

const WEEKDAYS = [1, 2, 3, 4, 5] as const;
const EVERY_DAY = [0, 1, 2, 3, 4, 5, 6] as const;
const slots = (days: readonly number[], ranges: string[]): Slots =>
  Object.fromEntries(days.map((d) => [d, ranges])) as Slots;

const DAY = 24 * 60;

// France — Code de la consommation D.223-9 (décret 2022-1313), regulation.md §2.2.
const FR_WINDOW = C(
  slots(WEEKDAYS, ['10:00-13:00', '14:00-20:00']),
  'C. conso. D.223-9 (décret 2022-1313): lundi–vendredi 10h–13h et 14h–20h, fuseau du consommateur; regulation.md §2.2',
);
const FR_HOLIDAYS = C(true, 'C. conso. D.223-9: sauf jours fériés (C. trav. L.3133-1); regulation.md §2.2');
const FR_CAP = C(
  { max: 4, windowMinutes: 30 * DAY, per: 'person' as const },
  'C. conso. D.223-9: pas plus de quatre fois (tentatives comprises) sur trente jours calendaires; regulation.md §2.2',
);
const FR_COOLDOWN = C(
  60,
  'C. conso. D.223-9: soixante jours calendaires révolus après un refus; regulation.md §2.2',
);
const FR_SECTORS = C(
  ['energy_renovation', 'renewable_energy', 'housing_adaptation'],
  'C. conso. L.223-1 (loi 2025-594 art. 13): rénovation énergétique, énergies renouvelables, adaptation du logement, sauf contrat en cours; regulation.md §2.3',
);
const FR_SECTORS_ELECTRONIC = S(
  FR_SECTORS.value,
  'Démarchage téléphonique et électronique (e-mail, SMS) interdit pour la rénovation énergétique et l’adaptation du logement depuis le 1er juillet 2025, sauf contrat en cours; regulation.md §2.3',
);
const FR_ELECTRONIC_B2C = C<LegalBasis[]>(
  ['consent', 'existing_customer'],
  'CPCE L.34-5 et CNIL: consentement préalable, ou client existant pour des produits analogues; regulation.md §2.5',
);

const FR_LEGACY: RulePack = {
  id: 'FR',
  country: 'FR',
  version: 'bloctel-2023-03-01',
  effectiveFrom: '2023-03-01',
  effectiveTo: '2026-08-10',
  rules: {
    phone: {
      b2c: {
        registries: [
          S(
            { name: 'bloctel', maxAgeDays: 30 },
            'C. conso. L.223-1 (2020) et R.223-6: consultation au moins mensuelle; fichier expurgé valable 30 jours (Worldline); regulation.md §2.1',
          ),
        ],
        registryExemptions: C(
          ['contract_in_progress'],
          'C. conso. L.223-1 (2020): contrat en cours en rapport avec son objet; regulation.md §2.1',
        ),
        window: FR_WINDOW,
        holidays: FR_HOLIDAYS,
        caps: [FR_CAP],
        refusalCooldownDays: FR_COOLDOWN,
        bannedSectors: S(
          FR_SECTORS.value,
          'Interdiction du démarchage pour la rénovation énergétique depuis le 1er juillet 2025, sauf contrat en cours; regulation.md §2.3',
        ),
      },
      // Bloctel and D.223-9 protect consumers only; professionals keep their GDPR opposition right.
      b2b: {},
    },
    sms: {
      b2c: { requiresBasis: FR_ELECTRONIC_B2C },
      b2b: {
        requiresBasis: U(
          ['consent', 'existing_customer'],
          'CPCE L.34-5: personnes physiques; le régime B2B du SMS n’est pas confirmé, choix prudent; regulation.md §2.5',
        ),
      },
    },
    email: { b2c: { requiresBasis: FR_ELECTRONIC_B2C }, b2b: {} },
  },
};

const FR_OPT_IN: RulePack = {
  ...FR_LEGACY,
  version: 'consent-2026-08-11',
  effectiveFrom: '2026-08-11',
  effectiveTo: undefined,
  rules: {
    ...FR_LEGACY.rules,
    phone: {
      b2c: {
        requiresBasis: C(
          ['consent', 'contract_in_progress'],
          'C. conso. L.223-1 (loi 2025-594 art. 13, 11 août 2026): consentement préalable prouvé, ou contrat en cours; regulation.md §2.3',
        ),
        window: S(
          FR_WINDOW.value,
          'D.223-9 maintenu par le nouveau L.223-1 (décret à venir); regulation.md §1 FR (from 11 Aug 2026)',
        ),
        holidays: S(true, 'D.223-9 maintenu; regulation.md §1'),
        caps: [S(FR_CAP.value, 'D.223-9 maintenu: 4 sollicitations par 30 jours; regulation.md §1')],
        refusalCooldownDays: S(60, 'D.223-9 maintenu: 60 jours après un refus; regulation.md §1'),
        bannedSectors: FR_SECTORS,
      },
      b2b: {},
    },
    sms: {
      ...FR_LEGACY.rules.sms,
      b2c: { requiresBasis: FR_ELECTRONIC_B2C, bannedSectors: FR_SECTORS_ELECTRONIC },
    },
    email: {
      ...FR_LEGACY.rules.email,
      b2c: { requiresBasis: FR_ELECTRONIC_B2C, bannedSectors: FR_SECTORS_ELECTRONIC },
    },
  },
};

// United Kingdom — PECR regs 21, 22, 26; regulation.md §4.
const UK: RulePack = {
  id: 'GB',
  country: 'GB',
  version: 'pecr-2025',
  effectiveFrom: '2003-12-11',
  rules: {
    phone: {
      b2c: {
        registries: [
          C(
            { name: 'tps', maxAgeDays: 28 },
            'PECR reg 21(1)(b) and 21(3): TPS, 28 days of grace; regulation.md §4',
          ),
        ],
        registryExemptions: C(
          ['consent'],
          'PECR reg 21(4): the subscriber told this caller they do not object; regulation.md §4',
        ),
      },
      b2b: {
        // Sole traders and partnerships register on TPS, companies on CTPS: a business call screens both.
        registries: [
          S(
            { name: 'tps', maxAgeDays: 28 },
            'PECR reg 21 and 26: sole traders and partnerships are individual subscribers on TPS; B2B callers screen TPS and CTPS; regulation.md §4',
          ),
          C(
            { name: 'ctps', maxAgeDays: 28 },
            'PECR reg 21 and 26: CTPS for corporate subscribers, 28 days; regulation.md §4',
          ),
        ],
        registryExemptions: C(['consent'], 'PECR reg 21(4); regulation.md §4'),
      },
    },
    sms: {
      b2c: {
        requiresBasis: S(
          ['consent', 'existing_customer'],
          'PECR reg 22: consent or soft opt-in; regulation.md §4',
        ),
      },
      b2b: {},
    },
    email: {
      b2c: {
        requiresBasis: S(
          ['consent', 'existing_customer'],
          'PECR reg 22: consent or soft opt-in; regulation.md §4',
        ),
      },
      b2b: {},
    },
  },
};

// United States — TCPA (47 CFR 64.1200) and TSR (16 CFR 310); regulation.md §5.
const US_WINDOW = C(
  slots(EVERY_DAY, ['08:00-21:00']),
  '47 CFR 64.1200(c)(1); 16 CFR 310.4(c): 8 a.m. to 9 p.m. at the called party’s location; regulation.md §5',
);
const US_PHONE_B2C: ChannelRule = {
  registries: [
    C(
      { name: 'us-dnc', maxAgeDays: 31 },
      '16 CFR 310.4(b)(3)(iv) and FCC 04-204: registry version no older than 31 days; regulation.md §5',
    ),
  ],
  registryExemptions: S(
    ['consent', 'existing_customer'],
    '47 CFR 64.1200(f)(5): EBR (18 months after a purchase) or signed written consent; regulation.md §5',
  ),
  window: US_WINDOW,
};
const US: RulePack = {
  id: 'US',
  country: 'US',
  version: 'tcpa-tsr-2025',
  effectiveFrom: '2005-01-01',
  rules: {
    // Business numbers are not covered by the registry, and the calling hours protect residences.
    phone: { b2c: US_PHONE_B2C, b2b: {} },
    sms: {
      b2c: {
        requiresBasis: S(
          ['consent'],
          '47 CFR 64.1200(a)(2): autodialed texts to wireless need prior express written consent; regulation.md §5',
        ),
        window: US_WINDOW,
      },
      b2b: {
        requiresBasis: S(
          ['consent'],
          '47 CFR 64.1200(a): wireless numbers, business or not; regulation.md §5',
        ),
      },
    },
    email: { b2c: {}, b2b: {} },
  },
};

// Florida overlay — Fla. Stat. 501.616(6); regulation.md §5.
const FL_WINDOW = C(
  slots(EVERY_DAY, ['08:00-20:00']),
  'Fla. Stat. 501.616(6)(a): 8 a.m. to 8 p.m. in the called person’s time zone; regulation.md §5',
);
const FL_CAP = S(
  { max: 3, windowMinutes: DAY, per: 'person' as const, callsAndTexts: true },
  'Fla. Stat. 501.616(6)(b): no more than three calls to a person in 24 hours on the same subject; the act covers calls and texts, so both are counted together (prudent reading); regulation.md §5',
);
const US_FL: RulePack = {
  id: 'US-FL',
  country: 'US',
  region: 'FL',
  version: 'fl-2021-185',
  effectiveFrom: '2021-07-01',
  rules: {
    phone: { b2c: { window: FL_WINDOW, caps: [FL_CAP] } },
    sms: { b2c: { window: FL_WINDOW, caps: [FL_CAP] } },
  },
};

// Germany — UWG § 7, § 7a; regulation.md §6.
const DE_ELECTRONIC = C<LegalBasis[]>(
  ['consent', 'existing_customer'],
  'UWG § 7(2) Nr. 2 und § 7(3): Einwilligung des Adressaten (auch B2B), Bestandskunden-Ausnahme für E-Mail; regulation.md §6',
);
const DE: RulePack = {
  id: 'DE',
  country: 'DE',
  version: 'uwg-2022-05-28',
  effectiveFrom: '2022-05-28',
  rules: {
    phone: {
      b2c: {
        requiresBasis: C(
          ['consent'],
          'UWG § 7(2) Nr. 1: vorherige ausdrückliche Einwilligung des Verbrauchers; regulation.md §6',
        ),
      },
      b2b: {
        requiresBasis: S(
          ['consent', 'legitimate_interest'],
          'UWG § 7(2) Nr. 1: mindestens mutmaßliche Einwilligung (record it as legitimate interest with its grounds); regulation.md §6',
        ),
      },
    },
    sms: { b2c: { requiresBasis: DE_ELECTRONIC }, b2b: { requiresBasis: DE_ELECTRONIC } },
    email: { b2c: { requiresBasis: DE_ELECTRONIC }, b2b: { requiresBasis: DE_ELECTRONIC } },
  },
};

// Canada — CRTC Unsolicited Telecommunications Rules; regulation.md §7.
const CA_WINDOW = C(
  { ...slots(WEEKDAYS, ['09:00-21:30']), ...slots([0, 6], ['10:00-18:00']) },
  'CRTC Telemarketing Rules: Mon–Fri 9:00–21:30, Sat–Sun 10:00–18:00, time of the person called; regulation.md §7',
);
const CA: RulePack = {
  id: 'CA',
  country: 'CA',
  version: 'crtc-2008',
  effectiveFrom: '2008-09-30',
  rules: {
    phone: {
      b2c: {
        registries: [
          C(
            { name: 'ca-dncl', maxAgeDays: 31 },
            'CRTC: National DNCL, 31 days to update lists; regulation.md §7',
          ),
        ],
        registryExemptions: C(
          ['consent', 'existing_customer'],
          'CRTC exemptions: express consent, EBR (18 months after a purchase); regulation.md §7',
        ),
        window: CA_WINDOW,
      },
      // Calls to businesses are exempt from the DNCL; the Telemarketing Rules (hours) still apply.
      b2b: {
        window: S(CA_WINDOW.value, 'CRTC: Telemarketing Rules apply to exempt calls too; regulation.md §7'),
      },
    },
    sms: {
      b2c: {
        requiresBasis: U(
          ['consent', 'existing_customer'],
          'Not covered by regulation.md (CASL): conservative default',
        ),
      },
      b2b: {},
    },
    email: {
      b2c: {
        requiresBasis: U(
          ['consent', 'existing_customer'],
          'Not covered by regulation.md (CASL): conservative default',
        ),
      },
      b2b: {},
    },
  },
};

/** Countries without a pack of their own: consent for consumers, office hours, a modest cap. */
const CONSERVATIVE =
  'Tiède conservative default for a country without a reviewed pack (GDPR Art. 21 and ePrivacy Art. 13 as the floor); not law';
const DEFAULT: RulePack = {
  id: 'DEFAULT',
  country: '*',
  version: 'conservative-1',
  effectiveFrom: '2000-01-01',
  rules: {
    phone: {
      b2c: {
        requiresBasis: U(['consent', 'contract_in_progress', 'existing_customer'], CONSERVATIVE),
        window: U(slots(WEEKDAYS, ['09:00-12:30', '14:00-18:00']), CONSERVATIVE),
        holidays: U(true, CONSERVATIVE),
        caps: [U({ max: 3, windowMinutes: 30 * DAY, per: 'person' as const }, CONSERVATIVE)],
      },
      b2b: { window: U(slots(WEEKDAYS, ['09:00-18:00']), CONSERVATIVE), holidays: U(true, CONSERVATIVE) },
    },
    sms: { b2c: { requiresBasis: U(['consent', 'existing_customer'], CONSERVATIVE) }, b2b: {} },
    email: { b2c: { requiresBasis: U(['consent', 'existing_customer'], CONSERVATIVE) }, b2b: {} },
  },
};

export const RULE_PACKS: RulePack[] = [FR_LEGACY, FR_OPT_IN, UK, US, US_FL, DE, CA, DEFAULT];

/** French law applies in the overseas departments and collectivities, which have their own country codes. */
export const FRENCH_OVERSEAS = new Set(['GP', 'MQ', 'GF', 'RE', 'YT', 'PM', 'BL', 'MF']);
