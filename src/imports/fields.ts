import { fold } from '../prospects/fold';

export type ImportTarget = 'prospects' | 'interactions';

export interface FieldSpec {
  /** What the field holds, for GET /v1/imports/fields. */
  description: string;
  /** Headers, French and English, as exports write them; compared after fold(). */
  headers: string[];
  /** Several columns may feed it (two phone columns make two contact points). */
  repeatable?: boolean;
}

/** "a|b|c" → ["a", "b", "c"]: header lists stay one line each. */
function words(list: string): string[] {
  return list.split('|');
}

/** Fields of a prospect import: a row is a person, with their company when B2B. */
export const PROSPECT_FIELDS = {
  companyName: {
    description: 'Company name',
    headers: words(
      'raison sociale|societe|entreprise|nom entreprise|nom de l entreprise|nom de la societe|denomination|denomination sociale|denomination unite legale|enseigne|company|company name|account|account name|organisation|organization|organization name|organisation name|employer|firma|firmenname|unternehmen|client|compte|nom du compte|customer|partner|company name partner|company account|related company|societe liee',
    ),
  },
  registrationId: {
    description: 'Registration id: SIREN or SIRET, Companies House number, EIN, HRB…',
    headers: words(
      'siret|siren|n siret|numero siret|no siret|n siren|numero siren|siret etablissement|company number|companies house number|company registration number|registration number|registration id|ein|tax id|handelsregisternummer|hrb|registre du commerce|rcs',
    ),
  },
  industryCode: {
    description: "Industry code (NAF, NAICS or SIC; scheme from the header or the code's shape)",
    headers: words(
      'code naf|naf|code ape|ape|naf ape|code naf ape|activite principale|activite principale etablissement|activite principale unite legale|naics|naics code|naics codes|sic|sic code|sic codes|industry code|code activite|wz code|nace|code nace|nace code|nace rev 2|code nace rev 2',
    ),
  },
  industryLabel: {
    description: 'Industry in words',
    headers: words(
      'secteur|secteur d activite|secteur activite|libelle naf|libelle du code naf|libelle ape|activite|industry|industrie|sector|branche|branch',
    ),
  },
  employees: {
    description: 'Headcount, as a number or a range ("10-49", "10 à 49 salariés", "5000+")',
    headers: words(
      'effectif|effectifs|nombre de salaries|nb salaries|salaries|nombre d employes|employees|number of employees|# employees|headcount|staff|company size|size|taille|taille entreprise|mitarbeiter|anzahl mitarbeiter|employee count|company headcount',
    ),
  },
  employeeBand: {
    description: 'Headcount band, including INSEE "tranche d\'effectif" codes (11, 12, 21…)',
    headers: words(
      'tranche d effectif|tranche effectif|tranche d effectifs|tranche effectifs etablissement|tranche effectifs unite legale|employee range|employees range|size range|employee band',
    ),
  },
  revenue: {
    description: 'Annual revenue ("1 234 567 €", "1,2 M€", "$1.5M")',
    headers: words(
      'chiffre d affaires|ca|ca annuel|chiffre d affaire|annual revenue|revenue|revenues|turnover|umsatz|sales',
    ),
  },
  website: {
    description: 'Web site or domain of the company',
    headers: words(
      'site web|site internet|site|website|website url|web site|domain|domaine|url|company domain|webseite',
    ),
  },
  companyCountry: {
    description: "Country of the company when it differs from the person's",
    headers: words(
      'pays entreprise|pays de l entreprise|company country|account country|organization country|billing country',
    ),
  },
  externalId: {
    description: "The prospect's id in the CRM it comes from: re-imports update instead of duplicating",
    headers: words(
      'id|record id|contact id|lead id|external id|crm id|identifiant|id contact|identifiant contact|id crm|reference|ref|id externe',
    ),
  },
  kind: {
    description: 'b2b or b2c (also "professionnel", "particulier"); default b2b when the row names a company',
    headers: words(
      'type|type de contact|type contact|kind|segment b2b b2c|b2b b2c|client type|customer type',
    ),
  },
  civility: {
    description: 'Civility (M., Mme, Mr, Ms): kept as an attribute',
    headers: words('civilite|salutation|civility|anrede|genre'),
  },
  firstName: {
    description: 'First name',
    headers: words('prenom|first name|firstname|given name|vorname|prenom du contact|contact first name'),
  },
  lastName: {
    description: 'Last name',
    headers: words(
      'nom|nom de famille|last name|lastname|surname|family name|nachname|nom du contact|contact last name',
    ),
  },
  fullName: {
    description: 'Full name, split into first and last name',
    headers: words(
      'nom complet|prenom nom|nom prenom|full name|name|contact|contact name|person|person name|interlocuteur|dirigeant|name vorname',
    ),
  },
  jobTitle: {
    description: 'Job title',
    headers: words(
      'fonction|poste|titre|intitule de poste|intitule du poste|title|job title|position|role|job|qualite|berufsbezeichnung|position title|job position|poste occupe',
    ),
  },
  seniority: {
    description: 'Seniority (C-level, director, manager…)',
    headers: words('seniorite|niveau|niveau hierarchique|seniority|level|management level'),
  },
  department: {
    description: 'Department',
    headers: words(
      'service|direction|departement fonctionnel|department|departments|abteilung|function|job function',
    ),
  },
  language: {
    description: 'Preferred language ("fr", "French", "Français")',
    headers: words('langue|langue preferee|language|preferred language|sprache|locale'),
  },
  timeZone: {
    description: 'IANA time zone (Europe/Paris)',
    headers: words('fuseau horaire|fuseau|time zone|timezone|tz|zeitzone'),
  },
  country: {
    description: 'Country (name or ISO code); also used to read national phone numbers',
    headers: words(
      'pays|country|country region|country code|code pays|land|mailing country|pays du contact|contact country',
    ),
  },
  region: {
    description: 'Region, state or département',
    headers: words(
      'region|departement|state|state region|province|county|bundesland|mailing state|etat|state province|mailing state province|billing state province',
    ),
  },
  city: {
    description: 'City',
    headers: words('ville|commune|localite|city|town|stadt|ort|mailing city|libelle commune etablissement'),
  },
  postalCode: {
    description: 'Postal code',
    headers: words(
      'code postal|cp|postal code|postcode|zip|zip code|plz|mailing zip postal code|code postal etablissement',
    ),
  },
  phone: {
    description: 'Phone number (national or international form); several columns make several contact points',
    repeatable: true,
    headers: words(
      'telephone|tel|phone|phone number|telephone fixe|tel fixe|fixe|ligne directe|tel direct|telephone direct|direct line|direct phone|work phone|business phone|office phone|corporate phone|work direct phone|standard|telephone standard|switchboard|numero de telephone|telefon|telefonnummer|home phone|telephone domicile|other phone|phone work|phone home|phone other|phone main',
    ),
  },
  mobile: {
    description: 'Mobile number',
    repeatable: true,
    headers: words(
      'portable|mobile|telephone portable|tel portable|tel mobile|telephone mobile|mobile phone|mobile phone number|cell|cell phone|cellphone|gsm|handy|mobil|mobilnummer|mobiltelefon|mobiltelefonnummer|phone mobile',
    ),
  },
  email: {
    description: 'E-mail address; several columns make several contact points',
    repeatable: true,
    headers: words(
      'e mail|email|mail|courriel|adresse e mail|adresse email|adresse mail|email address|e mail address|work email|business email|personal email|email professionnel|e mail professionnel|email perso|mail pro|email work|email home|email other',
    ),
  },
} satisfies Record<string, FieldSpec>;

