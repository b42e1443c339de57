// Model checking a user's solution: from its tables (SolutionTables) and its
// policy, a TLC model of the kernel running it — its processes and channels;
// its policy as a finite relation: a rule policy as rules (limited rules as
// monitor state), any other compiled policy (PSL with its policy objects and
// message expressions) tabulated over its reachable monitor states
// (monitor-model.ts); an event alphabet derived from its interfaces and the
// payloads its programs send — plus solution properties, run through the TLC
// bridge; a violation comes back as numbered steps and a replay file.

import type * as t from 'io-ts';
import type { SolutionTables } from '../kernel/tables.ts';
import type { Message } from '../kernel/types.ts';
import type { AllowRule, RulePolicy } from '../monitor/rules.ts';
import type { CompiledPolicy } from '../monitor/types.ts';
import type { TlcResult } from '../tlc/index.ts';
import { K } from '../conformance/catalog.ts';
import {
  compileModel,
  modelMachine,
  renderModel,
  type CompiledModel,
  type ModelDef,
  type ModelFiles,
} from '../conformance/model.ts';
import { describeResult, runStaged, type RunOptions } from '../conformance/run.ts';
import {
  CounterexampleMappingError,
  mapTrace,
  type MappedTrace,
  printCounterexample,
  replayFile,
  traceOf,
  type ReplayFile,
  type SolutionReference,
} from './counterexample.ts';
import { counterexampleDiagram } from './sequence-diagram.ts';
import { SPEC_VARIABLES, type SpecState } from '../conformance/projection.ts';
import { canonicalKey } from '../conformance/monitor-model.ts';

// ------------------------------------------------------------------ payload witnesses

const CANDIDATES: readonly unknown[] = [0, 1, '', 'x', true, false, {}, [], null, 0n];

/** A value the codec accepts, built from the codec's structure (io-ts and IDL codecs), or undefined. */
export function witness(codec: t.Mixed, depth = 0): unknown {
  const ok = (v: unknown): boolean => {
    try {
      return codec.is(v);
    } catch {
      return false;
    }
  };
  if (depth > 8) return undefined;
  const c = codec as unknown as Record<string, unknown>;
  const tries: unknown[] = [];
  if (Array.isArray(c.fields)) {
    // IDL struct / parameter list: exactly these fields
    const o: Record<string, unknown> = {};
    for (const f of c.fields as { name: string; codec: t.Mixed }[]) o[f.name] = witness(f.codec, depth + 1);
    tries.push(o);
  }
  if (Array.isArray(c.members) && c.members.length > 0) {
    const m = (c.members as { name: string; codec: t.Mixed }[])[0]!;
    tries.push({ [m.name]: witness(m.codec, depth + 1) });
  }
  if (c.element !== undefined && typeof c.min === 'number')
    tries.push(Array.from({ length: c.min }, () => witness(c.element as t.Mixed, depth + 1)));
  if (typeof c.props === 'object' && c.props !== null) {
    const o: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(c.props as Record<string, t.Mixed>)) o[k] = witness(v, depth + 1);
    tries.push(o);
  }
  if (Array.isArray(c.types)) for (const x of c.types as t.Mixed[]) tries.push(witness(x, depth + 1));
  // exact, readonly and refinement types wrap the type that has the structure
  if (typeof c.type === 'object' && c.type !== null && typeof (c.type as { is?: unknown }).is === 'function')
    tries.push(witness(c.type as t.Mixed, depth + 1));
  if (c.keys !== undefined && typeof c.keys === 'object' && c.keys !== null) tries.push(Object.keys(c.keys)[0]);
  if ('value' in c) tries.push(c.value);
  tries.push(...CANDIDATES);
  return tries.find(ok);
}

// ------------------------------------------------------------------ solution properties

/** A solution that cannot be made into a model (a property naming an unknown class). */
export class SolutionModelError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SolutionModelError';
  }
}

