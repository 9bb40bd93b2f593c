/** Why a contact is refused: a closed list, each with words for a caller in French and English. */
export const REASON_CODES = [
  'SUPPRESSED',
  'REGISTRY_LISTED',
  'REGISTRY_STALE',
  'NO_CONSENT',
  'CONSENT_WITHDRAWN',
  'OUTSIDE_WINDOW',
  'HOLIDAY',
  'CAP_REACHED',
  'PRESSURE_BUDGET',
  'REFUSAL_COOLDOWN',
  'SECTOR_BANNED',
  'ERASED',
  'UNKNOWN_JURISDICTION',
  'INVALID_CONTACT_POINT',
] as const;

export type ReasonCode = (typeof REASON_CODES)[number];

export const REASON_MESSAGES: Record<ReasonCode, { fr: string; en: string }> = {
  SUPPRESSED: {
    fr: 'Ne pas contacter : opposition enregistrée',
    en: 'Do not contact: an opt-out is recorded',
  },
  REGISTRY_LISTED: {
    fr: "Numéro inscrit sur la liste d'opposition nationale",
    en: 'Number listed on the national do-not-call registry',
  },
  REGISTRY_STALE: {
    fr: "Liste d'opposition trop ancienne : importez une version récente avant d'appeler",
    en: 'Do-not-call registry copy too old: import a recent one before calling',
  },
  NO_CONSENT: { fr: 'Aucun consentement valable pour ce canal', en: 'No valid consent for this channel' },
  CONSENT_WITHDRAWN: { fr: 'Consentement retiré', en: 'Consent withdrawn' },
  OUTSIDE_WINDOW: {
    fr: "Hors des heures d'appel autorisées (heure locale de la personne)",
    en: "Outside the allowed hours (the person's local time)",
  },
  HOLIDAY: { fr: 'Jour férié ou jour non autorisé', en: 'Public holiday or a day calls are not allowed' },
  CAP_REACHED: {
    fr: 'Nombre maximal de sollicitations atteint sur la période',
    en: 'Maximum number of attempts reached for the period',
  },
  PRESSURE_BUDGET: {
    fr: 'Trop de sollicitations récentes, tous canaux confondus',
    en: 'Too many recent contacts across all channels',
  },
  REFUSAL_COOLDOWN: {
    fr: 'La personne a refusé récemment : délai de carence en cours',
    en: 'The person refused recently: cooldown in progress',
  },
  SECTOR_BANNED: { fr: 'Démarchage interdit pour ce secteur', en: 'Canvassing is banned for this sector' },
  ERASED: {
    fr: 'Données effacées à la demande de la personne',
    en: "The person's data was erased at their request",
  },
  UNKNOWN_JURISDICTION: {
    fr: 'Pays de la personne inconnu : règles applicables indéterminées',
    en: "The person's country is unknown: no rules can be applied",
  },
  INVALID_CONTACT_POINT: { fr: 'Numéro ou adresse invalide', en: 'Invalid number or address' },
};
