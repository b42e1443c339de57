// The monitor of a model, as spec/Monitor.tla sees it. Two forms:
//  - rules: a rule policy (src/monitor/rules.ts) is given to the spec as it
//    is (the `Rules` constant), and the spec's Decide reads the rules;
//  - table: any other compiled policy (PSL with its policy objects and its
//    message expressions) is tabulated. Its monitor states are explored from
//    the initial state over every well-formed security event the model's
//    alphabet can produce, each state is numbered, and the policy becomes a
//    finite relation (state, event) -> (verdict, rule, next state): the
//    `Table` constant. Payloads, which the spec otherwise abstracts, are
//    numbered too, so that a decision that reads the message is exact. The
//    policy's reference interpreter (PSL: src/policy/compile/interpret.ts)
//    is tabulated the same way over its own monitor states: the
//    `OracleTable` constant, DefaultDeny's oracle, independent of the
//    compiled policy the kernel acts on.
// Both forms also say how a TS monitor state, a decision's rule and a
// payload are written in the spec (the projection uses them).

import { isStateMap } from '../policy/models/sidmap.ts';
import type { SolutionTables } from '../kernel/tables.ts';
import type { Message } from '../kernel/types.ts';
import { securityEvent } from '../kernel/ipc.ts';
import { SECURITY_RIID } from '../kernel/kernel-api.ts';
import type { Monitor } from '../monitor/monitor.ts';
import type { RulePolicy } from '../monitor/rules.ts';
import { rulesKey, type SecurityEvent } from '../monitor/types.ts';
import { bool, int, rec, seq, str } from './tla.ts';
import type { TlaValue } from '../tlc/value.ts';
import { rulesConstant } from './constants.ts';
import { ProjectionError, ruleIndex, projectEvent, wellFormed } from './projection.ts';

export interface MonitorModel {
  readonly form: 'rules' | 'table';
  readonly name: string;
  /** the spec's value of a TS monitor state */
  monitor(state: unknown): TlaValue;
  /** a key equal for two TS monitor states iff their spec values are equal */
  monitorKey(state: unknown): string;
  /** the spec's `rule` of a decision, from its `rulesKey` (-1 structure, 0 default deny, i > 0 a rule) */
  rule(rule: string): number;
  /** the spec's number of a payload (always 0 in the rules form, which abstracts payloads) */
  payload(p: unknown): number;
  /** the constants of spec/Monitor.tla */
  constants(
    tables: SolutionTables,
  ): Record<'Rules' | 'PolicyForm' | 'TableEvents' | 'Table' | 'TableRules' | 'OracleTable', TlaValue>;
}

// ------------------------------------------------------------------ canonical keys

/** A key equal for two immutable values (maps, sets, arrays, records, primitives) iff they are equal as data. */
export function canonicalKey(v: unknown): string {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'undefined':
      return 'undef';
    case 'number':
      return Object.is(v, -0) ? 'n0' : `n${v}`;
    case 'bigint':
      return `b${v}`;
    case 'string':
      return JSON.stringify(v);
    case 'boolean':
      return v ? 'T' : 'F';
    case 'object':
      break;
    default:
      throw new RangeError(`a ${typeof v} cannot be part of a monitor state or payload in a model`);
  }
  if (Array.isArray(v)) return `[${v.map(canonicalKey).join(',')}]`;
  if (isStateMap(v))
    return `M{${[...v.entries()]
      .map(([k, x]) => `${canonicalKey(k)}:${canonicalKey(x)}`)
      .sort()
      .join(',')}}`;
  if (v instanceof Set) return `S{${[...v].map(canonicalKey).sort().join(',')}}`;
  if (v instanceof Uint8Array) return `U[${[...v].join(',')}]`;
  return `{${Object.keys(v)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalKey((v as Record<string, unknown>)[k])}`)
    .join(',')}}`;
}

// ------------------------------------------------------------------ the rules form

export function ruleMonitorModel(policy: RulePolicy): MonitorModel {
  return {
    form: 'rules',
    name: policy.name,
    monitor(state) {
      if (state === null) return seq([]);
      if (!Array.isArray(state))
        throw new ProjectionError('the monitor state is not that of a rule policy (null or a count per limited rule)');
      return seq((state as number[]).map(int));
    },
    monitorKey: (state) => JSON.stringify(state),
    rule: (rule) => ruleIndex(policy, rule),
    payload: () => 0,
    constants: (tables) => ({
      Rules: rulesConstant(tables, policy),
      PolicyForm: str('rules'),
      TableEvents: seq([]),
      Table: seq([]),
      TableRules: seq([]),
      OracleTable: seq([]),
    }),
  };
}

// ------------------------------------------------------------------ the table form

/** Numbers payloads: null (no message: execute events) is 0, the others 1, 2, … in the order given. */
export class PayloadIds {
  private readonly ids = new Map<string, number>([['null', 0]]);
  readonly values: unknown[] = [null];

  add(p: unknown): number {
    const k = canonicalKey(p);
    let id = this.ids.get(k);
    if (id === undefined) {
      id = this.values.length;
      this.ids.set(k, id);
      this.values.push(p);
    }
    return id;
  }

  id(p: unknown): number {
    const id = this.ids.get(canonicalKey(p));
    if (id === undefined)
      throw new ProjectionError(`a payload outside the model's alphabet: ${canonicalKey(p).slice(0, 120)}`);
    return id;
  }
}

