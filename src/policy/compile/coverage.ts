/**
 * Policy coverage: which parts of a PSL policy the decisions exercised —
 * bindings, `match` sections, `choice` alternatives, rule calls, the two
 * outcomes of every condition (a match section selected or not, a rule that
 * depends on the event granted or denied), and the declared transitions of
 * Flow objects taken.
 *
 * The recorder is a `PolicyCoverage` built from the checked policy and
 * handed to `compileChecked`; only then does the compiler add counting to
 * the decision (one counter per trie cell; a counter per step of the cells
 * that run code). Without it the compiled policy is the plain one: coverage
 * costs nothing when off.
 */
import { relative } from 'node:path';
import type { SolutionTables } from '../../kernel/tables.ts';
import type { Loc } from '../../syntax/source.ts';
import type { BindingDecl, CallExpr, ChoiceAlternative, MatchSection, Statement } from '../psl/ast.ts';
import type { ResolvedPolicy } from '../psl/resolve.ts';
import { Base } from '../models/base.ts';
import { Flow, type FlowState } from '../models/flow.ts';
import { sidOf } from '../models/model.ts';
import { isRecord, type Value } from '../models/value.ts';
import { checkPolicy, constantValue, type CheckedPolicy, type PslCompileOptions } from './check.ts';
import { compileChecked, type CompiledPsl } from './compile.ts';

export type PointKind = 'binding' | 'match' | 'alternative' | 'rule' | 'transition';

/** One thing that can be exercised, at its place in a policy file. */
export interface CoveragePoint {
  readonly kind: PointKind;
  readonly loc: Loc;
  /** how a report names it: `request src=ping.Client …`, `match method=Ping`, `turns.enter`, `turns: idle → pinged` */
  readonly label: string;
}

/** A condition with two outcomes (a match section: selected / not; a rule: granted / denied). */
export interface CoverageCondition {
  readonly kind: 'match' | 'rule';
  readonly loc: Loc;
  readonly label: string;
  /** the two outcomes' names */
  readonly outcomes: readonly [string, string];
}

interface FlowObjectShape {
  readonly transitions: ReadonlyMap<string, ReadonlySet<string>>;
}

const selectorText = (s: readonly { key: string; value: string }[]) => s.map((x) => `${x.key}=${x.value}`).join(' ');

/** The recorder: the points and conditions of one checked policy, and how often each was exercised. */
export class PolicyCoverage {
  readonly points: CoveragePoint[] = [];
  readonly conditions: CoverageCondition[] = [];
  /** hits per point */
  pointHits: Uint32Array;
  /** hits per condition and outcome: [2i] the first outcome, [2i+1] the second */
  conditionHits: Uint32Array;
  private readonly ids = new Map<object, number>();
  private readonly conditionIds = new Map<object, number>();
  /** match section point (outside choices) → its parent's point (a binding or an enclosing section) */
  readonly parentOf = new Map<number, number>();
  /** match section point → its condition */
  readonly matchCondition = new Map<number, number>();
  /** point ids of transitions: object slot → "from\0to" → id */
  private readonly transitionIds = new Map<number, Map<string, number>>();

  constructor(readonly policy: CheckedPolicy) {
    for (const b of policy.bindings) {
      const id = this.add(
        b,
        'binding',
        b.loc,
        `${b.event}${b.selectors.length > 0 ? ` ${selectorText(b.selectors)}` : ''}`,
      );
      this.body(b.body, id);
    }
    for (const o of policy.objectList) {
      if (o.model !== Flow || o.loc === null) continue;
      const m = new Map<string, number>();
      for (const [from, tos] of (o.object as FlowObjectShape).transitions)
        for (const to of tos) {
          m.set(`${from}\0${to}`, this.points.length);
          this.points.push({ kind: 'transition', loc: o.loc, label: `${o.name}: ${from} → ${to}` });
        }
      this.transitionIds.set(o.slot, m);
    }
    this.pointHits = new Uint32Array(this.points.length);
    this.conditionHits = new Uint32Array(2 * this.conditions.length);
  }

  private add(node: object, kind: PointKind, loc: Loc, label: string): number {
    const id = this.points.length;
    this.points.push({ kind, loc, label });
    this.ids.set(node, id);
    return id;
  }

  private condition(node: object, c: CoverageCondition): void {
    this.conditionIds.set(node, this.conditions.length);
    this.conditions.push(c);
  }

