/**
 * Running PAL policy tests against a compiled policy, through the monitor
 * (so every message is validated against its method's declaration before
 * the policy sees it, as in a running system).
 *
 * Semantics (section 3 of the format reference; where it is silent, this is
 * Cordon's definition):
 *
 * - Each `sequence` of an `assert` block is one test: its `setup` cases,
 *   then its own cases, then the `finally` cases. Every test starts from the
 *   policy's initial state with no SIDs known — all changes a test made are
 *   rolled back — so each sequence starts from the state its setup leaves.
 *   An `assert` block without sequences runs its setup (and finally) as one
 *   test.
 * - A case expects `grant` unless it says `deny` or `any`. `any` passes
 *   whatever the decision, unless the event could not be processed (an
 *   invalid message, a policy error): that fails the case.
 * - The monitor state follows a decision only when it grants (the kernel
 *   keeps the state of granted events only).
 * - When a case fails, the rest of its sequence is not run (they are
 *   reported as skipped: the scenario has left its script), but `finally`
 *   still runs. A failing setup case skips the sequence's own cases.
 * - SIDs: the kernel's start (`execute dst = kl.core.Core`) gets SID 0 and
 *   the first start of Einit SID 1, as in a booted system; every other
 *   granted start gets the next free SID from 2. `x <- execute …` binds `x`
 *   to the new SID when the start is granted (a denied start binds nothing).
 *   `execute` without `src` is a start by the kernel (the kernel's own start
 *   comes from itself).
 * - `src=` / `dst=` of the other events name a SID variable; a task class
 *   name is accepted too when exactly one process of that class has been
 *   started in the test. `execute dst=` names the task class to start.
 * - A request names its method on the destination's endpoint, a response
 *   or error on the source's (the server's) endpoint; `endpoint=` (the
 *   qualified endpoint name) may be left out when exactly one endpoint has
 *   the method; `interface=` narrows the endpoints to one interface. A
 *   `security` event names a method of the source's security interface and
 *   goes to the kernel. A method the server does not declare is sent anyway
 *   (RIID/MID -1): the monitor denies it as a structural error.
 * - The message is `{ param : value, … }` of the method's in (request), out
 *   (response) or error (error) parameters; none written means `{}`.
 *   Values are literals (integers, texts, `true`/`false`, `()`), lists,
 *   records and SID variables (which stand for their SID number).
 */
import type { SolutionTables } from '../../kernel/tables.ts';
import { KERNEL_SID, EINIT_SID } from '../../kernel/types.ts';
import { SECURITY_RIID } from '../../kernel/kernel-api.ts';
import { createMonitor } from '../../monitor/monitor.ts';
import { describeEvent } from '../../monitor/audit.ts';
import {
  rulesKey,
  showRules,
  type CompiledPolicy,
  type Decision,
  type MonitorState,
  type RuleRef,
  type SecurityEvent,
  type Verdict,
} from '../../monitor/types.ts';
import { ParseError } from '../../syntax/errors.ts';
import { formatLoc, type Loc } from '../../syntax/source.ts';
import type { Expr, RecordExpr, Selector, SelectorKey } from '../psl/ast.ts';
import type { PalAssert, PalExpectation, PalTestCase } from './ast.ts';

export type PalPhase = 'setup' | 'sequence' | 'finally';

export interface PalCaseResult {
  /** how the case reads: its name, or the event as written */
  readonly title: string;
  /** the case's name, if it has one */
  readonly name: string | null;
  readonly loc: Loc;
  readonly phase: PalPhase;
  readonly expected: PalExpectation;
  /** pass / fail; skipped when an earlier case of the test failed */
  readonly status: 'pass' | 'fail' | 'skipped';
  /** the event as the monitor saw it (null when it could not be built) */
  readonly event: string | null;
  readonly verdict: Verdict | null;
  /** every rule that decided (Decision.rules; empty when the event could not be built) */
  readonly rules: readonly RuleRef[];
  readonly reason: string | null;
  /** why the case failed, in words */
  readonly failure: string | null;
}

