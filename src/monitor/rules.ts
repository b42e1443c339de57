// The typed intermediate policy form: allow rules by event kind, source class,
// destination class, endpoint and method, optionally limited to a number of
// grants (a stateful quota). It compiles to a CompiledPolicy whose static part
// is a table indexed by the interned ids the rules name (every other id
// shares one "other" slot), so its size follows the policy, not the
// solution; no rule, no grant.

import type { SolutionTables } from '../kernel/tables.ts';
import type { Result } from '../kernel/tables.ts';
import {
  DEFAULT_DENY_RULES,
  checkedDecision,
  EVENT_KINDS,
  only,
  restate,
  type CompiledPolicy,
  type Decision,
  type EventKind,
  type MonitorState,
  type SecurityEvent,
} from './types.ts';

export interface AllowRule {
  readonly id?: string;
  readonly kind: EventKind;
  /** source task class; absent = any */
  readonly src?: string;
  readonly dst?: string;
  readonly endpoint?: string;
  readonly method?: string;
  /** grant at most this many times (monitor state counts them) */
  readonly limit?: number;
}

export interface RulePolicy {
  readonly name: string;
  readonly rules: readonly AllowRule[];
}

const KIND_INDEX: Readonly<Record<EventKind, number>> = { execute: 0, request: 1, response: 2, error: 3, security: 4 };
/** Largest dense table (4M cells, 32 MB of pointers); larger policies are keyed through a Map. */
export const MAX_DENSE = 1 << 22;

export function ruleId(rule: AllowRule, index: number): string {
  return rule.id ?? `rule ${index + 1}`;
}

