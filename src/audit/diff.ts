// `cordon audit diff`: exact change-impact analysis of two versions of a
// solution. The alphabet is the union of both versions' alphabets (as `cordon
// check` builds each: src/check/solution-model.ts, modelEvents), with the
// payloads of both (their witnesses, their programs' payloads, and payload
// classes drawn from the constants their policies compare messages with);
// processes and classes are aligned by name. From boot, the product of the two
// monitors is explored breadth first: a product state is a pair of monitor
// states reached by the same events, every event is asked in both, an event
// granted by both moves both, an event granted by one only is a difference
// (the shortest trace to its pair, then the event, is its witness). This is
// trace inclusion: the new version is more permissive exactly when every
// sequence of events the old one grants the new one grants too, and some
// sequence it grants the old one does not. Nothing is sampled; where the
// product exceeds the bounds, what was covered is said and no verdict of
// equivalence is given.

import { rulesKey } from '../monitor/types.ts';
import { readFileSync } from 'node:fs';
import { relative, resolve, sep } from 'node:path';
import { LineCounter, parseDocument, isSeq } from 'yaml';
import type { SolutionTables } from '../kernel/tables.ts';
import { bootWith, type BootResult } from '../kernel/boot.ts';
import { securityEvent } from '../kernel/ipc.ts';
import { SECURITY_RIID } from '../kernel/kernel-api.ts';
import { createMonitor, type Monitor } from '../monitor/monitor.ts';
import { ruleId, type RulePolicy } from '../monitor/rules.ts';
import type { Decision, MonitorState, SecurityEvent } from '../monitor/types.ts';
import { solutionModelDef } from '../check/solution-model.ts';
import { modelOptions, modelPolicy, programPayloads } from '../check/check.ts';
import { canonicalKey, modelEvents } from '../conformance/monitor-model.ts';
import { checkPolicy, type CheckedPolicy, type PslState } from '../policy/compile/check.ts';
import type { BindingDecl, Expr, Statement } from '../policy/psl/ast.ts';
import type { Loaded } from '../solution/load.ts';
import { sarifLog, type SarifFinding, type SarifRule } from '../output/sarif.ts';
import type { Log } from 'sarif';
import { showState } from './explain.ts';
import { printEvent } from './event.ts';

/* ------------------------------------------------------------ the versions */

type Label = 'old' | 'new';

/** Where a rule of a version is written: its binding (PSL) or its item of the policy list (rule form). */
export interface RuleSite {
  /** relative to the version's solution directory, '/'-separated */
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** the binding's head (PSL) or the rule's id (rule form) */
  readonly what: string;
}

/** One version of the solution, booted, ready to be asked. */
export interface Version {
  readonly label: Label;
  readonly loaded: Loaded;
  readonly tables: SolutionTables;
  readonly monitor: Monitor;
  readonly boot: BootResult;
  readonly checked: CheckedPolicy | null;
  readonly rules: RulePolicy | null;
  /** SID → process name (kernel, Einit, the solution's processes that started) */
  readonly names: ReadonlyMap<number, string>;
  /** process name → its SID and class name */
  readonly byName: ReadonlyMap<string, { readonly sid: number; readonly cls: string }>;
  /** rule id (as in Decision.rule) → where it is written */
  readonly sites: ReadonlyMap<string, RuleSite>;
}

const posix = (p: string) => p.split(sep).join('/');

function rel(dir: string, file: string): string {
  const r = relative(resolve(dir), resolve(file));
  return r === '' || r.startsWith('..') ? posix(file.split(sep).pop() ?? file) : posix(r);
}

/** rule id → its binding (PSL) or its list item in the manifest (rule form). */
function ruleSites(loaded: Loaded, checked: CheckedPolicy | null): Map<string, RuleSite> {
  const out = new Map<string, RuleSite>();
  if (checked !== null) {
    const site = (b: BindingDecl): RuleSite => ({
      file: rel(loaded.dir, b.loc.file),
      line: b.loc.line,
      column: b.loc.column,
      what: `binding ${b.event}${b.selectors.length === 0 ? '' : ` ${b.selectors.map((s) => `${s.key}=${s.value}`).join(', ')}`} at ${checked.label(b.loc)}`,
    });
    const walk = (b: BindingDecl, ss: readonly Statement[]) => {
      for (const s of ss) {
        if (s.kind === 'call') out.set(checked.label(s.loc), site(b));
        else if (s.kind === 'match') walk(b, s.body);
        else {
          out.set(checked.label(s.loc), site(b));
          for (const alt of s.alternatives) walk(b, alt.body);
        }
      }
    };
    for (const b of checked.bindings) walk(b, b.body);
    return out;
  }
  if (loaded.rules !== null && loaded.manifestFile !== null) {
    let text = '';
    try {
      text = readFileSync(loaded.manifestFile, 'utf8');
    } catch {
      return out;
    }
    const lc = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lc });
    const policy = doc.get('policy', true);
    const items = isSeq(policy) ? policy.items : [];
    loaded.rules.rules.forEach((r, i) => {
      const at = (items[i] as { range?: [number, number, number] } | undefined)?.range?.[0];
      if (at === undefined) return;
      const pos = lc.linePos(at);
      out.set(ruleId(r, i), {
        file: rel(loaded.dir, loaded.manifestFile!),
        line: pos.line,
        column: pos.col,
        what: `rule ${ruleId(r, i)} at ${rel(loaded.dir, loaded.manifestFile!)}:${pos.line}`,
      });
    });
  }
  return out;
}