export interface TableLimits {
  /** most monitor states to number (default 2,000) */
  readonly states?: number;
  /** most table entries, states x events (default 400,000) */
  readonly entries?: number;
}

export class TabulationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TabulationError';
  }
}

/** cells[state][event] = [grant ? 1 : 0, rule, next state] */
export type TableCells = readonly (readonly (readonly [number, number, number])[])[];

export interface PolicyTable extends MonitorModel {
  readonly form: 'table';
  readonly states: readonly unknown[];
  readonly events: readonly SecurityEvent[];
  /** rule names by spec index: ruleNames[i - 1] is rule i (of both tables) */
  readonly ruleNames: readonly string[];
  /** the compiled policy's decisions, which the kernel acts on (`Table`) */
  readonly cells: TableCells;
  readonly payloads: PayloadIds;
  /** the reference interpreter's table over its own monitor states (`OracleTable`), or null: the policy has none, and DefaultDeny no oracle */
  readonly oracle: { readonly name: string; readonly states: readonly unknown[]; readonly cells: TableCells } | null;
}

/**
 * The security events a model can produce: Einit's boot starts (those of the
 * TS boot: the spec's boot, which the conformance checks hold to the same
 * steps, asks about the same events, and any other event it asked about
 * would be untabulated, which TypeOK reports), and, over-approximated, every message
 * of the alphabet between any two processes of the booted model (a request
 * from any process to any, the kernel included; a response or error in
 * answer to any request of the alphabet) — kept only where well formed, as
 * the spec decides the others (a structural deny) before it reads the table.
 */
export function modelEvents(
  tables: SolutionTables,
  boot: readonly SecurityEvent[],
  classes: readonly number[],
  calls: readonly Message[],
  replies: readonly Message[],
): SecurityEvent[] {
  const out: SecurityEvent[] = [];
  const seen = new Set<string>();
  const add = (e: SecurityEvent) => {
    if (e.kind !== 'execute' && !wellFormed(tables, e)) return;
    const k = canonicalKey([e.kind, e.src, e.srcClass, e.dst, e.dstClass, e.riid, e.mid, e.message, e.transfers]);
    if (!seen.has(k)) {
      seen.add(k);
      out.push(e);
    }
  };
  for (const e of boot) if (e.kind === 'execute') add(e);
  const rights = (m: Message) => (m.handles ?? []).map((h) => h.rights);
  for (let src = 1; src < classes.length; src++)
    for (let dst = 0; dst < classes.length; dst++)
      for (const m of calls) {
        const kind = dst === 0 && m.riid === SECURITY_RIID ? 'security' : 'request';
        add(
          securityEvent(tables, {
            kind,
            src,
            srcClass: classes[src]!,
            dst,
            dstClass: classes[dst]!,
            riid: m.riid,
            mid: m.mid,
            payload: m.payload,
            rights: dst === 0 ? [] : rights(m),
          }),
        );
        for (const r of dst === 0 ? [] : replies)
          add(
            securityEvent(tables, {
              kind: r.error === true ? 'error' : 'response',
              src: dst,
              srcClass: classes[dst]!,
              dst: src,
              dstClass: classes[src]!,
              riid: m.riid,
              mid: m.mid,
              payload: r.payload,
              rights: rights(r),
            }),
          );
      }
  return out;
}