export function compileRules(tables: SolutionTables, policy: RulePolicy): Result<CompiledPolicy> {
  const errors: string[] = [];
  const C = tables.classes.length;
  const E1 = tables.endpointNames.length + 1;
  const M1 = tables.methodNames.length + 1;
  const lookup = (what: string, names: readonly string[], v: string | undefined, i: number): number[] | null => {
    if (v === undefined) return null;
    const at = names.indexOf(v);
    if (at < 0) {
      errors.push(`policy "${policy.name}": ${ruleId(policy.rules[i]!, i)}: unknown ${what} "${v}"`);
      return [];
    }
    return [at];
  };
  const classNames = tables.classes.map((c) => c.name);

  // The table is indexed by the ids the rules actually name, not by every
  // class, endpoint and method of the solution (the kernel's own included):
  // per dimension, each named id gets a compact index, and every id no rule
  // names shares index 0 ("other") — where only wildcard rules can apply.
  // An execute event's endpoint and method (none: -1) read "other" too: no
  // rule that names an endpoint or method can match an execute event.
  const srcNamed = new Map<number, number>();
  const dstNamed = new Map<number, number>();
  const epNamed = new Map<number, number>();
  const mNamed = new Map<number, number>();
  const name = (m: Map<number, number>, ids: number[] | null, base: number) => {
    for (const id of ids ?? []) if (!m.has(id)) m.set(id, m.size + base);
  };
  const resolved = policy.rules.map((r, i) => {
    const srcs = lookup('source class', classNames, r.src, i);
    const dsts = lookup('destination class', classNames, r.dst, i);
    const eps = lookup('endpoint', tables.endpointNames, r.endpoint, i);
    const ms = lookup('method', tables.methodNames, r.method, i);
    name(srcNamed, srcs, 1);
    name(dstNamed, dsts, 1);
    name(epNamed, eps, 1);
    name(mNamed, ms, 1);
    return { srcs, dsts, eps, ms };
  });
  const S = srcNamed.size + 1;
  const D = dstNamed.size + 1;
  const E = epNamed.size + 1;
  const M = mNamed.size + 1;
  const index = (n: number, named: Map<number, number>) => {
    const ix = new Int32Array(n);
    for (const [id, at] of named) ix[id] = at;
    return ix;
  };
  const srcIx = index(C, srcNamed);
  const dstIx = index(C, dstNamed);
  // endpoint and method index arrays are shifted by one so that id -1 (none) reads slot 0
  const epIx = index(E1, new Map([...epNamed].map(([id, at]) => [id + 1, at] as const)));
  const mIx = index(M1, new Map([...mNamed].map(([id, at]) => [id + 1, at] as const)));
  const all = (n: number) => Array.from({ length: n }, (_, i) => i);

  for (let i = 0; i < policy.rules.length; i++) {
    const r = policy.rules[i]!;
    if (!EVENT_KINDS.includes(r.kind))
      errors.push(`policy "${policy.name}": ${ruleId(r, i)}: unknown event kind "${String(r.kind)}"`);
    if (r.kind === 'execute' && (r.endpoint !== undefined || r.method !== undefined))
      errors.push(`policy "${policy.name}": ${ruleId(r, i)}: an execute rule cannot name an endpoint or method`);
    if (r.limit !== undefined && !(Number.isSafeInteger(r.limit) && r.limit >= 0))
      errors.push(`policy "${policy.name}": ${ruleId(r, i)}: limit must be a non-negative integer`);
  }
  if (errors.length > 0) return { ok: false, errors };

  const limited: number[] = []; // rule index of each limited rule; its state slot = position here
  // kinds: only those some rule names get a slab of the table; an event of another kind is denied at once
  const kIx = new Int32Array(5).fill(-1);
  const kinds = [...new Set(policy.rules.map((r) => KIND_INDEX[r.kind]))];
  kinds.forEach((kind, at) => (kIx[kind] = at));
  const K = kinds.length;
  // The table is a slab of source x destination cells for each (kind,
  // endpoint, method) some rule covers, and no more: a policy of 10,000
  // request rules over one method has one slab, not one for every kind x
  // endpoint x method combination, "other" slots included (4x as many cells,
  // nearly all empty). A combination no rule covers has slab -1.
  const slabOf = new Int32Array(K * E * M).fill(-1);
  let slabs = 0;
  // cell key -> rule indices in order (a loop, not a callback: no closure keeps these build tables alive)
  const cells = new Map<number, number[]>();
  for (let i = 0; i < policy.rules.length; i++) {
    const r = policy.rules[i]!;
    const x = resolved[i]!;
    const srcs = x.srcs === null ? all(S) : x.srcs.map((id) => srcIx[id]!);
    const dsts = x.dsts === null ? all(D) : x.dsts.map((id) => dstIx[id]!);
    const eps = x.eps === null ? all(E) : x.eps.map((id) => epIx[id + 1]!);
    const ms = x.ms === null ? all(M) : x.ms.map((id) => mIx[id + 1]!);
    if (r.limit !== undefined) limited.push(i);
    const k = kIx[KIND_INDEX[r.kind]]!;
    for (const e of eps)
      for (const m of ms) {
        const at = (k * E + e) * M + m;
        if (slabOf[at] === -1) slabOf[at] = slabs++;
        const slab = slabOf[at]!;
        for (const s of srcs)
          for (const d of dsts) {
            const key = (slab * S + s) * D + d;
            const list = cells.get(key);
            // a rule after an unlimited one in the same cell can never apply there
            if (list === undefined) cells.set(key, [i]);
            else if (policy.rules[list[list.length - 1]!]!.limit !== undefined) list.push(i);
          }
      }
  }

  const slotOf = new Map(limited.map((ri, slot) => [ri, slot] as const));
  const initial: MonitorState = limited.length === 0 ? null : Object.freeze(limited.map(() => 0));
  const refs = policy.rules.map((r, i) => only(Object.freeze({ id: ruleId(r, i) })));
  const grants = policy.rules.map((_, i) => checkedDecision({ verdict: 'grant', rules: refs[i]!, next: initial }));
  const defaultDeny = (state: MonitorState): Decision =>
    state === initial
      ? DENY_INITIAL
      : { verdict: 'deny', rules: DEFAULT_DENY_RULES, reason: 'no rule grants this event', next: state };
  const DENY_INITIAL = checkedDecision({
    verdict: 'deny',
    rules: DEFAULT_DENY_RULES,
    reason: 'no rule grants this event',
    next: initial,
  });

  // A cell is 0 (no rule), the grant of the unlimited rule that decides it, or n < 0 (candidate list -n-1).
  // The grant itself, not its rule's index: an answer reads the cell, then the decision, not the cell, then
  // the list of grants, then the decision (at 10,000 rules, 4% of a decision). So the dense table is an array
  // of pointers, not an Int32Array: twice the bytes per cell, hence the lower MAX_DENSE.
  type Cell = Decision | number;
  const size = slabs * S * D;
  const lists: (readonly number[])[] = [];
  const encode = (list: number[]): Cell => {
    // a list that starts with an unlimited rule holds only it (see the cells above)
    if (policy.rules[list[0]!]!.limit === undefined) return grants[list[0]!]!;
    lists.push(Object.freeze(list));
    return -lists.length;
  };
  const dense = size <= MAX_DENSE ? new Array<Cell>(size).fill(0) : null;
  const sparse = dense === null ? new Map<number, Cell>() : null;
  for (const [key, list] of cells) {
    if (dense !== null) dense[key] = encode(list);
    else sparse!.set(key, encode(list));
  }

  const decide = (state: MonitorState, ev: SecurityEvent): Decision => {
    // No bounds checks: every index array is read where it is defined or not
    // at all. An id outside the solution's tables (negative, too large,
    // fractional) or an unknown kind (an inherited name such as `toString`
    // included) reads `undefined`, which makes the key NaN; a kind no rule
    // names reads kind -1, which makes the slab's index negative, and a
    // combination no rule covers reads slab -1, which makes the key negative
    // (every other index is within its dimension). None reads a cell:
    // default deny. (The dense table is a plain array, so a key that is not
    // one of its indexes must not reach it: it would be looked up along the
    // prototype chain.)
    const slab = slabOf[(kIx[KIND_INDEX[ev.kind]]! * E + epIx[ev.endpoint + 1]!) * M + mIx[ev.method + 1]!]!;
    const key = (slab * S + srcIx[ev.srcClass]!) * D + dstIx[ev.dstClass]!;
    const v = dense !== null ? (key >= 0 && key < size ? dense[key]! : 0) : (sparse!.get(key) ?? 0);
    if (typeof v === 'object') return state === initial ? v : restate(v, state);
    if (v === 0) return defaultDeny(state);
    const counts = state as readonly number[];
    for (const ri of lists[-v - 1]!) {
      const slot = slotOf.get(ri);
      if (slot === undefined) return restate(grants[ri]!, state);
      if (counts[slot]! < policy.rules[ri]!.limit!) {
        const next = counts.slice();
        next[slot] = counts[slot]! + 1;
        return { verdict: 'grant', rules: refs[ri]!, next: Object.freeze(next) };
      }
    }
    return {
      verdict: 'deny',
      rules: DEFAULT_DENY_RULES,
      reason: 'every matching rule has used up its limit',
      next: state,
    };
  };
  return { ok: true, value: { name: policy.name, initial, decide } };
}
