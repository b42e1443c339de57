// The projection of a TS kernel state (with the decision and effect records
// of the step that produced it) onto the variables of spec/Kernel.tla. It
// drops what the spec abstracts (payloads, the clock, device registers) and keeps
// everything else, so that the TS kernel and the spec can be compared state
// by state: trace validation, reachable sets, counterexample replay.

import type {
  DecisionRecord,
  Effect,
  KernelObject,
  KernelState,
  Process,
  Thread,
  ThreadState,
} from '../kernel/types.ts';
import type { SolutionTables } from '../kernel/tables.ts';
import { rulesKey, type SecurityEvent } from '../monitor/types.ts';
import { ruleId, type RulePolicy } from '../monitor/rules.ts';
import type { MonitorModel } from './monitor-model.ts';
import { dmaPage } from './events.ts';
import { NULL, bool, cpuName, fn, int, mv, rec, seq, str, tuple, valueKey } from './tla.ts';
import type { TlaValue } from '../tlc/value.ts';

/** The spec's variables, in the order of `vars` in spec/Kernel.tla. */
export const SPEC_VARIABLES = [
  'processes',
  'threads',
  'objects',
  'cpus',
  'runQueue',
  'futexQueue',
  'irqs',
  'monitor',
  'decisions',
  'effects',
] as const;
export type SpecVariable = (typeof SPEC_VARIABLES)[number];
export type SpecState = Readonly<Record<SpecVariable, TlaValue>>;

/** Where mappable regions start (services.ts mapRegion); the spec counts pages from here. */
export const REGION_BASE = 0x10000;

export class ProjectionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProjectionError';
  }
}

/** The rule index the spec records for a decision: -1 structure, 0 default deny, i > 0 the i-th rule. */
export function ruleIndex(policy: RulePolicy, rule: string): number {
  if (rule === 'structure') return -1;
  if (rule === 'default-deny') return 0;
  const i = policy.rules.findIndex((r, k) => ruleId(r, k) === rule);
  if (i < 0) throw new ProjectionError(`decision by "${rule}", which is no rule of policy "${policy.name}"`);
  return i + 1;
}

/** `wf` of a spec event: the monitor's structural check (a declared method, a payload its codec accepts). */
export function wellFormed(t: SolutionTables, e: SecurityEvent): boolean {
  if (e.kind === 'execute') return true;
  const method = t.interfaces[e.iface]?.methods[e.mid];
  if (method === undefined) return false;
  const codec = e.kind === 'response' ? method.response : e.kind === 'error' ? method.error : method.request;
  try {
    return codec.is(e.message);
  } catch {
    return false;
  }
}

/** The spec's event record; `payload` is the model's number of the message (always 0 for a rule policy, which abstracts payloads). */
export function projectEvent(t: SolutionTables, e: SecurityEvent, payload: number): TlaValue {
  return rec({
    kind: str(e.kind),
    src: int(e.src),
    srcClass: int(e.srcClass),
    dst: int(e.dst),
    dstClass: int(e.dstClass),
    endpoint: int(e.endpoint),
    method: int(e.method),
    iface: int(e.iface),
    riid: int(e.riid),
    mid: int(e.mid),
    wf: bool(wellFormed(t, e)),
    transfers: seq(e.transfers.map(int)),
    payload: int(payload),
  });
}

function threadState(s: KernelState, st: ThreadState): TlaValue {
  switch (st.tag) {
    case 'ready':
    case 'exited':
      return rec({ tag: str(st.tag) });
    case 'running':
      return rec({ tag: str('running'), cpu: mv(cpuName(st.cpu)) });
    case 'call':
    case 'recv':
      return rec({ tag: str(st.tag), channel: int(st.channel) });
    case 'reply':
      return rec({ tag: str('reply'), server: int(st.server) });
    case 'irq':
      return rec({ tag: str('irq'), line: int(st.line) });
    case 'sleep': {
      const tick = s.config.machine.tickNs;
      return rec({ tag: str('sleep'), ticks: int(Math.ceil((st.until - s.clock.monotonic) / tick)) });
    }
    case 'futex':
      return rec({ tag: str('futex'), object: int(st.object), offset: int(st.offset) });
  }
}

