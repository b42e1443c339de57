// The PSL compiler against its reference interpreter, and default deny, over
// random solutions, random PSL policies (written as text and parsed: bindings
// of all five events, nested and comma/whitespace selectors, match and choice
// sections, Base rules over message expressions, and state-changing calls of
// Flow, HashSet, StaticMap and Mic objects in every kind of binding) and
// random event sequences (consistent events and adversarial ones: ids outside
// the tables, missing and ill-typed message fields). Policies are split over
// an own module (used first or last, using itself: a cycle), carry an audit
// profile in every match block, and hold constructs Cordon cannot model (`%`,
// `/`, an Era object), whose rules deny in both evaluators.
//
// Equivalence: on every event the compiled policy and the interpreter give the
// same verdict, rule, reason and next monitor state (deep equality), and a
// denial returns the state it was given; the sequence threads the state of
// every grant. Default deny: an event that no binding's head selects is denied
// with the rule default-deny.

import { isStateMap } from '../src/policy/models/sidmap.ts';
import { test, after } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import * as t from 'io-ts';
import { compileSolution, type SolutionDecl, type SolutionTables } from '../src/kernel/tables.ts';
import { rulesKey, type EventKind, SecurityEvent } from '../src/monitor/types.ts';
import { compilePsl, interpretPsl, DEFAULT_DENY_RULE } from '../src/policy/compile/index.ts';
import { compileWithCoverage } from '../src/policy/compile/coverage.ts';
import { loadPolicy, type SelectorKey } from '../src/policy/psl/index.ts';
import { banner, check, runs } from './harness.ts';
import { createMonitor } from '../src/monitor/monitor.ts';
import { checkPolicy } from '../src/policy/compile/check.ts';
import { explainEvent, explanationText } from '../src/audit/explain.ts';
import { canonicalKey } from '../src/conformance/monitor-model.ts';

banner(import.meta.filename);

/* ------------------------------------------------------------ solutions */

const METHOD_POOL = ['M0', 'M1', 'M2', 'M3'];
const ENDPOINT_POOL = ['e0', 'e1', 'u0.e0', 'u0.e1', 'u1.e0'];
const method = (name: string) => ({ name, request: t.unknown, response: t.unknown, error: t.unknown });

interface Solution {
  readonly decl: SolutionDecl;
  readonly tables: SolutionTables;
  /** (server class, endpoint name id, interface id, method name id) of every declared method */
  readonly targets: readonly (readonly [number, number, number, number])[];
}

const arbSolution: fc.Arbitrary<Solution> = fc
  .record({
    ifaces: fc.array(fc.uniqueArray(fc.constantFrom(...METHOD_POOL), { minLength: 1, maxLength: 3 }), {
      minLength: 1,
      maxLength: 3,
    }),
    classes: fc.array(
      fc.record({
        endpoints: fc.uniqueArray(fc.record({ name: fc.constantFrom(...ENDPOINT_POOL), iface: fc.nat(2) }), {
          selector: (e) => e.name,
          maxLength: 3,
        }),
        security: fc.option(fc.nat(2), { nil: undefined }),
      }),
      { minLength: 1, maxLength: 4 },
    ),
  })
  .map(({ ifaces, classes }) => {
    const iname = (i: number) => `g.I${i % ifaces.length}`;
    const decl: SolutionDecl = {
      name: 'generated',
      interfaces: ifaces.map((ms, i) => ({ name: `g.I${i}`, methods: ms.map(method) })),
      classes: classes.map((c, i) => ({
        name: `g.C${i}`,
        endpoints: c.endpoints.map((e) => ({ name: e.name, interface: iname(e.iface) })),
        ...(c.security === undefined ? {} : { security: iname(c.security) }),
      })),
      processes: [],
      connections: [],
    };
    const r = compileSolution(decl);
    if (!r.ok) throw new Error(`generated solution does not compile: ${r.errors.join('; ')}`);
    const tables = r.value;
    const targets: [number, number, number, number][] = [];
    tables.classes.forEach((c) => {
      for (const e of c.endpoints)
        for (const m of tables.interfaces[e.iface]!.methods) targets.push([c.id, e.nameId, e.iface, m.nameId]);
      if (c.security >= 0)
        for (const m of tables.interfaces[c.security]!.methods) targets.push([c.id, -1, c.security, m.nameId]);
    });
    return { decl, tables, targets };
  });

