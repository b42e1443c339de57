// A persistent vector: the kernel's tables (processes, threads, objects) as a
// 16-way radix trie (BITS = 4, the best of 3, 4 and 5 measured) with
// structural sharing. `set` and `push` copy one path of at most ceil(log16 n)
// nodes of 16 slots, never the whole table, so a step that touches one thread
// costs O(log n) whatever the size of the solution; `get` walks the same path.
//
// The two entries written last are held beside the trie, not in it (once it
// has more than one level): a write to one of them copies no node, and a
// write to a third index moves the older of the two into the trie, one path
// copy, as every write made before. The kernel writes the same few entries
// again and again: an IPC round trip writes the threads of its client and its
// server six times between them, and at 2,000 threads each of those writes
// copied three nodes of 16 slots. That path copy was a quarter of the round
// trip's time, and most of its garbage. A read compares two indices first.
//
// So the layout depends on the order of the writes, not only on the
// elements: two vectors with the same elements may hold different entries
// beside the trie. Compare them by content (`equals`, `toArray`;
// JSON.stringify serialises through toJSON), or as data once `settled`.
//
// Hand-written rather than a library's List: the kernel reads a table entry
// several times per step, and this trie's `get` is a few array loads. Nothing
// here mutates a node once a vector can see it.

const BITS = 4;
const WIDTH = 1 << BITS;
const MASK = WIDTH - 1;

type Node = unknown[];

/**
 * The two entries a vector wrote last, newest first (i1 = -1: only one yet),
 * whose values its trie does not hold. Their own small object, not fields of
 * the vector: a vector of one leaf has none, and stays as small as it was.
 */
interface Held<T> {
  readonly i0: number;
  readonly v0: T;
  readonly i1: number;
  readonly v1: T | undefined;
}

export class PVec<T> implements Iterable<T> {
  private constructor(
    readonly length: number,
    /** BITS x (depth - 1): 0 while the whole vector is one leaf */
    private readonly shift: number,
    private readonly root: Node,
    /** the two entries written last, beside the trie (null: none yet, or a one-leaf vector, which writes its leaf) */
    private readonly held: Held<T> | null = null,
  ) {}

  private static readonly EMPTY = new PVec<never>(0, 0, []);

  static empty<T>(): PVec<T> {
    return PVec.EMPTY as PVec<T>;
  }

  static from<T>(items: Iterable<T>): PVec<T> {
    const all = Array.isArray(items) ? (items as readonly T[]) : [...items];
    // the leaves (one, maybe empty, for up to WIDTH elements), then the levels above them up to one root
    let level: Node[] = [all.slice(0, WIDTH)];
    for (let i = WIDTH; i < all.length; i += WIDTH) level.push(all.slice(i, i + WIDTH));
    let shift = 0;
    while (level.length > 1) {
      const up: Node[] = [];
      for (let i = 0; i < level.length; i += WIDTH) up.push(level.slice(i, i + WIDTH));
      level = up;
      shift += BITS;
    }
    return new PVec<T>(all.length, shift, level[0]!);
  }

  /** The element at `i`, or undefined when `i` is not an index of the vector. */
  get(i: number): T | undefined {
    if (!(i >= 0 && i < this.length) || (i | 0) !== i) return undefined;
    const h = this.held;
    if (h !== null) {
      if (i === h.i0) return h.v0;
      if (i === h.i1) return h.v1;
    }
    let node = this.root;
    for (let s = this.shift; s > 0; s -= BITS) node = node[(i >>> s) & MASK] as Node;
    return node[i & MASK] as T;
  }

  /** A vector with `v` at index `i` (0 <= i < length; any other index leaves the vector as it is). */
  set(i: number, v: T): PVec<T> {
    if (!(i >= 0 && i < this.length) || (i | 0) !== i) return this;
    const { length: n, shift, held: h } = this;
    if (shift === 0) return new PVec<T>(n, 0, setIn(this.root, 0, i, v));
    if (h === null) return new PVec<T>(n, shift, this.root, { i0: i, v0: v, i1: -1, v1: undefined });
    if (i === h.i0) return new PVec<T>(n, shift, this.root, { i0: i, v0: v, i1: h.i1, v1: h.v1 });
    if (i === h.i1) return new PVec<T>(n, shift, this.root, { i0: i, v0: v, i1: h.i0, v1: h.v0 });
    // a third index: the older of the two goes into the trie
    const root = h.i1 < 0 ? this.root : setIn(this.root, shift, h.i1, h.v1);
    return new PVec<T>(n, shift, root, { i0: i, v0: v, i1: h.i0, v1: h.v0 });
  }

  /** A vector with `v` appended at index `length`. */
  push(v: T): PVec<T> {
    const n = this.length;
    // the trie is full at this depth: a new root over the old one
    if (n === WIDTH << this.shift) {
      return new PVec<T>(n + 1, this.shift + BITS, [this.root, pathTo(this.shift, v)], this.held);
    }
    return new PVec<T>(n + 1, this.shift, pushIn(this.root, this.shift, n, v), this.held);
  }

