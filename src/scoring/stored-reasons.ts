import type { JsonBytes } from '../lib/json-bytes';
import type { Contribution } from './fit';
import type { FitReasons, OtherReasons } from './score';

/**
 * Reasons as a score row stores them (StoredReason), written as JSON bytes (JsonBytes) in JSON.stringify's
 * order of keys: points to the tenth; a reason's days and ago as the instant they count from, "@" and its
 * epoch ms (storedFacts), told when the reason is read (tellDays). Stored as numbers, they changed every
 * day: a rescoring the day after found nine rows in ten changed and rewrote them, where one in fifteen had a
 * new score.
 */

function writeReason(out: JsonBytes, c: Contribution): void {
  out.raw('{"code":');
  out.string(c.code);
  out.raw(',"points":');
  out.tenths(c.points);
  out.raw(',"facts":{');
  let first = true;
  for (const key in c.facts) {
    const value = c.facts[key];
    if (value === undefined) continue;
    if (!first) out.raw(',');
    first = false;
    out.string(key);
    out.raw(':');
    if (c.at !== undefined && (key === 'days' || key === 'ago')) {
      out.raw('"@');
      if (Number.isFinite(c.at)) out.number(c.at);
      else out.raw(String(c.at));
      out.raw('"');
    } else if (typeof value === 'number') out.number(value);
    else out.string(value);
  }
  out.raw('}}');
}

function writeList(out: JsonBytes, list: Contribution[]): void {
  out.raw('[');
  for (let i = 0; i < list.length; i++) {
    if (i > 0) out.raw(',');
    writeReason(out, list[i]!);
  }
  out.raw(']');
}

/** `{"positive":[…],"negative":[…]`, its brace left open for what follows. */
function writeBoth(out: JsonBytes, r: { positive: Contribution[]; negative: Contribution[] }): void {
  out.raw('{"positive":');
  writeList(out, r.positive);
  out.raw(',"negative":');
  writeList(out, r.negative);
}

/** A fit's reasons as stored: its strongest, and what it is outside of where it has none. */
export function writeFitReasons(out: JsonBytes, r: FitReasons): void {
  writeBoth(out, r);
  if (r.outside) {
    out.raw(',"outside":');
    writeList(out, r.outside);
  }
  out.raw('}');
}

/** The other parts' reasons as stored, with the goal reached. */
export function writeOtherReasons(out: JsonBytes, r: OtherReasons): void {
  writeBoth(out, r);
  if (r.reached) {
    out.raw(',"reached":');
    writeReason(out, r.reached);
  }
  out.raw('}');
}