/* ------------------------------------------------------------- policies */

const KEYS_OF: Readonly<Record<EventKind, readonly SelectorKey[]>> = {
  execute: ['src', 'dst', 'method'],
  request: ['src', 'dst', 'endpoint', 'method', 'interface', 'component'],
  response: ['src', 'dst', 'endpoint', 'method', 'interface', 'component'],
  error: ['src', 'dst', 'endpoint', 'method', 'interface', 'component'],
  security: ['src', 'method', 'interface'],
};

interface Sel {
  readonly key: SelectorKey;
  readonly value: string;
}
type Stmt =
  | { readonly kind: 'call'; readonly text: string }
  | { readonly kind: 'match'; readonly sels: readonly Sel[]; readonly body: readonly Stmt[] }
  | {
      readonly kind: 'choice';
      readonly subject: string;
      readonly alts: readonly (readonly [string, readonly Stmt[]])[];
      readonly fallback: readonly Stmt[] | null;
    };
interface Binding {
  readonly event: EventKind;
  readonly sels: readonly Sel[];
  readonly body: readonly Stmt[];
}
interface Policy {
  /** the contexts a setup binding `execute { … }` creates for every started process (first in the policy), if any */
  readonly setup: readonly string[] | null;
  readonly mic: 'linear' | 'lattice';
  readonly transitions: readonly (readonly string[])[];
  readonly setSize: number;
  readonly pool: number;
  readonly bindings: readonly Binding[];
  /** formatting: separators between selectors */
  readonly comma: boolean;
  /** bindings from this index on go to an own module parts/rest.psl (which uses itself: a cycle), `use`d first or last */
  readonly split: number;
  readonly useFirst: boolean;
  /** every match block starts with `audit quiet` (an audit profile; decisions do not change) */
  readonly audit: boolean;
}

const STATES = ['a', 'b', 'c'];
const DEGREES = ['L0', 'L1', 'L2'];

function selectorValues(tables: SolutionTables, event: EventKind, key: SelectorKey): readonly string[] {
  switch (key) {
    case 'src':
    case 'dst':
      return tables.classes.map((c) => c.name);
    case 'endpoint':
      return tables.endpointNames;
    case 'method':
      return event === 'execute'
        ? ['main']
        : tables.methodNames.filter((m) => METHOD_POOL.includes(m) || m === 'Execute' || m === 'Read');
    case 'interface':
      return tables.interfaces.map((i) => i.name).filter((n) => n.startsWith('g.') || n === 'kl.core.Task');
    case 'component':
      return [
        ...new Set(tables.endpointNames.filter((n) => n.includes('.')).map((n) => n.slice(0, n.lastIndexOf('.')))),
      ];
  }
}

function arbSelectors(tables: SolutionTables, event: EventKind, max: number, min = 0): fc.Arbitrary<Sel[]> {
  const keys = KEYS_OF[event].filter((k) => selectorValues(tables, event, k).length > 0);
  return fc
    .uniqueArray(fc.constantFrom(...keys), {
      minLength: Math.min(min, keys.length),
      maxLength: Math.min(max, keys.length),
    })
    .chain((ks) =>
      fc.tuple(
        ...ks.map((k) => fc.constantFrom(...selectorValues(tables, event, k)).map((value) => ({ key: k, value }))),
      ),
    );
}

/* expressions, as PSL text */
const sidExpr = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('src_sid', 'dst_sid') },
  { weight: 1, arbitrary: fc.constantFrom('0', '1', '2', '3', 'message.x', '-1') },
);
const mapKey = fc.constantFrom('"k0"', '"k1"', '"k2"');

function intExpr(depth: number): fc.Arbitrary<string> {
  const leaf = fc.oneof(
    fc.integer({ min: -3, max: 300 }).map(String),
    fc.constantFrom('0x10', '0xff'),
    fc.constantFrom(
      'message.x',
      'message.y.z',
      'size (message.l)',
      'src_sid',
      'dst_sid',
      'message.l.[0]',
      'message.l.[2]',
      'message.s',
    ),
    fc.tuple(sidExpr, mapKey).map(([s, k]) => `sm.get {sid : ${s}, key : ${k}}`),
    fc.tuple(sidExpr, mapKey).map(([s, k]) => `sm.get_uncommitted {sid : ${s}, key : ${k}}`),
  );
  if (depth <= 0) return leaf;
  const sub = intExpr(depth - 1);
  return fc.oneof(
    { weight: 3, arbitrary: leaf },
    {
      weight: 1,
      arbitrary: fc.tuple(sub, fc.constantFrom('+', '-', '*', '&', '|'), sub).map(([a, op, b]) => `(${a} ${op} ${b})`),
    },
    { weight: 1, arbitrary: sub.map((a) => `math.abs (${a})`) },
    { weight: 1, arbitrary: fc.tuple(sub, sub).map(([a, b]) => `math.sum [${a}, ${b}]`) },
    { weight: 1, arbitrary: sub.map((a) => `~${a}`) },
  );
}

