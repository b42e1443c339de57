// `cordon audit flows` against brute force: on random small solutions and
// rule policies, the flow graph and every --from/--to answer (with the length
// of the shortest witness) agree with an independent breadth-first search
// over the kernel explorer's labelled transition system
// (src/conformance/explorer.ts, keepEdges), which reads what carried
// information from the projected spec states (their `effects` variable), not
// from the kernel's step results.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { arbPolicy, arbSolution } from '../src/properties/gen.ts';
import { compileSolution, type SolutionTables } from '../src/kernel/tables.ts';
import type { RulePolicy } from '../src/monitor/rules.ts';
import { solutionModelDef } from '../src/check/solution-model.ts';
import { compileModel, type CompiledModel } from '../src/conformance/model.ts';
import { explore } from '../src/conformance/explorer.ts';
import { projector, stateKey, type SpecState } from '../src/conformance/projection.ts';
import type { TlaValue } from '../src/tlc/value.ts';
import { flowGraph, reach } from '../src/audit/flows.ts';
import { replay } from '../src/check/counterexample.ts';
import { banner, check, runs } from './harness.ts';

banner(import.meta.filename);

const MAX = 1_500;

/* --------------------------------------------------------- reading TLA+ values */

const field = (v: TlaValue, name: string): TlaValue => {
  if (v.kind !== 'record') throw new Error(`not a record: ${v.kind}`);
  const f = v.fields.find((x) => x.name === name);
  if (f === undefined) throw new Error(`no field ${name}`);
  return f.value;
};
const elements = (v: TlaValue): readonly TlaValue[] => {
  if (v.kind !== 'seq' && v.kind !== 'set') throw new Error(`not a sequence: ${v.kind}`);
  return v.elements;
};
const num = (v: TlaValue): number => {
  if (v.kind !== 'int') throw new Error(`not an int: ${v.kind}`);
  return v.value;
};
const text = (v: TlaValue): string => {
  if (v.kind !== 'string') throw new Error(`not a string: ${v.kind}`);
  return v.value;
};

interface Carried {
  readonly src: number;
  readonly dst: number;
  readonly kind: string;
  readonly method: number;
  readonly endpoint: number;
  readonly transfers: number;
}

/** What the step into a spec state carried, read from its `effects` variable. */
function carried(s: SpecState): Carried[] {
  return elements(s.effects)
    .map((e) => {
      const ev = field(e, 'event');
      return {
        src: num(field(ev, 'src')),
        dst: num(field(ev, 'dst')),
        kind: text(field(e, 'kind')),
        method: num(field(ev, 'method')),
        endpoint: num(field(ev, 'endpoint')),
        transfers: elements(field(ev, 'transfers')).length,
      };
    })
    .filter((c) => ['request', 'response', 'error', 'execute'].includes(c.kind));
}

const classes = (s: SpecState): number[] => elements(s.processes).map((p) => num(field(p, 'taskClass')));

/* --------------------------------------------------------- the brute force */

interface Brute {
  readonly complete: boolean;
  readonly edges: Set<string>;
  readonly init: string;
  readonly states: ReadonlyMap<string, SpecState>;
  readonly next: ReadonlyMap<string, string[]>;
}

function brute(m: CompiledModel, t: SolutionTables): Brute {
  const r = explore(m, { keepStates: true, keepEdges: true, maxStates: MAX });
  const init = stateKey(projector(m.monitor).state(m.boot.state, m.boot.decisions, m.boot.effects));
  const edges = new Set<string>();
  const method = (c: Carried) =>
    c.endpoint < 0 || c.method < 0 ? '' : `${t.endpointNames[c.endpoint]}.${t.methodNames[c.method]}`;
  for (const s of r.states.values())
    for (const c of carried(s)) {
      if (c.src === c.dst) continue;
      edges.add(`${c.src}>${c.dst} ${c.kind} ${method(c)}`);
      if (c.transfers > 0) edges.add(`${c.src}>${c.dst} transfer ${method(c)}`);
    }
  const next = new Map<string, string[]>();
  for (const e of r.edges) {
    let l = next.get(e.from);
    if (l === undefined) next.set(e.from, (l = []));
    l.push(e.to);
  }
  return { complete: r.complete, edges, init, states: r.states, next };
}

/** Shortest number of steps after which information from class `from` has reached a process of class `to`, or null. */
function bruteReach(b: Brute, from: number, to: number): number | null {
  const grow = (reached: ReadonlySet<number>, s: SpecState): Set<number> => {
    const out = new Set(reached);
    classes(s).forEach((c, sid) => c === from && out.add(sid));
    const cs = carried(s);
    for (let again = true; again;) {
      again = false;
      for (const c of cs)
        if (out.has(c.src) && !out.has(c.dst)) {
          out.add(c.dst);
          again = true;
        }
    }
    return out;
  };
  const hits = (r: ReadonlySet<number>, s: SpecState) => classes(s).some((c, sid) => c === to && r.has(sid));
  const key = (k: string, r: ReadonlySet<number>) => `${k}#${[...r].sort((x, y) => x - y).join(',')}`;
  const s0 = b.states.get(b.init)!;
  const r0 = grow(new Set(), s0);
  if (hits(r0, s0)) return 0;
  const seen = new Set([key(b.init, r0)]);
  let frontier: [string, Set<number>][] = [[b.init, r0]];
  for (let depth = 1; frontier.length > 0; depth++) {
    const next: [string, Set<number>][] = [];
    for (const [k, r] of frontier)
      for (const k2 of b.next.get(k) ?? []) {
        const s2 = b.states.get(k2)!;
        const r2 = grow(r, s2);
        if (hits(r2, s2)) return depth;
        const kk = key(k2, r2);
        if (seen.has(kk)) continue;
        seen.add(kk);
        next.push([k2, r2]);
      }
    frontier = next;
  }
  return null;
}