/** Fields of an interaction import: a row is an event, found by the prospect's id, e-mail or phone. */
export const INTERACTION_FIELDS = {
  prospectId: {
    description: 'Tiède prospect id',
    headers: words('prospect id|prospect_id|tiede id'),
  },
  externalId: {
    description: "The prospect's CRM id (as imported in externalId)",
    headers: words(
      'contact id|record id|lead id|crm id|id contact|identifiant contact|external id|prospect external id|id externe',
    ),
  },
  email: {
    description: "The prospect's e-mail address",
    headers: [...PROSPECT_FIELDS.email.headers, ...words('recipient|destinataire|to')],
  },
  phone: {
    description: "The prospect's phone number",
    headers: [
      ...PROSPECT_FIELDS.phone.headers,
      ...PROSPECT_FIELDS.mobile.headers,
      ...words('numero appele|called number|numero|number'),
    ],
  },
  country: {
    description: 'Country used to read national phone numbers',
    headers: PROSPECT_FIELDS.country.headers,
  },
  type: {
    description:
      'Event type (email_sent, email_opened, call_attempted…, or a usual name such as "Appel", "Ouverture")',
    headers: words(
      'type|event|evenement|event type|type d evenement|activity type|type d activite|action|activity',
    ),
  },
  channel: {
    description: 'email, phone, sms, web, linkedin, in_person, mail, other',
    headers: words('canal|channel|medium'),
  },
  occurredAt: {
    description:
      'When it happened (ISO 8601, "29/11/2026 14:30", Excel serial date), or its date when a time column gives the time',
    headers: words(
      'date|date heure|date et heure|horodatage|timestamp|time stamp|occurred at|occurred|datetime|date time|created at|date de l appel|date d envoi|sent at|event date|activity date',
    ),
  },
  time: {
    description:
      'Time of day ("14:30", "2:30 PM") of a date given alone in another column, as dialers export calls; a full date-time here is the date',
    // "Time" heads a column of times in most exports (Date;Time); one of full date-times is read as such.
    headers: words(
      'heure|time|call time|heure de l appel|heure d appel|heure appel|start time|heure de debut|heure debut|time of day|heure d envoi|send time|sent time|event time|activity time|uhrzeit',
    ),
  },
  outcome: {
    description: 'Outcome (no_answer, voicemail, interested, refused…)',
    headers: words(
      'resultat|issue|statut|status|outcome|result|disposition|qualification|call result|call outcome',
    ),
  },
  campaign: {
    description: 'Campaign',
    headers: words('campagne|campaign|campaign name|nom de campagne|sequence|cadence'),
  },
  note: {
    description: 'Free-text note about the person',
    headers: words('note|notes|commentaire|commentaires|comment|comments|remarque|description'),
  },
  eventId: {
    description: "The event's id in its source system: a re-imported file adds nothing twice",
    headers: words(
      'event id|activity id|interaction id|id evenement|id activite|message id|call id|id appel',
    ),
  },
  duration: {
    description: 'Duration in seconds (kept in metadata)',
    headers: words('duree|duration|duree appel|call duration|talk time'),
  },
} satisfies Record<string, FieldSpec>;

