// `cordon audit flows`: the information-flow graph of a solution over every
// kernel state reachable from boot (the model `cordon check` builds:
// src/check/solution-model.ts, explored as the kernel explorer explores it,
// src/conformance/explorer.ts), not over a reading of the rules. Information
// moves along what the kernel did, as the one-way property of
// solution-model.ts counts it: a granted request carries it from caller to
// server, its response and error back, an `execute` from parent to child, a
// transferred handle from sender to receiver (who then reaches whatever the
// handle reaches: its later calls are explored like any other), a memory
// object two processes share both ways.
//
// `--from X --to Y` asks whether anything from X can ever reach Y, directly or
// through others: a breadth-first search over (kernel state, the processes X's
// information has reached so far), so the answer respects the order in which
// things happen; yes comes with the shortest witness trace from boot, no with
// the number of states exhausted. When a bound of the model cut the search,
// the answer says which and never says "no flow".

import { step } from '../kernel/step.ts';
import type { DecisionRecord, Effect, KernelEvent, KernelState, StepResult } from '../kernel/types.ts';
import type { SolutionTables } from '../kernel/tables.ts';
import { describeDecision } from '../monitor/audit.ts';
import { alphabetEvents, type CompiledModel } from '../conformance/model.ts';
import { running } from '../conformance/explorer.ts';
import { StateKeyer, projector } from '../conformance/projection.ts';
import { describeKernelEvent, serviceName } from '../conformance/events.ts';
import { KERNEL_INTERFACES } from '../kernel/kernel-api.ts';
import { Rights } from '../kernel/types.ts';
import { PVec } from '../kernel/pvec.ts';
import { outcome, replayFile, type MappedStep, type ReplayFile } from '../check/counterexample.ts';
import { solutionModel } from '../check/check.ts';
import type { Loaded } from '../solution/load.ts';
import { AuditError } from './explain.ts';

/** What carries information along an edge. */
export type FlowKind = 'request' | 'response' | 'error' | 'execute' | 'transfer' | 'memory';
const FLOW_KINDS: readonly FlowKind[] = ['execute', 'request', 'response', 'error', 'transfer', 'memory'];

export interface FlowNode {
  readonly sid: number;
  readonly name: string;
  readonly class: string;
}

/** Information can move from process `from` to process `to` (SIDs), by `kind`, in these methods (endpoint.method). */
export interface FlowEdge {
  readonly from: number;
  readonly to: number;
  readonly kind: FlowKind;
  readonly methods: readonly string[];
  /**
   * false for a signal: requests, responses or errors of a method whose
   * declared message (in, out or error parameters) has no fields, and that
   * transfer no handle: they tell the receiver only that, and when, the
   * sender did something (a timing channel), no data
   */
  readonly data: boolean;
}

/** How far a search went, and what stopped it short of every reachable state. */
export interface Exploration {
  /** distinct states explored (kernel states; for a reach search, kernel state × reached set) */
  readonly states: number;
  /** BFS levels, the initial state being level 1 */
  readonly depth: number;
  /** kernel steps taken (events step() did not reject) */
  readonly transitions: number;
  /** every reachable state within no bound was explored: true only when `bounds` is empty */
  readonly complete: boolean;
  /** the bounds that cut the search, each with how often a step crossed it */
  readonly bounds: readonly { readonly bound: string; readonly limit: number; readonly crossed: number }[];
  /**
   * the states identified without their handle slots beyond the last handle
   * value the alphabet names (see `Identity`): how many there were, and that
   * value; null when the reduction cannot apply to this model
   */
  readonly unnamed: { readonly states: number; readonly beyond: number } | null;
  readonly ms: number;
}

export interface FlowGraph {
  readonly solution: string;
  readonly model: string;
  readonly nodes: readonly FlowNode[];
  readonly edges: readonly FlowEdge[];
  readonly exploration: Exploration;
}

