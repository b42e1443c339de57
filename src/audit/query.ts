// `cordon audit query`: the sesearch of Cordon. Every event of the solution's
// alphabet (as `cordon check` builds it: src/check/solution-model.ts, the
// events src/conformance/monitor-model.ts `modelEvents` derives from it) is
// decided by the monitor in every monitor state reachable over that
// alphabet (`tabulate`); the events are grouped by (kind, src, dst,
// endpoint, method) and each group says whether it is granted always, only in
// some reachable states (named), only for some messages, or never, and why.
// Exact for the alphabet: nothing is sampled.

import { isStateMap } from '../policy/models/sidmap.ts';
import type { SolutionTables } from '../kernel/tables.ts';
import { bootWith } from '../kernel/boot.ts';
import { createMonitor } from '../monitor/monitor.ts';
import type { SecurityEvent } from '../monitor/types.ts';
import { EVENT_KINDS, rulesKey } from '../monitor/types.ts';
import { solutionModelDef } from '../check/solution-model.ts';
import { modelOptions, modelPolicy } from '../check/check.ts';
import {
  canonicalKey,
  modelEvents,
  PayloadIds,
  tabulate,
  TabulationError,
  type PolicyTable,
} from '../conformance/monitor-model.ts';
import type { BindingDecl, Statement } from '../policy/psl/ast.ts';
import type { CheckedPolicy, PslState } from '../policy/compile/check.ts';
import type { Loaded } from '../solution/load.ts';
import { AuditError, audited, showState, type Audited } from './explain.ts';
import { printEvent, printValue } from './event.ts';

export interface QueryFilter {
  readonly kind?: string;
  readonly src?: string;
  readonly dst?: string;
  readonly endpoint?: string;
  readonly method?: string;
}

export interface QueryState {
  readonly id: number;
  /** the policy objects' states (rule form: the grants used per limited rule) */
  readonly objects: string;
  /** the shortest way there from the policy's initial state: the state before and the granted event */
  readonly from: { readonly state: number; readonly event: string } | null;
}

export interface QueryGroup {
  readonly kind: string;
  readonly src: string;
  readonly dst: string;
  readonly endpoint: string | null;
  readonly method: string | null;
  /** always: every event of the group in every reachable state; states: in some states (the same for every event); messages: it depends on the event's message (or SIDs); never */
  readonly granted: 'always' | 'states' | 'messages' | 'never';
  /** the states in which some event of the group is granted */
  readonly states: readonly number[];
  /** the rules that grant (PSL: rule ids file:line:col), with the binding each belongs to */
  readonly by: readonly { readonly rule: string; readonly binding?: string }[];
  /** each event of the group: the states in which it is granted */
  readonly events: readonly { readonly event: string; readonly message: string; readonly states: readonly number[] }[];
  /** why it is denied where it is: reason → the states (all events of the group that are denied there) */
  readonly denied: readonly { readonly reason: string; readonly states: readonly number[] }[];
  /** for a group granted in some states: what sets those states apart, per policy object kept per SID (the source's or destination's entry) */
  readonly when: readonly string[];
}

export interface QueryResult {
  readonly solution: string;
  readonly alphabet: { readonly events: number; readonly calls: number; readonly replies: number };
  readonly states: readonly QueryState[];
  readonly groups: readonly QueryGroup[];
  readonly filter: QueryFilter;
}

/** The tabulated monitor of a solution over its model alphabet, as `cordon check` tabulates it. */
export interface Tabulated {
  readonly a: Audited;
  readonly table: PolicyTable;
  readonly calls: number;
  readonly replies: number;
}

export function tabulateSolution(loaded: Loaded, a: Audited = audited(loaded)): Tabulated {
  const def = solutionModelDef(loaded.tables, modelPolicy(loaded), modelOptions(loaded));
  const monitor = createMonitor(loaded.tables, loaded.policy);
  const boot = bootWith(loaded.tables, monitor, def.machine);
  const payloads = new PayloadIds();
  for (const m of [...def.alphabet.calls, ...def.alphabet.replies]) payloads.add(m.payload);
  const classes = boot.state.processes.map((p) => p.taskClass);
  const events = modelEvents(
    loaded.tables,
    boot.decisions.map((d) => d.event),
    classes,
    def.alphabet.calls,
    def.alphabet.replies,
  );
  try {
    return {
      a,
      table: tabulate(monitor, events, payloads),
      calls: def.alphabet.calls.length,
      replies: def.alphabet.replies.length,
    };
  } catch (e) {
    if (e instanceof TabulationError)
      throw new AuditError(`${e.message}: the query would not be exact, so it is not answered`);
    throw e;
  }
}