function boolExpr(depth: number): fc.Arbitrary<string> {
  const i = intExpr(Math.min(depth, 1));
  const leaf = fc.oneof(
    fc.constantFrom('true', 'false', 'message.b', 'message.s == "t"', 'pred.empty (message.l)'),
    fc.tuple(i, fc.constantFrom('==', '!=', '<', '<=', '>', '>='), i).map(([a, op, b]) => `(${a} ${op} ${b})`),
    fc.tuple(sidExpr, i).map(([s, e]) => `hs.contains {sid : ${s}, entry : ${e}}`),
    fc.constantFrom('re.match {text : message.s, pattern : "^[a-t]+$"}', 're.match {text : message.s, pattern : "1"}'),
  );
  if (depth <= 0) return leaf;
  const sub = boolExpr(depth - 1);
  return fc.oneof(
    { weight: 3, arbitrary: leaf },
    {
      weight: 2,
      arbitrary: fc.tuple(sub, fc.constantFrom('&&', '||', '==>'), sub).map(([a, op, b]) => `(${a} ${op} ${b})`),
    },
    { weight: 1, arbitrary: sub.map((a) => `!(${a})`) },
    { weight: 1, arbitrary: fc.tuple(sub, sub).map(([a, b]) => `bool.all [${a}, ${b}]`) },
    { weight: 1, arbitrary: fc.tuple(sub, sub).map(([a, b]) => `bool.any [${a}, ${b}]`) },
  );
}

const levelExpr = fc.oneof(
  fc.constantFrom('()', '"L0"', '"L1"', '"L2"', 'message.s'),
  fc.constantFrom(
    '{degree : "L1", categories : ["n"]}',
    '{degree : (), categories : ["n", "g"]}',
    '{degree : "L2", categories : ()}',
  ),
);
const stateLit = fc.constantFrom('"a"', '"b"', '"c"', '"zz"', 'message.s');

const modelRule: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('init', 'fini').chain((m) => sidExpr.map((s) => `fsm.${m} {sid : ${s}}`)),
  fc.tuple(sidExpr, stateLit).map(([s, st]) => `fsm.enter {sid : ${s}, state : ${st}}`),
  fc
    .tuple(sidExpr, fc.subarray(['"a"', '"b"', '"c"']))
    .map(([s, sts]) => `fsm.allow {sid : ${s}, states : [${sts.join(', ')}]}`),
  fc.constantFrom('init', 'fini').chain((m) => sidExpr.map((s) => `hs.${m} {sid : ${s}}`)),
  fc
    .tuple(fc.constantFrom('add', 'remove'), sidExpr, intExpr(1))
    .map(([m, s, e]) => `hs.${m} {sid : ${s}, entry : ${e}}`),
  fc.constantFrom('init', 'fini', 'commit', 'rollback').chain((m) => sidExpr.map((s) => `sm.${m} {sid : ${s}}`)),
  fc.tuple(sidExpr, mapKey, intExpr(1)).map(([s, k, v]) => `sm.set {sid : ${s}, key : ${k}, value : ${v}}`),
  fc
    .tuple(fc.constantFrom('()', 'src_sid', '1'), sidExpr, levelExpr, levelExpr)
    .map(([img, tg, l, r]) => `mic.execute {image : ${img}, target : ${tg}, level : ${l}, levelR : ${r}}`),
  fc
    .tuple(sidExpr, sidExpr, fc.constantFrom('()', 'src_sid'), sidExpr, levelExpr)
    .map(
      ([s, tg, c, d, l]) => `mic.create {source : ${s}, target : ${tg}, container : ${c}, driver : ${d}, level : ${l}}`,
    ),
  fc
    .tuple(fc.constantFrom('upgrade', 'downgrade'), sidExpr, sidExpr, sidExpr, levelExpr)
    .map(([m, s, tg, d, l]) => `mic.${m} {source : ${s}, target : ${tg}, container : (), driver : ${d}, level : ${l}}`),
  fc
    .tuple(sidExpr, sidExpr, sidExpr)
    .map(([s, tg, d]) => `mic.delete {source : ${s}, target : ${tg}, container : (), driver : ${d}}`),
  fc
    .tuple(fc.constantFrom('call', 'invoke', 'read', 'write'), sidExpr, sidExpr)
    .map(([m, s, tg]) => `mic.${m} {source : ${s}, target : ${tg}}`),
);

