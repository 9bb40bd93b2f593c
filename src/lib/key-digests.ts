import { fnv1a } from './fnv';

/**
 * A set of strings kept as 32-bit digests in one open-addressed typed array: an import remembers every
 * contact point and CRM id it has met, millions of them, in megabytes instead of hundreds of them. Two
 * keys with one digest make the second look already met (about one row in a thousand with four million
 * keys), which only sends that row down the careful path; a key that was added is never reported missing.
 */
export class KeyDigests {
  private slots = new Uint32Array(1 << 16);
  private used = 0;

  get size(): number {
    return this.used;
  }

  add(key: string): void {
    this.meet(key);
  }

  /** Adds the key and answers whether it was there already. */
  meet(key: string): boolean {
    if ((this.used + 1) * 2 > this.slots.length) this.grow();
    if (!place(this.slots, digest(key))) return true;
    this.used++;
    return false;
  }

  has(key: string): boolean {
    const slots = this.slots;
    const mask = slots.length - 1;
    const d = digest(key);
    for (let i = d & mask; ; i = (i + 1) & mask) {
      const slot = slots[i]!;
      if (slot === 0) return false;
      if (slot === d) return true;
    }
  }

  clear(): void {
    this.slots = new Uint32Array(1 << 16);
    this.used = 0;
  }

  private grow(): void {
    const old = this.slots;
    this.slots = new Uint32Array(old.length * 2);
    for (const d of old) if (d !== 0) place(this.slots, d);
  }
}

/** Puts a digest in its slot (linear probing); false when it was there already. */
function place(slots: Uint32Array, d: number): boolean {
  const mask = slots.length - 1;
  for (let i = d & mask; ; i = (i + 1) & mask) {
    const slot = slots[i]!;
    if (slot === d) return false;
    if (slot === 0) {
      slots[i] = d;
      return true;
    }
  }
}

/** A 52-bit digest of a text (two 32-bit ones), for telling whether a value changed without keeping it. */
export function wideDigest(text: string): number {
  return (digest(text) & 0xfffff) * 0x100000000 + digest(`\u0001${text}`);
}

/** FNV-1a, finalized as MurmurHash3 does so that its low bits pick slots well; never 0, which marks an empty slot. */
function digest(key: string): number {
  let h = fnv1a(key);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h = (h ^ (h >>> 16)) >>> 0;
  return h === 0 ? 1 : h;
}