export type ProspectField = keyof typeof PROSPECT_FIELDS;
export type InteractionField = keyof typeof INTERACTION_FIELDS;

export function fieldsOf(target: ImportTarget): Record<string, FieldSpec> {
  return target === 'prospects' ? PROSPECT_FIELDS : INTERACTION_FIELDS;
}

/** Pipedrive and other CRMs prefix headers with the record they describe: "Organization - Name". */
const COMPANY_PREFIX = /^(organization|organisation|company|account|entreprise|societe|firma)\s+(?=\S)/;
const PERSON_PREFIX = /^(person|contact|lead|personne)\s+(?=\S)/;

const COMPANY_CONTEXT: Record<string, ProspectField> = {
  name: 'companyName',
  nom: 'companyName',
  country: 'companyCountry',
  pays: 'companyCountry',
  website: 'website',
  domain: 'website',
  industry: 'industryLabel',
  secteur: 'industryLabel',
  phone: 'phone',
  telephone: 'phone',
  employees: 'employees',
  size: 'employees',
  city: 'city',
  ville: 'city',
  revenue: 'revenue',
};

function indexHeaders(fields: Record<string, FieldSpec>): Map<string, string> {
  const index = new Map<string, string>();
  for (const [field, spec] of Object.entries(fields)) {
    for (const header of spec.headers) {
      const key = fold(header);
      if (!index.has(key)) index.set(key, field);
    }
  }
  return index;
}

const indexes: Partial<Record<ImportTarget, Map<string, string>>> = {};

/** Guesses the field a header names, or undefined. */
export function guessField(target: ImportTarget, header: string): string | undefined {
  let index = indexes[target];
  if (!index) {
    index = indexHeaders(fieldsOf(target));
    indexes[target] = index;
  }
  let key = fold(header);
  if (key === '') return undefined;
  const exact = index.get(key) ?? index.get(key.replace(/ \d+$/, '')) ?? index.get(key.replace(/s$/, ''));
  if (exact) return exact;
  if (target === 'prospects') {
    const company = COMPANY_PREFIX.exec(key);
    if (company) {
      const rest = key.slice(company[0].length).replace(/^(de l |du |de la )/, '');
      return COMPANY_CONTEXT[rest] ?? index.get(`company ${rest}`) ?? undefined;
    }
    const person = PERSON_PREFIX.exec(key);
    if (person) {
      key = key.slice(person[0].length);
      if (key === 'name' || key === 'nom') return 'fullName';
      return index.get(key) ?? index.get(key.replace(/ \d+$/, ''));
    }
  }
  return guessByWords(target, key);
}

/** Headers that only contain a telling word: "Tél. portable pro", "Email du contact", "SIRET du siège". */
function guessByWords(target: ImportTarget, key: string): string | undefined {
  const words = new Set(key.split(' '));
  const has = (...w: string[]) => w.some((x) => words.has(x));
  if (has('mail', 'email', 'courriel')) return 'email';
  if (has('portable', 'mobile', 'gsm', 'cell', 'handy')) return target === 'prospects' ? 'mobile' : 'phone';
  if (has('telephone', 'tel', 'phone', 'telefon')) return 'phone';
  if (target === 'prospects') {
    if (has('siret', 'siren')) return 'registrationId';
    if (has('naf', 'ape', 'naics', 'sic')) return 'industryCode';
    if (has('effectif', 'effectifs', 'employees', 'salaries', 'headcount')) return 'employees';
    if (has('prenom')) return 'firstName';
  } else {
    if (has('date', 'horodatage', 'timestamp')) return 'occurredAt';
    if (has('campagne', 'campaign')) return 'campaign';
  }
  return undefined;
}
