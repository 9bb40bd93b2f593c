import type { Database } from '../db';
import { type Authenticated, authenticate, hashKey } from './service';

/** How long a checked key is trusted without asking the database, when change notices arrive. */
const TRUST_MS = 60_000;
const MAX_ENTRIES = 10_000;
export const API_KEY_CHANNEL = 'tiede_api_keys';

interface Entry {
  auth: Authenticated;
  checkedAt: number;
}

interface KeyCache {
  entries: Map<string, Entry>;
  /** True while the change notices of the database reach this process: only then are keys kept. */
  listening: boolean;
  started: boolean;
  /** Notices received so far: a key read while one arrived may be stale, and is not kept. */
  notices: number;
}

// Every cache of this process, so that a key revoked here is forgotten here before the answer goes out.
const caches = new Set<KeyCache>();

/** Forgets a key in every cache of this process (its notice reaches the other processes). */
export function forgetApiKey(keyHash: string): void {
  for (const cache of caches) {
    cache.notices++;
    cache.entries.delete(keyHash);
  }
}

/**
 * Checks bearer keys with a per-process memory: a key seen in the last minute answers without a query.
 * The database announces every revocation, role change or deletion of a key (a trigger on api_keys), and
 * every process forgets that key as the notice arrives. A process that could not listen keeps nothing
 * and asks the database each time; after a lost connection it forgets everything when it listens again.
 */
export function keyChecker(database: Database): (token: string) => Promise<Authenticated | null> {
  const cache: KeyCache = { entries: new Map(), listening: false, started: false, notices: 0 };
  caches.add(cache);
  const start = () => {
    cache.started = true;
    database
      .listen(
        API_KEY_CHANNEL,
        (keyHash) => {
          cache.notices++;
          cache.entries.delete(keyHash);
        },
        () => {
          // (Re)connected: notices sent while the connection was down are lost, so forget everything.
          cache.notices++;
          cache.entries.clear();
          cache.listening = true;
        },
      )
      .catch(() => {
        cache.listening = false;
      });
  };
  return async (token) => {
    if (!cache.started) start();
    const keyHash = hashKey(token);
    const now = Date.now();
    const entry = cache.entries.get(keyHash);
    if (entry && cache.listening && now - entry.checkedAt < TRUST_MS) return entry.auth;
    const notices = cache.notices;
    const auth = await authenticate(database.db, token);
    if (!auth) {
      cache.entries.delete(keyHash);
      return null;
    }
    if (cache.listening && cache.notices === notices) {
      if (cache.entries.size >= MAX_ENTRIES) cache.entries.clear();
      cache.entries.set(keyHash, { auth, checkedAt: now });
    }
    return auth;
  };
}
