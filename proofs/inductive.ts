// The inductive-invariant check of proofs/KernelInductive.tla: the bounded
// TypeOK domain of a model (its process, thread and channel skeleton, the
// handle entries tables may hold), every IndInv state of it as an initial
// state, one step of Next, IndInv checked on every successor.

import { join } from 'node:path';
import { Ping } from '../src/conformance/catalog.ts';
import {
  compileModel,
  renderModel,
  type CompiledModel,
  type ModelDef,
  type ModelFiles,
} from '../src/conformance/model.ts';
import { PROOFS_DIR, describeResult, runStaged, type RunOptions } from '../src/conformance/run.ts';
import { Rights } from '../src/kernel/types.ts';
import { int, rec, seq, set, str } from '../src/conformance/tla.ts';
import type { TlcResult } from '../src/tlc/index.ts';

/** The model the proof runs on: Ping, with a limited rule so that the monitor's counts are in the domain. */
export const ProofPing: ModelDef = {
  ...Ping,
  name: 'ProofPing',
  description:
    'The inductive check of IndInv on the Ping solution (2 processes, 1 channel, 1 CPU) with a limited rule.',
  policy: {
    name: 'ping-limited',
    rules: [
      { id: 'Einit starts', kind: 'execute', src: 'Einit' },
      { id: 'ping twice', kind: 'request', src: 'Client', dst: 'Server', endpoint: 'ping', method: 'Ping', limit: 2 },
      { id: 'stop', kind: 'request', src: 'Client', dst: 'Server', endpoint: 'ping', method: 'Stop' },
      { id: 'pong', kind: 'response', src: 'Server', dst: 'Client' },
      { id: 'kernel thread.Exit', kind: 'request', dst: 'kl.core.Core', endpoint: 'thread', method: 'Exit' },
    ],
  },
  alphabet: {
    handles: [0, 1, 2],
    calls: [
      { riid: 0, mid: 0, payload: { value: 1 } },
      { riid: 0, mid: 1, payload: { value: 1 } },
      { riid: 0, mid: 0, payload: null },
      { riid: 1, mid: 1, payload: {} },
    ],
    replies: [
      { riid: 0, mid: 0, payload: { value: 2 }, error: false },
      { riid: 0, mid: 0, payload: { value: 3 }, error: true },
    ],
  },
};

/** The constants of the bounded domain, from the model's boot state. */
export interface ProofDomainOptions {
  /** let tables hold one more slot than the longest table at boot */
  readonly extraSlot?: boolean;
  /** let tables hold client ends with the call right only */
  readonly weakerClientEnds?: boolean;
}

export function proofConstants(
  m: CompiledModel,
  options: ProofDomainOptions = {},
): Record<string, ReturnType<typeof int>> {
  const s = m.boot.state;
  const channels = s.objects.slice(1).map((o) => {
    if (o.kind !== 'channel')
      throw new Error(`model ${m.def.name}: the proof domain has channels only, object ${o.kind} is not one`);
    return o.server;
  });
  const entries = new Map<string, { object: number; rights: number }>();
  const add = (object: number, rights: number) => entries.set(`${object}/${rights}`, { object, rights });
  for (const p of s.processes) for (const h of p.handles) if (h !== null) add(h.object, h.rights);
  // a client end with fewer rights (what handle.Duplicate or a transfer makes of one)
  if (options.weakerClientEnds) channels.forEach((_, i) => add(i + 1, Rights.call));
  const riids = new Set<number>([0]);
  const mids = new Set<number>([0]);
  for (const c of m.def.alphabet.calls) {
    riids.add(c.riid);
    mids.add(c.mid);
  }
  return {
    ProcSkeleton: seq(s.processes.map((p) => rec({ name: str(p.name), taskClass: int(p.taskClass) }))),
    ThreadSkeleton: seq(s.threads.map((t) => rec({ sid: int(t.sid), priority: int(t.priority) }))),
    ChannelServers: seq(channels.map(int)),
    EntryDomain: set([...entries.values()].map((e) => rec({ object: int(e.object), rights: int(e.rights) }))),
    MaxTable: int(Math.max(...s.processes.map((p) => p.handles.length)) + (options.extraSlot ? 1 : 0)),
    MaxQueue: int(s.threads.length - 1),
    RiidDomain: set([...riids].map(int)),
    MidDomain: set([...mids].map(int)),
  };
}

export function proofFiles(def: ModelDef = ProofPing, domain: ProofDomainOptions = {}): ModelFiles {
  const m = compileModel(def);
  return renderModel(m, {
    extends: 'KernelInductive',
    header: `IndInv is inductive: every state of the bounded TypeOK domain of "${def.name}" satisfying IndInv, one step of Next.`,
    constants: proofConstants(m, domain),
    init: 'DomainInit',
    next: 'Next',
    constraint: 'OneStep',
    invariants: ['IndInv', 'Implied'],
    properties: [],
    symmetry: false,
  });
}

export interface InductiveResult {
  readonly model: string;
  readonly inductive: boolean;
  /** states of the domain satisfying IndInv (TLC's initial states) */
  readonly initialStates: number | null;
  readonly distinct: number | null;
  readonly generated: number | null;
  readonly tlcSeconds: number | null;
  readonly problem: string | null;
  readonly result: TlcResult;
}

/** Runs the inductive check. A non-inductive IndInv shows as a two-state counterexample. */
export async function checkInductive(
  def: ModelDef = ProofPing,
  options: RunOptions = {},
  domain: ProofDomainOptions = {},
): Promise<InductiveResult> {
  const files = proofFiles(def, domain);
  const { result } = await runStaged(files, { timeoutMs: 15 * 60_000, checkDeadlock: false, ...options }, [
    join(PROOFS_DIR, 'KernelInductive.tla'),
  ]);
  // "N distinct state(s) generated", or "G states generated, with N of them distinct"
  const init =
    /Finished computing initial states: (?:[\d,]+ states generated, with )?([\d,]+)(?: of them)? distinct/.exec(
      result.log,
    );
  return {
    model: def.name,
    inductive: result.kind === 'success',
    initialStates: init === null ? null : Number(init[1]!.replace(/,/g, '')),
    distinct: result.stats?.distinct ?? null,
    generated: result.stats?.generated ?? null,
    tlcSeconds: result.tlcDurationMs === null ? null : result.tlcDurationMs / 1000,
    problem: result.kind === 'success' ? null : describeResult(result),
    result,
  };
}