/* --------------------------------------------------------- the property */

const arbCase = arbSolution
  .filter((s) => compileSolution(s).ok)
  .chain((solution) => fc.record({ solution: fc.constant(solution), policy: arbPolicy(solution) }));

const show = (c: { solution: unknown; policy: RulePolicy }) => JSON.stringify(c);

let compared = 0;
let flowing = 0;

test('flows: the graph and every --from/--to answer agree with a BFS over the kernel explorer', () => {
  check(
    import.meta.filename,
    'flows: the graph and every --from/--to answer agree with a BFS over the kernel explorer',
    arbCase,
    ({ solution, policy }) => {
      const r = compileSolution(solution);
      if (!r.ok) return;
      const t = r.value;
      const m = compileModel(solutionModelDef(t, policy, {}));
      const g = flowGraph(m, { maxStates: MAX });
      const b = brute(m, t);
      if (!b.complete || !g.exploration.complete) return;
      compared++;
      const mine = new Set(
        g.edges.flatMap((e) =>
          e.methods.length === 0
            ? [`${e.from}>${e.to} ${e.kind} `]
            : e.methods.map((x) => `${e.from}>${e.to} ${e.kind} ${x}`),
        ),
      );
      assert.deepEqual([...mine].sort(), [...b.edges].sort(), 'the flow edges');
      assert.equal(g.exploration.states, b.states.size, 'the states explored');
      // every ordered pair of the solution's own classes that run (kernel and Einit included when there are few)
      const used = [...new Set(m.boot.state.processes.map((p) => p.taskClass))];
      const pairs = used.flatMap((from) => used.filter((to) => to !== from).map((to) => [from, to] as const));
      for (const [from, to] of pairs.slice(-6)) {
        const want = bruteReach(b, from, to);
        // the reach search explores kernel state x reached set: a product that can outgrow the states
        // the plain exploration needed, so it gets room for every reached set of these few processes
        const got = reach(m, t.classes[from]!.name, t.classes[to]!.name, { maxStates: MAX * 64 });
        if (got.answer === 'unknown') {
          // honest only when a bound really cut the search
          assert.ok(
            !got.exploration.complete && got.exploration.bounds.length > 0,
            `unknown without a bound that cut the search: ${JSON.stringify(got.exploration)}`,
          );
          continue;
        }
        assert.equal(
          got.answer,
          want === null ? 'none' : 'flows',
          `${t.classes[from]!.name} -> ${t.classes[to]!.name}`,
        );
        if (want !== null) {
          flowing++;
          assert.equal(got.witness!.length, want, 'the shortest witness');
          assert.ok(replay(m, got.replay!).ok, 'the witness replays');
        }
      }
    },
    runs(20),
    show,
  );
  // the property compared something: most random cases explore completely, some have flows
  console.log(`# compared ${compared} cases, ${flowing} flows`);
  assert.ok(compared >= 8, `only ${compared} cases were compared`);
  assert.ok(flowing >= 5, `only ${flowing} flows were found`);
});

test('flows with handle transfers: identifying states without their unnamed handle slots loses no flow the bounded explorer finds', () => {
  let withUnnamed = 0;
  check(
    import.meta.filename,
    'flows with handle transfers: identifying states without their unnamed handle slots loses no flow the bounded explorer finds',
    arbCase,
    ({ solution, policy }) => {
      const r = compileSolution(solution);
      if (!r.ok) return;
      const t = r.value;
      const m = compileModel(solutionModelDef(t, policy, { transfers: true }));
      const g = flowGraph(m, { maxStates: MAX });
      const b = brute(m, t);
      if (!b.complete || g.exploration.bounds.some((x) => x.bound === 'maxStates')) return;
      if ((g.exploration.unnamed?.states ?? 0) > 0) withUnnamed++;
      const mine = new Set(
        g.edges.flatMap((e) =>
          e.methods.length === 0
            ? [`${e.from}>${e.to} ${e.kind} `]
            : e.methods.map((x) => `${e.from}>${e.to} ${e.kind} ${x}`),
        ),
      );
      for (const e of b.edges) assert.ok(mine.has(e), `the edge ${e} the explorer finds`);
      const used = [...new Set(m.boot.state.processes.map((p) => p.taskClass))];
      const pairs = used.flatMap((from) => used.filter((to) => to !== from).map((to) => [from, to] as const));
      for (const [from, to] of pairs.slice(-4)) {
        const want = bruteReach(b, from, to);
        if (want === null) continue;
        const got = reach(m, t.classes[from]!.name, t.classes[to]!.name, { maxStates: MAX });
        assert.equal(got.answer, 'flows', `${t.classes[from]!.name} -> ${t.classes[to]!.name}`);
        assert.ok(got.witness!.length <= want, 'a witness no longer than the explorer finds');
        assert.ok(replay(m, got.replay!).ok, 'the witness replays');
      }
    },
    runs(12),
    show,
  );
  console.log(`# ${withUnnamed} cases identified states without unnamed handle slots`);
});
