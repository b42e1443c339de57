/**
 * SidMap: the persistent map from a SID (an integer 0 … 2^32 − 1) to a
 * value that the per-resource security models keep as their state (Flow,
 * HashSet, StaticMap, Mic, TE, RBAC). A change returns a new map that shares
 * everything but the path to the changed key with the old one, so a
 * transition costs O(log n) instead of the O(n) of copying a `Map`.
 *
 * The structure is a 32-way radix trie over the bits of the key, high bits
 * first, whose height grows with the largest key (like a persistent vector):
 * a solution's SIDs are small consecutive numbers, so 1,000 processes need
 * two levels, a set copies two 32-slot arrays and a get reads two. Iteration
 * is in ascending SID order. Values are never `undefined`.
 *
 * The map is immutable by construction, as the kernel's records are: its
 * fields are read-only and no method changes a node (test/sidmap.test.ts
 * runs set and delete on a deep-frozen map, where a write would throw, and
 * the PSL equivalence property checks that no decision changes the state it
 * was given). The instance itself is not frozen: that cost a fifth of a Flow
 * transition. Its shape is canonical: the height is the least that holds the
 * largest key, a node exists iff it holds an entry, and a slot without an
 * entry is a hole. Two SidMaps with the same entries are therefore equal as
 * data (`util.isDeepStrictEqual`, `assert.deepStrictEqual`), as two Maps are.
 *
 * Measured against `immutable`'s Map (bench/sidmap.ts): see the README of
 * the models folder.
 */

const BITS = 5;
const WIDTH = 1 << BITS;
const MASK = WIDTH - 1;
/** the shift of the top level that holds every 32-bit key (levels at 0, 5, … 30) */
const TOP = 30;

type Node = readonly unknown[];

const isSid = (k: number): boolean => typeof k === 'number' && k >>> 0 === k;

/** The height (as the shift of the root level) a trie needs to hold `key`. */
function shiftFor(key: number): number {
  let shift = 0;
  while (shift < TOP && key >>> (shift + BITS) !== 0) shift += BITS;
  return shift;
}

export class SidMap<V> implements ReadonlyMap<number, V> {
  /** the trie (undefined when empty); internal, never changed */
  readonly root: Node | undefined;
  /** the shift of the root level: the trie holds keys below 2^(shift + 5) */
  readonly shift: number;
  readonly count: number;

  private constructor(root: Node | undefined, shift: number, count: number) {
    this.root = root;
    this.shift = shift;
    this.count = count;
  }

  static readonly #EMPTY = new SidMap<never>(undefined, 0, 0);

  /** The empty map (one shared instance). */
  static empty<V>(): SidMap<V> {
    return SidMap.#EMPTY;
  }

  static from<V>(entries: Iterable<readonly [number, V]>): SidMap<V> {
    let m = SidMap.empty<V>();
    for (const [k, v] of entries) m = m.set(k, v);
    return m;
  }

  get size(): number {
    return this.count;
  }

  get(key: number): V | undefined {
    let node = this.root;
    if (node === undefined || !isSid(key)) return undefined;
    let shift = this.shift;
    if (shift < TOP && key >>> (shift + BITS) !== 0) return undefined;
    while (shift > 0) {
      node = node[(key >>> shift) & MASK] as Node | undefined;
      if (node === undefined) return undefined;
      shift -= BITS;
    }
    return node[key & MASK] as V | undefined;
  }

  has(key: number): boolean {
    return this.get(key) !== undefined;
  }

  /** The map with `key` bound to `value` (this map when it already is). */
  set(key: number, value: V): SidMap<V> {
    if (!isSid(key)) throw new RangeError(`a SidMap key must be an integer 0 … 2^32 - 1, not ${String(key)}`);
    if (value === undefined) throw new RangeError('a SidMap value cannot be undefined');
    const old = this.get(key);
    if (old === value) return this;
    let root: Node | undefined = this.root;
    let shift = this.shift;
    if (root === undefined) {
      shift = shiftFor(key);
    } else {
      // grow: the old root becomes slot 0 of a new one until the key fits
      while (shift < TOP && key >>> (shift + BITS) !== 0) {
        const up: unknown[] = new Array(WIDTH);
        up[0] = root;
        root = up;
        shift += BITS;
      }
    }
    return new SidMap<V>(setIn(root, shift, key, value), shift, old === undefined ? this.count + 1 : this.count);
  }

  /** The map without `key` (this map when it has none). */
  delete(key: number): SidMap<V> {
    if (this.get(key) === undefined) return this;
    if (this.count === 1) return SidMap.empty();
    let root = deleteIn(this.root!, this.shift, key)!;
    let shift = this.shift;
    // shrink: a root whose only entry is slot 0 gives way to it
    while (shift > 0 && onlyFirst(root)) {
      root = root[0] as Node;
      shift -= BITS;
    }
    return new SidMap<V>(root, shift, this.count - 1);
  }

  forEach(fn: (value: V, key: number, map: ReadonlyMap<number, V>) => void, thisArg?: unknown): void {
    for (const [k, v] of this) fn.call(thisArg, v, k, this);
  }

  *entries(): MapIterator<[number, V]> {
    if (this.root !== undefined) yield* walk<V>(this.root, this.shift, 0);
  }

  *keys(): MapIterator<number> {
    for (const [k] of this.entries()) yield k;
  }

  *values(): MapIterator<V> {
    for (const [, v] of this.entries()) yield v;
  }

  [Symbol.iterator](): MapIterator<[number, V]> {
    return this.entries();
  }

  /** JSON sees a SidMap as it sees a `Map`: `{}` (show a state with `showState` or `canonicalKey`). */
  toJSON(): Record<string, never> {
    return {};
  }

  get [Symbol.toStringTag](): string {
    return 'SidMap';
  }
}

/** The copy of the path to `key` with `value` in its slot (the old value is not `value`). */
function setIn(node: Node | undefined, shift: number, key: number, value: unknown): Node {
  const i = (key >>> shift) & MASK;
  const copy: unknown[] = node === undefined ? new Array(WIDTH) : node.slice();
  copy[i] = shift === 0 ? value : setIn(node?.[i] as Node | undefined, shift - BITS, key, value);
  return copy;
}

/** `key` is present; the copy of the path without it (an emptied node becomes a hole). */
function deleteIn(node: Node, shift: number, key: number): Node | undefined {
  const i = (key >>> shift) & MASK;
  const next = shift === 0 ? undefined : deleteIn(node[i] as Node, shift - BITS, key);
  const copy = node.slice();
  if (next === undefined) delete copy[i];
  else copy[i] = next;
  for (let j = 0; j < WIDTH; j++) if (copy[j] !== undefined) return copy;
  return undefined;
}

function onlyFirst(node: Node): boolean {
  for (let j = 1; j < WIDTH; j++) if (node[j] !== undefined) return false;
  return true;
}

function* walk<V>(node: Node, shift: number, prefix: number): Generator<[number, V]> {
  for (let i = 0; i < WIDTH; i++) {
    const x = node[i];
    if (x === undefined) continue;
    const key = prefix + i * 2 ** shift;
    if (shift === 0) yield [key, x as V];
    else yield* walk<V>(x as Node, shift - BITS, key);
  }
}

/** Whether a model state is a map (a `Map` or a `SidMap`), for code that shows, compares or searches states. */
export function isStateMap(v: unknown): v is ReadonlyMap<unknown, unknown> {
  return v instanceof Map || v instanceof SidMap;
}

/** A plain `Map` with the same entries (for tests and readers that want one). */
export function toMap<K, V>(m: ReadonlyMap<K, V>): Map<K, V> {
  return new Map(m);
}