export interface FlowOptions {
  /** stop beyond this many distinct states (default 500 000) */
  readonly maxStates?: number;
  /** reach: follow only what can carry data, not signals (FlowEdge.data) */
  readonly dataOnly?: boolean;
}

const DEFAULT_MAX_STATES = 500_000;

/* ------------------------------------------------------------ bounds */

/** The first of the model's bounds (TLC's CONSTRAINT) that a state exceeds, or null. */
function boundCrossed(m: CompiledModel, s: KernelState): { bound: string; limit: number } | null {
  const { maxHandles, maxRegions, maxObjects, maxThreads = 64 } = m.def.bounds;
  if (s.objects.length > maxObjects) return { bound: 'maxObjects', limit: maxObjects };
  if (s.threads.length > maxThreads) return { bound: 'maxThreads', limit: maxThreads };
  for (const p of s.processes) {
    if (p.handles.length > maxHandles) return { bound: 'maxHandles', limit: maxHandles };
    if (p.regions.length > maxRegions) return { bound: 'maxRegions', limit: maxRegions };
  }
  return null;
}

class Bounds {
  private readonly hit = new Map<string, { bound: string; limit: number; crossed: number }>();
  note(b: { bound: string; limit: number }): void {
    const h = this.hit.get(b.bound);
    if (h === undefined) this.hit.set(b.bound, { ...b, crossed: 1 });
    else h.crossed++;
  }
  list() {
    return [...this.hit.values()];
  }
}

/* ------------------------------------------------------------ state identity */

/** Kernel services that read or write no handle slot named by a value of their arguments. */
const SLOTLESS_SERVICES = new Set([
  'task.Exit',
  'thread.Create',
  'thread.Exit',
  'thread.Sleep',
  'time.Read',
  'time.SetRealtime',
]);

/**
 * The identity of a state in the search. Handle transfers append to the
 * receiver's handle table without end, so a model with transfers has no
 * finite state space (the model's maxHandles bound is TLC's way to cut it).
 * But a slot past the last handle value the alphabet names is never named by
 * any syscall; when it holds no receive right (exit only looks at receive
 * ends) and the model has nothing but channels (no memory or device object
 * whose release asks who still holds it), and no call of the alphabet is a
 * kernel service that takes a handle from its arguments, no step can read
 * it: two states that differ only there do the same from then on. Those
 * slots (and the slot numbers queued requests would give the server) are
 * left out of the identity then, which makes the search finite and exact.
 * Any other state is identified by all of itself.
 */
class Identity {
  private readonly keyer: StateKeyer;
  /** the last handle value the alphabet names; -1 when the reduction is off for the model */
  readonly beyond: number;
  /** distinct states whose identity left slots out (counted by the search through `added`) */
  private reduced = 0;
  private last = false;
  constructor(m: CompiledModel) {
    this.keyer = new StateKeyer(m.monitor);
    const named = Math.max(...m.def.alphabet.handles);
    const slotReading = m.def.alphabet.calls.some((c) => {
      const svc = serviceName(c.riid, c.mid);
      if (svc === null || SLOTLESS_SERVICES.has(svc)) return false;
      const method = KERNEL_INTERFACES[c.riid]?.methods[c.mid];
      try {
        return method === undefined || method.request.is(c.payload);
      } catch {
        return true;
      }
    });
    this.beyond = slotReading ? -1 : named;
  }

  key(s: KernelState, decisions: readonly DecisionRecord[], effects: readonly Effect[]): string {
    const view = this.beyond < 0 ? s : this.view(s);
    this.last = view !== s;
    return this.keyer.key(view, decisions, effects);
  }

