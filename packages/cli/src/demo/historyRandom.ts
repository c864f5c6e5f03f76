import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator';

/**
 * A table of outcomes with relative weights, prepared once so that drawing
 * from it is a short scan over cumulative weights.
 */
export class Weighted<Value> {
  private readonly values: readonly Value[];
  private readonly cumulative: readonly number[];
  private readonly total: number;

  constructor(entries: readonly (readonly [Value, number])[]) {
    if (entries.length === 0) throw new RangeError('Weighted: no entries');
    let sum = 0;
    const cumulative: number[] = [];
    for (const [, weight] of entries) {
      sum += weight;
      cumulative.push(sum);
    }
    this.values = entries.map(([value]) => value);
    this.cumulative = cumulative;
    this.total = sum;
  }

  /** The outcome a uniform draw in [0, 1) selects. */
  at(unit: number): Value {
    const target = unit * this.total;
    const cumulative = this.cumulative;
    for (let index = 0; index < cumulative.length; index += 1) {
      if (target < cumulative[index]!) return this.values[index]!;
    }
    return this.values[this.values.length - 1]!;
  }
}

/**
 * The demo history's only source of randomness: one xoroshiro128+ stream from
 * pure-rand, seeded once, consumed in a fixed order, so the same seed and
 * options give byte-identical histories. The seed's high bits are folded in
 * so that every safe integer is a distinct seed.
 */
export class SeededRandom {
  private readonly generator: RandomGenerator;

  constructor(seed: number) {
    const folded = (seed ^ Math.floor(seed / 0x1_0000_0000) ^ 0x5eed_c0de) | 0;
    this.generator = xoroshiro128plus(folded);
  }

  /**
   * A float in [0, 1) with 32 bits of randomness: one draw of the generator
   * (pure-rand's recommended fast path), plenty for a simulation's choices.
   */
  next(): number {
    return (this.generator.next() >>> 0) * 2.3283064365386963e-10;
  }

  /** An integer in [min, max], both included. */
  int(min: number, max: number): number {
    return max <= min ? min : uniformInt(this.generator, min, max);
  }

  /** A float in [min, max). */
  between(min: number, max: number): number {
    return min + (max - min) * this.next();
  }

  /** True with probability `probability`. */
  chance(probability: number): boolean {
    return this.next() < probability;
  }

  /** One element of a non-empty list. */
  pick<Value>(items: readonly Value[]): Value {
    return items[this.int(0, items.length - 1)]!;
  }

  /** One outcome of a weighted table. */
  weighted<Value>(table: Weighted<Value>): Value {
    return table.at(this.next());
  }

  /** An exponentially distributed value with the given mean (waiting times between arrivals). */
  exponential(mean: number): number {
    return -mean * Math.log(1 - this.next());
  }

  /** A log-normal value with the given median and spread (deal sizes: most small, a few large). */
  logNormal(median: number, sigma: number): number {
    const gaussian = Math.sqrt(-2 * Math.log(1 - this.next())) * Math.cos(2 * Math.PI * this.next());
    return median * Math.exp(sigma * gaussian);
  }

  /** A count with the given mean: its whole part, plus one with the fractional part's probability. */
  count(mean: number): number {
    const whole = Math.floor(mean);
    return whole + (this.chance(mean - whole) ? 1 : 0);
  }
}