  private body(body: readonly Statement[], parent: number, inChoice = false): void {
    for (const s of body) {
      if (s.kind === 'match') {
        const id = this.add(s, 'match', s.loc, `match ${selectorText(s.selectors)}`);
        // inside a choice the step counts it; outside, the trie cell (see cellCoverage in compile.ts)
        if (!inChoice) this.parentOf.set(id, parent);
        this.matchCondition.set(id, this.conditions.length);
        this.condition(s, {
          kind: 'match',
          loc: s.loc,
          label: `match ${selectorText(s.selectors)}`,
          outcomes: ['selected', 'not selected'],
        });
        this.body(s.body, id, inChoice);
      } else if (s.kind === 'choice') {
        this.add(s, 'rule', s.loc, 'choice');
        for (const a of s.alternatives) {
          this.add(
            a,
            'alternative',
            a.loc,
            `choice alternative ${a.label.kind === 'default' ? '_' : JSON.stringify(String(a.label.value))}`,
          );
          this.body(a.body, this.ids.get(a)!, true);
        }
      } else {
        const callee = s.object === null ? s.method : `${s.object}.${s.method}`;
        this.add(s, 'rule', s.loc, callee);
        if (twoOutcomes(this.policy, s))
          this.condition(s, { kind: 'rule', loc: s.loc, label: callee, outcomes: ['granted', 'denied'] });
      }
    }
  }

  /** The point id of a binding, match section, alternative, rule call or choice. */
  idOf(node: BindingDecl | MatchSection | ChoiceAlternative | Statement): number {
    return this.ids.get(node)!;
  }

  /** The condition id of a match section or a rule call that has two outcomes; -1 if it has one. */
  conditionOf(node: MatchSection | CallExpr): number {
    return this.conditionIds.get(node) ?? -1;
  }

  /** The transition ids of a Flow object's slot, or undefined when the object is not a Flow. */
  transitionsOf(slot: number): ReadonlyMap<string, number> | undefined {
    return this.transitionIds.get(slot);
  }

  /** Counts the Flow transitions a granted rule made on one object (state before → after, per sid). */
  transitions(slot: number, before: unknown, after: unknown): void {
    const ids = this.transitionIds.get(slot);
    if (ids === undefined || before === after) return;
    const b = before as FlowState;
    for (const [sid, to] of after as FlowState) {
      const from = b.get(sid);
      if (from === undefined || from === to) continue;
      const id = ids.get(`${from}\0${to}`);
      if (id !== undefined) this.pointHits[id]!++;
    }
  }

  /**
   * Counts the self-transition (`s → s`) of a granted Flow `enter` that kept
   * its sid's state: the state is unchanged, so `transitions` cannot see it.
   */
  selfTransition(slot: number, method: unknown, state: unknown, arg: Value): void {
    const ids = this.transitionIds.get(slot);
    if (ids === undefined || method !== Flow.methods.enter || !isRecord(arg)) return;
    // the enter was granted, so its sid is a valid SID that has a machine
    const at = (state as FlowState).get(sidOf(arg.sid!));
    if (at === undefined) return;
    const id = ids.get(`${at}\0${at}`);
    if (id !== undefined) this.pointHits[id]!++;
  }

  /** Forgets every hit. */
  reset(): void {
    this.pointHits.fill(0);
    this.conditionHits.fill(0);
  }
}

/**
 * Whether a rule call can both grant and deny: not when it uses a construct
 * Cordon cannot model (it always denies), nor when it is a Base rule
 * (`grant`, `assert`, `deny`) of a constant argument (the compiler decides
 * it once); a rule of a stateful model can, whatever its argument.
 */
function twoOutcomes(p: CheckedPolicy, s: CallExpr): boolean {
  if (p.unmodelled.has(s)) return false;
  if (p.calls.get(s)?.target.model !== Base) return true;
  try {
    const v = constantValue(s.arg);
    return !(v.ok || v.constant);
  } catch {
    return false; // an argument that cannot be modelled: the rule always denies
  }
}

/** Checks and compiles a policy with a coverage recorder. */
export function compileWithCoverage(
  policy: ResolvedPolicy,
  tables: SolutionTables,
  options: PslCompileOptions = {},
): { readonly compiled: CompiledPsl; readonly coverage: PolicyCoverage } {
  const checked = checkPolicy(policy, tables, options);
  const coverage = new PolicyCoverage(checked);
  return { compiled: compileChecked(checked, coverage), coverage };
}

/* ----------------------------------------------------------- the report */

export interface Tally {
  readonly covered: number;
  readonly total: number;
  /** 100 when there is nothing to cover */
  readonly percent: number;
}

const tally = (covered: number, total: number): Tally => ({
  covered,
  total,
  percent: total === 0 ? 100 : Math.floor((covered / total) * 10000) / 100,
});

export interface PointReport {
  readonly kind: PointKind;
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly label: string;
  readonly hits: number;
}

export interface ConditionReport {
  readonly kind: 'match' | 'rule';
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly label: string;
  readonly outcomes: readonly { readonly outcome: string; readonly hits: number }[];
}

export interface CoverageReport {
  /** what the percentages are of */
  readonly bindings: Tally;
  readonly matches: Tally;
  readonly alternatives: Tally;
  readonly rules: Tally;
  /** condition outcomes (two per condition) */
  readonly conditions: Tally;
  readonly transitions: Tally;
  /** every point and every condition outcome together: what --threshold compares with */
  readonly total: Tally;
  readonly files: readonly {
    readonly file: string;
    readonly total: Tally;
    readonly points: readonly PointReport[];
    readonly conditions: readonly ConditionReport[];
  }[];
}

