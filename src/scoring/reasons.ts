import type { InteractionType } from '../../db/schema';
import { EVENT_NAMES } from '../outreach/history';
import type { Contribution } from './fit';
import { seniorityLevel } from './seniority';

/**
 * Reason codes in plain French and English: the three contributions that raise a score most and the three
 * that lower it most, each with its points ("Secteur 46.69Z dans la cible (+12)").
 */

export interface ScoreReason {
  code: string;
  points: number;
  fr: string;
  en: string;
}

type Facts = Contribution['facts'];
const n = (facts: Facts) => Number(facts.count ?? 0);
const plural = (count: number, one: string, many: string) => (count > 1 ? many : one);
/** "these last N days", one day said as such: "ces 14 derniers jours", "ces dernières 24 h". */
const lastDaysFr = (facts: Facts) =>
  Number(facts.days) <= 1 ? 'ces dernières 24 h' : `ces ${facts.days} derniers jours`;
const lastDaysEn = (facts: Facts) =>
  Number(facts.days) <= 1 ? 'in the last day' : `in the last ${facts.days} days`;

/** Whole days ago (`ago`; reasons stored before it have only `days`, counted for "the last N days"). */
const daysBack = (facts: Facts) => Number(facts.ago ?? facts.days);
const agoFr = (facts: Facts) => {
  const d = daysBack(facts);
  return d < 1 || (facts.ago === undefined && d <= 1)
    ? 'ces dernières 24 h'
    : `il y a ${d} jour${d > 1 ? 's' : ''}`;
};
const agoEn = (facts: Facts) => {
  const d = daysBack(facts);
  return d < 1 || (facts.ago === undefined && d <= 1)
    ? 'within the last day'
    : `${d} day${d > 1 ? 's' : ''} ago`;
};

/** The seniority levels' names, for the codes imports and CRMs write ("c_level"). */
const LEVEL_NAMES: Record<string, { fr: string; en: string }> = {
  c_level: { fr: 'dirigeant', en: 'C-level' },
  vp: { fr: 'vice-président', en: 'VP' },
  director: { fr: 'directeur', en: 'director' },
  manager: { fr: 'manager', en: 'manager' },
  senior: { fr: 'confirmé', en: 'senior' },
  entry: { fr: 'débutant', en: 'entry level' },
};

const amountFormats = new Map<string, Intl.NumberFormat>();
/** An amount as people say it, with its currency when known: "450 k €", "£12.9m". */
function amount(locale: 'fr-FR' | 'en-GB', facts: Facts): string {
  const currency =
    typeof facts.currency === 'string' && /^[A-Z]{3}$/.test(facts.currency) ? facts.currency : '';
  const key = `${locale}:${currency}`;
  let format = amountFormats.get(key);
  if (!format) {
    format = new Intl.NumberFormat(locale, {
      notation: 'compact',
      maximumSignificantDigits: 3,
      ...(currency ? { style: 'currency', currency, currencyDisplay: 'narrowSymbol' } : {}),
    });
    amountFormats.set(key, format);
  }
  // Plain spaces, as in the other reasons.
  return format.format(Number(facts.revenue)).replace(/[\u00a0\u202f]/g, ' ');
}

/** Nobody is better than all the people a model was measured on, themselves included. */
const better = (facts: Facts) => Math.min(99, Number(facts.percentile));
/** A chance under 1 % reads "< 1", however small; one over 99 % "> 99", however sure. */
const odds = (facts: Facts) => {
  const p = Number(facts.probability);
  return p < 1 ? '< 1' : p > 99 ? '> 99' : String(Math.round(p));
};

