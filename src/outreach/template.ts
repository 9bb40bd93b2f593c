import type { CallScript, DraftContent } from './content';
import type { DraftFacts, Language } from './facts';
import { LIMITS, toGsm7, words } from './message-length';

/**
 * The template drafter: deterministic, French and English, the same structure as the LLM's from the same
 * facts. It answers when no LLM is configured or while the LLM is failing, and it states nothing that the
 * facts do not give, so its drafts pass every check.
 */
export function templateDraft(facts: DraftFacts): DraftContent {
  const t = TEXTS[facts.language];
  switch (facts.channel) {
    case 'call_script':
      return callScript(facts, t);
    case 'email':
      return email(facts, t);
    case 'sms':
      return sms(facts, t);
    case 'voicemail':
      return { text: voicemail(facts, t) };
    case 'linkedin':
      return { text: linkedin(facts, t) };
  }
}

interface Texts {
  hello: (name: string | null) => string;
  madam: string;
  whoCalls: (f: DraftFacts) => string;
  because: (f: DraftFacts) => string;
  permission: string;
  discovery: (f: DraftFacts) => string[];
  hypothesis: (vp: string) => string;
  objections: (f: DraftFacts) => CallScript['objections'];
  exit: (f: DraftFacts) => string;
  nextSteps: string[];
  subject: (f: DraftFacts) => string;
  iAm: (f: DraftFacts) => string;
  ask: string;
  emailOptOut: string;
  smsAsk: string;
  smsStop: string;
  voicemailEnd: string;
  linkedinEnd: (topic: string) => string;
}

const personName = (f: DraftFacts) =>
  [f.prospect.firstName, f.prospect.lastName].filter(Boolean).join(' ') || null;

const industryOf = (f: DraftFacts) => f.company?.industryLabel ?? f.company?.industryCode ?? null;

/** The offer as a phrase that follows "about": its first letter in lower case. */
const topic = (f: DraftFacts) =>
  f.pitch.offer.charAt(0).toLowerCase() + f.pitch.offer.slice(1).replace(/[.!]+$/, '');

