/** FNV-1a's 32-bit offset basis: the hash of nothing. */
export const FNV_START = 0x811c9dc5;
/** FNV-1a's 32-bit prime. */
export const FNV_PRIME = 0x01000193;

/** Goes on hashing `text` from `hash` (FNV-1a over UTF-16 units), as if it followed what `hash` hashed. */
export function fnvText(hash: number, text: string): number {
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), FNV_PRIME);
  return hash;
}

/** 32-bit FNV-1a over the UTF-16 units of a text, as a signed integer: a quick hash, not a security device. */
export function fnv1a(text: string): number {
  return fnvText(FNV_START, text) | 0;
}