/**
 * A one-way gateway (data diode): no information ever flows from a process of
 * an external class to a process of an internal class, directly or through
 * others. Information flows along every message that crosses (a granted
 * request, response or error), every process start, and every memory object
 * two processes share. A denied reply carries nothing across (its caller
 * learns only when its call ends: timing, like exits, is a covert channel
 * outside this property).
 */
export interface OneWayProperty {
  readonly kind: 'one-way';
  readonly internal: readonly string[];
  readonly external: readonly string[];
}

export type SolutionProperty = OneWayProperty;

function oneWayDefinitions(tables: SolutionTables, p: OneWayProperty): string {
  const ids = (names: readonly string[], what: string) =>
    names.map((n) => {
      const i = tables.classes.findIndex((c) => c.name === n);
      if (i < 0)
        throw new SolutionModelError(
          `one-way property: unknown ${what} class "${n}" (classes: ${tables.classes
            .slice(2)
            .map((c) => c.name)
            .join(', ')})`,
        );
      return i;
    });
  const internal = ids(p.internal, 'internal');
  const external = ids(p.external, 'external');
  return `\\* One-way gateway: information never flows from a process of an external class to one of an
\\* internal class.  \`tainted\`: the processes information from the external side may have reached.
VARIABLE tainted
InternalClasses == {${internal.join(', ')}}
ExternalClasses == {${external.join(', ')}}
ExternalSids(ps) == {p \\in 0 .. Len(ps) - 1 : ps[p + 1].taskClass \\in ExternalClasses}
MemoryOf(ps, p) == {ps[p + 1].handles[h].object : h \\in {i \\in DOMAIN ps[p + 1].handles : ps[p + 1].handles[i] # Null}}
                   \\cup {ps[p + 1].regions[r].object : r \\in DOMAIN ps[p + 1].regions}
\\* one step of flow: messages and process starts out of tainted processes, memory shared with one
FlowStep(T, ps, os, ds, es) ==
    T \\cup {x.event.dst : x \\in {y \\in {es[i] : i \\in DOMAIN es} : y.event.src \\in T /\\ y.kind \\in {"request", "response", "error", "execute"}}}
      \\cup {q \\in 0 .. Len(ps) - 1 : \\E p \\in T : p < Len(ps) /\\ \\E o \\in MemoryOf(ps, p) \\cap MemoryOf(ps, q) : os[o + 1].kind = "memory"}
RECURSIVE Closure(_, _, _, _, _)
Closure(T, ps, os, ds, es) == LET U == FlowStep(T, ps, os, ds, es) IN IF U = T THEN T ELSE Closure(U, ps, os, ds, es)
SolutionInit == Init /\\ tainted = Closure(ExternalSids(processes), processes, objects, decisions, effects)
SolutionNext == Next /\\ tainted' = Closure(tainted \\cup ExternalSids(processes'), processes', objects', decisions', effects')
\\* the requirement
OneWay == \\A p \\in 0 .. Len(processes) - 1 : processes[p + 1].taskClass \\in InternalClasses => p \\notin tainted
`;
}

// ------------------------------------------------------------------ the model

export interface SolutionModelOptions {
  /** model name (file stem); default: the solution's name in CamelCase */
  readonly name?: string;
  readonly cpus?: number;
  readonly properties?: readonly SolutionProperty[];
  /** add a payload that fits no method (default true) */
  readonly malformed?: boolean;
  /** add requests that transfer the caller's first channel handle (default false) */
  readonly transfers?: boolean;
  /** let threads exit (thread.Exit) if the policy allows it (default true) */
  readonly exits?: boolean;
  /** a payload to use for a method, instead of the witness built from its codec */
  readonly payload?: (iface: string, method: string, kind: 'request' | 'response' | 'error') => unknown;
  /**
   * more payloads (e.g. those the solution's programs send): each is added for
   * every method whose declaration accepts it, beside the witness, so that a
   * policy that reads messages meets both kinds of message
   */
  readonly payloads?: readonly unknown[];
  /** a compiled policy's reference interpreter: DefaultDeny's oracle (model.ts ModelDef.oracle) */
  readonly oracle?: CompiledPolicy;
}