/** A loaded solution as one side of a diff. */
export function version(label: Label, loaded: Loaded): Version {
  const tables = loaded.tables;
  const monitor = createMonitor(tables, loaded.policy);
  const def = solutionModelDef(tables, modelPolicy(loaded), modelOptions(loaded));
  const boot = bootWith(tables, monitor, def.machine);
  const checked = loaded.psl === null ? null : checkPolicy(loaded.psl, tables, { name: loaded.name });
  const names = new Map<number, string>();
  const byName = new Map<string, { sid: number; cls: string }>();
  for (const p of boot.state.processes) {
    names.set(p.sid, p.name);
    byName.set(p.name, { sid: p.sid, cls: tables.classes[p.taskClass]?.name ?? `class#${p.taskClass}` });
  }
  return {
    label,
    loaded,
    tables,
    monitor,
    boot,
    checked,
    rules: loaded.rules,
    names,
    byName,
    sites: ruleSites(loaded, checked),
  };
}

/* ------------------------------------------------------------ payload classes */

/** A path into the message (`message.a.b` is ['a', 'b']) and the values its comparisons single out. */
export interface MessageConstant {
  readonly path: readonly string[];
  readonly values: readonly unknown[];
}

function messagePath(e: Expr): string[] | null {
  if (e.kind === 'name') return e.name === 'message' ? [] : null;
  if (e.kind === 'field') {
    const p = messagePath(e.target);
    return p === null ? null : [...p, e.field];
  }
  return null;
}

const intValue = (v: bigint): unknown =>
  v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;

function literalValues(e: Expr): unknown[] | null {
  if (e.kind === 'int') return [intValue(e.value - 1n), intValue(e.value), intValue(e.value + 1n)];
  if (e.kind === 'text') return [e.value];
  if (e.kind === 'bool') return [e.value];
  return null;
}

const COMPARISONS = new Set(['==', '!=', '<', '<=', '>', '>=']);

/**
 * The constants a PSL policy compares message fields with, each as the
 * values that fall on both sides of it (c - 1, c, c + 1 for an integer; the
 * text or truth value itself), and the labels of choices on message fields.
 */
export function messageConstants(checked: CheckedPolicy | null): MessageConstant[] {
  if (checked === null) return [];
  const found = new Map<string, { path: string[]; values: Map<string, unknown> }>();
  const add = (path: string[], values: readonly unknown[]) => {
    if (path.length === 0) return;
    const k = JSON.stringify(path);
    let f = found.get(k);
    if (f === undefined) found.set(k, (f = { path, values: new Map() }));
    for (const v of values) f.values.set(canonicalKey(v), v);
  };
  const expr = (e: Expr): void => {
    switch (e.kind) {
      case 'binary': {
        if (COMPARISONS.has(e.op)) {
          const [l, r] = [messagePath(e.left), messagePath(e.right)];
          const [lv, rv] = [literalValues(e.left), literalValues(e.right)];
          if (l !== null && rv !== null) add(l, rv);
          if (r !== null && lv !== null) add(r, lv);
        }
        expr(e.left);
        expr(e.right);
        return;
      }
      case 'unary':
        return expr(e.operand);
      case 'list':
      case 'tuple':
        return e.items.forEach(expr);
      case 'record':
        return e.fields.forEach((f) => expr(f.value));
      case 'field':
        return expr(e.target);
      case 'index':
        expr(e.target);
        return expr(e.index);
      case 'call':
        return expr(e.arg);
      default:
        return;
    }
  };
  const statements = (ss: readonly Statement[]): void => {
    for (const s of ss) {
      if (s.kind === 'call') expr(s.arg);
      else if (s.kind === 'match') statements(s.body);
      else {
        expr(s.subject);
        const p = messagePath(s.subject);
        if (p !== null)
          add(
            p,
            s.alternatives.flatMap((a) => (a.label.kind === 'default' ? [] : (literalValues(a.label) ?? []))),
          );
        for (const a of s.alternatives) statements(a.body);
      }
    }
  };
  for (const b of checked.bindings) statements(b.body);
  return [...found.values()].map((f) => ({ path: f.path, values: [...f.values.values()] }));
}

/** `p` with the field at `path` set to `v`, if `p` has that field (null otherwise). */
function withField(p: unknown, path: readonly string[], v: unknown): unknown {
  if (path.length === 0) return v;
  if (typeof p !== 'object' || p === null || Array.isArray(p) || !Object.hasOwn(p, path[0]!)) return null;
  const o = p as Record<string, unknown>;
  const inner = withField(o[path[0]!], path.slice(1), v);
  if (inner === null && path.length > 1) return null;
  const old = o[path[0]!];
  // keep the representation of integers the payload used
  const value = path.length === 1 && typeof old === 'bigint' && typeof inner === 'number' ? BigInt(inner) : inner;
  return { ...o, [path[0]!]: value };
}

/* ------------------------------------------------------------ the union alphabet */

/** An event in names, the same for both versions. */
interface Named {
  readonly kind: SecurityEvent['kind'];
  readonly src: string;
  readonly srcClass: string;
  readonly dst: string;
  readonly dstClass: string;
  readonly endpoint: string | null;
  readonly method: string | null;
  readonly message: unknown;
  readonly rights: readonly number[];
}

/** An event of the union alphabet: in each version, the event, or why that version cannot be asked it. */
export interface UnionEvent {
  readonly named: Named;
  readonly old: SecurityEvent | null;
  readonly new: SecurityEvent | null;
  /** why a version has no such event: its parties do not run there (not comparable), or it declares no such endpoint or method (the version denies it) */
  readonly missing: { readonly old?: Missing; readonly new?: Missing };
}