/** rule id → the binding it belongs to (PSL). */
function bindingOfRules(p: CheckedPolicy): Map<string, string> {
  const out = new Map<string, string>();
  const head = (b: BindingDecl) =>
    `${b.event}${b.selectors.length === 0 ? '' : ` ${b.selectors.map((s) => `${s.key}=${s.value}`).join(', ')}`} at ${p.label(b.loc)}`;
  const walk = (b: BindingDecl, ss: readonly Statement[]) => {
    for (const s of ss) {
      if (s.kind === 'call') out.set(p.label(s.loc), head(b));
      else if (s.kind === 'match') walk(b, s.body);
      else {
        out.set(p.label(s.loc), head(b));
        for (const alt of s.alternatives) walk(b, alt.body);
      }
    }
  };
  for (const b of p.bindings) walk(b, b.body);
  return out;
}

function names(t: SolutionTables, e: SecurityEvent) {
  return {
    kind: e.kind,
    src: t.classes[e.srcClass]?.name ?? `class#${e.srcClass}`,
    dst: t.classes[e.dstClass]?.name ?? `class#${e.dstClass}`,
    endpoint: e.endpoint >= 0 ? (t.endpointNames[e.endpoint] ?? null) : null,
    method: e.method >= 0 ? (t.methodNames[e.method] ?? null) : null,
  };
}

function checkFilter(t: SolutionTables, f: QueryFilter): void {
  const bad = (what: string, v: string, known: readonly string[]) =>
    new AuditError(
      `--${what} ${v}: no such ${what === 'kind' ? 'event kind' : what === 'src' || what === 'dst' ? 'task class' : what} (${known.join(', ')})`,
    );
  if (f.kind !== undefined && !EVENT_KINDS.includes(f.kind as never)) throw bad('kind', f.kind, EVENT_KINDS);
  for (const k of ['src', 'dst'] as const)
    if (f[k] !== undefined && !t.classByName.has(f[k]!))
      throw bad(
        k,
        f[k]!,
        t.classes.map((c) => c.name),
      );
  if (f.endpoint !== undefined && !t.endpointNames.includes(f.endpoint))
    throw bad('endpoint', f.endpoint, t.endpointNames);
  if (f.method !== undefined && !t.methodNames.includes(f.method)) throw bad('method', f.method, t.methodNames);
}