  /** `s` without the unnamed slots, or `s` itself when it has none or the reduction does not apply to it */
  private view(s: KernelState): KernelState {
    const n = this.beyond;
    let long = false;
    for (const p of s.processes) if (p.handles.length > n + 1) long = true;
    for (const o of s.objects)
      if (o.kind === 'channel') for (const r of o.queue) for (const h of r.handles) if (h > n) long = true;
    if (!long) return s;
    for (const o of s.objects) if (o.kind !== 'kernel' && o.kind !== 'channel') return s;
    for (const p of s.processes)
      for (let h = n + 1; h < p.handles.length; h++) {
        const e = p.handles[h];
        if (e === null || e === undefined || (e.rights & Rights.recv) !== 0) return s;
      }
    return {
      ...s,
      processes: PVec.from(
        s.processes.map((p) => (p.handles.length > n + 1 ? { ...p, handles: p.handles.slice(0, n + 1) } : p)),
      ),
      objects: PVec.from(
        s.objects.map((o) =>
          o.kind === 'channel' && o.queue.some((r) => r.handles.some((h) => h > n))
            ? { ...o, queue: o.queue.map((r) => ({ ...r, handles: r.handles.map((h) => (h > n ? -1 : h)) })) }
            : o,
        ),
      ),
    };
  }

  /** the state last keyed was added to the search */
  added(): void {
    if (this.last) this.reduced++;
  }

  /** the bound a state crosses, judged on its identity (a slot left out of it counts for no bound) */
  crossed(m: CompiledModel, s: KernelState): { bound: string; limit: number } | null {
    return boundCrossed(m, this.beyond < 0 ? s : this.view(s));
  }

  summary(): Exploration['unnamed'] {
    return this.beyond < 0 ? null : { states: this.reduced, beyond: this.beyond };
  }
}

/* ------------------------------------------------------------ one step's flows */

const carries = (e: Effect): boolean =>
  e.kind === 'request' || e.kind === 'response' || e.kind === 'error' || e.kind === 'execute';

/** pairs of processes that share a memory object in `s` (through a handle or a mapped region) */
function sharedMemory(s: KernelState): [number, number][] {
  let any = false;
  for (const o of s.objects) if (o.kind === 'memory') any = true;
  if (!any) return [];
  const holders = new Map<number, Set<number>>();
  for (const p of s.processes) {
    const mine = new Set<number>();
    for (const h of p.handles) if (h !== null && s.objects.get(h.object)?.kind === 'memory') mine.add(h.object);
    for (const r of p.regions) if (s.objects.get(r.object)?.kind === 'memory') mine.add(r.object);
    for (const o of mine) {
      let set = holders.get(o);
      if (set === undefined) holders.set(o, (set = new Set()));
      set.add(p.sid);
    }
  }
  const out: [number, number][] = [];
  for (const set of holders.values()) for (const a of set) for (const b of set) if (a !== b) out.push([a, b]);
  return out;
}

/** Whether an effect can carry data (see FlowEdge.data). */
export function carriesData(t: SolutionTables, e: Effect): boolean {
  if (e.kind === 'execute' || e.event.transfers.length > 0) return true;
  const m = t.interfaces[e.event.iface]?.methods[e.event.mid];
  if (m === undefined) return true;
  const codec = (e.kind === 'request' ? m.request : e.kind === 'response' ? m.response : m.error) as unknown as {
    fields?: unknown;
  };
  return !(Array.isArray(codec.fields) && codec.fields.length === 0);
}

const methodOf = (t: SolutionTables, e: Effect['event']): string =>
  e.endpoint < 0 || e.method < 0 ? '' : `${t.endpointNames[e.endpoint]}.${t.methodNames[e.method]}`;