export interface Missing {
  readonly why: string;
  /** the party does not run in that version, so the event cannot be compared */
  readonly unaligned: boolean;
}

function bootProcessName(v: Version, e: SecurityEvent): string | undefined {
  const i = v.boot.decisions.findIndex((d) => d.event === e);
  return i < 0 ? undefined : v.tables.processes[i]?.name;
}

function named(v: Version, e: SecurityEvent, executeNames: Map<SecurityEvent, string>): Named {
  const t = v.tables;
  const cls = (c: number) => t.classes[c]?.name ?? `class#${c}`;
  return {
    kind: e.kind,
    src: v.names.get(e.src) ?? `sid ${e.src}`,
    srcClass: cls(e.srcClass),
    dst: e.kind === 'execute' ? (executeNames.get(e) ?? `sid ${e.dst}`) : (v.names.get(e.dst) ?? `sid ${e.dst}`),
    dstClass: cls(e.dstClass),
    endpoint: e.kind === 'execute' ? null : e.kind === 'security' ? 'security' : (t.endpointNames[e.endpoint] ?? null),
    method: e.kind === 'execute' ? null : (t.methodNames[e.method] ?? null),
    message: e.message,
    rights: e.transfers,
  };
}

const namedKey = (n: Named) =>
  canonicalKey([n.kind, n.src, n.srcClass, n.dst, n.dstClass, n.endpoint, n.method, n.message, n.rights]);

/** The event `n` in version `v`, or why it has none. */
function express(v: Version, n: Named): SecurityEvent | Missing {
  const t = v.tables;
  const other = v.label === 'old' ? 'new' : 'old';
  const party = (name: string, cls: string): { missing: Missing } | { sid: number; cls: number } => {
    const p = v.byName.get(name);
    if (p === undefined)
      return { missing: { why: `process ${name} runs only in the ${other} version`, unaligned: true } };
    if (p.cls !== cls)
      return {
        missing: {
          why: `process ${name} is of class ${cls} in the ${other} version and ${p.cls} in the ${v.label}`,
          unaligned: true,
        },
      };
    return { sid: p.sid, cls: t.classByName.get(cls)! };
  };
  const src = party(n.src, n.srcClass);
  if ('missing' in src) return src.missing;
  if (n.kind === 'execute') {
    const d = v.boot.decisions.find(
      (x, i) => x.event.kind === 'execute' && t.processes[i]?.name === n.dst && x.event.src === src.sid,
    );
    if (d === undefined)
      return { why: `process ${n.dst} is not in the ${v.label} version's solution`, unaligned: true };
    if (t.classes[d.event.dstClass]?.name !== n.dstClass)
      return {
        why: `process ${n.dst} is of class ${n.dstClass} in the ${other} version and ${t.classes[d.event.dstClass]?.name} in the ${v.label}`,
        unaligned: true,
      };
    return d.event;
  }
  const dst = party(n.dst, n.dstClass);
  if ('missing' in dst) return dst.missing;
  const serverCls = n.kind === 'request' ? dst.cls : src.cls;
  const server = t.classes[serverCls]!;
  let riid: number;
  let iface: number;
  if (n.kind === 'security') {
    riid = SECURITY_RIID;
    iface = server.security;
    if (iface < 0)
      return { why: `class ${server.name} declares no security interface in the ${v.label} version`, unaligned: false };
  } else {
    const ep = server.endpoints.find((x) => x.name === n.endpoint);
    if (ep === undefined)
      return { why: `class ${server.name} has no endpoint ${n.endpoint} in the ${v.label} version`, unaligned: false };
    riid = ep.riid;
    iface = ep.iface;
  }
  const decl = t.interfaces[iface]!;
  const m = decl.methods.find((x) => x.name === n.method);
  if (m === undefined)
    return { why: `interface ${decl.name} declares no method ${n.method} in the ${v.label} version`, unaligned: false };
  return securityEvent(t, {
    kind: n.kind,
    src: src.sid,
    srcClass: src.cls,
    dst: dst.sid,
    dstClass: dst.cls,
    riid,
    mid: m.mid,
    payload: n.message,
    rights: n.rights,
  });
}

export interface Alphabet {
  readonly events: readonly UnionEvent[];
  /** events only one version's own alphabet has */
  readonly onlyOld: number;
  readonly onlyNew: number;
  readonly constants: readonly MessageConstant[];
}

