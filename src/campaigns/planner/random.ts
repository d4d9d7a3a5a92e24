import { createHash } from 'node:crypto';

import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plusFromState } from 'pure-rand/generator/xoroshiro128plus';

/** A seeded random stream: the same seed and labels give the same numbers, on every machine. */
export class SeededRandom {
  private readonly rng;

  constructor(...labels: string[]) {
    const digest = createHash('sha256').update(labels.join('\u0000')).digest();
    // The whole 128-bit state from the digest: a 32-bit start would make plans guessable by search.
    this.rng = xoroshiro128plusFromState([0, 4, 8, 12].map((offset) => digest.readInt32LE(offset)));
  }

  /** An integer in [from, to]. */
  int(from: number, to: number): number {
    return uniformInt(this.rng, from, to);
  }

  /** A number in [0, 1), with 53 random bits. */
  fraction(): number {
    return (this.int(0, 2 ** 26 - 1) * 2 ** 27 + this.int(0, 2 ** 27 - 1)) / 2 ** 53;
  }

  shuffle<T>(items: readonly T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.int(0, i);
      [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
  }
}

/** A stable 32-bit number for ordering things by seed (no stream needed). */
export function seededKey(...labels: string[]): number {
  return createHash('sha256').update(labels.join('\u0000')).digest().readUInt32LE(0);
}