export function query(
  loaded: Loaded,
  filter: QueryFilter = {},
  tab: Tabulated = tabulateSolution(loaded),
): QueryResult {
  const t = loaded.tables;
  checkFilter(t, filter);
  const { table, a } = tab;
  const nStates = table.states.length;
  const ruleName = (r: number) => (r === 0 ? 'default-deny' : r === -1 ? 'structure' : table.ruleNames[r - 1]!);
  const bindings = a.checked === null ? new Map<string, string>() : bindingOfRules(a.checked);

  // the states, with the shortest way to each (tabulate numbers them breadth first)
  const from: QueryState['from'][] = table.states.map(() => null);
  const reached = new Set([0]);
  for (let s = 0; s < nStates; s++)
    table.cells[s]!.forEach(([g, , n], i) => {
      if (g === 1 && !reached.has(n)) {
        reached.add(n);
        from[n] = { state: s, event: printEvent(t, table.events[i]!) };
      }
    });
  const objects = (st: unknown): string => {
    if (a.checked !== null) {
      const parts = a.checked.objectList
        .filter((o) => (st as PslState)[o.slot] !== null && (st as PslState)[o.slot] !== undefined)
        .map((o) => `${o.name} = ${showState((st as PslState)[o.slot])}`);
      return parts.length === 0 ? '(no policy object has state)' : parts.join('; ');
    }
    const limited = (loaded.rules?.rules ?? []).map((r, i) => ({ r, i })).filter((x) => x.r.limit !== undefined);
    if (limited.length === 0) return '(no rule has a limit)';
    return limited
      .map((x, slot) => `${x.r.id ?? `rule ${x.i + 1}`} used ${(st as readonly number[])[slot]} of ${x.r.limit}`)
      .join('; ');
  };
  const states: QueryState[] = table.states.map((st, id) => ({ id, objects: objects(st), from: from[id]! }));

  // the groups
  const groups = new Map<string, { key: ReturnType<typeof names>; events: number[] }>();
  table.events.forEach((e, i) => {
    const n = names(t, e);
    if (filter.kind !== undefined && n.kind !== filter.kind) return;
    if (filter.src !== undefined && n.src !== filter.src) return;
    if (filter.dst !== undefined && n.dst !== filter.dst) return;
    if (filter.endpoint !== undefined && n.endpoint !== filter.endpoint) return;
    if (filter.method !== undefined && n.method !== filter.method) return;
    const k = canonicalKey([n.kind, n.src, n.dst, n.endpoint, n.method]);
    const g = groups.get(k);
    if (g === undefined) groups.set(k, { key: n, events: [i] });
    else g.events.push(i);
  });
  const out: QueryGroup[] = [];
  for (const { key, events } of groups.values()) {
    const perEvent = events.map((i) => ({
      event: printEvent(t, table.events[i]!),
      message: printValue(table.events[i]!.message),
      states: table.states.map((_, s) => s).filter((s) => table.cells[s]![i]![0] === 1),
    }));
    const any = new Set(perEvent.flatMap((x) => x.states));
    const rules = new Set<string>();
    const denied = new Map<string, Set<number>>();
    for (let s = 0; s < nStates; s++)
      for (const i of events) {
        const [g, r] = table.cells[s]![i]!;
        if (g === 1) for (const one of ruleName(r).split(', ')) rules.add(one);
        else {
          const reason = denyReason(a, table, s, i);
          if (!denied.has(reason)) denied.set(reason, new Set());
          denied.get(reason)!.add(s);
        }
      }
    const sameEverywhere = perEvent.every((x) => x.states.join(',') === perEvent[0]!.states.join(','));
    const granted: QueryGroup['granted'] =
      any.size === 0
        ? 'never'
        : !sameEverywhere
          ? 'messages'
          : perEvent[0]!.states.length === nStates
            ? 'always'
            : 'states';
    out.push({
      ...key,
      granted,
      states: [...any].sort((x, y) => x - y),
      by: [...rules].sort().map((rule) => (bindings.has(rule) ? { rule, binding: bindings.get(rule)! } : { rule })),
      events: perEvent,
      denied: [...denied.entries()].map(([reason, ss]) => ({ reason, states: [...ss].sort((x, y) => x - y) })),
      when: granted === 'states' ? separating(a, table, events, any) : [],
    });
  }
  const order = (g: QueryGroup) =>
    [EVENT_KINDS.indexOf(g.kind as never), g.src, g.dst, g.endpoint ?? '', g.method ?? ''].join('\u0000');
  out.sort((x, y) => (order(x) < order(y) ? -1 : order(x) > order(y) ? 1 : 0));
  return {
    solution: loaded.name,
    alphabet: { events: table.events.length, calls: tab.calls, replies: tab.replies },
    states,
    groups: out,
    filter,
  };
}

/**
 * What sets the granting states apart, in the words of the policy objects
 * whose state is kept per SID (Flow, Mic, HashSet, …): the entry of the
 * event's source or destination takes values in the granting states that it
 * never takes in the others ("turns of the source (sid 2) is "idle"").
 */