const TEXTS: Record<string, (f: Facts) => { fr: string; en: string }> = {
  'fit.industry': (f) => ({ fr: `Secteur ${f.code} dans la cible`, en: `Industry ${f.code} in the target` }),
  'fit.employees': (f) =>
    f.band === undefined
      ? { fr: `Effectif de ${f.count} dans la cible`, en: `${f.count} employees, in the target range` }
      : {
          fr: `Tranche d'effectif ${f.band} dans la cible`,
          en: `Headcount band ${f.band}, in the target range`,
        },
  // Facts come back from stored JSON: a reason without its amount says none.
  'fit.revenue': (f) =>
    f.revenue === undefined
      ? { fr: "Chiffre d'affaires dans la cible", en: 'Revenue in the target range' }
      : {
          fr: `Chiffre d'affaires de ${amount('fr-FR', f)} dans la cible`,
          en: `Revenue of ${amount('en-GB', f)}, in the target range`,
        },
  'fit.country': (f) => ({ fr: `Pays ${f.country} dans la cible`, en: `Country ${f.country} in the target` }),
  'fit.region': (f) => ({ fr: `Région ${f.region} dans la cible`, en: `Region ${f.region} in the target` }),
  'fit.title': (f) => ({
    fr: `Fonction « ${f.title} » dans la cible`,
    en: `Job title “${f.title}” in the target`,
  }),
  'fit.seniority': (f) => {
    const level = LEVEL_NAMES[seniorityLevel(String(f.seniority))];
    return {
      fr: `Niveau ${level?.fr ?? f.seniority} dans la cible`,
      en: `Seniority ${level?.en ?? f.seniority} in the target`,
    };
  },
  'fit.department': (f) =>
    f.fromTitle
      ? {
          fr: `Service ${f.department} dans la cible, d’après l’intitulé du poste`,
          en: `Department ${f.department} in the target, from the job title`,
        }
      : { fr: `Service ${f.department} dans la cible`, en: `Department ${f.department} in the target` },
  // Opens, not e-mails: a mailer reports each time one message is opened again.
  'engagement.email_opened': (f) => ({
    fr: `${n(f)} ${plural(n(f), 'ouverture', 'ouvertures')} d’e-mail ${lastDaysFr(f)}`,
    en: `${n(f)} e-mail ${plural(n(f), 'open', 'opens')} ${lastDaysEn(f)}`,
  }),
  'engagement.email_clicked': (f) => ({
    fr: `${n(f)} ${plural(n(f), 'clic', 'clics')} ${lastDaysFr(f)}`,
    en: `${n(f)} ${plural(n(f), 'click', 'clicks')} ${lastDaysEn(f)}`,
  }),
  'engagement.email_replied': (f) => ({
    fr: `A répondu à ${n(f)} ${plural(n(f), 'e-mail', 'e-mails')} ${lastDaysFr(f)}`,
    en: `Replied to ${n(f)} ${plural(n(f), 'e-mail', 'e-mails')} ${lastDaysEn(f)}`,
  }),
  'engagement.sms_replied': (f) => ({ fr: `A répondu par SMS (${n(f)})`, en: `Replied by SMS (${n(f)})` }),
  'engagement.call_answered': (f) => ({
    fr: `${n(f)} ${plural(n(f), 'appel abouti', 'appels aboutis')} ${lastDaysFr(f)}`,
    en: `${n(f)} answered ${plural(n(f), 'call', 'calls')} ${lastDaysEn(f)}`,
  }),
  'engagement.meeting_booked': () => ({ fr: 'Rendez-vous pris', en: 'Meeting booked' }),
  'engagement.meeting_held': () => ({ fr: 'Rendez-vous tenu', en: 'Meeting held' }),
  'engagement.web_visit': (f) => ({
    fr: `${n(f)} ${plural(n(f), 'visite', 'visites')} du site ${lastDaysFr(f)}`,
    en: `${n(f)} website ${plural(n(f), 'visit', 'visits')} ${lastDaysEn(f)}`,
  }),
  'engagement.form_submitted': () => ({ fr: 'A rempli un formulaire', en: 'Filled in a form' }),
  'engagement.purchase': () => ({ fr: 'Déjà client (achat)', en: 'Existing customer (purchase)' }),
  'engagement.email_bounced': (f) => ({
    fr: `${n(f)} ${plural(n(f), 'e-mail revenu', 'e-mails revenus')} en erreur`,
    en: `${n(f)} bounced ${plural(n(f), 'e-mail', 'e-mails')}`,
  }),
  'engagement.unanswered_calls': (f) => ({
    fr: `Appelé ${n(f)} fois sans réponse ${lastDaysFr(f)}`,
    en: `Called ${n(f)} times without an answer ${lastDaysEn(f)}`,
  }),
  'engagement.refused': (f) =>
    n(f) > 1
      ? {
          fr: `A refusé ${n(f)} fois au téléphone ${lastDaysFr(f)}`,
          en: `Declined ${n(f)} times on the phone ${lastDaysEn(f)}`,
        }
      : { fr: `A refusé lors d’un appel ${lastDaysFr(f)}`, en: `Declined during a call ${lastDaysEn(f)}` },
  'engagement.opt_out': (f) =>
    f.standing && f.call
      ? {
          fr: `A demandé à ne plus être appelé ${agoFr(f)}, sans revenir depuis`,
          en: `Asked not to be called again ${agoEn(f)} and has not come back since`,
        }
      : f.standing
        ? {
            fr: `S’est désinscrit ${agoFr(f)}, sans revenir depuis`,
            en: `Opted out ${agoEn(f)} and has not come back since`,
          }
        : {
            fr: `S’était désinscrit ${agoFr(f)}, revenu depuis`,
            en: `Opted out ${agoEn(f)}, came back since`,
          },
  'engagement.complaint': (f) =>
    f.standing
      ? {
          fr: `A porté plainte ${agoFr(f)}, sans revenir depuis`,
          en: `Complained ${agoEn(f)} and has not come back since`,
        }
      : {
          fr: `Avait porté plainte ${agoFr(f)}, revenu depuis`,
          en: `Complained ${agoEn(f)}, came back since`,
        },
  'goal.reached': (f) => {
    const name = EVENT_NAMES[f.type as InteractionType] ?? { fr: String(f.type), en: String(f.type) };
    return {
      fr: `Objectif de la campagne déjà atteint (${name.fr}) ${agoFr(f)} : plus proposé à l’appel`,
      en: `Reached the campaign's goal already (${name.en}) ${agoEn(f)}: no longer offered for a call`,
    };
  },
  'model.percentile': (f) => ({
    fr: `Le modèle estime ses chances à ${odds(f)} % (mieux que ${better(f)} % des prospects)`,
    en: `The model puts the odds at ${odds(f)}% (better than ${better(f)}% of prospects)`,
  }),
};