/** The union of both versions' alphabets, each event expressed in both. */
export function unionAlphabet(old: Version, neu: Version): Alphabet {
  const base = (v: Version) => {
    const def = solutionModelDef(v.tables, modelPolicy(v.loaded), modelOptions(v.loaded));
    return [...def.alphabet.calls, ...def.alphabet.replies].map((m) => m.payload);
  };
  const merged = new Map<string, { path: readonly string[]; values: Map<string, unknown> }>();
  for (const c of [...messageConstants(old.checked), ...messageConstants(neu.checked)]) {
    const k = JSON.stringify(c.path);
    const m = merged.get(k) ?? { path: c.path, values: new Map<string, unknown>() };
    for (const v of c.values) m.values.set(canonicalKey(v), v);
    merged.set(k, m);
  }
  const constants: MessageConstant[] = [...merged.values()].map((m) => ({
    path: m.path,
    values: [...m.values.values()],
  }));
  const payloads = new Map<string, unknown>();
  const put = (p: unknown) => {
    if (p !== null && p !== undefined) payloads.set(canonicalKey(p), p);
  };
  const seeds = [...base(old), ...base(neu), ...programPayloads(old.loaded), ...programPayloads(neu.loaded)];
  for (const p of seeds) put(p);
  for (const p of seeds) for (const c of constants) for (const v of c.values) put(withField(p, c.path, v));
  const extra = [...payloads.values()];
  const own = (v: Version) => {
    const def = solutionModelDef(v.tables, modelPolicy(v.loaded), { ...modelOptions(v.loaded), payloads: extra });
    const classes = v.boot.state.processes.map((p) => p.taskClass);
    const events = modelEvents(
      v.tables,
      v.boot.decisions.map((d) => d.event),
      classes,
      def.alphabet.calls,
      def.alphabet.replies,
    );
    const executeNames = new Map<SecurityEvent, string>();
    for (const e of events) {
      const n = e.kind === 'execute' ? bootProcessName(v, e) : undefined;
      if (n !== undefined) executeNames.set(e, n);
    }
    return events.map((e) => ({ e, n: named(v, e, executeNames) }));
  };
  const out = new Map<string, { named: Named; old?: SecurityEvent; new?: SecurityEvent }>();
  for (const { e, n } of own(old)) out.set(namedKey(n), { named: n, old: e });
  let onlyNew = 0;
  for (const { e, n } of own(neu)) {
    const k = namedKey(n);
    const x = out.get(k);
    if (x === undefined) {
      out.set(k, { named: n, new: e });
      onlyNew++;
    } else x.new = e;
  }
  let onlyOld = 0;
  const events: UnionEvent[] = [];
  for (const x of out.values()) {
    if (x.new === undefined) onlyOld++;
    const o = x.old ?? express(old, x.named);
    const w = x.new ?? express(neu, x.named);
    const missing: { old?: Missing; new?: Missing } = {};
    if (!('kind' in o)) missing.old = o;
    if (!('kind' in w)) missing.new = w;
    events.push({
      named: x.named,
      old: 'kind' in o ? o : null,
      new: 'kind' in w ? w : null,
      missing,
    });
  }
  return { events, onlyOld, onlyNew, constants };
}

/* ------------------------------------------------------------ the product */

export interface DiffLimits {
  /** most product states (pairs of monitor states) to explore (default 20,000) */
  readonly states?: number;
  /** most events asked, product states x events (default 4,000,000) */
  readonly decisions?: number;
}

export interface ProductState {
  readonly old: MonitorState;
  readonly new: MonitorState;
  /** events from boot on the shortest way here */
  readonly depth: number;
  /** the product state before and the event (union index) that both versions granted, or null (after boot) */
  readonly from: { readonly state: number; readonly event: number } | null;
}

/** One event decided differently in one product state. */
export interface Disagreement {
  readonly state: number;
  readonly event: number;
  readonly old: Decision | null;
  readonly new: Decision | null;
}

export interface Product {
  readonly states: readonly ProductState[];
  readonly disagreements: readonly Disagreement[];
  /** every product state was asked every event */
  readonly complete: boolean;
  /** the bound that stopped the exploration, if one did */
  readonly bound: { readonly which: 'states' | 'decisions'; readonly limit: number } | null;
  /** every trace of up to this many events granted by both versions was followed, and every event asked after it (Infinity when complete) */
  readonly depth: number;
  /** product states asked every event */
  readonly asked: number;
  readonly decisions: number;
}

/** Explores the product of the two monitors from their states after boot, breadth first. */
export function exploreProduct(old: Version, neu: Version, alphabet: Alphabet, limits: DiffLimits = {}): Product {
  const maxStates = limits.states ?? 20_000;
  const maxDecisions = limits.decisions ?? 4_000_000;
  const states: ProductState[] = [];
  const ids = new Map<string, number>();
  const disagreements: Disagreement[] = [];
  let bound: Product['bound'] = null;
  let dropped = Infinity;
  const number = (o: MonitorState, w: MonitorState, depth: number, from: ProductState['from']) => {
    const k = `${canonicalKey(o)}|${canonicalKey(w)}`;
    if (ids.has(k)) return;
    if (states.length >= maxStates) {
      bound ??= { which: 'states', limit: maxStates };
      dropped = Math.min(dropped, depth);
      return;
    }
    ids.set(k, states.length);
    states.push({ old: o, new: w, depth, from });
  };
  number(old.boot.state.monitor, neu.boot.state.monitor, 0, null);
  const events = alphabet.events;
  let asked = 0;
  let decisions = 0;
  let depth = Infinity;
  for (let s = 0; s < states.length; s++) {
    if (decisions + events.length > maxDecisions) {
      bound ??= { which: 'decisions', limit: maxDecisions };
      depth = states[s]!.depth - 1;
      break;
    }
    const here = states[s]!;
    for (let i = 0; i < events.length; i++) {
      const u = events[i]!;
      const o = u.old === null ? null : old.monitor.decide(here.old, u.old);
      const w = u.new === null ? null : neu.monitor.decide(here.new, u.new);
      const og = o !== null && o.verdict === 'grant';
      const wg = w !== null && w.verdict === 'grant';
      if (og !== wg) disagreements.push({ state: s, event: i, old: o, new: w });
      else if (og && wg) number(o.next, w.next, here.depth + 1, { state: s, event: i });
    }
    decisions += events.length;
    asked++;
  }
  depth = Math.min(depth, dropped - 1);
  return { states, disagreements, complete: bound === null, bound, depth, asked, decisions };
}

/* ------------------------------------------------------------ the result */

