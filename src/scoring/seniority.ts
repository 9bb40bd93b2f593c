import { plainWords, remembered, singular } from './keywords';

/** Seniority levels as people write them, in French and English, and the level each names. */
const LEVELS: Record<string, string[]> = {
  c_level: [
    'c level',
    'c suite',
    'cxo',
    'ceo',
    'cfo',
    'coo',
    'cto',
    'cio',
    'cmo',
    'executive',
    'exec',
    'dirigeant',
    'dirigeante',
    'pdg',
    'dg',
    'directeur general',
    'directrice generale',
    'president',
    'presidente',
    'managing director',
    'geschaftsfuhrer',
    'geschaftsfuhrerin',
    'geschaeftsfuehrer',
    'geschaeftsfuehrerin',
    'founder',
    'fondateur',
    'fondatrice',
    'owner',
    'gerant',
    'gerante',
  ],
  vp: ['vp', 'vice president', 'vice presidente', 'svp', 'evp'],
  // The French directors' acronyms: administratif et financier, ressources humaines, systèmes d'information.
  director: [
    'director',
    'directeur',
    'directrice',
    'head',
    'head of',
    'direction',
    'daf',
    'drh',
    'dsi',
    'dircom',
  ],
  manager: ['manager', 'responsable', 'chef', 'lead', 'team lead', 'encadrant', 'encadrante'],
  senior: ['senior', 'confirme', 'confirmee', 'expert', 'experte'],
  entry: [
    'entry',
    'entry level',
    'junior',
    'debutant',
    'debutante',
    'assistant',
    'assistante',
    'intern',
    'stagiaire',
    'apprenti',
    'apprentie',
    'alternant',
    'alternante',
  ],
};
const LEVEL_OF = new Map<string, string>(
  Object.entries(LEVELS).flatMap(([level, names]) => [
    [level.replace('_', ' '), level],
    ...names.map((n): [string, string] => [n, level]),
  ]),
);

/** The level a seniority names ("Directrice", "directors", "C-level" → director, director, c_level), else its plain words. */
export const seniorityLevel = remembered((value) => {
  const plain = plainWords(value).join(' ');
  return LEVEL_OF.get(plain) ?? LEVEL_OF.get(plainWords(value).map(singular).join(' ')) ?? plain;
});

/** The levels a profile's seniority can name, each also by its names in French and English (LEVELS). */
export const SENIORITY_LEVELS = Object.keys(LEVELS);

/** Whether a profile's seniority names a level the fit knows: one that is not would match nobody. */
export const knownSeniority = (value: string) => SENIORITY_LEVELS.includes(seniorityLevel(value));

/** Roles in an executive's office, whose titles name the executive: their own level, wherever they come. */
const SUPPORT_ROLES = new Map<string, string>([
  ['assistant', 'entry'],
  ['assistante', 'entry'],
  ['secretary', 'entry'],
  ['secretaire', 'entry'],
  ['office manager', 'manager'],
]);

/** "Chief … Officer", the title of the C-suite whatever its trade: at most three words between. */
function chiefOfficer(words: string[], at: number): boolean {
  if (words[at] !== 'chief') return false;
  for (let k = at + 1; k < words.length && k <= at + 4; k++) if (words[k] === 'officer') return true;
  return false;
}

/**
 * The level a job title says, for people without a seniority of their own (most CRM exports have none): the
 * first word, or pair of words, of the title that names one. "Directrice des achats" is director, "Head of
 * Procurement" director, "CEO" and "Chief Procurement Officer" c_level, "Assistante de direction" entry (its
 * first word names it).
 */
export const levelOfTitle = remembered((title): string | undefined => {
  const words = plainWords(title).map(singular);
  // Who works for an executive is not one: "Executive Assistant to the CEO" is entry, "CEO Office Manager"
  // a manager, whatever level the words before name.
  for (let i = 0; i < words.length; i++) {
    const support = SUPPORT_ROLES.get(`${words[i]} ${words[i + 1] ?? ''}`) ?? SUPPORT_ROLES.get(words[i]!);
    // A "Secrétaire général" runs the company, as a "Company Secretary" sits on its board.
    const officer = /^general/.test(words[i + 1] ?? '') || words[i - 1] === 'company';
    if (support && !officer) return support;
  }
  for (let i = 0; i < words.length; i++) {
    if (chiefOfficer(words, i)) return 'c_level';
    const level = LEVEL_OF.get(`${words[i]} ${words[i + 1] ?? ''}`) ?? LEVEL_OF.get(words[i]!);
    if (level) return level;
  }
  return undefined;
});