function separating(
  a: Audited,
  table: PolicyTable,
  events: readonly number[],
  granting: ReadonlySet<number>,
): string[] {
  if (a.checked === null) return [];
  const first = table.events[events[0]!]!;
  if (events.some((i) => table.events[i]!.src !== first.src || table.events[i]!.dst !== first.dst)) return [];
  const out: string[] = [];
  for (const o of a.checked.objectList) {
    const per = (s: number) => (table.states[s] as PslState)[o.slot];
    if (!table.states.every((_, s) => isStateMap(per(s)))) continue;
    const entry = (s: number, sid: number) => {
      const m = per(s) as ReadonlyMap<unknown, unknown>;
      return m.has(sid) ? showState(m.get(sid)) : 'none';
    };
    const apart = (value: (s: number) => string) => {
      const yes = new Set([...granting].map(value));
      const no = new Set(
        table.states
          .map((_, s) => s)
          .filter((s) => !granting.has(s))
          .map(value),
      );
      return no.size > 0 && ![...yes].some((v) => no.has(v)) ? { yes: [...yes], no: [...no] } : null;
    };
    let found = false;
    for (const [role, sid] of [
      ['source', first.src],
      ['destination', first.dst],
    ] as const) {
      if (role === 'destination' && first.src === first.dst) continue;
      const d = apart((s) => entry(s, sid));
      if (d === null) continue;
      found = true;
      out.push(
        `${o.name} of the ${role} (sid ${sid}) is ${d.yes.join(' or ')}${d.no.length <= 3 ? ` (not ${d.no.join(', ')})` : ''}`,
      );
    }
    if (!found && first.src !== first.dst) {
      // neither entry alone: the two together (a Mic level of the source against the destination's)
      const d = apart((s) => `source ${entry(s, first.src)}, destination ${entry(s, first.dst)}`);
      if (d !== null)
        out.push(
          `${o.name} of the source (sid ${first.src}) and destination (sid ${first.dst}) are ${d.yes.join(' or ')}`,
        );
    }
  }
  return out;
}

/** The reason of a denied cell, as the monitor words it (rule and reason). */
function denyReason(a: Audited, table: PolicyTable, s: number, i: number): string {
  const d = a.monitor.decide(table.states[s], table.events[i]!);
  return `${rulesKey(d)}: ${d.reason ?? 'denied'}`;
}

/* ------------------------------------------------------------ text */

const list = (ss: readonly number[]) => ss.map((s) => `#${s}`).join(', ');

export function queryText(q: QueryResult): string {
  const out: string[] = [];
  const f = Object.entries(q.filter).filter(([, v]) => v !== undefined);
  out.push(
    `query ${q.solution}${f.length === 0 ? '' : ` (${f.map(([k, v]) => `${k}=${v}`).join(' ')})`}: the alphabet has ${q.alphabet.events} security events (from ${q.alphabet.calls} call and ${q.alphabet.replies} reply messages); ${q.states.length} monitor state${q.states.length === 1 ? ' is' : 's are'} reachable over it`,
  );
  out.push('');
  out.push('monitor states:');
  for (const s of q.states)
    out.push(
      `  #${s.id} ${s.objects}${s.from === null ? '  (the initial state)' : `  (from #${s.from.state} by ${s.from.event})`}`,
    );
  const granted = q.groups.filter((g) => g.granted !== 'never');
  const never = q.groups.filter((g) => g.granted === 'never');
  const head = (g: QueryGroup) =>
    `${g.kind} src=${g.src} dst=${g.dst}${g.endpoint === null ? '' : ` endpoint=${g.endpoint}`}${g.method === null ? '' : ` method=${g.method}`}`;
  out.push('');
  out.push(`granted (${granted.length} group${granted.length === 1 ? '' : 's'}):`);
  if (granted.length === 0) out.push('  nothing');
  for (const g of granted) {
    const n = g.events.length;
    const when =
      g.granted === 'always'
        ? `always (every message of the alphabet, in ${q.states.length === 1 ? 'the one reachable state' : `all ${q.states.length} states`})`
        : g.granted === 'states'
          ? `only in ${g.states.length} of ${q.states.length} states: ${list(g.states)}`
          : 'only for some messages:';
    out.push(`  ${head(g)}: ${when}`);
    if (g.when.length > 0) out.push(`    when ${g.when.join(', and ')}`);
    if (g.granted === 'messages')
      for (const e of g.events)
        out.push(
          `    ${n > 1 ? e.event.replace(/^.*? src=/, 'src=') : e.message}: ${e.states.length === 0 ? 'never' : e.states.length === q.states.length ? 'in every state' : `in ${list(e.states)}`}`,
        );
    for (const b of g.by) out.push(`    by ${b.rule}${b.binding === undefined ? '' : ` (binding ${b.binding})`}`);
    for (const d of g.denied) out.push(`    denied in ${list(d.states)}: ${d.reason}`);
  }
  out.push('');
  out.push(`never granted in any reachable state (${never.length} group${never.length === 1 ? '' : 's'}):`);
  if (never.length === 0) out.push('  none');
  for (const g of never)
    out.push(
      `  ${head(g)}: ${g.denied.map((d) => (d.states.length === q.states.length ? d.reason : `${d.reason} (in ${list(d.states)})`)).join('; ')}`,
    );
  return out.join('\n');
}