export type Direction = 'more' | 'less';
export type FailOn = 'any' | 'more-permissive' | 'less-permissive';
export type DiffVerdict = 'equivalent' | 'more-permissive' | 'less-permissive' | 'incomparable' | 'undecided';

export interface DecisionText {
  readonly verdict: 'grant' | 'deny';
  readonly rule: string;
  readonly reason?: string;
  /** where the deciding rules are written (the bindings) */
  readonly sites: readonly RuleSite[];
}

export interface Difference {
  /** the event, in the new version's words (the old's when the new cannot be asked it) */
  readonly event: string;
  /** more: the new version grants it where the old denies; less: the other way */
  readonly direction: Direction;
  readonly endpoint: string | null;
  /** the product states in which the versions disagree on it */
  readonly states: readonly number[];
  /** the decisions in the first of them */
  readonly old: DecisionText;
  readonly new: DecisionText;
  /** the shortest trace from boot to the first of them (both versions grant every event of it), in the new version's words; then the event */
  readonly trace: readonly string[];
  /** the same trace in the old version's words, when they differ (other SIDs) */
  readonly traceOld?: readonly string[];
  /** set when one version cannot be asked the event at all: why (its party does not run there: not comparable) */
  readonly notCompared?: string;
}

export interface DiffGroup {
  readonly kind: string;
  readonly src: string;
  readonly dst: string;
  readonly method: string | null;
  readonly differences: readonly Difference[];
}

export interface BootDifference {
  readonly process: string;
  readonly cls: string;
  readonly direction: Direction;
  readonly old: string;
  readonly new: string;
  /** where the deciding rules are written: the new version's, then the old version's */
  readonly sites: { readonly old: readonly RuleSite[]; readonly new: readonly RuleSite[] };
}

export interface DiffResult {
  readonly old: string;
  readonly new: string;
  readonly verdict: DiffVerdict;
  readonly complete: boolean;
  /** why the exploration stopped and what it covered (incomplete only) */
  readonly bound: { readonly which: 'states' | 'decisions'; readonly limit: number; readonly covered: string } | null;
  readonly alphabet: {
    readonly events: number;
    readonly onlyOld: number;
    readonly onlyNew: number;
    readonly constants: number;
  };
  readonly explored: { readonly states: number; readonly asked: number; readonly decisions: number };
  readonly boot: readonly BootDifference[];
  readonly bootProcesses: number;
  /** what could not be compared: processes or classes only one version has */
  readonly notCompared: readonly string[];
  readonly groups: readonly DiffGroup[];
  /** the product states the differences name */
  readonly states: readonly {
    readonly id: number;
    readonly old: string;
    readonly new: string;
    readonly depth: number;
    readonly from: { readonly state: number; readonly event: string } | null;
  }[];
  readonly counts: { readonly more: number; readonly less: number };
}

function objects(v: Version, st: unknown): string {
  if (v.checked !== null) {
    const parts = v.checked.objectList
      .filter((o) => (st as PslState)[o.slot] !== null && (st as PslState)[o.slot] !== undefined)
      .map((o) => `${o.name} = ${showState((st as PslState)[o.slot])}`);
    return parts.length === 0 ? '(no policy object has state)' : parts.join('; ');
  }
  const limited = (v.rules?.rules ?? []).map((r, i) => ({ r, i })).filter((x) => x.r.limit !== undefined);
  if (limited.length === 0) return '(no rule has a limit)';
  return limited
    .map((x, slot) => `${ruleId(x.r, x.i)} used ${(st as readonly number[] | null)?.[slot] ?? 0} of ${x.r.limit}`)
    .join('; ');
}

function decisionText(v: Version, d: Decision | null, missing: Missing | undefined): DecisionText {
  if (d === null)
    return {
      verdict: 'deny',
      rule: missing?.unaligned ? 'not-compared' : 'structure',
      reason: missing?.why ?? '',
      sites: [],
    };
  const sites = rulesKey(d)
    .split(', ')
    .map((r) => v.sites.get(r))
    .filter((s): s is RuleSite => s !== undefined);
  const unique = [...new Map(sites.map((s) => [`${s.file}:${s.line}:${s.column}`, s])).values()];
  return {
    verdict: d.verdict,
    rule: rulesKey(d),
    ...(d.reason === undefined ? {} : { reason: d.reason }),
    sites: unique,
  };
}