/** "de" before the offer, with French elision and contraction: "d'un diagnostic", "du service", "de l'offre". */
export function deFr(phrase: string): string {
  const m = /^(un|une|le|les|la|l')\s*/i.exec(phrase);
  const rest = m ? phrase.slice(m[0].length) : phrase;
  switch (m?.[1]?.toLowerCase()) {
    case 'un':
      return `d'un ${rest}`;
    case 'une':
      return `d'une ${rest}`;
    case 'le':
      return `du ${rest}`;
    case 'les':
      return `des ${rest}`;
    case 'la':
      return `de la ${rest}`;
    case "l'":
      return `de l'${rest}`;
    default:
      return /^[aeiouyàâéèêëîïôûùh]/i.test(phrase) ? `d'${phrase}` : `de ${phrase}`;
  }
}

/** A role phrase from the job title or department, for a discovery question. */
function roleFamily(
  f: DraftFacts,
): 'finance' | 'sales' | 'tech' | 'operations' | 'hr' | 'leadership' | 'other' {
  const text = `${f.prospect.jobTitle ?? ''} ${f.prospect.department ?? ''}`.toLowerCase();
  if (/financ|daf|cfo|comptab|account|contr[ôo]l/.test(text)) return 'finance';
  if (/commerc|vente|sales|business dev|marketing|account exec/.test(text)) return 'sales';
  if (/informati|dsi|cto|it\b|tech|digital|num[ée]rique|d[ée]velop|engineer|ing[ée]nieur/.test(text))
    return 'tech';
  if (/achat|achet|procure|purchas|logisti|supply|op[ée]ration|production|usine|plant/.test(text))
    return 'operations';
  if (/rh\b|drh|ressources humaines|human resources|\bhr\b|people|recrut|recruit/.test(text)) return 'hr';
  if (
    /g[ée]rant|pdg|ceo|directeur g[ée]n[ée]ral|dirigeant|founder|fondat|owner|pr[ée]sident|managing director/.test(
      text,
    )
  )
    return 'leadership';
  return 'other';
}

const FR: Texts = {
  hello: (name) => (name ? `Bonjour ${name}` : 'Bonjour Madame, Monsieur'),
  madam: 'Madame, Monsieur',
  whoCalls: (f) =>
    `ici ${f.sender.name}${f.sender.role ? `, ${f.sender.role}` : ''} chez ${f.sender.company}.`,
  because: (f) => {
    const industry = industryOf(f);
    if (f.kind === 'b2c' || !f.company?.name)
      return `Je vous contacte au sujet ${deFr(topic(f))}, qui pourrait vous être utile.`;
    return `Je vous contacte au sujet ${deFr(topic(f))}, qui concerne des entreprises comme ${f.company.name}${industry ? ` (secteur ${industry})` : ''}.`;
  },
  permission: 'Est-ce un bon moment pour en parler, ou préférez-vous que je vous rappelle plus tard ?',
  discovery: (f) => {
    const company = f.company?.name ? ` chez ${f.company.name}` : '';
    const byRole = {
      finance:
        'Quels critères comptent le plus pour vous dans ce type de décision : le coût, les délais, la simplicité ?',
      sales: 'Comment vos équipes commerciales s’organisent-elles sur ce sujet aujourd’hui ?',
      tech: 'Quels outils utilisez-vous aujourd’hui sur ce sujet, et qu’aimeriez-vous qu’ils fassent mieux ?',
      operations: 'Où ce sujet vous fait-il perdre le plus de temps au quotidien ?',
      hr: 'Comment ce sujet touche-t-il vos équipes au quotidien ?',
      leadership: 'Quelles sont vos priorités pour les mois qui viennent ?',
      other: 'Qu’est-ce qui compterait le plus pour vous sur ce sujet ?',
    }[roleFamily(f)];
    const industry = industryOf(f);
    return [
      `Comment gérez-vous aujourd’hui ce sujet${company} ?`,
      industry
        ? `Dans votre secteur (${industry}), qu’est-ce qui pèse le plus sur ce sujet en ce moment ?`
        : 'Qu’est-ce qui fonctionne bien, et qu’aimeriez-vous améliorer ?',
      byRole,
      'Qui d’autre serait concerné par une décision sur ce sujet ?',
    ];
  },
  hypothesis: (vp) => vp,
  objections: (f) => [
    {
      objection: 'not_interested',
      answer:
        'Je comprends tout à fait, merci de me le dire. Souhaitez-vous que je ne vous rappelle plus ? Je le note tout de suite.',
    },
    {
      objection: 'send_email',
      answer:
        'Volontiers : je vous envoie un court e-mail avec l’essentiel, et vous me répondez seulement si cela vous intéresse.',
    },
    {
      objection: 'has_provider',
      answer:
        'C’est très bien, l’idée n’est pas de remplacer ce qui fonctionne. Si un jour vous souhaitez comparer, je reste disponible.',
    },
    {
      objection: 'data_source',
      answer: `Vos coordonnées proviennent de ${f.pitch.dataSource}. Vous pouvez vous opposer à leur utilisation à tout moment : je peux l’enregistrer maintenant.`,
    },
  ],
  exit: (f) =>
    `Merci pour votre temps. Si vous préférez ne plus être appelé par ${f.sender.company}, dites-le-moi : je l’inscris dans notre liste d’opposition.`,
  nextSteps: [
    'Envoyer un e-mail récapitulatif',
    'Convenir d’un court rendez-vous à la date qui convient',
    'Ne pas rappeler si la personne le demande',
  ],
  subject: (f) =>
    f.company?.name && f.kind === 'b2b' ? `Une idée pour ${f.company.name}` : 'Une idée pour vous',
  iAm: (f) =>
    `Je suis ${f.sender.name}${f.sender.role ? `, ${f.sender.role}` : ''} chez ${f.sender.company}.`,
  ask: 'Seriez-vous d’accord pour en parler lors d’un court échange ?',
  emailOptOut:
    'Si vous ne souhaitez plus recevoir de messages de notre part, répondez simplement « STOP » à cet e-mail.',
  smsAsk: 'Un echange vous interesserait ?',
  smsStop: 'STOP SMS: repondez STOP',
  voicemailEnd:
    'Rappelez-moi quand cela vous convient, ou dites-moi si vous préférez ne pas être rappelé. Bonne journée.',
  linkedinEnd: (t) => `Au plaisir d’échanger avec vous au sujet ${deFr(t)}.`,
};

const EN: Texts = {
  hello: (name) => (name ? `Hello ${name}` : 'Hello'),
  madam: 'Sir or Madam',
  whoCalls: (f) =>
    `this is ${f.sender.name}${f.sender.role ? `, ${f.sender.role}` : ''} at ${f.sender.company}.`,
  because: (f) => {
    const industry = industryOf(f);
    if (f.kind === 'b2c' || !f.company?.name)
      return `I am reaching out about ${topic(f)}, which may be useful to you.`;
    return `I am reaching out about ${topic(f)}, which concerns companies like ${f.company.name}${industry ? ` (${industry})` : ''}.`;
  },
  permission: 'Is this a good moment to talk, or would you rather I call back another time?',
  discovery: (f) => {
    const company = f.company?.name ? ` at ${f.company.name}` : '';
    const byRole = {
      finance: 'Which criteria matter most to you in a decision like this: cost, timing, simplicity?',
      sales: 'How do your sales teams handle this today?',
      tech: 'Which tools do you use for this today, and what would you like them to do better?',
      operations: 'Where does this cost you the most time day to day?',
      hr: 'How does this affect your teams day to day?',
      leadership: 'What are your priorities for the coming months?',
      other: 'What would matter most to you here?',
    }[roleFamily(f)];
    const industry = industryOf(f);
    return [
      `How do you handle this today${company}?`,
      industry
        ? `In your industry (${industry}), what weighs most on this at the moment?`
        : 'What works well, and what would you like to improve?',
      byRole,
      'Who else would be involved in a decision on this?',
    ];
  },
  hypothesis: (vp) => vp,
  objections: (f) => [
    {
      objection: 'not_interested',
      answer:
        'I understand, thank you for telling me. Would you like me not to call you again? I will note it now.',
    },
    {
      objection: 'send_email',
      answer:
        'Gladly: I will send a short e-mail with the essentials, and you only need to reply if it interests you.',
    },
    {
      objection: 'has_provider',
      answer:
        'That is good, the idea is not to replace what works. If you ever want to compare, I am available.',
    },
    {
      objection: 'data_source',
      answer: `Your details come from ${f.pitch.dataSource}. You can object to their use at any time, and I can record that now.`,
    },
  ],
  exit: (f) =>
    `Thank you for your time. If you would rather ${f.sender.company} did not call you again, tell me and I will add your number to our do-not-call list.`,
  nextSteps: [
    'Send a summary e-mail',
    'Agree on a short meeting at a convenient date',
    'Do not call again if asked',
  ],
  subject: (f) => (f.company?.name && f.kind === 'b2b' ? `An idea for ${f.company.name}` : 'An idea for you'),
  iAm: (f) => `I am ${f.sender.name}${f.sender.role ? `, ${f.sender.role}` : ''} at ${f.sender.company}.`,
  ask: 'Would you be open to a short conversation about it?',
  emailOptOut: 'If you would rather not receive messages from us, simply reply "unsubscribe" to this e-mail.',
  smsAsk: 'Open to a short chat?',
  smsStop: 'Reply STOP to opt out',
  voicemailEnd:
    'Call me back whenever it suits you, or tell me if you would rather not be called again. Have a good day.',
  linkedinEnd: (t) => `I would be glad to exchange with you about ${t}.`,
};

const TEXTS: Record<Language, Texts> = { fr: FR, en: EN };

function callScript(f: DraftFacts, t: Texts): CallScript {
  const industry = industryOf(f);
  const basis = [f.company?.name, industry, f.prospect.jobTitle].filter(Boolean).join(' · ') || f.pitch.offer;
  const vps = f.pitch.valuePropositions.length ? f.pitch.valuePropositions : [f.pitch.offer];
  return {
    opening: `${t.hello(personName(f))}, ${t.whoCalls(f)}`,
    reason: t.because(f),
    permissionQuestion: t.permission,
    discoveryQuestions: t.discovery(f),
    valueHypotheses: vps.slice(0, 2).map((vp) => ({ hypothesis: t.hypothesis(vp), basedOn: basis })),
    objections: t.objections(f),
    exit: t.exit(f),
    nextSteps: t.nextSteps,
  };
}

function email(f: DraftFacts, t: Texts) {
  const greeting = `${t.hello(f.prospect.firstName ? personName(f) : null)},`;
  const vp = f.pitch.valuePropositions[0];
  const paragraphs = [
    greeting,
    `${t.iAm(f)} ${t.because(f)}`,
    ...(vp ? [vp.endsWith('.') ? vp : `${vp}.`] : []),
    t.ask,
    [f.sender.name, f.sender.company, f.pitch.postalAddress].filter(Boolean).join('\n'),
    f.pitch.emailOptOut ?? t.emailOptOut,
  ];
  let body = paragraphs.join('\n\n');
  // Over the word budget, the value proposition goes first: the rest is what the law and courtesy ask.
  if (vp && words(body) > f.maxWords)
    body = paragraphs.filter((p) => p !== vp && p !== `${vp}.`).join('\n\n');
  return { subject: t.subject(f), body };
}

function sms(f: DraftFacts, t: Texts) {
  const stop = f.pitch.smsOptOut ?? t.smsStop;
  const name = f.prospect.firstName ? ` ${f.prospect.firstName},` : '';
  const head = `${f.sender.company}:${name}`;
  const tail = ` ${t.smsAsk} ${stop}`;
  // The offer is cut at a word so that the whole message fits in one SMS.
  let offer = toGsm7(topic(f));
  const fits = (o: string) => toGsm7(`${head} ${o}.${tail}`).length <= LIMITS.smsUnits;
  while (!fits(offer) && offer.includes(' ')) offer = offer.slice(0, offer.lastIndexOf(' '));
  const text = fits(offer) ? `${head} ${offer}.${tail}` : `${head}${tail}`;
  return { text: toGsm7(text.charAt(0).toUpperCase() + text.slice(1)) };
}

function voicemail(f: DraftFacts, t: Texts): string {
  return `${t.hello(f.prospect.firstName ? personName(f) : null)}, ${t.whoCalls(f)} ${t.because(f)} ${t.voicemailEnd}`;
}

function linkedin(f: DraftFacts, t: Texts): string {
  const short = `${t.hello(f.prospect.firstName)}. ${t.iAm(f)}`;
  const full = `${short} ${t.linkedinEnd(topic(f))}`;
  return full.length <= LIMITS.linkedinChars ? full : short;
}