export interface PalTestResult {
  /** the assert block's name, or `assert at file:line:col` */
  readonly suite: string;
  /** the sequence's name, or `sequence N` (1-based within its block) */
  readonly name: string;
  readonly loc: Loc;
  /** skipped: the test uses a construct the runner cannot model (`notModelled` says which and where); it ran no case */
  readonly status: 'pass' | 'fail' | 'skipped';
  readonly cases: readonly PalCaseResult[];
  readonly durationMs: number;
  /** "unsupported construct X at file:line:col", when skipped */
  readonly notModelled?: string;
}

export interface PalRunResult {
  readonly tests: readonly PalTestResult[];
  readonly passed: number;
  readonly failed: number;
  /** tests not run because they use a construct the runner cannot model */
  readonly skipped: number;
  readonly durationMs: number;
}

/** A test set with the file it came from (`PalSuite` of the KasperskyOS loader has this shape). */
export interface PalInput {
  readonly assert: PalAssert;
}

const KERNEL_CLASS_ID = 0;
const EINIT_CLASS_ID = 1;

/** Why a case could not be turned into an event: a mistake in the test itself. */
class CaseError extends Error {
  constructor(
    readonly loc: Loc,
    message: string,
  ) {
    super(message);
  }
}

interface TestState {
  monitor: MonitorState;
  readonly vars: Map<string, number>;
  /** task class of every started SID */
  readonly classOf: Map<number, number>;
  nextSid: number;
}

function selector(c: PalTestCase, key: SelectorKey): Selector | undefined {
  const found = c.selectors.filter((s) => s.key === key);
  if (found.length > 1) throw new CaseError(found[1]!.loc, `${key}= is given twice`);
  return found[0];
}

