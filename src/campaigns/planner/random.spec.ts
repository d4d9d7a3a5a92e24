import fc from 'fast-check';

import { SeededRandom, seededKey } from './random.js';

/** The planner's only source of chance: reproducible from the campaign's seed, unguessable without it. */

describe('SeededRandom', () => {
  // Recorded from this implementation (SHA-256 of the labels → xoroshiro128+): every stored plan was drawn from
  // these streams, so a change here silently changes what re-planning a week gives.
  it('gives the same numbers for the same labels, on every machine and in every release', () => {
    const stream = new SeededRandom('seed-1', '2026-03-23', 'tp1');
    expect([stream.int(0, 1_000_000), stream.int(0, 1_000_000), stream.int(-5, 5)]).toEqual([596731, 853898, -2]);
    expect(stream.fraction()).toBe(0.2578834471505783);
    expect(new SeededRandom('seed-1', '2026-03-23', 'tp1').shuffle(['a', 'b', 'c', 'd', 'e'])).toEqual([
      'e',
      'b',
      'd',
      'c',
      'a',
    ]);
  });

  it('gives unrelated streams for labels that differ, even only in where one label ends', () => {
    const first = (...labels: string[]) => {
      const r = new SeededRandom(...labels);
      return [r.int(0, 2 ** 30), r.int(0, 2 ** 30), r.int(0, 2 ** 30)];
    };
    expect(first('ab', 'c')).not.toEqual(first('a', 'bc'));
    expect(first('seed-1', 'w1')).not.toEqual(first('seed-1', 'w2'));
    expect(first('seed-1', 'w1')).toEqual(first('seed-1', 'w1'));
  });

  // All 128 bits of the state come from the digest: streams from 10,000 label sets never share their first draws.
  it('draws from the whole state, not a few bits of it', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 10_000; i++) {
      const r = new SeededRandom('campaign', String(i)); // a shared pair: about 1 chance in 10¹¹
      seen.add(`${r.int(0, 2 ** 31 - 1)}|${r.int(0, 2 ** 31 - 1)}`);
    }
    expect(seen.size).toBe(10_000);
  });

  it('draws integers within both bounds, each bound reachable', () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.integer({ min: -50, max: 50 }),
        fc.integer({ min: 0, max: 6 }),
        (label, from, width) => {
          const r = new SeededRandom(label);
          const draws = Array.from({ length: 100 }, () => r.int(from, from + width));
          expect(draws.filter((v) => !(Number.isInteger(v) && v >= from && v <= from + width))).toEqual([]);
          expect(new Set(draws).size).toBe(width + 1);
        },
      ),
      { numRuns: 30 },
    );
  });

  it('draws fractions in [0, 1) with all 53 bits used, evenly spread', () => {
    const r = new SeededRandom('fractions');
    const values = Array.from({ length: 20_000 }, () => r.fraction());
    expect(values.every((v) => v >= 0 && v < 1)).toBe(true);
    // whole multiples of 2⁻⁵³, and not all of 2⁻²⁶ (the low 27 bits are drawn too)
    expect(values.every((v) => Number.isInteger(v * 2 ** 53))).toBe(true);
    expect(values.filter((v) => !Number.isInteger(v * 2 ** 26)).length).toBeGreaterThan(19_000);
    // ten equal bins, each 2,000 ± 5 standard deviations (√(20000·0.1·0.9) ≈ 42)
    const bins = new Array(10).fill(0);
    for (const v of values) bins[Math.floor(v * 10)]++;
    for (const count of bins) expect(Math.abs(count - 2000)).toBeLessThan(5 * 42.5);
    // the high part matters as much as the low one: the mean is ½
    expect(Math.abs(values.reduce((a, b) => a + b, 0) / values.length - 0.5)).toBeLessThan(0.01);
  });

  it('shuffles into a permutation of the input, leaving the input alone, each order equally likely', () => {
    const items = ['a', 'b', 'c'];
    const counts = new Map<string, number>();
    const stream = new SeededRandom('shuffle');
    for (let i = 0; i < 3000; i++) {
      const order = stream.shuffle(items).join('');
      counts.set(order, (counts.get(order) ?? 0) + 1);
    }
    expect(items).toEqual(['a', 'b', 'c']);
    expect([...counts.keys()].sort()).toEqual(['abc', 'acb', 'bac', 'bca', 'cab', 'cba']);
    for (const count of counts.values()) expect(Math.abs(count - 500)).toBeLessThan(5 * 20.5); // sd ≈ √(3000·⅙·⅚)
    expect(new SeededRandom('x').shuffle([])).toEqual([]);
    expect(new SeededRandom('x').shuffle([7])).toEqual([7]);
  });
});

describe('seededKey', () => {
  it('is the first 32 bits (little-endian) of the SHA-256 of the labels joined by NUL', () => {
    // FIPS 180-2 test vector: SHA-256("abc") = ba7816bf…, read little-endian 0xbf1678ba.
    expect(seededKey('abc')).toBe(0xbf1678ba);
    expect(seededKey('seed-1', '2026-03-23', 'tp1')).toBe(1000233288);
    expect(seededKey('ab', 'c')).not.toBe(seededKey('abc'));
  });
});
