import { keywordIn, remembered } from './keywords';

/**
 * The part of a company a job title names, for people without a department of their own (most CRM exports
 * have none): the model reads it beside the title, so that "Acheteuse projets" and "Responsable achats
 * France", too rare as titles to weigh alone, count together. Areas are tried in this order, the general
 * management last: "Directeur des achats" is purchasing, "Directeur général" management; after-sales
 * service comes before sales ("Responsable après-vente"). A title that names none ("Assistante de
 * direction", "Consultant") has none.
 */
const AREAS: [area: string, keywords: string[]][] = [
  [
    'purchasing',
    [
      'achat',
      'acheteur',
      'approvisionnement',
      'purchasing',
      'procurement',
      'buyer',
      'sourcing',
      'category manager',
    ],
  ],
  [
    'marketing',
    ['marketing', 'communication', 'brand', 'marque', 'growth', 'digital', 'e commerce', 'ecommerce'],
  ],
  [
    'customer_service',
    ['service client', 'customer success', 'customer service', 'support client', 'apres vente'],
  ],
  [
    'sales',
    [
      'commercial',
      'vente',
      'sales',
      'business developer',
      'business development',
      'account manager',
      'account executive',
      'key account',
      'grands comptes',
      'ingenieur d affaires',
    ],
  ],
  [
    'finance',
    [
      'finance',
      'financier',
      'comptable',
      'comptabilite',
      'accountant',
      'accounting',
      'controleur de gestion',
      'controller',
      'tresorier',
      'treasurer',
      'cfo',
      'daf',
    ],
  ],
  [
    'human_resources',
    [
      'rh',
      'drh',
      'rrh',
      'ressources humaines',
      'human resources',
      'hr',
      'recrutement',
      'recruiter',
      'talent',
      'paie',
      'payroll',
    ],
  ],
  [
    'it',
    [
      'informatique',
      'it',
      'dsi',
      'cto',
      'cio',
      'developpeur',
      'developer',
      'software',
      'logiciel',
      'data',
      'systemes',
      'systems',
      'reseau',
      'network',
      'devops',
      'cybersecurite',
      'security',
    ],
  ],
  ['legal', ['juridique', 'juriste', 'legal', 'avocat', 'counsel', 'compliance', 'conformite']],
  [
    'operations',
    [
      'operations',
      'production',
      'usine',
      'plant',
      'logistique',
      'logistics',
      'supply chain',
      'qualite',
      'quality',
      'maintenance',
      'manufacturing',
      'industriel',
    ],
  ],
  [
    'management',
    [
      'directeur general',
      'direction generale',
      'pdg',
      'ceo',
      'gerant',
      'general manager',
      'president',
      'fondateur',
      'founder',
      'managing director',
    ],
  ],
];

export const departmentOfTitle = remembered((title): string => areaWordOf(title)?.area ?? '');

/** The area a text names and the word that names it ("Directrice des achats": purchasing, "achat"), if any. */
export const areaWordOf = remembered((text): { area: string; word: string } | null => {
  for (const [area, keywords] of AREAS) {
    const word = keywordIn(text, keywords);
    if (word) return { area, word };
  }
  return null;
});
