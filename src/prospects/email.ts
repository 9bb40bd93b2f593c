export interface NormalizedEmail {
  ok: true;
  value: string;
  domain: string;
}

export interface InvalidEmail {
  ok: false;
  reason: string;
}

// Local part and domain as deliverable mail uses them: dot-atoms, no quoted local parts, a dotted domain
// whose labels are letters (any script), digits and hyphens, with an alphabetic top level.
const LOCAL = /^[\p{L}\p{N}!#$%&'*+/=?^_`{|}~-]+(?:\.[\p{L}\p{N}!#$%&'*+/=?^_`{|}~-]+)*$/u;
const LABEL = /^(?!-)[\p{L}\p{N}-]{1,63}(?<!-)$/u;

// The usual shape, all ASCII: checked with one simple expression before the general rules.
const PLAIN = /^[a-z0-9_%+-]+(?:\.[a-z0-9_%+-]+)*@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

/** Trims, extracts the address from "Name <address>" or "mailto:", lower-cases and validates an e-mail. */
export function normalizeEmail(raw: string): NormalizedEmail | InvalidEmail {
  const plain = raw.trim().toLowerCase();
  if (plain.length <= 254 && PLAIN.test(plain)) {
    const at = plain.lastIndexOf('@');
    if (at <= 64) return { ok: true, value: plain, domain: plain.slice(at + 1) };
  }
  let text = raw.trim();
  const angle = /<([^<>]+)>\s*$/.exec(text);
  if (angle) text = angle[1]!.trim();
  text = text.replace(/^mailto:/i, '').toLowerCase();
  const at = text.lastIndexOf('@');
  if (at <= 0 || at === text.length - 1) return { ok: false, reason: `"${raw}" is not an e-mail address` };
  const local = text.slice(0, at);
  const domain = text.slice(at + 1).replace(/\.$/, '');
  const labels = domain.split('.');
  const tld = labels.at(-1) ?? '';
  if (
    text.length > 254 ||
    local.length > 64 ||
    !LOCAL.test(local) ||
    labels.length < 2 ||
    !labels.every((label) => LABEL.test(label)) ||
    !/^[\p{L}]{2,}$/u.test(tld)
  ) {
    return { ok: false, reason: `"${raw}" is not a valid e-mail address` };
  }
  return { ok: true, value: `${local}@${domain}`, domain };
}

/** Mailbox providers whose domain says nothing about the person's company. */
export const FREE_MAIL_DOMAINS = new Set([
  'gmail.com',
  'googlemail.com',
  'yahoo.com',
  'yahoo.fr',
  'yahoo.co.uk',
  'hotmail.com',
  'hotmail.fr',
  'hotmail.co.uk',
  'outlook.com',
  'outlook.fr',
  'live.com',
  'live.fr',
  'msn.com',
  'icloud.com',
  'me.com',
  'aol.com',
  'orange.fr',
  'wanadoo.fr',
  'free.fr',
  'sfr.fr',
  'neuf.fr',
  'laposte.net',
  'bbox.fr',
  'gmx.de',
  'gmx.net',
  'gmx.fr',
  'web.de',
  't-online.de',
  'btinternet.com',
  'sky.com',
  'protonmail.com',
  'proton.me',
]);