class EdgeSet {
  private readonly map = new Map<
    string,
    { from: number; to: number; kind: FlowKind; methods: Set<string>; data: boolean }
  >();
  add(from: number, to: number, kind: FlowKind, method: string, data = true): void {
    if (from === to) return;
    const k = `${from} ${to} ${kind} ${data}`;
    let e = this.map.get(k);
    if (e === undefined) this.map.set(k, (e = { from, to, kind, methods: new Set(), data }));
    if (method !== '') e.methods.add(method);
  }
  addStep(t: SolutionTables, effects: readonly Effect[], after: KernelState): void {
    for (const e of effects) {
      if (!carries(e)) continue;
      const m = methodOf(t, e.event);
      this.add(e.event.src, e.event.dst, e.kind as FlowKind, m, carriesData(t, e));
      if (e.event.transfers.length > 0) this.add(e.event.src, e.event.dst, 'transfer', m);
    }
    for (const [a, b] of sharedMemory(after)) this.add(a, b, 'memory', '');
  }
  list(): FlowEdge[] {
    return [...this.map.values()]
      .map((e) => ({ from: e.from, to: e.to, kind: e.kind, methods: [...e.methods].sort(), data: e.data }))
      .sort(
        (x, y) =>
          x.from - y.from ||
          x.to - y.to ||
          FLOW_KINDS.indexOf(x.kind) - FLOW_KINDS.indexOf(y.kind) ||
          Number(y.data) - Number(x.data),
      );
  }
}

/* ------------------------------------------------------------ the graph */

export function nodesOf(s: KernelState): FlowNode[] {
  return s.processes.map((p) => ({ sid: p.sid, name: p.name, class: s.config.tables.classes[p.taskClass]!.name }));
}

/** Explores every kernel state reachable from the model's boot and collects what carried information. */
export function flowGraph(m: CompiledModel, options: FlowOptions = {}): FlowGraph {
  const t0 = performance.now();
  const max = options.maxStates ?? DEFAULT_MAX_STATES;
  const keyer = new Identity(m);
  const edges = new EdgeSet();
  const bounds = new Bounds();
  const init = m.boot.state;
  edges.addStep(m.tables, m.boot.effects, init);
  const seen = new Set<string>([keyer.key(init, m.boot.decisions, m.boot.effects)]);
  let frontier: KernelState[] = [init];
  let depth = 1;
  let transitions = 0;
  let capped = 0;
  while (frontier.length > 0) {
    const next: KernelState[] = [];
    for (const s of frontier) {
      for (const ev of alphabetEvents(m.def, running(s))) {
        const r = step(s, ev);
        if (r.rejected !== undefined) continue;
        transitions++;
        // a step that happened carries what it carried, even into a state beyond the bounds
        edges.addStep(m.tables, r.effects, r.state);
        const b = keyer.crossed(m, r.state);
        if (b !== null) {
          bounds.note(b);
          continue;
        }
        const k = keyer.key(r.state, r.decisions, r.effects);
        if (seen.has(k)) continue;
        if (seen.size >= max) {
          capped++;
          continue;
        }
        seen.add(k);
        keyer.added();
        next.push(r.state);
      }
    }
    if (next.length > 0) depth++;
    frontier = next;
  }
  const hit = bounds.list();
  if (capped > 0) hit.push({ bound: 'maxStates', limit: max, crossed: capped });
  return {
    solution: m.tables.name,
    model: m.def.name,
    nodes: nodesOf(init),
    edges: edges.list(),
    exploration: {
      states: seen.size,
      depth,
      transitions,
      complete: hit.length === 0,
      bounds: hit,
      unnamed: keyer.summary(),
      ms: performance.now() - t0,
    },
  };
}

/* ------------------------------------------------------------ can X reach Y */

/** The processes a name stands for: those of the task class of that name, or the process of that name. */
export function processesNamed(s: KernelState, name: string, what: string): number[] {
  const t = s.config.tables;
  const byClass = s.processes.filter((p) => t.classes[p.taskClass]!.name === name).map((p) => p.sid);
  if (byClass.length > 0) return byClass;
  const byName = s.processes.filter((p) => p.name === name).map((p) => p.sid);
  if (byName.length > 0) return byName;
  const classes = [...new Set(s.processes.map((p) => t.classes[p.taskClass]!.name))];
  throw new AuditError(`${what} ${name}: no process or task class of that name (classes: ${classes.join(', ')})`);
}

