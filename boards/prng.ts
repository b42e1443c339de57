// A small seeded pseudo-random generator (splitmix32) for board and driver
// simulation. Boards and the driver never read Math.random or a clock: every
// random choice comes from a seed, so a run replays bit for bit.
//
// `Rng` is an immutable value (pure code passes it in and gets the next one
// back); `Random` is a mutable cursor over the same sequence for loops that
// own their generator locally.

/** Immutable generator state: one 32-bit word. */
export interface Rng {
  readonly state: number;
}

/** A generator from a seed (any number; only its low 32 bits matter). */
export function rng(seed: number): Rng {
  return { state: seed >>> 0 };
}

/** splitmix32: the next 32-bit output and the generator after it. */
export function nextU32(r: Rng): [number, Rng] {
  const state = (r.state + 0x9e3779b9) >>> 0;
  let z = state;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  z = (z ^ (z >>> 16)) >>> 0;
  return [z, { state }];
}

/** A uniform integer in [0, n) (n ≥ 1) and the generator after it. */
export function nextInt(r: Rng, n: number): [number, Rng] {
  const [u, next] = nextU32(r);
  return [Math.floor((u / 0x1_0000_0000) * n), next];
}

/** True with probability p, and the generator after it. */
export function nextChance(r: Rng, p: number): [boolean, Rng] {
  const [u, next] = nextU32(r);
  return [u / 0x1_0000_0000 < p, next];
}

/** Derives an independent stream from a seed and a label (e.g. "board", "adversary"). */
export function deriveSeed(seed: number, label: string): number {
  let h = seed >>> 0;
  for (let i = 0; i < label.length; i++) h = Math.imul(h ^ label.charCodeAt(i), 0x01000193) >>> 0;
  return nextU32({ state: h })[0];
}

/** A mutable cursor over the splitmix32 sequence, for a loop that owns it. */
export class Random {
  private r: Rng;
  constructor(seed: number) {
    this.r = rng(seed);
  }
  get state(): Rng {
    return this.r;
  }
  u32(): number {
    const [v, r] = nextU32(this.r);
    this.r = r;
    return v;
  }
  /** A uniform integer in [0, n). */
  int(n: number): number {
    const [v, r] = nextInt(this.r, n);
    this.r = r;
    return v;
  }
  /** A uniform integer in [lo, hi]. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }
  chance(p: number): boolean {
    const [v, r] = nextChance(this.r, p);
    this.r = r;
    return v;
  }
  pick<T>(xs: readonly T[]): T {
    if (xs.length === 0) throw new Error('Random.pick: empty list');
    return xs[this.int(xs.length)]!;
  }
  /** An index chosen with the given non-negative weights (at least one positive). */
  weighted(weights: readonly number[]): number {
    const total = weights.reduce((a, b) => a + b, 0);
    let x = (this.u32() / 0x1_0000_0000) * total;
    for (let i = 0; i < weights.length; i++) {
      x -= weights[i]!;
      if (x < 0) return i;
    }
    return weights.length - 1;
  }
}
