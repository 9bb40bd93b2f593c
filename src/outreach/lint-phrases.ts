import type { FindingText } from './findings';

/**
 * The phrases the tolerability lint looks for, by rule: false urgency, pressure, guilt and invented
 * familiarity, in French and English, each rule with its code, its cost and its severity.
 */

interface PhraseRule {
  code: string;
  severity: 'error' | 'warning';
  penalty: number;
  text: FindingText;
  /** Matched on plain text (straight apostrophes), case-insensitively, on word boundaries. */
  phrases: string[];
  /** "We have talked before": true once the history shows a conversation. */
  waivedAfterConversation?: boolean;
}

const W = "[\\p{L}\\p{N}'-]";

const PHRASE_RULES: PhraseRule[] = [
  {
    code: 'FALSE_URGENCY',
    severity: 'error',
    penalty: 25,
    text: { fr: 'Urgence artificielle', en: 'False urgency' },
    phrases: [
      'dernière chance',
      'offre limitée',
      'offre exceptionnelle',
      'durée limitée',
      'places limitées',
      'stock limité',
      'plus que \\d+ (places?|jours?|heures?)',
      "expire (ce soir|aujourd'hui|demain|bientôt)",
      "aujourd'hui seulement",
      "jusqu'à ce soir",
      'ne tardez pas',
      'profitez(-en)? (dès maintenant|maintenant|vite|sans attendre)',
      '(répondez|rappelez|réservez|commandez|inscrivez-vous|contactez-nous|décidez) (immédiatement|vite|sans tarder|sans attendre|dès maintenant)',
      "(?<!(pas|rien d'|non|rien de) )urgent(e|es|s)?",
      "avant qu'il ne soit trop tard",
      'ne (ratez|manquez) pas',
      'dépêchez-vous',
      'derniers jours',
      'plus que quelques (jours|heures|places)',
      'dernier rappel',
      'rappel important',
      'offre (réservée|exclusive) (à|pour) vous',
      'vous avez été sélectionnée?s?',
      'félicitations',
      'last chance',
      'limited[- ]time',
      'act now',
      'only \\d+ (left|spots?|days?|hours?)',
      'expires? (today|tonight|tomorrow|soon)',
      'today only',
      'hurry',
      '(?<!(not|nothing|no) )urgent(ly)?',
      '(reply|respond|call|book|sign up|order|act|decide) (immediately|right away|now|today)',
      "don't miss (out|this)",
      "before it's too late",
      'final notice',
      'final reminder',
      'time is running out',
      'act fast',
      "don't wait",
      'only a few (days|hours|spots) left',
      'exclusive offer (just )?for you',
      "you've been (selected|chosen)",
      'you have been (selected|chosen)',
      'congratulations',
      'once in a lifetime',
    ],
  },
  {
    code: 'PRESSURE',
    severity: 'error',
    penalty: 25,
    text: { fr: 'Pression', en: 'Pressure' },
    phrases: [
      'vous devez absolument',
      'il faut absolument',
      'vous ne pouvez pas (vous permettre|passer à côté)',
      'je me permets de (vous )?relancer',
      'je vous relance',
      'je (vous )?rappellerai (demain|sans faute|jusqu)',
      'je reviendrai vers vous (demain|sans faute)',
      'sans faute',
      "c'est maintenant ou jamais",
      'you must',
      "you can't afford",
      'you cannot afford',
      'just following up',
      'circling back',
      'bumping this',
      "i'll (keep )?call(ing)? (you )?(again|back) (tomorrow|until)",
      'now or never',
      'no excuses?',
      'keep trying',
      'until i reach you',
      "jusqu'à ce que je vous (joigne|parle|aie)",
      'je ne lâcherai pas',
      'sans engagement de votre part, signez',
      'signez (dès )?aujourd',
      'risk[- ]free',
      '100 ?% (gratuit|free)',
      'what are you waiting for',
      "qu'attendez-vous",
    ],
  },
  {
    code: 'GUILT',
    severity: 'error',
    penalty: 30,
    text: { fr: 'Culpabilisation', en: 'Guilt' },
    phrases: [
      "vous (ne )?(m'avez|nous avez) (pas|jamais|toujours pas) répondu",
      'sans (nouvelles|réponse) de votre part',
      'je suppose que (ça|cela) ne vous intéresse pas',
      'vous passez à côté',
      "vos concurrents (l'ont|ont déjà|le font)",
      'dommage pour vous',
      "you (haven't|have not|never) (replied|responded|answered)",
      "(haven't|have not) heard (back )?from you",
      "i guess you're not interested",
      "you're missing out",
      'you are missing out',
      'your competitors (are|already|have)',
      "don't you want",
      'i was (surprised|disappointed)',
    ],
  },
  {
    code: 'INVENTED_FAMILIARITY',
    severity: 'error',
    waivedAfterConversation: true,
    penalty: 20,
    text: { fr: 'Familiarité inventée', en: 'Invented familiarity' },
    phrases: [
      'comme convenu',
      'comme promis',
      'suite à notre (échange|conversation|appel|rencontre|discussion)',
      'ravie? de (vous )?(avoir|revoir|retrouver)',
      'cher ami',
      'mon ami',
      'as discussed',
      'as promised',
      'per our (call|conversation|chat)',
      'following (up on )?our (call|conversation|chat|meeting)',
      'great (talking|chatting|speaking) (to|with) you',
      'my friend',
      'hope you remember me',
      'good to reconnect',
    ],
  },
];

export const compiled = PHRASE_RULES.map((r) => ({
  ...r,
  pattern: new RegExp(`(?<!${W})(?:${r.phrases.join('|')})(?!${W})`, 'giu'),
}));