export type ModelPolicyInput = RulePolicy | CompiledPolicy | readonly AllowRule[];

const accepted = (codec: t.Mixed, v: unknown): boolean => {
  try {
    return codec.is(v);
  } catch {
    return false;
  }
};

const camel = (s: string) =>
  s.replace(/(^|[^A-Za-z0-9])([A-Za-z0-9])/g, (_m, _a, c: string) => c.toUpperCase()).replace(/[^A-Za-z0-9]/g, '') ||
  'Solution';

/** The alphabet and bounds of a solution: every method its servers offer, with payloads that fit. */
export function solutionModelDef(
  tables: SolutionTables,
  policy: ModelPolicyInput,
  options: SolutionModelOptions = {},
): ModelDef {
  const pol: RulePolicy | CompiledPolicy = Array.isArray(policy)
    ? { name: tables.name, rules: policy as readonly AllowRule[] }
    : (policy as RulePolicy | CompiledPolicy);
  const servers = new Set(tables.connections.map((c) => tables.processes[c.server]!.taskClass));
  const calls: Message[] = [];
  const replies: Message[] = [];
  const seen = new Map<Message[], Set<string>>([
    [calls, new Set()],
    [replies, new Set()],
  ]);
  const add = (list: Message[], m: Message) => {
    const k = canonicalKey([m.riid, m.mid, m.payload, m.error ?? false, m.handles ?? []]);
    const known = seen.get(list)!;
    if (!known.has(k)) {
      known.add(k);
      list.push(m);
    }
  };
  const payloadFor = (
    ifaceName: string,
    method: { name: string } & Record<'request' | 'response' | 'error', t.Mixed>,
    kind: 'request' | 'response' | 'error',
  ) => options.payload?.(ifaceName, method.name, kind) ?? witness(method[kind]);
  for (const cls of servers) {
    for (const ep of tables.classes[cls]!.endpoints) {
      const iface = tables.interfaces[ep.iface]!;
      for (const m of iface.methods) {
        const more = (kind: 'request' | 'response' | 'error') =>
          (options.payloads ?? []).filter((v) => accepted(m[kind], v));
        const req = payloadFor(iface.name, m, 'request');
        if (req !== undefined) {
          add(calls, { riid: ep.riid, mid: m.mid, payload: req });
          if (options.transfers === true)
            add(calls, { riid: ep.riid, mid: m.mid, payload: req, handles: [{ handle: 1, rights: 1 }] });
        }
        for (const v of more('request')) add(calls, { riid: ep.riid, mid: m.mid, payload: v });
        const res = payloadFor(iface.name, m, 'response');
        for (const v of res === undefined ? more('response') : [res, ...more('response')])
          add(replies, { riid: 0, mid: 0, payload: v, error: false });
        const err = payloadFor(iface.name, m, 'error');
        for (const v of err === undefined ? more('error') : [err, ...more('error')])
          add(replies, { riid: 0, mid: 0, payload: v, error: true });
      }
    }
  }
  if (options.malformed !== false) add(calls, { riid: 0, mid: 0, payload: null });
  if (options.exits !== false) add(calls, K.threadExit);
  // handle values: every slot a process has at boot, and one forged value
  const slots = new Map<number, number>();
  for (const c of tables.connections) {
    slots.set(c.client, (slots.get(c.client) ?? 1) + 1);
    slots.set(c.server, (slots.get(c.server) ?? 1) + 1);
  }
  const most = Math.max(1, ...slots.values());
  const handles = Array.from({ length: most + 1 }, (_, i) => i);
  const name = options.name ?? camel(tables.name);
  const props = options.properties ?? [];
  const extra =
    props.length === 0
      ? undefined
      : {
          definitions: props.map((p) => oneWayDefinitions(tables, p)).join('\n'),
          invariants: props.map(() => 'OneWay'),
          init: 'SolutionInit',
          next: 'SolutionNext',
        };
  return {
    name,
    description: `The solution "${tables.name}" with its policy "${pol.name}"${'decide' in pol ? ' (tabulated)' : ''}: ${tables.processes.length} processes, ${tables.connections.length} channels, ${calls.length} call and ${replies.length} reply messages.`,
    solution: tables,
    policy: pol,
    machine: modelMachine({ cpus: options.cpus ?? 1, irqLines: 0, memoryPages: 1 }),
    alphabet: { handles, calls, replies },
    bounds: {
      maxHandles: most + (options.transfers === true ? 2 : 0),
      maxRegions: 0,
      maxObjects: 1 + tables.connections.length,
    },
    symmetry: false,
    ...(extra === undefined ? {} : { extra }),
    ...(options.oracle === undefined || !('decide' in pol) ? {} : { oracle: options.oracle }),
  };
}