const rule: fc.Arbitrary<string> = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom('grant ()', 'grant()') },
  // constructs Cordon cannot model: the policy loads, these rules deny
  { weight: 1, arbitrary: fc.constantFrom('assert ((message.x % 2) == 0)', 'era.tick {}', 'deny (message.x / 2 > 1)') },
  { weight: 1, arbitrary: fc.constant('deny ()') },
  { weight: 2, arbitrary: boolExpr(2).map((b) => `assert (${b})`) },
  { weight: 2, arbitrary: boolExpr(2).map((b) => `deny (${b})`) },
  { weight: 5, arbitrary: modelRule },
);

const choiceSubject: fc.Arbitrary<{ subject: string; labels: readonly string[] }> = fc.oneof(
  sidExpr.map((s) => ({ subject: `(fsm.query {sid : ${s}})`, labels: STATES.map((x) => `"${x}"`) })),
  sidExpr.map((s) => ({ subject: `(mic.query_level {source : ${s}})`, labels: DEGREES.map((x) => `"${x}"`) })),
  fc.constant({ subject: 'message.x', labels: ['0', '1', '2', '-1', '"t"', 'true'] }),
  fc.constant({ subject: 'message.s', labels: ['"t"', '"u"', '"1"', '1', 'false'] }),
  fc.constant({ subject: '(re.select {text : message.s})', labels: ['"^t"', '"[0-9]"', '"u$"', '""'] }),
  fc.constant({ subject: '(message.x / 2)', labels: ['0', '1'] }),
  sidExpr.map((s) => ({ subject: `(sm.get {sid : ${s}, key : "k0"})`, labels: ['0', '1', '2', '5'] })),
);

function arbBody(tables: SolutionTables, event: EventKind, depth: number): fc.Arbitrary<Stmt[]> {
  const call = rule.map((text): Stmt => ({ kind: 'call', text }));
  if (depth <= 0) return fc.array(call, { minLength: 1, maxLength: 3 });
  const inner = arbBody(tables, event, depth - 1);
  const match = fc
    .tuple(arbSelectors(tables, event, 2, 1), inner)
    .map(([sels, body]): Stmt => ({ kind: 'match', sels, body }));
  const choice = choiceSubject.chain(({ subject, labels }) =>
    fc
      .tuple(fc.subarray([...labels], { minLength: 1 }), fc.option(inner, { nil: null }))
      .chain(([ls, fallback]) =>
        fc
          .tuple(...ls.map((l) => inner.map((b) => [l, b] as const)))
          .map((alts): Stmt => ({ kind: 'choice', subject, alts, fallback })),
      ),
  );
  return fc.array(
    fc.oneof({ weight: 5, arbitrary: call }, { weight: 2, arbitrary: match }, { weight: 1, arbitrary: choice }),
    { minLength: depth === 2 ? 1 : 0, maxLength: 3 },
  );
}

/** Contexts a started process gets (so that later rules on its SID can grant). */
const SETUP = [
  'fsm.init {sid : dst_sid}',
  'hs.init {sid : dst_sid}',
  'sm.init {sid : dst_sid}',
  'mic.execute {image : (), target : dst_sid, level : "L1", levelR : "L0"}',
];

function arbPolicy(tables: SolutionTables): fc.Arbitrary<Policy> {
  const binding = fc
    .constantFrom<EventKind>('execute', 'request', 'request', 'response', 'error', 'security')
    .chain((event) =>
      fc.record({ event: fc.constant(event), sels: arbSelectors(tables, event, 3), body: arbBody(tables, event, 2) }),
    );
  return fc.record({
    setup: fc.option(fc.subarray(SETUP, { minLength: 1 }), { nil: null, freq: 3 }),
    mic: fc.constantFrom('linear' as const, 'lattice' as const),
    transitions: fc.tuple(...STATES.map(() => fc.subarray(STATES, { minLength: 1 }))),
    setSize: fc.integer({ min: 1, max: 4 }),
    pool: fc.integer({ min: 2, max: 6 }),
    bindings: fc.array(binding, { minLength: 1, maxLength: 5 }),
    comma: fc.boolean(),
    split: fc.integer({ min: 0, max: 5 }),
    useFirst: fc.boolean(),
    audit: fc.boolean(),
  });
}