  *[Symbol.iterator](): Iterator<T> {
    for (let i = 0; i < this.length; i++) yield this.get(i)!;
  }

  toArray(): T[] {
    const out: T[] = [];
    for (let i = 0; i < this.length; i++) out.push(this.get(i)!);
    return out;
  }

  /**
   * The same vector with the two entries held beside the trie written into it:
   * the one layout of its elements, which depends on nothing but them (it is
   * what `PVec.from` builds), so settled vectors compare as data.
   */
  settled(): PVec<T> {
    const h = this.held;
    if (h === null) return this;
    let root = setIn(this.root, this.shift, h.i0, h.v0);
    if (h.i1 >= 0) root = setIn(root, this.shift, h.i1, h.v1);
    return new PVec<T>(this.length, this.shift, root);
  }

  /** Whether two vectors hold the same elements (by identity), whatever order of writes built them. */
  equals(other: PVec<T>): boolean {
    if (other === this) return true;
    if (other.length !== this.length) return false;
    for (let i = 0; i < this.length; i++) if (other.get(i) !== this.get(i)) return false;
    return true;
  }

  /** Serialises as the array it holds. */
  toJSON(): T[] {
    return this.toArray();
  }

  // the read-only array operations consumers use, with the same meaning

  forEach(f: (v: T, i: number) => void): void {
    for (let i = 0; i < this.length; i++) f(this.get(i)!, i);
  }
  map<U>(f: (v: T, i: number) => U): U[] {
    const out: U[] = [];
    for (let i = 0; i < this.length; i++) out.push(f(this.get(i)!, i));
    return out;
  }
  filter<S extends T>(f: (v: T, i: number) => v is S): S[];
  filter(f: (v: T, i: number) => boolean): T[];
  filter(f: (v: T, i: number) => boolean): T[] {
    const out: T[] = [];
    for (let i = 0; i < this.length; i++) {
      const v = this.get(i)!;
      if (f(v, i)) out.push(v);
    }
    return out;
  }
  find<S extends T>(f: (v: T, i: number) => v is S): S | undefined;
  find(f: (v: T, i: number) => boolean): T | undefined;
  find(f: (v: T, i: number) => boolean): T | undefined {
    for (let i = 0; i < this.length; i++) {
      const v = this.get(i)!;
      if (f(v, i)) return v;
    }
    return undefined;
  }
  findIndex(f: (v: T, i: number) => boolean): number {
    for (let i = 0; i < this.length; i++) if (f(this.get(i)!, i)) return i;
    return -1;
  }
  some(f: (v: T, i: number) => boolean): boolean {
    return this.findIndex(f) >= 0;
  }
  every(f: (v: T, i: number) => boolean): boolean {
    for (let i = 0; i < this.length; i++) if (!f(this.get(i)!, i)) return false;
    return true;
  }
  reduce<U>(f: (acc: U, v: T, i: number) => U, init: U): U {
    let acc = init;
    for (let i = 0; i < this.length; i++) acc = f(acc, this.get(i)!, i);
    return acc;
  }
  flatMap<U>(f: (v: T, i: number) => readonly U[]): U[] {
    const out: U[] = [];
    for (let i = 0; i < this.length; i++) for (const u of f(this.get(i)!, i)) out.push(u);
    return out;
  }
  slice(start?: number, end?: number): T[] {
    return this.toArray().slice(start, end);
  }
}

function setIn(node: Node, shift: number, i: number, v: unknown): Node {
  const copy = node.slice();
  if (shift === 0) copy[i & MASK] = v;
  else {
    const k = (i >>> shift) & MASK;
    copy[k] = setIn(node[k] as Node, shift - BITS, i, v);
  }
  return copy;
}

/** A fresh path of nodes down to a leaf holding `v` alone. */
function pathTo(shift: number, v: unknown): Node {
  return shift === 0 ? [v] : [pathTo(shift - BITS, v)];
}

function pushIn(node: Node, shift: number, i: number, v: unknown): Node {
  if (shift === 0) return appended(node, v);
  const k = (i >>> shift) & MASK;
  const child = node[k] as Node | undefined;
  // a full child: the new element starts a child of its own, at the end of this node
  if (child === undefined) return appended(node, pathTo(shift - BITS, v));
  const copy = node.slice();
  copy[k] = pushIn(child, shift - BITS, i, v);
  return copy;
}

/**
 * A list with one more element at its end, as a new array allocated at its
 * exact size (the input is a state's and stays as it is). A copy loop:
 * `concat` is about six times slower on the short lists of channels and
 * queues, as it must look for spreadable arguments, and `push` onto a copy
 * gives the array room to grow (an empty one gets 17 slots), which every
 * queue of one thread paid for on each step.
 */
export function appended<T>(xs: readonly T[], x: T): T[] {
  const n = xs.length;
  const out = new Array<T>(n + 1);
  for (let i = 0; i < n; i++) out[i] = xs[i]!;
  out[n] = x;
  return out;
}

/** Whether `v` is a persistent vector (the kernel's tables), for code that also accepts plain arrays. */
export const isPVec = (v: unknown): v is PVec<unknown> => v instanceof PVec;