function bootDifferences(old: Version, neu: Version): { diffs: BootDifference[]; notCompared: string[]; both: number } {
  const started = (v: Version) => {
    const m = new Map<string, { cls: string; how: string; granted: boolean; sites: readonly RuleSite[] }>();
    v.tables.processes.forEach((p, i) => {
      const d = v.boot.decisions[i];
      const cls = v.tables.classes[p.taskClass]?.name ?? '?';
      const granted = d?.decision.verdict === 'grant';
      m.set(p.name, {
        cls,
        granted,
        sites: d === undefined ? [] : decisionText(v, d.decision, undefined).sites,
        how: granted
          ? `started by ${rulesKey(d!.decision)}`
          : `refused by ${d === undefined ? '?' : rulesKey(d.decision)}${d?.decision.reason === undefined ? '' : `: ${d.decision.reason}`}`,
      });
    });
    return m;
  };
  const o = started(old);
  const w = started(neu);
  const diffs: BootDifference[] = [];
  const notCompared: string[] = [];
  let both = 0;
  for (const name of new Set([...o.keys(), ...w.keys()])) {
    const a = o.get(name);
    const b = w.get(name);
    if (a === undefined || b === undefined) {
      const x = (a ?? b)!;
      const only = a === undefined ? 'new' : 'old';
      notCompared.push(
        `process ${name} (class ${x.cls}) is only in the ${only} version's solution (${x.granted ? 'started at boot' : 'refused at boot'}): its events are compared with the other version refusing them`,
      );
      if (x.granted)
        diffs.push({
          process: name,
          cls: x.cls,
          direction: only === 'new' ? 'more' : 'less',
          old: a?.how ?? 'not in the solution',
          new: b?.how ?? 'not in the solution',
          sites: { old: a?.sites ?? [], new: b?.sites ?? [] },
        });
      continue;
    }
    if (a.cls !== b.cls)
      notCompared.push(
        `process ${name} is of class ${a.cls} in the old version and ${b.cls} in the new: its events are compared with the other version refusing them`,
      );
    if (a.granted && b.granted) both++;
    if (a.granted !== b.granted)
      diffs.push({
        process: name,
        cls: b.cls,
        direction: b.granted ? 'more' : 'less',
        old: a.how,
        new: b.how,
        sites: { old: a.sites, new: b.sites },
      });
  }
  const classes = (v: Version) => new Set(v.tables.classes.map((c) => c.name));
  const [oc, wc] = [classes(old), classes(neu)];
  for (const c of oc) if (!wc.has(c)) notCompared.push(`class ${c} is declared only in the old version`);
  for (const c of wc) if (!oc.has(c)) notCompared.push(`class ${c} is declared only in the new version`);
  return { diffs, notCompared, both };
}

/** The change impact of going from `oldLoaded` to `newLoaded`. */
export function diff(oldLoaded: Loaded, newLoaded: Loaded, limits: DiffLimits = {}): DiffResult {
  const old = version('old', oldLoaded);
  const neu = version('new', newLoaded);
  const alphabet = unionAlphabet(old, neu);
  const product = exploreProduct(old, neu, alphabet, limits);
  return describe(old, neu, alphabet, product);
}

function describe(old: Version, neu: Version, alphabet: Alphabet, product: Product): DiffResult {
  const ev = alphabet.events;
  const traceTo = (s: number): number[] => {
    const out: number[] = [];
    for (let at = product.states[s]!.from; at !== null; at = product.states[at.state]!.from) out.push(at.event);
    return out.reverse();
  };
  const print = (v: Version, i: number) => {
    const e = v.label === 'old' ? ev[i]!.old : ev[i]!.new;
    return e === null ? null : printEvent(v.tables, e);
  };
  const shown = (i: number) => print(neu, i) ?? print(old, i)!;

  const byEvent = new Map<string, { event: number; direction: Direction; list: Disagreement[] }>();
  for (const d of product.disagreements) {
    const direction: Direction = d.new !== null && d.new.verdict === 'grant' ? 'more' : 'less';
    const k = `${d.event}:${direction}`;
    let x = byEvent.get(k);
    if (x === undefined) byEvent.set(k, (x = { event: d.event, direction, list: [] }));
    x.list.push(d);
  }
  const named = new Set<number>();
  const groups = new Map<
    string,
    { kind: string; src: string; dst: string; method: string | null; differences: Difference[] }
  >();
  let more = 0;
  let less = 0;
  for (const x of byEvent.values()) {
    const u = ev[x.event]!;
    const first = x.list[0]!;
    const trace = traceTo(first.state);
    for (const s of x.list) named.add(s.state);
    let at = first.state;
    named.add(at);
    while (product.states[at]!.from !== null) {
      at = product.states[at]!.from!.state;
      named.add(at);
    }
    const tNew = [...trace.map((i) => print(neu, i)!), shown(x.event)];
    const tOld = [...trace.map((i) => print(old, i)!), print(old, x.event) ?? shown(x.event)];
    const unaligned =
      u.missing.old?.unaligned === true ? u.missing.old : u.missing.new?.unaligned === true ? u.missing.new : undefined;
    const d: Difference = {
      event: shown(x.event),
      direction: x.direction,
      endpoint: u.named.endpoint,
      states: x.list.map((s) => s.state),
      old: decisionText(old, first.old, u.missing.old),
      new: decisionText(neu, first.new, u.missing.new),
      trace: tNew,
      ...(tOld.join('\n') === tNew.join('\n') ? {} : { traceOld: tOld }),
      ...(unaligned === undefined ? {} : { notCompared: unaligned.why }),
    };
    if (x.direction === 'more') more++;
    else less++;
    const n = u.named;
    const gk = canonicalKey([n.kind, n.srcClass, n.dstClass, n.method]);
    let g = groups.get(gk);
    if (g === undefined)
      groups.set(gk, (g = { kind: n.kind, src: n.srcClass, dst: n.dstClass, method: n.method, differences: [] }));
    g.differences.push(d);
  }
  const kinds = ['execute', 'request', 'response', 'error', 'security'];
  const order = (g: DiffGroup) => [kinds.indexOf(g.kind), g.src, g.dst, g.method ?? ''].join('\u0000');
  const sorted = [...groups.values()].sort((a, b) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0));
  for (const g of sorted)
    g.differences.sort((a, b) =>
      a.direction === b.direction
        ? a.event < b.event
          ? -1
          : a.event > b.event
            ? 1
            : 0
        : a.direction === 'more'
          ? -1
          : 1,
    );

  const boot = bootDifferences(old, neu);
  for (const b of boot.diffs)
    if (b.direction === 'more') more++;
    else less++;
  const verdict: DiffVerdict =
    more > 0 && less > 0
      ? 'incomparable'
      : more > 0
        ? 'more-permissive'
        : less > 0
          ? 'less-permissive'
          : product.complete
            ? 'equivalent'
            : 'undecided';
  const covered =
    product.bound === null
      ? ''
      : `${plural(product.asked, 'product state')} ${product.asked === 1 ? 'was' : 'were'} asked all ${ev.length} events${product.depth === Infinity ? '' : `; every trace of up to ${product.depth} event${product.depth === 1 ? '' : 's'} from boot that both versions grant was followed`}`;
  return {
    old: old.loaded.name,
    new: neu.loaded.name,
    verdict,
    complete: product.complete,
    bound: product.bound === null ? null : { ...product.bound, covered },
    alphabet: {
      events: ev.length,
      onlyOld: alphabet.onlyOld,
      onlyNew: alphabet.onlyNew,
      constants: alphabet.constants.reduce((n, c) => n + c.values.length, 0),
    },
    explored: { states: product.states.length, asked: product.asked, decisions: product.decisions },
    boot: boot.diffs,
    bootProcesses: boot.both,
    notCompared: boot.notCompared,
    groups: sorted,
    states: [...named]
      .sort((a, b) => a - b)
      .map((id) => {
        const s = product.states[id]!;
        return {
          id,
          old: objects(old, s.old),
          new: objects(neu, s.new),
          depth: s.depth,
          from: s.from === null ? null : { state: s.from.state, event: shown(s.from.event) },
        };
      }),
    counts: { more, less },
  };
}

