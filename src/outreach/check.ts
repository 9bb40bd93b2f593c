import { type DraftChannel, type DraftContent, partsOf } from './content';
import { type DraftFacts, groundTexts, trustedTexts } from './facts';
import { type Finding, fold } from './findings';
import { checkGroundedness } from './grounded';
import { ACRONYMS, lintParts } from './lint';
import { checkForbidden, checkMandatory } from './mandatory';

/** A tolerability score below this fails a draft even without an error. */
export const PASSING_SCORE = 70;

export interface DraftCheck {
  passed: boolean;
  /** 0–100: the tolerability lint's score. */
  tolerability: number;
  findings: Finding[];
}

/** Capitalized words that any message may use without an input giving them. */
const COMMON_WORDS = new Set(
  [
    'bonjour bonsoir madame monsieur mesdames messieurs cordialement bien belle journée merci excellente',
    'hello dear regards best kind thanks thank sincerely warm mr mrs ms dr',
    'lundi mardi mercredi jeudi vendredi samedi dimanche monday tuesday wednesday thursday friday saturday sunday',
    'janvier février mars avril mai juin juillet août septembre octobre novembre décembre',
    'january february march april may june july august september october november december',
    'stop linkedin rgpd gdpr cnil bloctel tps ctps',
    'france allemagne royaume-uni uni royaume états-unis etats-unis canada belgique suisse espagne italie',
    'germany united kingdom states britain spain italy belgium switzerland',
    'pourriez voudriez seriez auriez could would i m ve ll d s re mme mlle mail internet web',
    ...[...ACRONYMS].map((a) => a.toLowerCase()),
  ]
    .join(' ')
    .split(' ')
    .map(fold),
);

/**
 * Every check on a draft, LLM-written or template-made: tolerability, groundedness, mandatory elements and
 * forbidden content. It passes when nothing is an error and the tolerability score is high enough.
 */
export function checkDraft(channel: DraftChannel, content: DraftContent, facts: DraftFacts): DraftCheck {
  const parts = partsOf(channel, content);
  const texts = groundTexts(facts);
  const knownWords = new Set(texts.flatMap((t) => t.split(/[^\p{L}\p{N}]+/u)));
  const lint = lintParts(parts, {
    channel,
    hadConversation: facts.hadConversation,
    knownWords,
    maxWords: facts.maxWords,
  });
  const forbidden = checkForbidden(parts, texts, trustedTexts(facts));
  const grounded = checkGroundedness(parts, {
    texts,
    notes: facts.notes,
    claims: [facts.pitch.offer, ...facts.pitch.valuePropositions, ...facts.pitch.facts],
    commonWords: COMMON_WORDS,
  }).filter((g) => !forbidden.some((f) => overlaps(f, g)));
  const findings = [...lint.findings, ...grounded, ...checkMandatory(channel, content, facts), ...forbidden];
  return {
    passed: lint.score >= PASSING_SCORE && !findings.some((f) => f.severity === 'error'),
    tolerability: lint.score,
    findings,
  };
}

/** A figure inside a link or a phone number is reported once, as the link or the number. */
function overlaps(a: Finding, b: Finding): boolean {
  if (a.path !== b.path || a.start == null || b.start == null) return false;
  return b.start < a.end! && a.start < b.end!;
}