export function solutionModelFiles(m: CompiledModel): ModelFiles {
  return renderModel(m);
}

export interface SolutionCheckResult {
  readonly model: string;
  readonly verdict: TlcResult['kind'];
  readonly distinct: number | null;
  readonly depth: number | null;
  readonly tlcSeconds: number | null;
  readonly wallSeconds: number;
  /** TLC's words when the verdict is not success */
  readonly problem: string | null;
  /** a counterexample mapped back to the TS kernel, printed and as a replay file */
  readonly counterexample: {
    readonly what: string;
    readonly printed: string;
    readonly replay: ReplayFile | null;
    /** the trace as TS kernel steps (null when it could not be mapped) */
    readonly trace: MappedTrace | null;
    /** the trace as a Mermaid sequence diagram (null when it could not be mapped) */
    readonly diagram: string | null;
    /** set when the TLC trace could not be replayed in the TS kernel (a conformance failure in itself) */
    readonly mappingError: string | null;
  } | null;
  readonly files: ModelFiles;
  readonly result: TlcResult;
}

/** Generates the model of a solution and checks it with TLC. `path` names the solution in the replay file. */
export async function checkSolution(
  tables: SolutionTables,
  policy: ModelPolicyInput,
  options: SolutionModelOptions & {
    readonly path?: string;
    readonly reference?: SolutionReference;
    readonly run?: RunOptions;
  } = {},
): Promise<SolutionCheckResult> {
  const t0 = performance.now();
  const def = solutionModelDef(tables, policy, options);
  const m = compileModel(def);
  const files = solutionModelFiles(m);
  const { result } = await runStaged(files, { timeoutMs: 15 * 60_000, ...(options.run ?? {}) });
  const found = traceOf(result);
  let counterexample: SolutionCheckResult['counterexample'] = null;
  if (found !== null) {
    try {
      const mapped = mapTrace(m, found.trace, found.loopTo);
      const last = found.trace[found.trace.length - 1]!;
      const final = Object.fromEntries(SPEC_VARIABLES.map((v) => [v, last.variables[v]!])) as SpecState;
      counterexample = {
        what: found.what,
        printed: printCounterexample(mapped, found.what),
        replay: replayFile(
          options.reference ?? { kind: 'solution', path: options.path ?? tables.name, model: def.name },
          found.what,
          mapped,
          final,
        ),
        trace: mapped,
        diagram: counterexampleDiagram(tables, mapped, found.what),
        mappingError: null,
      };
    } catch (e) {
      if (!(e instanceof CounterexampleMappingError)) throw e;
      counterexample = {
        what: found.what,
        printed: found.trace.map((s) => `${s.number}: ${s.action ?? ''}\n${s.text}`).join('\n'),
        replay: null,
        trace: null,
        diagram: null,
        mappingError: e.message,
      };
    }
  }
  return {
    model: def.name,
    verdict: result.kind,
    distinct: result.stats?.distinct ?? null,
    depth: result.stats?.depth ?? null,
    tlcSeconds: result.tlcDurationMs === null ? null : result.tlcDurationMs / 1000,
    wallSeconds: (performance.now() - t0) / 1000,
    problem: result.kind === 'success' ? null : describeResult(result),
    counterexample,
    files,
    result,
  };
}