export interface Projector {
  /** The spec state of a TS state reached by a step with these decisions and effects. */
  state(s: KernelState, decisions: readonly DecisionRecord[], effects: readonly Effect[]): SpecState;
}

export function projector(policy: MonitorModel): Projector {
  return {
    state(s, decisions, effects) {
      const t = s.config.tables;
      const page = s.config.machine.pageSize;
      const ev = (e: SecurityEvent) => projectEvent(t, e, policy.payload(e.message));
      const processes = seq(
        s.processes.map((p) =>
          rec({
            name: str(p.name),
            taskClass: int(p.taskClass),
            status: str(p.status),
            handles: seq(
              p.handles.map((h) => (h === null ? NULL : rec({ object: int(h.object), rights: int(h.rights) }))),
            ),
            regions: seq(
              p.regions.map((r) =>
                rec({
                  base: int((r.base - REGION_BASE) / page),
                  pages: int(r.pages),
                  object: int(r.object),
                  rights: int(r.rights),
                }),
              ),
            ),
          }),
        ),
      );
      const threads = seq(
        s.threads.map((th) =>
          rec({
            sid: int(th.sid),
            priority: int(th.priority),
            state: threadState(s, th.state),
            serving:
              th.serving === null
                ? NULL
                : rec({
                    client: int(th.serving.client),
                    channel: int(th.serving.channel),
                    riid: int(th.serving.riid),
                    mid: int(th.serving.mid),
                  }),
          }),
        ),
      );
      const objects = seq(
        s.objects.map((o) => {
          switch (o.kind) {
            case 'kernel':
              return rec({ kind: str('kernel'), sid: int(o.sid) });
            case 'channel':
              return rec({
                kind: str('channel'),
                sid: int(o.sid),
                server: int(o.server),
                queue: seq(
                  o.queue.map((r) =>
                    rec({
                      client: int(r.client),
                      riid: int(r.riid),
                      mid: int(r.mid),
                      handles: seq(r.handles.map(int)),
                    }),
                  ),
                ),
                receivers: seq(o.receivers.map(int)),
              });
            case 'memory':
              return rec({ kind: str('memory'), sid: int(o.sid), creator: int(o.creator), pages: int(o.pages) });
            case 'irq':
              return rec({ kind: str('irq'), sid: int(o.sid), line: int(o.line), owner: int(o.owner) });
            case 'ports':
              return rec({
                kind: str('ports'),
                sid: int(o.sid),
                base: int(o.base),
                count: int(o.count),
                owner: int(o.owner),
              });
            case 'mmio':
              return rec({
                kind: str('mmio'),
                sid: int(o.sid),
                base: int(o.base),
                size: int(o.size),
                owner: int(o.owner),
              });
            case 'dma': {
              const page = dmaPage(s.config.machine, o.deviceAddress);
              if (page < 0)
                throw new ProjectionError(`DMA buffer at ${o.deviceAddress} is not at a page of the window`);
              return rec({
                kind: str('dma'),
                sid: int(o.sid),
                creator: int(o.creator),
                pages: int(o.pages),
                deviceAddress: int(page),
                status: str(o.status),
              });
            }
          }
        }),
      );
      const cpus = fn(s.cpus.map((tid, c) => [mv(cpuName(c)), tid === null ? NULL : int(tid)] as const));
      const monitor = policy.monitor(s.monitor);
      return {
        processes,
        threads,
        objects,
        cpus,
        runQueue: seq(s.runQueue.order().map(int)),
        futexQueue: seq(s.futexQueue.map(int)),
        irqs: seq(
          s.irqs.map((l) =>
            rec({ object: l.object === null ? NULL : int(l.object), pending: bool(l.pending), masked: bool(l.masked) }),
          ),
        ),
        monitor,
        decisions: seq(
          decisions.map((d) =>
            rec({ event: ev(d.event), verdict: str(d.decision.verdict), rule: int(policy.rule(rulesKey(d.decision))) }),
          ),
        ),
        effects: seq(
          effects.map((e) =>
            rec({
              kind: str(e.kind),
              event: ev(e.event),
              transfers: seq(e.transfers.map(([a, b]) => tuple(int(a), int(b)))),
              created: seq(e.created.map(([a, b]) => tuple(int(a), int(b)))),
            }),
          ),
        ),
      };
    },
  };
}