/**
 * What information from `sources` has reached after a step: `reached`, the
 * sources, then every destination of a carrying effect whose source it has
 * reached, and every process sharing memory with one, to a fixpoint (the
 * one-way property's Closure).
 */
export function spread(
  reached: ReadonlySet<number>,
  sourceClasses: ReadonlySet<number>,
  effects: readonly Effect[],
  after: KernelState,
  dataOnly = false,
): Set<number> {
  const out = new Set(reached);
  for (const p of after.processes) if (sourceClasses.has(p.taskClass)) out.add(p.sid);
  const memory = sharedMemory(after);
  let grew = true;
  while (grew) {
    grew = false;
    for (const e of effects)
      if (
        carries(e) &&
        out.has(e.event.src) &&
        !out.has(e.event.dst) &&
        (!dataOnly || carriesData(after.config.tables, e))
      ) {
        out.add(e.event.dst);
        grew = true;
      }
    for (const [a, b] of memory)
      if (out.has(a) && !out.has(b)) {
        out.add(b);
        grew = true;
      }
  }
  return out;
}

export interface WitnessStep extends MappedStep {
  /** processes the information reached in this step */
  readonly reached: readonly string[];
}

export interface ReachResult {
  readonly from: string;
  readonly to: string;
  /** only what can carry data was followed (signals left out) */
  readonly dataOnly: boolean;
  /** flows: a witness was found; none: every reachable state was explored and none reaches; unknown: a bound cut the search first */
  readonly answer: 'flows' | 'none' | 'unknown';
  /** the shortest witness from boot, when the answer is flows */
  readonly witness: readonly WitnessStep[] | null;
  /** who the information had reached at boot (the sources, and what boot's execute steps carried) */
  readonly atBoot: readonly string[];
  /** the witness as a replay file (set when the answer is flows) */
  readonly replay: ReplayFile | null;
  readonly exploration: Exploration;
}

interface Visit {
  readonly state: KernelState;
  readonly reached: Set<number>;
  readonly parent: number;
  readonly event: KernelEvent | null;
}

const reachedKey = (r: ReadonlySet<number>) => [...r].sort((a, b) => a - b).join(',');

/**
 * Whether information from the processes named `from` can reach one named
 * `to`, by BFS over (kernel state, reached set). `path` names the solution in
 * the replay file.
 */