function render(p: Policy): { readonly top: string; readonly rest: string } {
  const sels = (ss: readonly Sel[]) => ss.map((s) => `${s.key} = ${s.value}`).join(p.comma ? ', ' : ' ');
  const body = (stmts: readonly Stmt[], indent: string): string =>
    stmts
      .map((s) => {
        if (s.kind === 'call') return `${indent}${s.text}\n`;
        if (s.kind === 'match')
          return `${indent}match ${sels(s.sels)} {\n${p.audit ? `${indent}    audit quiet\n` : ''}${body(s.body, `${indent}    `)}${indent}}\n`;
        const alts = s.alts
          .map(([l, b]) => `${indent}    ${l} : {\n${body(b, `${indent}        `)}${indent}    }\n`)
          .join('');
        const fb =
          s.fallback === null ? '' : `${indent}    _ : {\n${body(s.fallback, `${indent}        `)}${indent}    }\n`;
        return `${indent}choice ${s.subject} {\n${alts}${fb}${indent}}\n`;
      })
      .join('');
  const mic = p.mic === 'linear' ? '["L0", "L1", "L2"]' : '{ degrees : ["L0", "L1", "L2"], categories : ["n", "g"] }';
  const transitions = STATES.map((s, i) => `"${s}" : [${p.transitions[i]!.map((x) => `"${x}"`).join(', ')}]`).join(
    ', ',
  );
  const binding = (b: Binding) =>
    `${b.event}${b.sels.length === 0 ? '' : ` ${sels(b.sels)}`} {\n${body(b.body, '    ')}}\n`;
  const use = 'use parts.rest._\n';
  const top = `${p.useFirst ? use : ''}execute: kl.core.Execute
use nk.base._
use nk.regex._
use nk.flow._
use nk.hashmap._
use nk.staticmap._
use nk.mic._

policy object fsm : Flow {
    type State = "a" | "b" | "c"
    config = { states : ["a", "b", "c"], initial : "a", transitions : { ${transitions} } }
}
policy object hs : HashSet { type Entry = UInt8  config = { set_size : ${p.setSize}, pool_size : ${p.pool} } }
policy object sm : StaticMap { type Value = UInt8  config = { keys : { "k0" : 0, "k1" : 1, "k2" : 2 }, pool_size : ${p.pool} } }
policy object mic : Mic { config = ${mic} }
policy object era : Era { config = "automaton.era" }
audit profile quiet = { 0 : { base : { kss : [] }, fsm : { kss : ["denied"] } } }

${p.setup === null ? '' : `execute {\n${p.setup.map((c) => `    ${c}\n`).join('')}}\n`}
${p.bindings.slice(0, p.split).map(binding).join('\n')}${p.useFirst ? '' : use}`;
  return { top, rest: `use parts.rest._\nuse nk.flow._\n${p.bindings.slice(p.split).map(binding).join('\n')}` };
}

/* --------------------------------------------------------------- events */

const arbMessage: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 1, arbitrary: fc.constant(null) },
  {
    weight: 8,
    arbitrary: fc.record(
      {
        x: fc.oneof(
          fc.integer({ min: -2, max: 6 }),
          fc.integer({ min: 0, max: 300 }),
          fc.bigInt({ min: 0n, max: 2n ** 64n }),
          fc.constantFrom('t', 1.5),
        ),
        y: fc.oneof(fc.record({ z: fc.integer({ min: 0, max: 20 }) }), fc.constant('flat')),
        l: fc.array(fc.integer({ min: 0, max: 9 }), { maxLength: 4 }),
        b: fc.oneof({ weight: 5, arbitrary: fc.boolean() }, { weight: 1, arbitrary: fc.constant(0) }),
        s: fc.constantFrom('t', 'u', 'tu', '1', 'L1', 'a', 'b', ''),
      },
      { requiredKeys: ['x', 'l', 's'] },
    ),
  },
);