/**
 * Each difference's witness as a file of events `cordon audit explain --after`
 * replays (comment lines say what to ask after it): name → text. The events
 * are in the new version's words; where the old version's SIDs differ, a
 * second file (…-old.events) has them in its words.
 */
export function witnessFiles(r: DiffResult): Map<string, string> {
  const out = new Map<string, string>();
  let n = 0;
  for (const g of r.groups)
    for (const d of g.differences) {
      n++;
      const file = (who: 'new' | 'old', trace: readonly string[]) =>
        [
          `# cordon audit diff ${r.old} -> ${r.new}: ${d.direction === 'more' ? 'granted by the new version only' : 'granted by the old version only'}`,
          `# after these ${plural(trace.length - 1, 'event')} from boot (both versions grant them), the versions decide the next one differently:`,
          `#   cordon audit explain <${who === 'new' ? 'old or new' : 'old'} solution> --after <this file> --event '${trace[trace.length - 1]!.replace(/'/g, "'\\''")}'`,
          `#   old ${d.old.verdict.toUpperCase()} by ${d.old.rule}; new ${d.new.verdict.toUpperCase()} by ${d.new.rule}`,
          ...trace.slice(0, -1),
          '',
        ].join('\n');
      const name = `${String(n).padStart(3, '0')}-${d.direction}`;
      out.set(`${name}.events`, file('new', d.trace));
      if (d.traceOld !== undefined) out.set(`${name}-old.events`, file('old', d.traceOld));
    }
  return out;
}

/** The exit code of a diff: 0 nothing that `failOn` counts, 1 found, 2 undecided (bounds hit before anything was found). */
export function diffExit(r: DiffResult, failOn: FailOn = 'any'): number {
  const found =
    failOn === 'any'
      ? r.counts.more + r.counts.less > 0
      : failOn === 'more-permissive'
        ? r.counts.more > 0
        : r.counts.less > 0;
  if (found) return 1;
  return r.complete ? 0 : 2;
}

/* ------------------------------------------------------------ text */

const VERDICT_TEXT: Record<DiffVerdict, string> = {
  equivalent: 'EQUIVALENT: both versions grant exactly the same sequences of events',
  'more-permissive': 'MORE PERMISSIVE: the new version grants what the old one denies, and never the other way',
  'less-permissive': 'LESS PERMISSIVE: the new version denies what the old one grants, and never the other way',
  incomparable: 'INCOMPARABLE: each version grants something the other denies',
  undecided: 'UNDECIDED: no difference was found in the part explored, but the exploration stopped at a bound',
};

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

function decisionLine(who: string, d: DecisionText): string {
  if (d.rule === 'not-compared') return `${who} cannot be asked it: ${d.reason ?? ''} (counted as denied)`;
  return `${who} ${d.verdict.toUpperCase()} by ${d.rule}${d.reason === undefined || d.reason === '' ? '' : `: ${d.reason}`}${d.sites.length === 0 ? '' : ` (${d.sites.map((s) => s.what).join('; ')})`}`;
}