export function reach(
  m: CompiledModel,
  from: string,
  to: string,
  options: FlowOptions & { readonly path?: string } = {},
): ReachResult {
  const t0 = performance.now();
  const max = options.maxStates ?? DEFAULT_MAX_STATES;
  const init = m.boot.state;
  const sources = processesNamed(init, from, '--from');
  const targets = new Set(processesNamed(init, to, '--to'));
  if (sources.some((s) => targets.has(s)))
    throw new AuditError(`--from ${from} and --to ${to} name the same process: ask about two different ones`);
  const names = (r: Iterable<number>) =>
    [...r].sort((a, b) => a - b).map((s) => init.processes.get(s)?.name ?? `SID ${s}`);
  // a class: its processes are sources, also one started later; a process name: that process
  const sourceClasses = isClass(init, from)
    ? new Set(sources.map((x) => init.processes.get(x)!.taskClass))
    : new Set<number>();
  const keyer = new Identity(m);
  const bounds = new Bounds();
  const grow = (r: ReadonlySet<number>, effects: readonly Effect[], after: KernelState) =>
    spread(r, sourceClasses, effects, after, options.dataOnly === true);
  const start = grow(new Set(sources), m.boot.effects, init);
  const visits: Visit[] = [{ state: init, reached: start, parent: -1, event: null }];
  const seen = new Set<string>([`${keyer.key(init, m.boot.decisions, m.boot.effects)}|${reachedKey(start)}`]);
  const hits = (r: ReadonlySet<number>) => [...targets].some((t) => r.has(t));
  let found = hits(start) ? 0 : -1;
  let frontier = [0];
  let depth = 1;
  let transitions = 0;
  let capped = 0;
  while (found < 0 && frontier.length > 0) {
    const next: number[] = [];
    for (const i of frontier) {
      const v = visits[i]!;
      for (const ev of alphabetEvents(m.def, running(v.state))) {
        const r = step(v.state, ev);
        if (r.rejected !== undefined) continue;
        transitions++;
        const reached = grow(v.reached, r.effects, r.state);
        if (hits(reached)) {
          visits.push({ state: r.state, reached, parent: i, event: ev });
          found = visits.length - 1;
          break;
        }
        const b = keyer.crossed(m, r.state);
        if (b !== null) {
          bounds.note(b);
          continue;
        }
        const k = `${keyer.key(r.state, r.decisions, r.effects)}|${reachedKey(reached)}`;
        if (seen.has(k)) continue;
        if (seen.size >= max) {
          capped++;
          continue;
        }
        seen.add(k);
        keyer.added();
        visits.push({ state: r.state, reached, parent: i, event: ev });
        next.push(visits.length - 1);
      }
      if (found >= 0) break;
    }
    if (next.length > 0 || found >= 0) depth++;
    frontier = next;
  }
  const hit = bounds.list();
  if (capped > 0) hit.push({ bound: 'maxStates', limit: max, crossed: capped });
  const exploration = (): Exploration => ({
    states: seen.size,
    depth,
    transitions,
    complete: hit.length === 0,
    bounds: hit,
    unnamed: keyer.summary(),
    ms: performance.now() - t0,
  });
  if (found < 0)
    return {
      from,
      to,
      dataOnly: options.dataOnly === true,
      answer: hit.length === 0 ? 'none' : 'unknown',
      witness: null,
      atBoot: names(start),
      replay: null,
      exploration: exploration(),
    };
  const events: KernelEvent[] = [];
  for (let i = found; visits[i]!.event !== null; i = visits[i]!.parent) events.push(visits[i]!.event!);
  events.reverse();
  const { steps, final, last } = replayWitness(m, events, grow, start);
  const project = projector(m.monitor);
  const what = `information from ${from} reaches ${to}`;
  return {
    from,
    to,
    dataOnly: options.dataOnly === true,
    answer: 'flows',
    witness: steps,
    atBoot: names(start),
    replay: replayFile(
      { kind: 'solution', path: options.path ?? m.tables.name, model: m.def.name },
      what,
      { model: m.def.name, boot: m.boot.decisions, steps, final, loopTo: null },
      project.state(final, last.decisions, last.effects),
    ),
    exploration: exploration(),
  };
}

const isClass = (s: KernelState, name: string) => s.config.tables.classes.some((c) => c.name === name);

/** The witness events stepped again from boot, described as `cordon check` describes a counterexample. */
function replayWitness(
  m: CompiledModel,
  events: readonly KernelEvent[],
  grow: (r: ReadonlySet<number>, effects: readonly Effect[], after: KernelState) => Set<number>,
  start: Set<number>,
): { steps: WitnessStep[]; final: KernelState; last: Pick<StepResult, 'decisions' | 'effects'> } {
  let s = m.boot.state;
  let reached = start;
  let last: Pick<StepResult, 'decisions' | 'effects'> = m.boot;
  const steps: WitnessStep[] = [];
  for (const [i, ev] of events.entries()) {
    const r = step(s, ev);
    const next = grow(reached, r.effects, r.state);
    steps.push({
      number: i + 1,
      event: ev,
      action: null,
      description: describeKernelEvent(s, ev) + outcome(s, ev, r),
      decisions: r.decisions.map((d) => describeDecision(m.tables, d.event, d.decision)),
      records: r.decisions,
      actor: ev.kind === 'syscall' ? (s.threads.get(ev.tid)?.sid ?? null) : null,
      reached: [...next].filter((x) => !reached.has(x)).map((x) => r.state.processes.get(x)?.name ?? `SID ${x}`),
    });
    reached = next;
    s = r.state;
    last = r;
  }
  return { steps, final: s, last };
}