/** An event that the head of one of the policy's bindings selects (as far as the selectors allow). */
function arbTargeted(s: Solution, p: Policy): fc.Arbitrary<SecurityEvent> {
  const t = s.tables;
  // every path from a binding head down through nested match sections, with the selectors along it
  const paths: { event: EventKind; sels: Sel[] }[] = p.setup === null ? [] : [{ event: 'execute', sels: [] }];
  const walk = (event: EventKind, sels: Sel[], body: readonly Stmt[]) => {
    paths.push({ event, sels });
    for (const st of body) {
      if (st.kind === 'match') walk(event, [...sels, ...st.sels], st.body);
      else if (st.kind === 'choice')
        for (const b of [...st.alts.map(([, b]) => b), st.fallback ?? []]) walk(event, sels, b);
    }
  };
  for (const b of p.bindings) walk(b.event, [...b.sels], b.body);
  return fc.tuple(fc.constantFrom(...paths), arbEvent(s, null)).map(([b, base]) => {
    let e: SecurityEvent = { ...base, kind: b.event };
    if (b.event === 'execute') e = { ...e, endpoint: -1, method: -1, iface: -1, message: null };
    for (const sel of b.sels) {
      switch (sel.key) {
        case 'src':
          e = { ...e, srcClass: t.classByName.get(sel.value)! };
          break;
        case 'dst':
          e = { ...e, dstClass: t.classByName.get(sel.value)! };
          break;
        case 'endpoint':
          e = { ...e, endpoint: t.endpointNames.indexOf(sel.value) };
          break;
        case 'component':
          e = { ...e, endpoint: t.endpointNames.findIndex((n) => n.startsWith(`${sel.value}.`)) };
          break;
        case 'method':
          if (b.event !== 'execute') e = { ...e, method: t.methodNames.indexOf(sel.value) };
          break;
        case 'interface':
          e = { ...e, iface: t.interfaces.findIndex((i) => i.name === sel.value) };
          break;
      }
    }
    return e;
  });
}

function arbEvent(s: Solution, p: Policy | null): fc.Arbitrary<SecurityEvent> {
  const C = s.tables.classes.length;
  const cls = fc.oneof({ weight: 12, arbitrary: fc.nat(C - 1) }, { weight: 1, arbitrary: fc.constantFrom(-1, C, 1.5) });
  const sid = fc.integer({ min: 0, max: 4 });
  const consistent = fc
    .tuple(
      fc.constantFrom<EventKind>('request', 'response', 'error', 'security'),
      s.targets.length > 0 ? fc.constantFrom(...s.targets) : fc.constant([0, -1, -1, -1] as const),
      cls,
      sid,
      sid,
      arbMessage,
    )
    .map(([kind, [server, ep, iface, m], other, src, dst, message]): SecurityEvent => {
      const security = ep < 0;
      const k: EventKind = security ? 'security' : kind === 'security' ? 'request' : kind;
      const [srcClass, dstClass] = k === 'request' ? [other, server] : k === 'security' ? [server, 0] : [server, other];
      return {
        kind: k,
        src,
        srcClass,
        dst,
        dstClass,
        endpoint: ep,
        method: m,
        iface,
        riid: 0,
        mid: 0,
        message,
        transfers: [],
      };
    });
  const execute = fc.tuple(cls, cls, sid, sid).map(([srcClass, dstClass, src, dst]): SecurityEvent => ({
    kind: 'execute',
    src,
    srcClass,
    dst,
    dstClass,
    endpoint: -1,
    method: -1,
    iface: -1,
    riid: -1,
    mid: -1,
    message: null,
    transfers: [],
  }));
  const E = s.tables.endpointNames.length;
  const M = s.tables.methodNames.length;
  const I = s.tables.interfaces.length;
  const adversarial = fc
    .record({
      kind: fc.constantFrom<EventKind>('execute', 'request', 'response', 'error', 'security', 'bogus' as EventKind),
      src: sid,
      srcClass: cls,
      dst: sid,
      dstClass: cls,
      endpoint: fc.integer({ min: -1, max: E }),
      method: fc.integer({ min: -1, max: M }),
      iface: fc.integer({ min: -1, max: I }),
      message: arbMessage,
    })
    .map((e): SecurityEvent => ({ ...e, riid: 0, mid: 0, transfers: [] }));
  const others = fc.oneof(
    { weight: 6, arbitrary: consistent },
    { weight: 3, arbitrary: execute },
    { weight: 1, arbitrary: adversarial },
  );
  return p === null ? others : fc.oneof({ weight: 1, arbitrary: arbTargeted(s, p) }, { weight: 1, arbitrary: others });
}

