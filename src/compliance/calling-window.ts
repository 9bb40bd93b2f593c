/**
 * Calling windows: whether an instant falls inside a window's slots in every zone the callee may be in,
 * and if not, when it next does.
 */

import { DAY, MINUTE } from '../lib/durations';
import type { Slots } from './rules/types';
import { localTime } from './zones';

const parsedSlots = new Map<string, [number, number]>();

/** "10:00-13:00" as minutes since midnight, [600, 780]. */
function parseSlot(slot: string): [number, number] {
  let parsed = parsedSlots.get(slot);
  if (!parsed) {
    const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
    parsed = [minutes(slot.slice(0, 5)), minutes(slot.slice(6, 11))];
    parsedSlots.set(slot, parsed);
  }
  return parsed;
}

function slotsOf(slots: Slots, weekday: number): string[] {
  return (slots as Record<number, string[] | undefined>)[weekday] ?? [];
}

/**
 * Whether `t` falls in one of the slots in every candidate zone, and if not, the earliest instant it
 * might: the latest of each failing zone's next slot start.
 */
export function windowCheck(slots: Slots, zones: string[], t: number): { ok: boolean; next: number } {
  let ok = true;
  let next = t;
  for (const zone of zones) {
    const local = localTime(zone, t);
    let inside = false;
    for (const slot of slotsOf(slots, local.weekday)) {
      const [from, to] = parseSlot(slot);
      if (local.minute >= from && local.minute < to) inside = true;
    }
    if (inside) continue;
    ok = false;
    next = Math.max(next, nextSlotStart(slots, zone, t));
  }
  return { ok, next };
}

function nextSlotStart(slots: Slots, zone: string, t: number): number {
  let probe = t;
  for (let d = 0; d < 14; d++) {
    const local = localTime(zone, probe);
    const starts = slotsOf(slots, local.weekday)
      .map(parseSlot)
      .sort((a, b) => a[0] - b[0]);
    for (const [from, to] of starts) {
      const end = local.midnightUtc + to * MINUTE;
      if (end > t) return Math.max(local.midnightUtc + from * MINUTE, t);
    }
    probe = local.nextMidnightUtc;
  }
  return t + 14 * DAY;
}