/** The recorder's counts as a report, with files relative to `dir` (the solution). */
export function coverageReport(c: PolicyCoverage, dir: string): CoverageReport {
  const rel = (f: string) => relative(dir, f).split('\\').join('/');
  const points: PointReport[] = c.points.map((p, i) => ({
    kind: p.kind,
    file: rel(p.loc.file),
    line: p.loc.line,
    column: p.loc.column,
    label: p.label,
    hits: c.pointHits[i]!,
  }));
  const conditions: ConditionReport[] = c.conditions.map((k, i) => ({
    kind: k.kind,
    file: rel(k.loc.file),
    line: k.loc.line,
    column: k.loc.column,
    label: k.label,
    outcomes: [
      { outcome: k.outcomes[0], hits: c.conditionHits[2 * i]! },
      { outcome: k.outcomes[1], hits: c.conditionHits[2 * i + 1]! },
    ],
  }));
  const of = (kind: PointKind, ps = points) => {
    const these = ps.filter((p) => p.kind === kind);
    return tally(these.filter((p) => p.hits > 0).length, these.length);
  };
  const outcomes = (cs: readonly ConditionReport[]) => cs.flatMap((k) => k.outcomes);
  const all = (ps: readonly PointReport[], cs: readonly ConditionReport[]) => {
    const o = outcomes(cs);
    return tally(ps.filter((p) => p.hits > 0).length + o.filter((x) => x.hits > 0).length, ps.length + o.length);
  };
  const files = [...new Set([...points.map((p) => p.file), ...conditions.map((k) => k.file)])].sort();
  const o = outcomes(conditions);
  return {
    bindings: of('binding'),
    matches: of('match'),
    alternatives: of('alternative'),
    rules: of('rule'),
    conditions: tally(o.filter((x) => x.hits > 0).length, o.length),
    transitions: of('transition'),
    total: all(points, conditions),
    files: files.map((file) => {
      const ps = points.filter((p) => p.file === file);
      const cs = conditions.filter((k) => k.file === file);
      return { file, total: all(ps, cs), points: ps, conditions: cs };
    }),
  };
}

/** The report as text: the tallies, then every point or outcome not exercised, by file and line. */
export function coverageText(r: CoverageReport): string[] {
  const t = (name: string, x: Tally) =>
    `  ${name.padEnd(12)} ${String(x.percent).padStart(6)}%  ${x.covered}/${x.total}`;
  const lines = [
    `policy coverage: ${r.total.percent}% (${r.total.covered} of ${r.total.total})`,
    t('bindings', r.bindings),
    t('match', r.matches),
    t('alternatives', r.alternatives),
    t('rules', r.rules),
    t('conditions', r.conditions),
    t('transitions', r.transitions),
  ];
  for (const f of r.files) {
    lines.push(`  ${f.file}: ${f.total.percent}%`);
    for (const p of f.points)
      if (p.hits === 0) lines.push(`    ${f.file}:${p.line}:${p.column} not exercised: ${p.kind} ${p.label}`);
    for (const k of f.conditions)
      for (const o of k.outcomes)
        if (o.hits === 0) lines.push(`    ${f.file}:${k.line}:${k.column} never ${o.outcome}: ${k.label}`);
  }
  return lines;
}

/**
 * The report as lcov (what genhtml, Codecov and editors' coverage views
 * read): per file SF, an FN/FNDA pair per binding (a binding is the unit a
 * policy is made of), DA per line with points, BRDA per condition outcome.
 */
export function coverageLcov(r: CoverageReport, testName = 'cordon'): string {
  const out: string[] = [`TN:${testName}`];
  for (const f of r.files) {
    out.push(`SF:${f.file}`);
    const bindings = f.points.filter((p) => p.kind === 'binding');
    for (const b of bindings) out.push(`FN:${b.line},${fnName(b)}`);
    for (const b of bindings) out.push(`FNDA:${b.hits},${fnName(b)}`);
    out.push(`FNF:${bindings.length}`, `FNH:${bindings.filter((b) => b.hits > 0).length}`);
    const lineHits = new Map<number, number>();
    for (const p of f.points) lineHits.set(p.line, Math.max(lineHits.get(p.line) ?? 0, p.hits));
    const lines = [...lineHits].sort((a, b) => a[0] - b[0]);
    for (const [line, hits] of lines) out.push(`DA:${line},${hits}`);
    let brf = 0;
    let brh = 0;
    f.conditions.forEach((k, block) =>
      k.outcomes.forEach((o, branch) => {
        brf++;
        if (o.hits > 0) brh++;
        out.push(`BRDA:${k.line},${block},${branch},${o.hits === 0 ? '-' : o.hits}`);
      }),
    );
    out.push(`BRF:${brf}`, `BRH:${brh}`);
    out.push(`LF:${lines.length}`, `LH:${lines.filter(([, h]) => h > 0).length}`, 'end_of_record');
  }
  return `${out.join('\n')}\n`;
}

const fnName = (b: PointReport) => `${b.label.replace(/[,\s]+/g, '_')}@${b.line}`;