/** A PAL message value as the monitor's codecs read it. */
export function messageValue(e: Expr, vars: ReadonlyMap<string, number>): unknown {
  switch (e.kind) {
    case 'int':
      return e.value >= BigInt(Number.MIN_SAFE_INTEGER) && e.value <= BigInt(Number.MAX_SAFE_INTEGER)
        ? Number(e.value)
        : e.value;
    case 'text':
    case 'bool':
      return e.value;
    case 'unit':
      return null;
    case 'list':
    case 'tuple':
      return e.items.map((i) => messageValue(i, vars));
    case 'record': {
      const out: Record<string, unknown> = {};
      for (const f of e.fields) {
        const key = f.key.kind === 'name' ? f.key.name : f.key.kind === 'text' ? f.key.value : String(f.key.value);
        if (Object.hasOwn(out, key)) throw new CaseError(f.loc, `field ${key} is given twice`);
        Object.defineProperty(out, key, {
          value: messageValue(f.value, vars),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      return out;
    }
    case 'name': {
      const sid = vars.get(e.name);
      if (sid === undefined)
        throw new CaseError(
          e.loc,
          `${e.name} is not a SID variable of this test (known: ${[...vars.keys()].join(', ') || 'none'}); a message holds literals, lists, records and SID variables`,
        );
      return sid;
    }
    case 'unary':
      if (e.op === '-' && e.operand.kind === 'int')
        return messageValue({ ...e.operand, value: -e.operand.value }, vars);
      throw new ParseError({
        kind: 'unsupported',
        loc: e.loc,
        detail: `expression ${e.op}… in a PAL message (a message holds literals, lists, records and SID variables)`,
      });
    default:
      throw new ParseError({
        kind: 'unsupported',
        loc: e.loc,
        detail: `${e.kind} expression in a PAL message (a message holds literals, lists, records and SID variables)`,
      });
  }
}

/**
 * Rejects what the runner does not run, before any test runs (so that a
 * construct in a case that ends up skipped is still reported).
 */
function checkSupported(c: PalTestCase): void {
  for (const s of c.selectors)
    if (s.key === 'component')
      throw new ParseError({
        kind: 'unsupported',
        loc: s.loc,
        detail: 'selector component= in a PAL test case (name the endpoint with endpoint=)',
      });
  const walk = (e: Expr): void => {
    switch (e.kind) {
      case 'int':
      case 'text':
      case 'bool':
      case 'unit':
      case 'name':
        return;
      case 'list':
      case 'tuple':
        return e.items.forEach(walk);
      case 'record':
        return e.fields.forEach((f) => walk(f.value));
      case 'unary':
        if (e.op === '-' && e.operand.kind === 'int') return;
        throw new ParseError({
          kind: 'unsupported',
          loc: e.loc,
          detail: `expression ${e.op}… in a PAL message (a message holds literals, lists, records and SID variables)`,
        });
      default:
        throw new ParseError({
          kind: 'unsupported',
          loc: e.loc,
          detail: `${e.kind} expression in a PAL message (a message holds literals, lists, records and SID variables)`,
        });
    }
  };
  if (c.message !== null) walk(c.message);
}

/** The constructs of these cases the runner cannot model, as "unsupported construct X at file:line:col" (none: empty). */
function unsupportedIn(cases: readonly PalTestCase[]): string[] {
  const out: string[] = [];
  for (const c of cases)
    try {
      checkSupported(c);
    } catch (e) {
      if (!(e instanceof ParseError)) throw e;
      out.push(e.message);
    }
  return out;
}

/**
 * What of these test sets the runner cannot model, one message per case
 * ("unsupported construct X at file:line:col"): the tests that hold them are
 * reported as skipped, and the solution still loads.
 */
export function palNotModelled(sets: readonly PalAssert[]): string[] {
  return sets.flatMap((a) =>
    unsupportedIn([...(a.setup ?? []), ...a.sequences.flatMap((s) => s.cases), ...(a.finally ?? [])]),
  );
}

/** How a case reads in a report when it has no name. */
function caseTitle(c: PalTestCase): string {
  if (c.name !== null) return c.name;
  const sel = c.selectors.map((s) => `${s.key}=${s.value}`).join(' ');
  return `${c.capture === null ? '' : `${c.capture} <- `}${c.expectation ?? 'grant'} ${c.event}${sel === '' ? '' : ` ${sel}`}`;
}

class Runner {
  private readonly monitor;
  constructor(
    private readonly tables: SolutionTables,
    policy: CompiledPolicy,
    private readonly onDecision?: (event: SecurityEvent, decision: Decision) => void,
  ) {
    this.monitor = createMonitor(tables, policy);
  }

  fresh(): TestState {
    return { monitor: this.monitor.initial, vars: new Map(), classOf: new Map(), nextSid: 2 };
  }

  private classId(s: Selector): number {
    const id = this.tables.classByName.get(s.value);
    if (id === undefined)
      throw new CaseError(
        s.loc,
        `${s.key}=${s.value}: no task class ${s.value} in this solution (classes: ${this.tables.classes.map((c) => c.name).join(', ')})`,
      );
    return id;
  }

  /** The SID a `src=`/`dst=` selector names. */
  private sid(st: TestState, s: Selector | undefined, c: PalTestCase, key: 'src' | 'dst'): number {
    if (s === undefined) throw new CaseError(c.loc, `a ${c.event} case needs ${key}= (a SID captured with <-)`);
    const v = st.vars.get(s.value);
    if (v !== undefined) return v;
    const cls = this.tables.classByName.get(s.value);
    if (cls !== undefined) {
      const sids = [...st.classOf].filter(([, k]) => k === cls).map(([sid]) => sid);
      if (sids.length === 1) return sids[0]!;
      throw new CaseError(
        s.loc,
        `${key}=${s.value}: ${sids.length === 0 ? 'no process of this class has been started in this test' : `${sids.length} processes of this class are running; name one by its SID variable`}`,
      );
    }
    throw new CaseError(
      s.loc,
      `${key}=${s.value}: not a SID variable of this test (known: ${[...st.vars.keys()].join(', ') || 'none'}) nor a task class`,
    );
  }

  /** The security event a case describes, and the SID it starts (execute). */
  event(st: TestState, c: PalTestCase): { event: SecurityEvent; started: number | null } {
    const message = c.message === null ? {} : messageValue(c.message as RecordExpr, st.vars);
    if (c.event === 'execute') {
      for (const k of ['endpoint', 'method', 'interface'] as const) {
        const s = selector(c, k);
        if (s !== undefined) throw new CaseError(s.loc, `an execute case cannot name ${k}=`);
      }
      if (c.message !== null && c.message.fields.length > 0)
        throw new CaseError(c.message.loc, 'an execute event carries no message');
      const dstSel = selector(c, 'dst');
      if (dstSel === undefined) throw new CaseError(c.loc, 'an execute case needs dst= (the task class to start)');
      const dstClass = this.classId(dstSel);
      const srcSel = selector(c, 'src');
      let sid: number;
      if (dstClass === KERNEL_CLASS_ID && !st.classOf.has(KERNEL_SID)) sid = KERNEL_SID;
      else if (dstClass === EINIT_CLASS_ID && !st.classOf.has(EINIT_SID)) sid = EINIT_SID;
      else sid = st.nextSid;
      const src =
        srcSel === undefined ? (dstClass === KERNEL_CLASS_ID ? sid : KERNEL_SID) : this.sid(st, srcSel, c, 'src');
      const srcClass = srcSel === undefined ? KERNEL_CLASS_ID : st.classOf.get(src)!;
      const event: SecurityEvent = {
        kind: 'execute',
        src,
        srcClass,
        dst: sid,
        dstClass,
        endpoint: -1,
        method: -1,
        iface: -1,
        riid: -1,
        mid: -1,
        message: null,
        transfers: [],
      };
      return { event, started: sid };
    }
    const methodSel = selector(c, 'method');
    if (methodSel === undefined) throw new CaseError(c.loc, `a ${c.event} case needs method=`);
    const ifaceSel = selector(c, 'interface');
    const epSel = selector(c, 'endpoint');
    const src = this.sid(st, selector(c, 'src'), c, 'src');
    const srcClass = st.classOf.get(src)!;
    const methodId = this.tables.methodNames.indexOf(methodSel.value);
    if (c.event === 'security') {
      if (epSel !== undefined) throw new CaseError(epSel.loc, 'a security event names no endpoint');
      const dstSel = selector(c, 'dst');
      if (dstSel !== undefined)
        throw new CaseError(dstSel.loc, 'a security event has no destination (it goes to the security module)');
      const iface = this.tables.classes[srcClass]!.security;
      const ifaceTable = this.tables.interfaces[iface];
      if (ifaceSel !== undefined && ifaceTable?.name !== ifaceSel.value)
        throw new CaseError(
          ifaceSel.loc,
          `interface=${ifaceSel.value}: the security interface of ${this.tables.classes[srcClass]!.name} is ${ifaceTable?.name ?? 'none'}`,
        );
      const mid = ifaceTable?.methods.findIndex((m) => m.name === methodSel.value) ?? -1;
      const event: SecurityEvent = {
        kind: 'security',
        src,
        srcClass,
        dst: KERNEL_SID,
        dstClass: KERNEL_CLASS_ID,
        endpoint: -1,
        method: methodId,
        iface: mid < 0 ? -1 : iface,
        riid: SECURITY_RIID,
        mid,
        message,
        transfers: [],
      };
      return { event, started: null };
    }
    const dst = this.sid(st, selector(c, 'dst'), c, 'dst');
    const dstClass = st.classOf.get(dst)!;
    const server = this.tables.classes[c.event === 'request' ? dstClass : srcClass]!;
    let endpoints = server.endpoints.filter(
      (e) => ifaceSel === undefined || this.tables.interfaces[e.iface]?.name === ifaceSel.value,
    );
    if (epSel !== undefined) endpoints = endpoints.filter((e) => e.name === epSel.value);
    else {
      const withMethod = endpoints.filter((e) =>
        this.tables.interfaces[e.iface]?.methods.some((m) => m.name === methodSel.value),
      );
      if (withMethod.length > 1)
        throw new CaseError(
          methodSel.loc,
          `method ${methodSel.value} is on several endpoints of ${server.name} (${withMethod.map((e) => e.name).join(', ')}); name one with endpoint=`,
        );
      endpoints = withMethod;
    }
    const ep = endpoints[0];
    const mid =
      ep === undefined
        ? -1
        : (this.tables.interfaces[ep.iface]?.methods.findIndex((m) => m.name === methodSel.value) ?? -1);
    const event: SecurityEvent = {
      kind: c.event,
      src,
      srcClass,
      dst,
      dstClass,
      endpoint: ep?.nameId ?? (epSel === undefined ? -1 : this.tables.endpointNames.indexOf(epSel.value)),
      method: methodId,
      iface: ep === undefined || mid < 0 ? -1 : ep.iface,
      riid: ep?.riid ?? -1,
      mid,
      message,
      transfers: [],
    };
    return { event, started: null };
  }

  /** Runs one case; returns its result and updates the test state. */
  runCase(st: TestState, c: PalTestCase, phase: PalPhase): PalCaseResult {
    const expected: PalExpectation = c.expectation ?? 'grant';
    const base = { title: caseTitle(c), name: c.name, loc: c.loc, phase, expected };
    let built: { event: SecurityEvent; started: number | null };
    try {
      built = this.event(st, c);
    } catch (e) {
      if (e instanceof CaseError)
        return {
          ...base,
          status: 'fail',
          event: null,
          verdict: null,
          rules: [],
          reason: null,
          failure: `${formatLoc(e.loc)}: ${e.message}`,
        };
      throw e;
    }
    const d: Decision = this.monitor.decide(st.monitor, built.event);
    this.onDecision?.(built.event, d);
    const event = describeEvent(this.tables, built.event);
    if (d.verdict === 'grant') {
      st.monitor = d.next;
      if (built.started !== null) {
        st.classOf.set(built.started, built.event.dstClass);
        if (built.started >= st.nextSid) st.nextSid = built.started + 1;
        if (c.capture !== null) st.vars.set(c.capture, built.started);
      }
    }
    const result = { ...base, event, verdict: d.verdict, rules: d.rules, reason: d.reason ?? null };
    const rule = rulesKey(d);
    const broken = rule === 'structure' || rule === 'policy-error';
    if (expected === 'any')
      return broken
        ? { ...result, status: 'fail', failure: `the event could not be processed: ${d.reason ?? rule}` }
        : { ...result, status: 'pass', failure: null };
    if (d.verdict === expected) return { ...result, status: 'pass', failure: null };
    return {
      ...result,
      status: 'fail',
      failure: `expected ${expected}, got ${d.verdict} by ${showRules(d)}${d.reason === undefined ? '' : `: ${d.reason}`}`,
    };
  }
}

const skipped = (c: PalTestCase, phase: PalPhase): PalCaseResult => ({
  title: caseTitle(c),
  name: c.name,
  loc: c.loc,
  phase,
  expected: c.expectation ?? 'grant',
  status: 'skipped',
  event: null,
  verdict: null,
  rules: [],
  reason: null,
  failure: null,
});

/**
 * Runs PAL test sets against a compiled policy of a solution. A test that
 * uses a construct the runner cannot model (e.g. an operator expression in a
 * message) is skipped with the construct and its place; a mistake in a test
 * case itself (unknown variable or class, missing selector) fails that case.
 */
export function runPalTests(
  tables: SolutionTables,
  policy: CompiledPolicy,
  inputs: readonly (PalAssert | PalInput)[],
  /** every decision the monitor makes for a case, in the order the cases run (the audit log of `cordon test`) */
  onDecision?: (event: SecurityEvent, decision: Decision) => void,
): PalRunResult {
  const started = performance.now();
  const sets = inputs.map((input) => ('assert' in input ? input.assert : input));
  const runner = new Runner(tables, policy, onDecision);
  const tests: PalTestResult[] = [];
  for (const a of sets) {
    const suite = a.name ?? `assert at ${formatLoc(a.loc)}`;
    const sequences = a.sequences.length > 0 ? a.sequences : [{ name: 'setup', cases: [], loc: a.loc }];
    const around = unsupportedIn([...(a.setup ?? []), ...(a.finally ?? [])]);
    sequences.forEach((seq, i) => {
      const t0 = performance.now();
      const unsupported = [...around, ...unsupportedIn(seq.cases)];
      if (unsupported.length > 0) {
        tests.push({
          suite,
          name: seq.name ?? `sequence ${i + 1}`,
          loc: seq.loc,
          status: 'skipped',
          cases: [],
          durationMs: 0,
          notModelled: unsupported.join('; '),
        });
        return;
      }
      const st = runner.fresh();
      const cases: PalCaseResult[] = [];
      let failed = false;
      const phase = (list: readonly PalTestCase[] | null, p: PalPhase, always: boolean) => {
        for (const c of list ?? []) {
          if (failed && !always) {
            cases.push(skipped(c, p));
            continue;
          }
          const r = runner.runCase(st, c, p);
          cases.push(r);
          if (r.status === 'fail') failed = true;
        }
      };
      phase(a.setup, 'setup', false);
      phase(seq.cases, 'sequence', false);
      phase(a.finally, 'finally', true);
      tests.push({
        suite,
        name: seq.name ?? `sequence ${i + 1}`,
        loc: seq.loc,
        status: failed ? 'fail' : 'pass',
        cases,
        durationMs: performance.now() - t0,
      });
    });
  }
  const failed = tests.filter((t) => t.status === 'fail').length;
  const skippedTests = tests.filter((t) => t.status === 'skipped').length;
  return {
    tests,
    passed: tests.length - failed - skippedTests,
    failed,
    skipped: skippedTests,
    durationMs: performance.now() - started,
  };
}

/**
 * One line per test and per case, for a terminal:
 * `PASS  [setup] grant request src=… dst=… endpoint=… method=… -> GRANT by <rule>`;
 * a failed case adds its place and why. `showPath` shortens file names.
 */
export function formatPalResults(r: PalRunResult, showPath: (file: string) => string = (f) => f): string[] {
  const at = (loc: Loc) => formatLoc({ ...loc, file: showPath(loc.file) });
  const out: string[] = [];
  for (const t of r.tests) {
    out.push(
      `${t.status === 'pass' ? 'PASS' : t.status === 'fail' ? 'FAIL' : 'SKIP'}  ${t.suite} / ${t.name}  (${at(t.loc)})`,
    );
    if (t.notModelled !== undefined) out.push(`          not run: ${t.notModelled}`);
    for (const c of t.cases) {
      const tag = c.status === 'pass' ? 'PASS' : c.status === 'fail' ? 'FAIL' : 'SKIP';
      const decided = c.verdict === null ? '' : ` -> ${c.verdict.toUpperCase()} by ${rulesKey(c)}`;
      const what = c.event === null ? c.title : `${c.name === null ? '' : `"${c.name}" `}${c.expected} ${c.event}`;
      out.push(`    ${tag}  ${c.phase === 'sequence' ? '' : `[${c.phase}] `}${what}${decided}`);
      if (c.failure !== null) out.push(`          ${at(c.loc)}: ${c.failure}`);
    }
  }
  out.push(
    (r.failed === 0
      ? r.skipped === 0
        ? `all ${r.tests.length} PAL tests passed`
        : `${r.passed} of ${r.tests.length} PAL tests passed`
      : `${r.failed} of ${r.tests.length} PAL tests failed`) +
      (r.skipped === 0 ? '' : `, ${r.skipped} skipped (not modelled)`),
  );
  return out;
}