/** A key equal for two spec states iff they are the same state. */
export function stateKey(s: SpecState): string {
  return SPEC_VARIABLES.map((v) => valueKey(s[v])).join('|');
}

// ------------------------------------------------------------------ fast keys

/**
 * A key of the projection of a TS state, computed without building TLA+
 * values: equal for two (state, decisions, effects) iff their projections are
 * equal. Keys of processes, threads and objects are cached by object identity
 * (the kernel's drafts copy only what a step changes), which makes the key of
 * a successor cost about what the step changed.
 */
export class StateKeyer {
  private readonly procs = new WeakMap<object, string>();
  private readonly objs = new WeakMap<object, string>();
  private readonly thrs = new WeakMap<object, string>();

  constructor(private readonly policy: MonitorModel) {}

  private proc(p: Process): string {
    let k = this.procs.get(p);
    if (k === undefined) {
      k = JSON.stringify([
        p.name,
        p.taskClass,
        p.status,
        p.handles.map((h) => (h === null ? null : [h.object, h.rights])),
        p.regions.map((r) => [r.base, r.pages, r.object, r.rights]),
      ]);
      this.procs.set(p, k);
    }
    return k;
  }

  private thread(s: KernelState, th: Thread): string {
    if (th.state.tag === 'sleep')
      return JSON.stringify([
        th.sid,
        th.priority,
        'sleep',
        Math.ceil((th.state.until - s.clock.monotonic) / s.config.machine.tickNs),
        th.serving,
      ]);
    let k = this.thrs.get(th);
    if (k === undefined) {
      k = JSON.stringify([th.sid, th.priority, th.state, th.serving]);
      this.thrs.set(th, k);
    }
    return k;
  }

  private object(o: KernelObject): string {
    let k = this.objs.get(o);
    if (k === undefined) {
      k =
        o.kind === 'channel'
          ? JSON.stringify([
              'channel',
              o.sid,
              o.server,
              o.queue.map((r) => [r.client, r.riid, r.mid, r.handles]),
              o.receivers,
            ])
          : JSON.stringify(o);
      this.objs.set(o, k);
    }
    return k;
  }

  private event(t: SolutionTables, e: SecurityEvent): string {
    return JSON.stringify([
      e.kind,
      e.src,
      e.srcClass,
      e.dst,
      e.dstClass,
      e.endpoint,
      e.method,
      e.iface,
      e.riid,
      e.mid,
      wellFormed(t, e),
      e.transfers,
      this.policy.payload(e.message),
    ]);
  }

  key(s: KernelState, decisions: readonly DecisionRecord[], effects: readonly Effect[]): string {
    const t = s.config.tables;
    let out = '';
    for (const p of s.processes) out += this.proc(p) + ';';
    out += '|';
    for (const th of s.threads) out += this.thread(s, th) + ';';
    out += '|';
    for (const o of s.objects) out += this.object(o) + ';';
    out += `|${JSON.stringify(s.cpus)}|${JSON.stringify(s.runQueue.order())}|${JSON.stringify(s.futexQueue)}|${JSON.stringify(s.irqs)}|${this.policy.monitorKey(s.monitor)}|`;
    for (const d of decisions)
      out += `${this.event(t, d.event)}${d.decision.verdict}${this.policy.rule(rulesKey(d.decision))};`;
    out += '|';
    for (const e of effects)
      out += `${e.kind}${this.event(t, e.event)}${JSON.stringify(e.transfers)}${JSON.stringify(e.created)};`;
    return out;
  }
}