/* ------------------------------------------------------------ the solution's questions */

export interface FlowsResult {
  readonly graph: FlowGraph;
  readonly reach: ReachResult | null;
}

/** `cordon audit flows`: the graph of a loaded solution, and the reach question if asked. */
export function flows(
  loaded: Loaded,
  question: { readonly from?: string; readonly to?: string; readonly path?: string } & FlowOptions = {},
): FlowsResult {
  if ((question.from === undefined) !== (question.to === undefined))
    throw new AuditError('--from and --to go together: ask whether anything from one class ever reaches another');
  const m = solutionModel(loaded);
  const graph = flowGraph(m, question);
  const r =
    question.from === undefined || question.to === undefined
      ? null
      : reach(m, question.from, question.to, {
          ...(question.maxStates === undefined ? {} : { maxStates: question.maxStates }),
          ...(question.dataOnly === undefined ? {} : { dataOnly: question.dataOnly }),
          ...(question.path === undefined ? {} : { path: question.path }),
        });
  return { graph, reach: r };
}

/** The exit code: 0 no flow (or no question), 1 a flow exists, 2 the search could not answer (a bound cut it). */
export function flowsExitCode(r: FlowsResult): number {
  if (r.reach === null) return 0;
  return r.reach.answer === 'flows' ? 1 : r.reach.answer === 'none' ? 0 : 2;
}

/* ------------------------------------------------------------ text, DOT, Mermaid */

const nodeLabel = (n: FlowNode) => (n.name === n.class ? n.name : `${n.name} (${n.class})`);

function edgeText(e: FlowEdge): string {
  const what = e.methods.length === 0 ? e.kind : `${e.kind} ${e.methods.join(', ')}`;
  return e.data ? what : `${what} (signal: no fields)`;
}

function explorationText(x: Exploration, what: string): string {
  const unnamed =
    x.unnamed === null || x.unnamed.states === 0
      ? ''
      : `; ${x.unnamed.states} of them identified without their handle slots past ${x.unnamed.beyond}, which no event of the alphabet names`;
  const size = `${x.states} ${what} (depth ${x.depth}, ${x.transitions} kernel steps${unnamed})`;
  if (x.complete) return `${size}, every reachable one`;
  return `${size}, NOT every reachable one: ${x.bounds
    .map((b) => `bound ${b.bound} = ${b.limit} was crossed ${b.crossed} time${b.crossed === 1 ? '' : 's'}`)
    .join('; ')}`;
}

/**
 * Pairs (a, b) with data flowing a → b (other than by execute) and no data
 * b → a; `signals`: whether signals go back.
 */
export function oneWay(g: FlowGraph): { from: number; to: number; signals: boolean }[] {
  const data = new Set(g.edges.filter((e) => e.data && e.kind !== 'execute').map((e) => `${e.from} ${e.to}`));
  const signal = new Set(g.edges.filter((e) => !e.data).map((e) => `${e.from} ${e.to}`));
  const out: { from: number; to: number; signals: boolean }[] = [];
  for (const k of data) {
    const [a, b] = k.split(' ').map(Number) as [number, number];
    if (!data.has(`${b} ${a}`)) out.push({ from: a, to: b, signals: signal.has(`${b} ${a}`) });
  }
  return out.sort((x, y) => x.from - y.from || x.to - y.to);
}

const REACHED = 'states (kernel state × the processes the information has reached)';