/**
 * Tabulates the monitor over the events: breadth first from its initial
 * state, every state is asked about every event; a grant's next state is
 * numbered if new. A policy whose reachable states exceed the limits is
 * refused with the counts, not cut short. `oracle`, the monitor of the
 * policy's reference interpreter, is tabulated the same way over its own
 * states (the spec's OracleTable); the rule numbers are shared.
 */
export function tabulate(
  monitor: Monitor,
  events: readonly SecurityEvent[],
  payloads: PayloadIds,
  limits: TableLimits = {},
  oracle: Monitor | null = null,
): PolicyTable {
  const ruleIds = new Map<string, number>();
  const ruleNames: string[] = [];
  const rule = (r: string): number => {
    if (r === 'default-deny') return 0;
    if (r === 'structure') return -1;
    let i = ruleIds.get(r);
    if (i === undefined) {
      ruleNames.push(r);
      i = ruleNames.length;
      ruleIds.set(r, i);
    }
    return i;
  };
  const kernel = explore(monitor, events, limits, rule);
  const interpreted = oracle === null ? null : explore(oracle, events, limits, rule);
  const { states, ids, cells } = kernel;
  const model: PolicyTable = {
    form: 'table',
    name: monitor.policy.name,
    states,
    events,
    ruleNames,
    cells,
    payloads,
    oracle:
      interpreted === null ? null : { name: oracle!.policy.name, states: interpreted.states, cells: interpreted.cells },
    monitor(state) {
      const key = canonicalKey(state);
      const id = ids.get(key);
      if (id === undefined) throw new ProjectionError('a monitor state outside the policy table');
      // the oracle reaches the same states as the kernel's monitor where the two agree (the conformance test checks it)
      const o = interpreted === null ? id : interpreted.ids.get(key);
      if (o === undefined) throw new ProjectionError('a monitor state the reference interpreter never reaches');
      return rec({ kernel: int(id), oracle: int(o), agreed: bool(true) });
    },
    monitorKey: (state) => canonicalKey(state),
    rule(r) {
      if (r === 'default-deny') return 0;
      if (r === 'structure') return -1;
      const i = ruleIds.get(r);
      if (i === undefined) throw new ProjectionError(`decision by "${r}", which the policy table never makes`);
      return i;
    },
    payload: (p) => payloads.id(p),
    constants(tables) {
      const table = (cs: TableCells) =>
        seq(
          cs.map((row) =>
            seq(row.map(([g, r, n]) => rec({ verdict: str(g === 1 ? 'grant' : 'deny'), rule: int(r), next: int(n) }))),
          ),
        );
      return {
        Rules: seq([]),
        PolicyForm: str('table'),
        TableEvents: seq(events.map((e) => projectEvent(tables, e, payloads.id(e.message)))),
        Table: table(cells),
        TableRules: seq(ruleNames.map((r) => str(r.replace(/["\\]/g, "'")))),
        // no reference interpreter: the table is its own oracle (and the model leaves DefaultDeny out)
        OracleTable: table(interpreted === null ? cells : interpreted.cells),
      };
    },
  };
  return model;
}

/** One policy's table: its states from the initial one, breadth first, each asked about every event. */
function explore(monitor: Monitor, events: readonly SecurityEvent[], limits: TableLimits, rule: (r: string) => number) {
  const maxStates = limits.states ?? 2_000;
  const maxEntries = limits.entries ?? 400_000;
  const states: unknown[] = [];
  const ids = new Map<string, number>();
  const cells: (readonly [number, number, number])[][] = [];
  const number = (s: unknown): number => {
    const k = canonicalKey(s);
    let id = ids.get(k);
    if (id === undefined) {
      id = states.length;
      if (id >= maxStates)
        throw new TabulationError(
          `policy "${monitor.policy.name}" reaches more than ${maxStates} monitor states over the model's ${events.length} events`,
        );
      if ((id + 1) * events.length > maxEntries)
        throw new TabulationError(
          `policy "${monitor.policy.name}": ${id + 1} monitor states x ${events.length} events exceed the table's ${maxEntries} entries`,
        );
      ids.set(k, id);
      states.push(s);
    }
    return id;
  };
  number(monitor.initial);
  for (let s = 0; s < states.length; s++) {
    const row: (readonly [number, number, number])[] = [];
    for (const e of events) {
      const d = monitor.decide(states[s], e);
      const grant = d.verdict === 'grant';
      row.push([grant ? 1 : 0, rule(rulesKey(d)), grant ? number(d.next) : s]);
    }
    cells.push(row);
  }
  return { states, ids, cells };
}