const signed = (points: number) => {
  const rounded = Math.round(points);
  return rounded >= 0 ? `+${rounded}` : `−${Math.abs(rounded)}`;
};

const COMPARED: Record<string, string> = { gte: '≥', lte: '≤' };

/** The sentence of a known code, or of a condition on a custom attribute. */
function textOf(contribution: Contribution): { fr: string; en: string } | undefined {
  const text = TEXTS[contribution.code]?.(contribution.facts);
  if (text) return text;
  if (!contribution.code.startsWith('fit.attribute.')) return undefined;
  const { attribute, value, op, wanted } = contribution.facts;
  const bound = op && COMPARED[op] ? ` (${COMPARED[op]} ${wanted})` : '';
  return {
    fr: `${attribute} = ${value}${bound}, dans la cible`,
    en: `${attribute} = ${value}${bound}, in the target`,
  };
}

export function reasonText(contribution: Contribution): { fr: string; en: string } {
  const text = textOf(contribution);
  if (!text) return { fr: contribution.code, en: contribution.code };
  // "dans la cible" ends the sentence, or comes before what the fact was read from ("d’après l’intitulé
  // du poste"): either way it is what changes.
  if (contribution.facts.outside)
    return {
      fr: text.fr.replace(/,? dans la cible(?=,|$)/, ' hors cible'),
      en: text.en.replace(/(,?) in the target( range)?(?=,|$)/, '$1 outside the target$2'),
    };
  // A criterion given negative points marks what to avoid, not the target.
  if (contribution.points < 0 && contribution.code.startsWith('fit.'))
    return {
      fr: text.fr.replace(/,? dans la cible(?=,|$)/, ', à éviter'),
      en: text.en.replace(/,? in the target( range)?(?=,|$)/, ', to avoid'),
    };
  return text;
}

/** The `count` contributions that raise a score most and the `count` that lower it most. */
export function strongest<T extends { points: number }>(
  contributions: T[],
  count = 3,
): { positive: T[]; negative: T[] } {
  // Kept in order as they come, each after those of equal points: what a stable sort then a slice keeps,
  // without the arrays in between (a rescoring picks reasons three times a person).
  const positive: T[] = [];
  const negative: T[] = [];
  for (const c of contributions) {
    if (Math.round(c.points) === 0) continue;
    if (c.points > 0) keepStrongest(positive, c, count, 1);
    else if (c.points < 0) keepStrongest(negative, c, count, -1);
  }
  return { positive, negative };
}

/** Puts `c` in `list`, ordered by points (`sign` 1: most first; -1: least first), keeping `count` at most. */
function keepStrongest<T extends { points: number }>(list: T[], c: T, count: number, sign: 1 | -1): void {
  let at = list.length;
  while (at > 0 && sign * (c.points - list[at - 1]!.points) > 0) at--;
  if (at >= count) return;
  list.splice(at, 0, c);
  if (list.length > count) list.length = count;
}

/** A contribution as a sentence with its points, in French and English. */
export function writeReason(c: Contribution): ScoreReason {
  const text = reasonText(c);
  return {
    code: c.code,
    points: c.points,
    // A reason without points (a goal reached) says what it is alone.
    fr: c.points === 0 ? text.fr : `${text.fr} (${signed(c.points)})`,
    en: c.points === 0 ? text.en : `${text.en} (${signed(c.points)})`,
  };
}

export function writeReasons(picked: { positive: Contribution[]; negative: Contribution[] }) {
  return { positive: picked.positive.map(writeReason), negative: picked.negative.map(writeReason) };
}

/** The top `count` positive and top `count` negative contributions, as sentences with their points. */
export function topReasons(
  contributions: Contribution[],
  count = 3,
): { positive: ScoreReason[]; negative: ScoreReason[] } {
  return writeReasons(strongest(contributions, count));
}