/* ----------------------------------------------------------- properties */

interface Case {
  readonly solution: Solution;
  readonly policy: Policy;
  readonly events: readonly SecurityEvent[];
}

const EVENTS_PER_POLICY = { minLength: 150, maxLength: 250 };

const arbCase = (events: { minLength: number; maxLength: number }): fc.Arbitrary<Case> =>
  arbSolution.chain((solution) =>
    arbPolicy(solution.tables).chain((policy) =>
      fc.record({
        solution: fc.constant(solution),
        policy: fc.constant(policy),
        events: fc.array(arbEvent(solution, policy), events),
      }),
    ),
  );

function load(texts: { readonly top: string; readonly rest: string }) {
  const files = new Map([
    ['gen/security.psl', texts.top],
    ['gen/parts/rest.psl', texts.rest],
  ]);
  return loadPolicy('gen/security.psl', { searchPath: ['gen'], readFile: (p) => files.get(p) });
}

const json = (v: unknown) =>
  JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? `${x}n` : isStateMap(x) ? Object.fromEntries(x) : x));
const showCase = (c: Case) =>
  `solution: ${json({ interfaces: c.solution.decl.interfaces.map((i) => [i.name, i.methods.map((m) => m.name)]), classes: c.solution.decl.classes })}\npolicy:\n${render(c.policy).top}\nparts/rest.psl:\n${render(c.policy).rest}\nevents (${c.events.length}): ${json(c.events.slice(0, 40))}`;

let checked = 0;
let granted = 0;
let stateful = 0;
let t0 = 0;

test('the compiled policy and the reference interpreter agree on verdict, rule, reason and next state', (t) => {
  t0 = performance.now();
  check(
    import.meta.filename,
    t.name,
    arbCase(EVENTS_PER_POLICY),
    (c) => {
      const policy = load(render(c.policy));
      const compiled = compilePsl(policy, c.solution.tables);
      const interpreted = interpretPsl(policy, c.solution.tables);
      let state: unknown = compiled.initial;
      for (let i = 0; i < c.events.length; i++) {
        const e = c.events[i]!;
        const before = canonicalKey(state);
        const a = compiled.decide(state, e);
        const b = interpreted.decide(state, e);
        checked++;
        const where = `event ${i} ${json(e)}`;
        // states are immutable by construction (not frozen): neither evaluator may write to the one it was given
        if (canonicalKey(state) !== before) throw new Error(`${where}: a decision wrote to the state it decided on`);
        if (a.verdict !== b.verdict || rulesKey(a) !== rulesKey(b) || a.reason !== b.reason)
          throw new Error(
            `${where}: compiled ${a.verdict} ${rulesKey(a)} (${a.reason}), interpreted ${b.verdict} ${rulesKey(b)} (${b.reason})`,
          );
        if (!isDeepStrictEqual(a.next, b.next))
          throw new Error(`${where}: next states differ:\ncompiled ${json(a.next)}\ninterpreted ${json(b.next)}`);
        if (a.verdict === 'deny' && a.next !== state) throw new Error(`${where}: a denial changed the state`);
        if (a.verdict === 'grant') {
          granted++;
          if (a.next !== state) stateful++;
          state = a.next;
        }
      }
    },
    runs(600),
    showCase,
  );
});

/** Whether a selector of the generated spec selects an event, by name (independent of both evaluators). */
function selects(tables: SolutionTables, s: Sel, e: SecurityEvent): boolean {
  const name = <T>(list: readonly T[], i: number): T | undefined =>
    Number.isInteger(i) && i >= 0 && i < list.length ? list[i] : undefined;
  switch (s.key) {
    case 'src':
      return name(tables.classes, e.srcClass)?.name === s.value;
    case 'dst':
      return name(tables.classes, e.dstClass)?.name === s.value;
    case 'endpoint':
      return name(tables.endpointNames, e.endpoint) === s.value;
    case 'method':
      return e.kind === 'execute' || name(tables.methodNames, e.method) === s.value;
    case 'interface':
      return name(tables.interfaces, e.iface)?.name === s.value;
    case 'component':
      return (name(tables.endpointNames, e.endpoint) ?? '').startsWith(`${s.value}.`);
  }
}

