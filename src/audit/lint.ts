// `cordon audit lint`: findings about a policy, each with a rule id, a
// location and a severity. Semantic wherever the question is about what is
// reachable: every event of the solution's alphabet is decided in every
// monitor state reachable over it (`tabulateSolution`, as `audit query` and
// `cordon check` tabulate it) by the reference interpreter with a trace
// (which bindings, match arms and choice alternatives were reached and
// selected, every condition's value, every rule's effect), or, for a policy in
// rule form, read off the tabulated decisions. Exact for the alphabet: a
// binding called dead decides none of its events in any reachable state.

import { isStateMap } from '../policy/models/sidmap.ts';
import { rulesKey } from '../monitor/types.ts';
import { readFileSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { isMap, isSeq, parseDocument, type Document } from 'yaml';
import type { SecurityEvent } from '../monitor/types.ts';
import { ruleId, type AllowRule } from '../monitor/rules.ts';
import { KERNEL_CLASS, KERNEL_INTERFACES } from '../kernel/kernel-api.ts';
import { canonicalKey } from '../conformance/monitor-model.ts';
import type {
  BindingDecl,
  CallExpr,
  ChoiceAlternative,
  ChoiceSection,
  Expr,
  Loc,
  MatchSection,
  Selector,
  Statement,
} from '../policy/psl/ast.ts';
import type { CheckedPolicy, PslState } from '../policy/compile/check.ts';
import { interpretEvent, newTrace, selects } from '../policy/compile/interpret.ts';
import type { Loaded } from '../solution/load.ts';
import type { Log } from 'sarif';
import { sarifLog } from '../output/sarif.ts';
import { AuditError, audited, showExpr, showState } from './explain.ts';
import { tabulateSolution, type Tabulated } from './query.ts';

export interface LintFinding {
  readonly rule: string;
  readonly level: 'error' | 'warning' | 'note';
  readonly message: string;
  /** relative to the solution directory, '/'-separated */
  readonly file?: string;
  readonly line?: number;
  readonly column?: number;
  /** the text of that line */
  readonly source?: string;
}

export interface LintRule {
  readonly id: string;
  readonly level: LintFinding['level'];
  readonly short: string;
}

/** Every rule lint applies, with the level of its findings. */
export const LINT_RULES: readonly LintRule[] = [
  {
    id: 'dead-binding',
    level: 'warning',
    short:
      'a binding that selects no event of the alphabet in any reachable state (a note for events the kernel sends)',
  },
  { id: 'shadowed-binding', level: 'warning', short: 'a binding whose every event is decided before it is reached' },
  {
    id: 'dead-arm',
    level: 'warning',
    short: 'a match arm or choice alternative that no reachable event takes (a note for events the kernel sends)',
  },
  { id: 'unused-method', level: 'warning', short: 'a method declared in an interface that no rule ever grants' },
  { id: 'undeclared-method', level: 'error', short: 'a rule naming a method that no interface it applies to declares' },
  {
    id: 'constant-condition',
    level: 'warning',
    short: 'a condition with the same value in every reachable decision (always false: warning; always true: note)',
  },
  { id: 'static-object', level: 'warning', short: 'a policy object whose state never changes' },
  { id: 'unreached-flow-state', level: 'warning', short: 'a Flow state no machine is ever in' },
  {
    id: 'execute-not-started',
    level: 'warning',
    short: 'an execute rule naming a class that init.yaml does not start',
  },
  {
    id: 'untrusted-grant-all',
    level: 'error',
    short:
      'a rule granting every request of an untrusted class with no condition (a warning when other bindings still deny some)',
  },
];
const LEVEL = new Map(LINT_RULES.map((r) => [r.id, r.level]));

export interface LintOptions {
  /** the tabulated monitor, when the caller has it already */
  readonly tab?: Tabulated;
}

export interface LintReport {
  readonly solution: string;
  readonly form: 'psl' | 'rules';
  /** what was explored: the reachable monitor states, the alphabet, the decisions made */
  readonly explored: { readonly states: number; readonly events: number; readonly decisions: number };
  /** the task classes taken as untrusted (cordon.yaml / solution.yaml `untrusted`) */
  readonly untrusted: readonly string[];
  readonly findings: readonly LintFinding[];
}

/* ------------------------------------------------------------ locations */

class Locator {
  private readonly texts = new Map<string, readonly string[] | null>();
  /** the names of files outside the solution directory (SDK modules and interfaces) */
  readonly outside = new Set<string>();
  /** how a file outside the solution is named (a PSL module: as its rule ids name it) */
  name: (abs: string) => string = (abs) => abs.split(sep).pop()!;
  constructor(private readonly dir: string) {}
  lines(file: string): readonly string[] | null {
    const abs = isAbsolute(file) ? file : resolve(this.dir, file);
    let t = this.texts.get(abs);
    if (t === undefined) {
      try {
        t = readFileSync(abs, 'utf8').split(/\r?\n/);
      } catch {
        t = null;
      }
      this.texts.set(abs, t);
    }
    return t;
  }
  rel(file: string): string {
    const abs = isAbsolute(file) ? file : resolve(this.dir, file);
    const r = relative(this.dir, abs);
    if (!r.startsWith('..') && !isAbsolute(r)) return r.split(sep).join('/');
    const n = this.name(abs);
    this.outside.add(n);
    return n;
  }
  at(file: string, line?: number, column?: number): Pick<LintFinding, 'file' | 'line' | 'column' | 'source'> {
    const src = line === undefined ? undefined : this.lines(file)?.[line - 1];
    return {
      file: this.rel(file),
      ...(line === undefined ? {} : { line }),
      ...(column === undefined ? {} : { column }),
      ...(src === undefined ? {} : { source: src.trimEnd() }),
    };
  }
  loc(l: Loc) {
    return this.at(l.file, l.line, l.column);
  }
}

function finding(
  rule: string,
  message: string,
  where: Pick<LintFinding, 'file' | 'line' | 'column' | 'source'> = {},
  level: LintFinding['level'] = LEVEL.get(rule)!,
): LintFinding {
  return { rule, level, message, ...where };
}

/* ------------------------------------------------------------ the common part */

/** The untrusted names (processes or task classes) as class ids. */
function untrustedClasses(loaded: Loaded): Map<number, string> {
  const t = loaded.tables;
  const out = new Map<number, string>();
  for (const n of loaded.manifest?.untrusted ?? []) {
    const p = t.processes.find((x) => x.name === n);
    const c = p !== undefined ? p.taskClass : t.classByName.get(n);
    if (c !== undefined) out.set(c, t.classes[c]!.name);
  }
  return out;
}

/** Classes started at boot: the kernel, Einit and every process init.yaml lists. */
function startedClasses(loaded: Loaded): Set<number> {
  return new Set([0, 1, ...loaded.tables.processes.map((p) => p.taskClass)]);
}

const KERNEL_IFACES = new Set(KERNEL_INTERFACES.map((i) => i.name));

/** Where a method of an interface is declared: the IDL line, or solution.yaml's entry. */
function methodLocation(loaded: Loaded, at: Locator, doc: Document.Parsed | null, iface: string, method: string) {
  if (doc !== null && loaded.manifestFile !== null) {
    const ifaces = doc.get('interfaces', true);
    if (isSeq(ifaces))
      for (const [i, node] of ifaces.items.entries()) {
        if (!isMap(node) || node.get('name') !== iface) continue;
        const ms = node.get('methods', true);
        if (isSeq(ms))
          for (const m of ms.items)
            if (isMap(m) && m.get('name') === method && m.range !== undefined && m.range !== null)
              return locateOffset(loaded.manifestFile, at, m.range[0]);
        const r = (ifaces.items[i] as { range?: number[] }).range;
        if (r !== undefined) return locateOffset(loaded.manifestFile, at, r[0]!);
      }
  }
  const tail = `${iface.split('.').join('/')}.idl`;
  const file = loaded.files.find((f) => f.split(sep).join('/').endsWith(`/${tail}`));
  if (file === undefined) return {};
  const lines = at.lines(file) ?? [];
  const re = new RegExp(`\\b${method.replace(/[^A-Za-z0-9_]/g, '')}\\s*\\(`);
  const n = lines.findIndex((l) => re.test(l.replace(/\/\/.*$/, '')));
  return n < 0 ? at.at(file) : at.at(file, n + 1, lines[n]!.search(re) + 1);
}

function locateOffset(file: string, at: Locator, offset: number) {
  const lines = at.lines(file) ?? [];
  let rest = offset;
  for (let i = 0; i < lines.length; i++) {
    if (rest <= lines[i]!.length) return at.at(file, i + 1, rest + 1);
    rest -= lines[i]!.length + 1;
  }
  return at.at(file);
}

/** unused-method: interface methods (not the kernel's) that no granted event of the alphabet uses. */
function unusedMethods(loaded: Loaded, tab: Tabulated, at: Locator, doc: Document.Parsed | null): LintFinding[] {
  const { table } = tab;
  const used = new Set<string>();
  table.events.forEach((e, i) => {
    if (e.kind !== 'request' && e.kind !== 'security') return;
    if (table.cells.some((row) => row[i]![0] === 1)) used.add(`${e.iface}:${e.mid}`);
  });
  const out: LintFinding[] = [];
  for (const iface of loaded.tables.interfaces) {
    if (KERNEL_IFACES.has(iface.name)) continue;
    const unused = iface.methods.filter((m) => !used.has(`${iface.id}:${m.mid}`));
    if (unused.length === 0) continue;
    if (unused.length === iface.methods.length && iface.methods.length > 1)
      out.push(
        finding(
          'unused-method',
          `no method of interface ${iface.name} (${unused.map((m) => m.name).join(', ')}) is granted in any reachable state: the interface is unused`,
          methodLocation(loaded, at, doc, iface.name, unused[0]!.name),
        ),
      );
    else
      for (const m of unused)
        out.push(
          finding(
            'unused-method',
            `method ${iface.name}.${m.name} is declared but no request of it is granted in any reachable state`,
            methodLocation(loaded, at, doc, iface.name, m.name),
          ),
        );
  }
  return out;
}

/** The interfaces of the endpoints an event selection can reach: dst class, endpoint, interface constraints. */
function declaresMethod(
  loaded: Loaded,
  sel: { dst?: string; endpoint?: string; iface?: string; component?: string },
  method: string,
): boolean {
  const t = loaded.tables;
  for (const c of t.classes) {
    if (sel.dst !== undefined && c.name !== sel.dst) continue;
    const ifaces = [...c.endpoints.map((ep) => ({ ep: t.endpointNames[ep.nameId] ?? ep.name, iface: ep.iface }))];
    if (c.security >= 0) ifaces.push({ ep: '', iface: c.security });
    for (const x of ifaces) {
      if (sel.endpoint !== undefined && x.ep !== sel.endpoint) continue;
      if (sel.component !== undefined && !x.ep.startsWith(`${sel.component}.`)) continue;
      const i = t.interfaces[x.iface];
      if (i === undefined || (sel.iface !== undefined && i.name !== sel.iface)) continue;
      if (i.methods.some((m) => m.name === method)) return true;
    }
  }
  return false;
}

/* ------------------------------------------------------------ PSL */

/**
 * Events Cordon's kernel sends without asking the monitor: it starts the
 * kernel and Einit at boot, and answers kernel services itself. A binding for
 * them is dead in Cordon's model but needed on a KasperskyOS kernel, which
 * asks; lint says so as a note.
 */
const fromKernel = (kind: BindingDecl['event'], path: readonly Selector[]) =>
  kind !== 'request' && kind !== 'security' && path.some((x) => x.key === 'src' && x.value === KERNEL_CLASS);
const KERNEL_NOTE =
  ": Cordon's kernel starts itself and Einit and answers kernel services without asking the monitor; a KasperskyOS kernel asks, so the rule is kept for the real target";

interface Counts {
  /** decisions in which the node's block was reached */
  reached: number;
  /** … and its selectors selected the event (bindings, match arms) or the alternative was taken */
  taken: number;
  /** bindings: decisions whose event it selects (reached or not) */
  selects: number;
  /** bindings: the rules that denied the events it selects before it was reached */
  deniedBy: Map<string, number>;
}
const counts = (): Counts => ({ reached: 0, taken: 0, selects: 0, deniedBy: new Map() });

const isBaseCall = (p: CheckedPolicy, c: CallExpr, m: string) =>
  c.method === m && p.calls.get(c)?.target.name === 'base';

/** Condition roots (assert arguments, choice subjects) and the boolean parts below them. */
function conditions(p: CheckedPolicy, body: readonly Statement[], out: Map<Expr, Expr | null>): void {
  const under = (e: Expr, parent: Expr | null) => {
    out.set(e, parent);
    if (e.kind === 'binary' && (e.op === '&&' || e.op === '||' || e.op === '==>')) {
      under(e.left, e);
      under(e.right, e);
    } else if (e.kind === 'unary' && e.op === '!') under(e.operand, e);
  };
  for (const s of body) {
    if (s.kind === 'call') {
      if (isBaseCall(p, s, 'assert') || isBaseCall(p, s, 'deny')) under(s.arg, null);
    } else if (s.kind === 'match') conditions(p, s.body, out);
    else {
      under(s.subject, null);
      for (const a of s.alternatives) conditions(p, a.body, out);
    }
  }
}

function lintPsl(
  loaded: Loaded,
  p: CheckedPolicy,
  tab: Tabulated,
  at: Locator,
): { findings: LintFinding[]; decisions: number } {
  const { table } = tab;
  const t = loaded.tables;
  const nodes = new Map<BindingDecl | MatchSection | ChoiceSection | ChoiceAlternative, Counts>();
  const get = (n: BindingDecl | MatchSection | ChoiceSection | ChoiceAlternative) => {
    let c = nodes.get(n);
    if (c === undefined) nodes.set(n, (c = counts()));
    return c;
  };
  const conds = new Map<Expr, Expr | null>();
  for (const b of p.bindings) conditions(p, b.body, conds);
  const values = new Map<Expr, Set<string>>();
  const evaluations = new Map<Expr, number>();
  const untrusted = untrustedClasses(loaded);
  let decisions = 0;

  for (let s = 0; s < table.states.length; s++) {
    const state = table.states[s] as PslState;
    for (let i = 0; i < table.events.length; i++) {
      if (table.cells[s]![i]![1] === -1) continue; // the message check denied: the policy was not asked
      const e = table.events[i]!;
      const trace = newTrace();
      const d = interpretEvent(p, state, e, trace);
      decisions++;
      for (const b of p.bindings) {
        if (b.event !== e.kind || !b.selectors.every((x) => selects(t, x, e))) continue;
        const c = get(b);
        c.selects++;
        if (trace.selected.has(b)) {
          c.reached++;
          c.taken++;
        } else c.deniedBy.set(rulesKey(d), (c.deniedBy.get(rulesKey(d)) ?? 0) + 1);
      }
      for (const [n, yes] of trace.selected) {
        if (n.kind !== 'match') continue;
        const c = get(n);
        c.reached++;
        if (yes) c.taken++;
      }
      for (const [ch, r] of trace.choices) {
        get(ch).reached++;
        if (r.taken !== undefined) get(r.taken).taken++;
      }
      for (const [x, v] of trace.values) {
        if (!conds.has(x)) continue;
        let set = values.get(x);
        if (set === undefined) values.set(x, (set = new Set()));
        set.add(typeof v === 'boolean' ? String(v) : 'other');
        evaluations.set(x, (evaluations.get(x) ?? 0) + 1);
      }
    }
  }

  const out: LintFinding[] = [];
  const head = (b: BindingDecl) =>
    `${b.event}${b.selectors.length === 0 ? '' : ` ${b.selectors.map((x) => `${x.key}=${x.value}`).join(', ')}`}`;
  const started = startedClasses(loaded);

  // dead and shadowed bindings, dead arms (only the outermost dead node of a block)
  const walk = (body: readonly Statement[], path: readonly Selector[], kind: BindingDecl['event'], live: number) => {
    for (const s of body) {
      if (s.kind === 'match') {
        const c = nodes.get(s) ?? counts();
        if (live > 0 && c.taken === 0) {
          const k = fromKernel(kind, [...path, ...s.selectors]);
          out.push(
            finding(
              'dead-arm',
              (c.reached === 0
                ? `match ${s.selectors.map((x) => `${x.key}=${x.value}`).join(', ')} is never reached: what comes before it in its block denies every event that gets there`
                : `match ${s.selectors.map((x) => `${x.key}=${x.value}`).join(', ')} selects none of the ${c.reached} reachable decisions that reach it`) +
                (k ? KERNEL_NOTE : ''),
              at.loc(s.loc),
              k ? 'note' : undefined,
            ),
          );
          continue;
        }
        walk(s.body, [...path, ...s.selectors], kind, c.taken);
      } else if (s.kind === 'choice') {
        const c = nodes.get(s) ?? counts();
        for (const a of s.alternatives) {
          const ca = nodes.get(a) ?? counts();
          if (c.reached > 0 && ca.taken === 0)
            out.push(
              finding(
                'dead-arm',
                `choice ${showExpr(s.subject)}: the alternative ${a.label.kind === 'default' ? '_' : showExpr(a.label)} is taken in none of the ${c.reached} reachable decisions that reach the choice`,
                at.loc(a.loc),
              ),
            );
          else walk(a.body, path, kind, ca.taken);
        }
      }
    }
    if (kind === 'request' && live > 0) untrustedBlock(body, path);
  };

  // untrusted-grant-all: a block of only `grant ()` whose selectors do not narrow the method
  const untrustedBlock = (body: readonly Statement[], path: readonly Selector[]) => {
    if (untrusted.size === 0 || body.length === 0) return;
    if (!body.every((s) => s.kind === 'call' && isBaseCall(p, s, 'grant'))) return;
    if (path.some((x) => x.key === 'method' || x.key === 'endpoint' || x.key === 'interface' || x.key === 'component'))
      return;
    for (const [cls, name] of untrusted) {
      const src = path.find((x) => x.key === 'src');
      if (src !== undefined && src.value !== name) continue;
      // semantically: every request of the class this block selects is granted in every reachable state
      let n = 0;
      let denied = 0;
      table.events.forEach((e, i) => {
        if (e.kind !== 'request' || e.srcClass !== cls || !path.every((x) => selects(t, x, e))) return;
        n++;
        for (const row of table.cells) if (row[i]![0] !== 1) denied++;
      });
      if (n === 0) continue;
      const decided = n * table.states.length;
      out.push(
        finding(
          'untrusted-grant-all',
          `grant () with no condition and no method narrowing, on every request of the untrusted class ${name} it selects (${n} event${n === 1 ? '' : 's'} of the alphabet): ${denied === 0 ? 'all of them are granted in every reachable state' : `other bindings still deny ${denied} of its ${decided} reachable decisions, but this binding restricts nothing`}`,
          at.loc((body[0] as CallExpr).loc),
          denied === 0 ? 'error' : 'warning',
        ),
      );
    }
  };

  for (const b of p.bindings) {
    const c = nodes.get(b) ?? counts();
    if (c.selects === 0)
      out.push(
        finding(
          'dead-binding',
          `${head(b)} selects no event of the alphabet in any of the ${table.states.length} reachable monitor state${table.states.length === 1 ? '' : 's'}${fromKernel(b.event, b.selectors) ? KERNEL_NOTE : ''}`,
          at.loc(b.loc),
          fromKernel(b.event, b.selectors) ? 'note' : undefined,
        ),
      );
    else if (c.taken === 0)
      out.push(
        finding(
          'shadowed-binding',
          `${head(b)} is never reached: every one of its ${c.selects} reachable decisions is denied first by ${[...c.deniedBy.keys()].sort().join(', ')}`,
          at.loc(b.loc),
        ),
      );
    else walk(b.body, b.selectors, b.event, c.taken);
  }

  // undeclared-method and execute-not-started: along every path of selectors
  const paths = (
    body: readonly Statement[],
    path: readonly Selector[],
    kind: BindingDecl['event'],
    fn: (p: readonly Selector[], k: BindingDecl['event']) => void,
  ) => {
    fn(path, kind);
    for (const s of body)
      if (s.kind === 'match') paths(s.body, [...path, ...s.selectors], kind, fn);
      else if (s.kind === 'choice') for (const a of s.alternatives) paths(a.body, path, kind, fn);
  };
  const reported = new Set<Selector>();
  for (const b of p.bindings)
    paths(b.body, b.selectors, b.event, (path, kind) => {
      const m = path.find((x) => x.key === 'method');
      if (m !== undefined && kind !== 'execute' && !reported.has(m)) {
        const v = (k: Selector['key']) => path.find((x) => x.key === k)?.value;
        const sel = {
          ...(v('dst') === undefined || kind !== 'request' ? {} : { dst: v('dst')! }),
          ...(v('src') === undefined || (kind !== 'response' && kind !== 'error') ? {} : { dst: v('src')! }),
          ...(v('endpoint') === undefined ? {} : { endpoint: v('endpoint')! }),
          ...(v('interface') === undefined ? {} : { iface: v('interface')! }),
          ...(v('component') === undefined ? {} : { component: v('component')! }),
        };
        if (!declaresMethod(loaded, sel, m.value)) {
          reported.add(m);
          const w = Object.entries(sel).map(
            ([k, x]) => `${k === 'iface' ? 'interface' : k === 'dst' ? 'server' : k}=${x}`,
          );
          out.push(
            finding(
              'undeclared-method',
              `method=${m.value}: no interface ${w.length === 0 ? '' : `of ${w.join(', ')} `}declares a method ${m.value}`,
              at.loc(m.loc),
            ),
          );
        }
      }
      if (kind === 'execute') {
        const dst = path.find((x) => x.key === 'dst');
        if (dst !== undefined && !reported.has(dst)) {
          const cls = t.classByName.get(dst.value);
          if (cls !== undefined && !started.has(cls)) {
            reported.add(dst);
            out.push(
              finding(
                'execute-not-started',
                `execute dst=${dst.value}: init.yaml starts no process of class ${dst.value}`,
                at.loc(dst.loc),
              ),
            );
          }
        }
      }
    });

  // constant conditions: the outermost condition with one boolean value in every reachable decision
  const constant = (x: Expr) => {
    const v = values.get(x);
    return v !== undefined && v.size === 1 && !v.has('other') && x.kind !== 'bool' ? [...v][0]! : null;
  };
  for (const [x, parent] of conds) {
    const v = constant(x);
    if (v === null) continue;
    let up = parent;
    let covered = false;
    while (up !== null) {
      if (constant(up) !== null) covered = true;
      up = conds.get(up) ?? null;
    }
    if (covered) continue;
    out.push(
      finding(
        'constant-condition',
        `${showExpr(x)} is always ${v} (in each of its ${evaluations.get(x) ?? 0} evaluations over the reachable states and the messages of the alphabet)${v === 'true' ? ': no message of the alphabet makes it fail' : ': what it guards never grants'}`,
        at.loc(x.loc),
        v === 'true' ? 'note' : 'warning',
      ),
    );
  }

  // policy objects: state that never changes; Flow states never reached
  for (const o of p.objectList) {
    if (o.loc === null) continue;
    const init = p.initial[o.slot];
    if (init === null || init === undefined) continue;
    const k0 = canonicalKey(init);
    if (table.states.every((st) => canonicalKey((st as PslState)[o.slot]) === k0)) {
      out.push(
        finding(
          'static-object',
          `policy object ${o.name} (${o.model.name}) stays ${showState(init)} in all ${table.states.length} reachable monitor state${table.states.length === 1 ? '' : 's'}: no granted event changes it`,
          at.loc(o.loc),
        ),
      );
      continue;
    }
    if (o.model.name === 'Flow') {
      const declared = [...(o.object as { states: ReadonlySet<string> }).states];
      const seen = new Set<string>();
      for (const st of table.states) {
        const m = (st as PslState)[o.slot];
        if (isStateMap(m)) for (const x of m.values()) seen.add(String(x));
      }
      const never = declared.filter((x) => !seen.has(x));
      if (never.length > 0)
        out.push(
          finding(
            'unreached-flow-state',
            `Flow ${o.name}: no machine is ever in ${never.map((x) => JSON.stringify(x)).join(', ')} in any of the ${table.states.length} reachable monitor states`,
            at.loc(o.loc),
          ),
        );
    }
  }
  return { findings: out, decisions };
}

/* ------------------------------------------------------------ rule form */

function ruleLocation(loaded: Loaded, at: Locator, doc: Document.Parsed | null, i: number) {
  if (doc === null || loaded.manifestFile === null) return {};
  const node = doc.getIn(['policy', i], true) as { range?: number[] } | undefined;
  return node?.range === undefined ? at.at(loaded.manifestFile) : locateOffset(loaded.manifestFile, at, node.range[0]!);
}

function matchesRule(loaded: Loaded, r: AllowRule, e: SecurityEvent): boolean {
  const t = loaded.tables;
  return (
    r.kind === e.kind &&
    (r.src === undefined || t.classes[e.srcClass]?.name === r.src) &&
    (r.dst === undefined || t.classes[e.dstClass]?.name === r.dst) &&
    (r.endpoint === undefined || (e.endpoint >= 0 && t.endpointNames[e.endpoint] === r.endpoint)) &&
    (r.method === undefined || (e.method >= 0 && t.methodNames[e.method] === r.method))
  );
}

function lintRules(
  loaded: Loaded,
  rules: readonly AllowRule[],
  tab: Tabulated,
  at: Locator,
  doc: Document.Parsed | null,
): LintFinding[] {
  const { table } = tab;
  const out: LintFinding[] = [];
  const untrusted = untrustedClasses(loaded);
  const started = startedClasses(loaded);
  const ruleName = (r: number) => (r === 0 ? 'default-deny' : r === -1 ? 'structure' : table.ruleNames[r - 1]!);
  rules.forEach((r, i) => {
    const id = ruleId(r, i);
    const where = ruleLocation(loaded, at, doc, i);
    let matched = 0;
    let granted = 0;
    const by = new Set<string>();
    table.events.forEach((e, j) => {
      if (!matchesRule(loaded, r, e)) return;
      for (const row of table.cells) {
        if (row[j]![1] === -1) continue;
        matched++;
        const names = ruleName(row[j]![1]).split(', ');
        if (row[j]![0] === 1 && names.includes(id)) granted++;
        else if (row[j]![0] === 1) for (const n of names) by.add(n);
      }
    });
    if (matched === 0)
      out.push(
        finding('dead-binding', `rule ${id} matches no event of the alphabet in any reachable monitor state`, where),
      );
    else if (granted === 0)
      out.push(
        finding(
          'shadowed-binding',
          by.size > 0
            ? `rule ${id} never grants: each of its ${matched} reachable decisions is granted first by ${[...by].sort().join(', ')}`
            : `rule ${id} never grants in any of its ${matched} reachable decisions`,
          where,
        ),
      );
    if (r.method !== undefined && r.kind !== 'execute') {
      const sel = {
        ...(r.dst === undefined || r.kind !== 'request' ? {} : { dst: r.dst }),
        ...(r.src === undefined || (r.kind !== 'response' && r.kind !== 'error') ? {} : { dst: r.src }),
        ...(r.endpoint === undefined ? {} : { endpoint: r.endpoint }),
      };
      if (!declaresMethod(loaded, sel, r.method))
        out.push(
          finding(
            'undeclared-method',
            `rule ${id}: method ${r.method}: no interface ${
              Object.keys(sel).length === 0
                ? ''
                : `of ${Object.entries(sel)
                    .map(([k, v]) => `${k === 'dst' ? 'server' : k}=${v}`)
                    .join(', ')} `
            }declares it`,
            where,
          ),
        );
    }
    if (r.kind === 'execute' && r.dst !== undefined) {
      const cls = loaded.tables.classByName.get(r.dst);
      if (cls !== undefined && !started.has(cls))
        out.push(finding('execute-not-started', `rule ${id}: init.yaml starts no process of class ${r.dst}`, where));
    }
    if (r.kind === 'request' && r.method === undefined && r.endpoint === undefined && r.limit === undefined)
      for (const [cls, name] of untrusted) {
        if (r.src !== undefined && r.src !== name) continue;
        let n = 0;
        let all = true;
        table.events.forEach((e, j) => {
          if (e.srcClass !== cls || !matchesRule(loaded, r, e)) return;
          n++;
          if (!table.cells.every((row) => row[j]![0] === 1)) all = false;
        });
        if (n > 0 && all)
          out.push(
            finding(
              'untrusted-grant-all',
              `rule ${id} grants every request of the untrusted class ${name} it matches, with no method, endpoint or limit (${n} event${n === 1 ? '' : 's'} of the alphabet)`,
              where,
            ),
          );
      }
  });
  return out;
}

/* ------------------------------------------------------------ lint */

/**
 * Lints a solution's policy over its reachable monitor states.
 * @throws AuditError when the policy's states cannot be tabulated exactly.
 */
export function lint(loaded: Loaded, options: LintOptions = {}): LintReport {
  const a = audited(loaded);
  const tab = options.tab ?? tabulateSolution(loaded, a);
  const at = new Locator(loaded.dir);
  let doc: Document.Parsed | null = null;
  if (loaded.manifestFile !== null && loaded.manifestFile.endsWith('solution.yaml')) {
    const text = at.lines(loaded.manifestFile)?.join('\n');
    if (text !== undefined) doc = parseDocument(text);
  }
  let findings: LintFinding[];
  let decisions: number;
  let form: LintReport['form'];
  if (a.checked !== null) {
    const p = a.checked;
    at.name = (abs) => p.label({ file: abs, line: 0, column: 0 }).replace(/:0:0$/, '');
    const r = lintPsl(loaded, p, tab, at);
    findings = r.findings;
    decisions = r.decisions;
    form = 'psl';
  } else if (a.rules !== null) {
    findings = lintRules(loaded, a.rules.rules, tab, at, doc);
    decisions = tab.table.states.length * tab.table.events.length;
    form = 'rules';
  } else throw new AuditError('the policy is neither PSL nor rule form: there is nothing to lint');
  findings.push(...unusedMethods(loaded, tab, at, doc));
  // a module or interface from outside the solution (the SDK's) is not the solution's to fix: its warnings are notes
  findings = findings.map((f) =>
    f.file !== undefined && at.outside.has(f.file) && f.level === 'warning'
      ? { ...f, level: 'note', message: `${f.message} (in ${f.file}, from outside the solution)` }
      : f,
  );
  const rank = { error: 0, warning: 1, note: 2 } as const;
  findings.sort(
    (x, y) =>
      (x.file ?? '').localeCompare(y.file ?? '') ||
      (x.line ?? 0) - (y.line ?? 0) ||
      (x.column ?? 0) - (y.column ?? 0) ||
      rank[x.level] - rank[y.level] ||
      x.rule.localeCompare(y.rule),
  );
  return {
    solution: loaded.name,
    form,
    explored: { states: tab.table.states.length, events: tab.table.events.length, decisions },
    untrusted: [...untrustedClasses(loaded).values()],
    findings,
  };
}

export const lintFailed = (r: LintReport): boolean => r.findings.some((f) => f.level === 'error');

/* ------------------------------------------------------------ text */

export function lintText(r: LintReport): string {
  const out: string[] = [];
  const n = (k: LintFinding['level']) => r.findings.filter((f) => f.level === k).length;
  out.push(
    `lint ${r.solution}: ${r.explored.states} reachable monitor state${r.explored.states === 1 ? '' : 's'} × ${r.explored.events} events of the alphabet (${r.explored.decisions} decisions); ${r.findings.length === 0 ? 'no findings' : `${n('error')} error${n('error') === 1 ? '' : 's'}, ${n('warning')} warning${n('warning') === 1 ? '' : 's'}, ${n('note')} note${n('note') === 1 ? '' : 's'}`}`,
  );
  if (r.untrusted.length > 0) out.push(`untrusted classes: ${r.untrusted.join(', ')}`);
  for (const f of r.findings) {
    const where =
      f.file === undefined
        ? ''
        : `${f.file}${f.line === undefined ? '' : `:${f.line}${f.column === undefined ? '' : `:${f.column}`}`}: `;
    out.push('');
    out.push(`${where}${f.level} [${f.rule}] ${f.message}`);
    if (f.source !== undefined) out.push(`    ${f.source.trim()}`);
  }
  return out.join('\n');
}

const VERSION = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

/** The report as a SARIF 2.1.0 log (src/output/sarif.ts): locations on the policy lines, relative to the solution. */
export function lintSarif(r: LintReport): Log {
  return sarifLog(
    { name: 'cordon audit lint', version: VERSION },
    LINT_RULES.map((x) => ({ id: x.id, short: x.short })),
    r.findings.map((f) => ({
      ruleId: f.rule,
      level: f.level,
      message: f.message,
      ...(f.file === undefined ? {} : { file: f.file }),
      ...(f.line === undefined ? {} : { line: f.line }),
      ...(f.column === undefined ? {} : { column: f.column }),
    })),
  );
}