export function flowsText(r: FlowsResult): string {
  const g = r.graph;
  const byId = new Map(g.nodes.map((n) => [n.sid, n]));
  const name = (sid: number) => {
    const n = byId.get(sid);
    return n === undefined ? `SID ${sid}` : nodeLabel(n);
  };
  const lines = [
    `Information flows of ${g.solution} (model ${g.model}): ${g.nodes.length} processes, over ${explorationText(g.exploration, 'kernel states')}.`,
    '',
  ];
  const moves = g.edges.filter((e) => e.kind !== 'execute');
  lines.push(`Flows (${moves.length}):`);
  for (const e of moves) lines.push(`  ${name(e.from)} -> ${name(e.to)}: ${edgeText(e)}`);
  if (moves.length === 0) lines.push('  none');
  const ow = oneWay(g);
  lines.push('', `One-way (data from the first to the second, none back) (${ow.length}):`);
  for (const o of ow) lines.push(`  ${name(o.from)} -> ${name(o.to)}${o.signals ? ' (signals back)' : ''}`);
  if (ow.length === 0) lines.push('  none');
  const exec = g.edges.filter((e) => e.kind === 'execute');
  lines.push('', `Domain transitions (execute: who starts whom) (${exec.length}):`);
  const parents = [...new Set(exec.map((e) => e.from))];
  for (const p of parents)
    lines.push(
      `  ${name(p)} starts ${exec
        .filter((e) => e.from === p)
        .map((e) => name(e.to))
        .join(', ')}`,
    );
  if (exec.length === 0) lines.push('  none');
  const q = r.reach;
  if (q !== null) {
    lines.push('');
    const what = q.dataOnly ? 'data (signals left out)' : 'information';
    if (q.answer === 'flows') {
      const w = q.witness!;
      lines.push(
        `${q.from} -> ${q.to}: ${what} flows. Shortest witness, ${w.length} kernel step${w.length === 1 ? '' : 's'} from boot (at boot it had reached ${q.atBoot.join(', ')}):`,
      );
      for (const s of w) {
        lines.push(`${s.number}. ${s.description}`);
        for (const d of s.decisions) lines.push(`   monitor: ${d}`);
        if (s.reached.length > 0) lines.push(`   ${what} from ${q.from} reaches ${s.reached.join(', ')}`);
      }
    } else if (q.answer === 'none')
      lines.push(`${q.from} -> ${q.to}: no flow of ${what}. Exhausted ${explorationText(q.exploration, REACHED)}.`);
    else
      lines.push(
        `${q.from} -> ${q.to}: NOT ANSWERED: the search was cut before it found a flow of ${what} or ran out of states: ${explorationText(q.exploration, REACHED)}.`,
      );
  }
  return lines.join('\n');
}

const dotString = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;

/** The graph in Graphviz DOT: processes as boxes, flows as labelled arrows, execute arrows dashed. */
export function flowsDot(g: FlowGraph): string {
  const lines = [`digraph ${dotString(g.solution)} {`, '  rankdir=LR;', '  node [shape=box, fontname="sans-serif"];'];
  lines.push('  edge [fontname="sans-serif", fontsize=10];');
  for (const n of g.nodes)
    lines.push(`  n${n.sid} [label=${dotString(n.name === n.class ? n.name : `${n.name}\n${n.class}`)}];`);
  for (const e of g.edges) {
    const style = e.kind === 'execute' ? ', style=dashed' : e.data ? '' : ', style=dotted, color=gray50';
    lines.push(`  n${e.from} -> n${e.to} [label=${dotString(edgeText(e))}${style}];`);
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

const mermaidString = (s: string) => `"${s.replace(/"/g, '#quot;').replace(/\n/g, '<br/>')}"`;

/** The graph as a Mermaid flowchart (execute arrows dotted). */
export function flowsMermaid(g: FlowGraph): string {
  const lines = ['flowchart LR'];
  for (const n of g.nodes) lines.push(`  n${n.sid}[${mermaidString(nodeLabel(n))}]`);
  for (const e of g.edges)
    lines.push(
      `  n${e.from} ${e.kind === 'execute' || !e.data ? '-.->' : '-->'}|${mermaidString(edgeText(e))}| n${e.to}`,
    );
  return `${lines.join('\n')}\n`;
}