let unmatched = 0;

test('default deny: an event that no binding selects is denied', (t) => {
  check(
    import.meta.filename,
    t.name,
    arbCase({ minLength: 50, maxLength: 100 }),
    (c) => {
      const compiled = compilePsl(load(render(c.policy)), c.solution.tables);
      let state: unknown = compiled.initial;
      for (const e of c.events) {
        const d = compiled.decide(state, e);
        const applies =
          (c.policy.setup !== null && e.kind === 'execute') ||
          c.policy.bindings.some((b) => b.event === e.kind && b.sels.every((s) => selects(c.solution.tables, s, e)));
        if (!applies) {
          unmatched++;
          if (d.verdict !== 'deny' || rulesKey(d) !== DEFAULT_DENY_RULE)
            throw new Error(`no binding selects ${json(e)}, yet: ${d.verdict} by ${rulesKey(d)}`);
        }
        if (d.verdict === 'grant') state = d.next;
      }
    },
    runs(200),
    showCase,
  );
});

let counted = 0;

test('coverage: the counting policy decides as the plain one, and counts a binding iff an event it selects was decided', (t) => {
  check(
    import.meta.filename,
    t.name,
    arbCase({ minLength: 30, maxLength: 60 }),
    (c) => {
      const policy = load(render(c.policy));
      const plain = compilePsl(policy, c.solution.tables);
      const { compiled, coverage } = compileWithCoverage(policy, c.solution.tables);
      let state: unknown = plain.initial;
      for (const [i, e] of c.events.entries()) {
        const a = plain.decide(state, e);
        const b = compiled.decide(state, e);
        if (
          a.verdict !== b.verdict ||
          rulesKey(a) !== rulesKey(b) ||
          a.reason !== b.reason ||
          !isDeepStrictEqual(a.next, b.next)
        )
          throw new Error(
            `event ${i} ${json(e)}: plain ${a.verdict} ${rulesKey(a)}, counting ${b.verdict} ${rulesKey(b)}`,
          );
        if (a.verdict === 'grant') state = a.next;
      }
      for (const binding of coverage.policy.bindings) {
        counted++;
        const selected = c.events.some(
          (e) => e.kind === binding.event && binding.selectors.every((s) => selects(c.solution.tables, s, e)),
        );
        const hits = coverage.pointHits[coverage.idOf(binding)]!;
        if (selected !== hits > 0)
          throw new Error(
            `binding at line ${binding.loc.line} (${binding.event} ${binding.selectors.map((s) => `${s.key}=${s.value}`).join(' ')}): ${selected ? 'selected by an event' : 'selected by no event'}, counted ${hits}`,
          );
      }
    },
    runs(150),
    showCase,
  );
});

let explained = 0;

test('cordon audit explain: the explained decision is the one the compiled policy makes through the monitor', (t) => {
  check(
    import.meta.filename,
    t.name,
    arbCase({ minLength: 30, maxLength: 60 }),
    (c) => {
      const policy = load(render(c.policy));
      const compiled = compilePsl(policy, c.solution.tables);
      const monitor = createMonitor(c.solution.tables, compiled);
      const asked = {
        tables: c.solution.tables,
        monitor,
        checked: checkPolicy(policy, c.solution.tables),
        rules: null,
      };
      let state: unknown = compiled.initial;
      for (const [i, e] of c.events.entries()) {
        const d = monitor.decide(state, e);
        const x = explainEvent(asked, { state, reached: 'generated', steps: [] }, e);
        explanationText(x); // the text renders whatever the policy did
        explained++;
        if (x.verdict !== d.verdict || rulesKey(x) !== rulesKey(d) || x.reason !== d.reason)
          throw new Error(
            `event ${i} ${json(e)}: explained ${x.verdict} ${rulesKey(x)} (${x.reason}), decided ${d.verdict} ${rulesKey(d)} (${d.reason})`,
          );
        if (d.verdict === 'grant') state = d.next;
      }
    },
    runs(60),
    showCase,
  );
});

after(() => {
  console.log(`# psl-equivalence.test.ts: ${explained} decisions explained, ${counted} bindings' coverage checked`);
  const s = ((performance.now() - t0) / 1000).toFixed(1);
  console.log(
    `# psl-equivalence.test.ts: ${checked} events compared (${granted} granted, ${stateful} of them changing the state) in ${s} s; ${unmatched} unselected events denied by default`,
  );
});
