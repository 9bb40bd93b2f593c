import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { copyJson } from '../../src/lib/copy-text';
import { FNV_START, fnv1a, fnvText } from '../../src/lib/fnv';
import { JsonBytes } from '../../src/lib/json-bytes';
import type { Contribution } from '../../src/scoring/fit';
import { writeFitReasons, writeOtherReasons } from '../../src/scoring/stored-reasons';

/** Text with what JSON escapes: quotes, backslashes, control characters, accents, pairs and lone surrogates. */
const anyText = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc.string({
    unit: fc.constantFrom(
      'a',
      '"',
      '\\',
      '\t',
      '\n',
      '\u0000',
      '\u001f',
      '\u007f',
      'é',
      '€',
      '🙂',
      '\ud800',
      '\udc00',
    ),
  }),
);
const anyNumber = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.constantFrom(
    0,
    -0,
    1e15,
    -1e15,
    1e21,
    1e-7,
    0.1 + 0.2,
    999_999_999_999_999,
    Number.NaN,
    Number.POSITIVE_INFINITY,
  ),
);

/** What a JsonBytes wrote, as text, and the hash it kept from `start`. */
function written(write: (out: JsonBytes) => void, start = FNV_START) {
  const out = new JsonBytes(8); // small, so that it grows
  out.raw('x'); // a start of its own, hashed before the hash is set
  const from = out.at;
  out.hash = start;
  write(out);
  return { text: out.text(from, out.at), hash: out.hash | 0 };
}

describe('JSON written as bytes', () => {
  it('writes strings and numbers as JSON.stringify does, and hashes the text COPY would carry', () => {
    fc.assert(
      fc.property(anyText, anyNumber, (text, number) => {
        const string = written((out) => out.string(text));
        expect(string.text).toBe(JSON.stringify(text));
        expect(string.hash).toBe(fnv1a(copyJson(JSON.stringify(text))));
        const n = written((out) => out.number(number));
        expect(n.text).toBe(JSON.stringify(number));
        expect(n.hash).toBe(fnv1a(JSON.stringify(number)));
        const tenths = written((out) => out.tenths(number));
        expect(tenths.text).toBe(JSON.stringify(Math.round(number * 10) / 10));
      }),
      { numRuns: 2000 },
    );
  });

  it('writes tenths as dividing by ten would, up to the largest', () => {
    for (const k of [-1e15 + 1, -123_456_789_012_345, -16, -6, -1, 0, 1, 9, 11, 99_999_999_999_999, 1e15 - 1])
      expect(written((out) => out.tenths(k / 10)).text).toBe(String(k / 10));
  });

  it('goes on from the hash it is given, as one hash of the whole text', () => {
    const start = fnvText(FNV_START, '12\t3\t');
    expect(written((out) => out.string('Zoé \\ "x"'), start).hash).toBe(
      fnv1a(`12\t3\t${copyJson(JSON.stringify('Zoé \\ "x"'))}`),
    );
  });
});

describe('the reasons a rescoring stores', () => {
  const contribution = fc.record(
    {
      code: anyText,
      points: anyNumber,
      facts: fc.dictionary(anyText, fc.oneof(anyText, anyNumber)),
      at: fc.integer({ min: -1e13, max: 1e13 }),
    },
    { requiredKeys: ['code', 'points', 'facts'] },
  );
  const list = fc.array(contribution, { maxLength: 4 });
  /** As JSON.stringify writes a stored reason: points to the tenth, days and ago as "@" and the instant. */
  const stored = (c: Contribution) => ({
    code: c.code,
    points: Math.round(c.points * 10) / 10,
    facts: Object.fromEntries(
      Object.entries(c.facts).map(([k, v]) => [
        k,
        c.at !== undefined && (k === 'days' || k === 'ago') ? `@${c.at}` : v,
      ]),
    ),
  });

  it('are the text JSON.stringify writes, hashed as COPY carried it', () => {
    fc.assert(
      fc.property(
        list,
        list,
        fc.option(list, { nil: undefined }),
        fc.option(contribution, { nil: undefined }),
        (positive, negative, outside, reached) => {
          const fit = written((out) =>
            writeFitReasons(out, { positive, negative, ...(outside ? { outside } : {}) }),
          );
          const fitText = JSON.stringify({
            positive: positive.map(stored),
            negative: negative.map(stored),
            ...(outside ? { outside: outside.map(stored) } : {}),
          });
          expect(fit.text).toBe(fitText);
          expect(fit.hash).toBe(fnv1a(copyJson(fitText)));
          const other = written((out) =>
            writeOtherReasons(out, { positive, negative, ...(reached ? { reached } : {}) }),
          );
          const otherText = JSON.stringify({
            positive: positive.map(stored),
            negative: negative.map(stored),
            ...(reached ? { reached: stored(reached) } : {}),
          });
          expect(other.text).toBe(otherText);
          expect(other.hash).toBe(fnv1a(copyJson(otherText)));
        },
      ),
      { numRuns: 500 },
    );
  });
});