export function diffText(r: DiffResult): string {
  const out: string[] = [];
  const verdict = r.complete
    ? VERDICT_TEXT[r.verdict]
    : r.verdict === 'undecided'
      ? VERDICT_TEXT.undecided
      : `${VERDICT_TEXT[r.verdict]}, in the part explored (the exploration stopped at a bound: the rest may differ further)`;
  out.push(`diff ${r.old} (old) -> ${r.new} (new): ${verdict}`);
  out.push(
    `alphabet: ${plural(r.alphabet.events, 'security event')} over both versions (${r.alphabet.onlyOld} only in the old one's, ${r.alphabet.onlyNew} only in the new one's); ${r.alphabet.constants === 0 ? 'neither policy compares a message field with a constant' : `payloads also with ${plural(r.alphabet.constants, 'value')} from the constants the policies compare message fields with (c - 1, c, c + 1 for an integer c)`}`,
  );
  out.push(
    `explored: ${plural(r.explored.states, 'product state')} (a monitor state of each version, reached by the same events from boot), ${r.explored.decisions} events asked in each version${r.complete ? ': complete for the alphabet' : ''}`,
  );
  if (r.bound !== null)
    out.push(
      `bound: more than ${r.bound.limit} ${r.bound.which === 'states' ? 'product states' : 'events asked'} (--max-${r.bound.which}); covered: ${r.bound.covered}`,
    );
  out.push(
    r.boot.length === 0
      ? `boot: both versions start the same ${plural(r.bootProcesses, 'process', 'processes')}`
      : `boot: ${plural(r.boot.length, 'start')} decided differently`,
  );
  for (const b of r.boot) out.push(`  ${b.process} (class ${b.cls}): old ${b.old}; new ${b.new}`);
  if (r.notCompared.length > 0) {
    out.push('not compared:');
    for (const n of r.notCompared) out.push(`  ${n}`);
  }
  const section = (dir: Direction, title: string) => {
    const gs = r.groups
      .map((g) => ({ ...g, differences: g.differences.filter((d) => d.direction === dir) }))
      .filter((g) => g.differences.length > 0);
    const n = gs.reduce((k, g) => k + g.differences.length, 0);
    out.push('');
    out.push(`${title} (${plural(n, 'event')} in ${plural(gs.length, 'group')}):`);
    if (gs.length === 0) out.push('  none');
    for (const g of gs) {
      out.push(`  ${g.kind} src=${g.src} dst=${g.dst}${g.method === null ? '' : ` method=${g.method}`}`);
      for (const d of g.differences) {
        out.push(`    ${d.event}`);
        out.push(`      ${decisionLine('old', d.old)}`);
        out.push(`      ${decisionLine('new', d.new)}`);
        out.push(`      in ${plural(d.states.length, 'product state')}: ${d.states.map((s) => `#${s}`).join(', ')}`);
        if (d.trace.length === 1) out.push('      witness: right after boot, the event itself');
        else {
          out.push(
            `      witness: after boot, ${plural(d.trace.length - 1, 'event')} both versions grant, then the event:`,
          );
          for (const t of d.trace.slice(0, -1)) out.push(`        ${t}`);
        }
        if (d.traceOld !== undefined) {
          out.push("      the same in the old version's SIDs, then the event:");
          for (const t of d.traceOld) out.push(`        ${t}`);
        }
      }
    }
  };
  section('more', 'more permissive: granted by the new version, denied by the old');
  section('less', 'less permissive: granted by the old version, denied by the new');
  if (r.states.length > 0) {
    out.push('');
    out.push('product states named above:');
    for (const s of r.states)
      out.push(
        `  #${s.id} old: ${s.old} | new: ${s.new}  (${s.from === null ? 'after boot' : `from #${s.from.state} by ${s.from.event}`})`,
      );
  }
  return out.join('\n');
}

/* ------------------------------------------------------------ SARIF */

const SARIF_RULES: readonly SarifRule[] = [
  {
    id: 'cordon.diff.more-permissive',
    short: 'the new version grants an event the old one denies',
    full: 'cordon audit diff: in a monitor state both versions reach by the same events from boot, the new version of the policy grants an event the old version denies',
  },
  {
    id: 'cordon.diff.less-permissive',
    short: 'the new version denies an event the old one grants',
    full: 'cordon audit diff: in a monitor state both versions reach by the same events from boot, the new version of the policy denies an event the old version grants',
  },
];

function toolVersion(): string {
  try {
    const p = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return p.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/**
 * The differences as SARIF 2.1.0: one result per event and direction,
 * located at the binding that decides it in the new version (the binding
 * that grants, or whose rule denies), or, where the new version denies by
 * default (no binding applies), at the old version's granting binding.
 */
export function diffSarif(r: DiffResult): Log {
  const findings: SarifFinding[] = [];
  for (const g of r.groups)
    for (const d of g.differences) {
      const site = d.new.sites[0] ?? d.old.sites[0];
      const fromOld = d.new.sites.length === 0 && d.old.sites.length > 0;
      findings.push({
        ruleId: d.direction === 'more' ? 'cordon.diff.more-permissive' : 'cordon.diff.less-permissive',
        level: d.direction === 'more' ? 'warning' : 'note',
        message: `${d.direction === 'more' ? 'newly granted' : 'no longer granted'}: ${d.event} (old ${d.old.verdict} by ${d.old.rule}, new ${d.new.verdict} by ${d.new.rule})${fromOld ? " — located at the old version's binding" : ''}; witness: ${d.trace.length - 1} events from boot`,
        ...(site === undefined ? {} : { file: site.file, line: site.line, column: site.column }),
        properties: {
          event: d.event,
          direction: d.direction,
          version: fromOld ? 'old' : 'new',
          trace: d.trace,
          states: d.states,
        },
      });
    }
  for (const b of r.boot) {
    const site = b.sites.new[0] ?? b.sites.old[0];
    const fromOld = b.sites.new.length === 0 && b.sites.old.length > 0;
    findings.push({
      ruleId: b.direction === 'more' ? 'cordon.diff.more-permissive' : 'cordon.diff.less-permissive',
      level: b.direction === 'more' ? 'warning' : 'note',
      message: `at boot, process ${b.process} (class ${b.cls}): old ${b.old}; new ${b.new}${fromOld ? " — located at the old version's binding" : ''}`,
      ...(site === undefined ? {} : { file: site.file, line: site.line, column: site.column }),
      properties: { process: b.process, direction: b.direction, version: fromOld ? 'old' : 'new', trace: [] },
    });
  }
  return sarifLog({ name: 'cordon audit diff', version: toolVersion() }, SARIF_RULES, findings);
}
