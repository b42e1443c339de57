// `cordon audit lint`: each rule fires on a small solution made to break it
// (a copy of examples/ping with one change to its policy, or of
// examples/ping-rules with one change to its rules) at the right line, and
// not on the clean ones; the examples print what test/fixtures/audit/ holds;
// the SARIF log is valid against the official 2.1.0 schema; exit codes.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { loadSolution } from '../src/solution/load.ts';
import fc from 'fast-check';
import { lint, lintSarif, lintText, type LintFinding, type LintReport } from '../src/audit/lint.ts';
import { runCli } from './helpers/run-cli.ts';
import { sarifErrors } from './helpers/schemas.ts';
import { audited } from '../src/audit/explain.ts';
import { tabulateSolution } from '../src/audit/query.ts';
import type { CheckedPolicy } from '../src/policy/compile/check.ts';
import type { BindingDecl, Statement } from '../src/policy/psl/ast.ts';

const root = join(import.meta.dirname, '..');
const fixtures = join(root, 'test', 'fixtures', 'audit');
const EXAMPLES = ['ping', 'echo', 'diode', 'gateway', 'ping-rules', 'diode-rules'] as const;

const tmp = mkdtempSync(join(tmpdir(), 'cordon-lint-'));
test.after(() => rmSync(tmp, { recursive: true, force: true }));

/* ------------------------------------------------------------ PSL solutions */

const FLOW = `policy object turns : Flow {
    type State = "idle" | "pinged"
    config = { states      : ["idle", "pinged"]
             , initial     : "idle"
             , transitions : { "idle"   : ["pinged"]
                             , "pinged" : ["idle"] } }
}`;
const HEAD = `execute: kl.core.Execute

use nk.base._
use nk.flow._

use EDL Einit
use EDL kl.core.Core
use EDL ping.Client
use EDL ping.Server
`;
const EXECUTE = `execute src = Einit {
    match dst = ping.Client { turns.init {sid : dst_sid} }
    match dst = ping.Server { grant () }
}`;
const PING = `match method = Ping { turns.enter {sid : src_sid, state : "pinged"} }`;
const PONG = `match method = Pong { turns.enter {sid : src_sid, state : "idle"} }`;
const RESPONSE = `response src = ping.Server, dst = ping.Client, endpoint = pinger { grant () }`;

interface Parts {
  head?: string;
  objects?: string;
  execute?: string;
  before?: string;
  ping?: string;
  pong?: string;
  request?: string;
  after?: string;
  untrusted?: readonly string[];
  ghost?: boolean;
}

let n = 0;
/** A copy of examples/ping with its policy assembled from parts; returns the directory and the policy text. */
function pingWith(p: Parts = {}): { dir: string; psl: string } {
  const dir = join(tmp, `ping-${n++}`);
  cpSync(join(root, 'examples', 'ping'), dir, { recursive: true });
  rmSync(join(dir, 'einit', 'src', 'tests.psl'));
  const psl = [
    p.head ?? HEAD,
    p.objects ?? FLOW,
    '',
    p.execute ?? EXECUTE,
    '',
    p.before ?? '',
    p.request ??
      `request src = ping.Client, dst = ping.Server, endpoint = pinger {\n    ${p.ping ?? PING}\n    ${p.pong ?? PONG}\n}`,
    '',
    RESPONSE,
    p.after ?? '',
    '',
  ].join('\n');
  writeFileSync(join(dir, 'einit', 'src', 'security.psl'), psl);
  if (p.untrusted !== undefined)
    writeFileSync(join(dir, 'cordon.yaml'), `name: ping\nuntrusted: [${p.untrusted.join(', ')}]\n`);
  if (p.ghost === true) writeFileSync(join(dir, 'resources', 'xdl', 'ping', 'Ghost.edl'), 'task class ping.Ghost\n');
  return { dir, psl };
}

/** The 1-based line of the first line of `text` containing `needle`. */
function lineOf(text: string, needle: string): number {
  const i = text.split('\n').findIndex((l) => l.includes(needle));
  assert.ok(i >= 0, `${needle} is in the text`);
  return i + 1;
}

const run = (dir: string) => lint(loadSolution(dir));
const only = (r: LintReport, rule: string) => r.findings.filter((f) => f.rule === rule);

test('a clean PSL policy has no findings', () => {
  const r = run(pingWith().dir);
  assert.deepEqual(r.findings, [], lintText(r));
  assert.equal(r.form, 'psl');
  assert.equal(r.explored.states, 3);
  assert.ok(r.explored.decisions > r.explored.events);
});

test('dead-binding: a binding no event of the alphabet selects', () => {
  const s = pingWith({ after: 'request src = ping.Server, dst = ping.Client { grant () }' });
  const f = only(run(s.dir), 'dead-binding');
  assert.equal(f.length, 1);
  assert.equal(f[0]!.level, 'warning');
  assert.equal(f[0]!.file, 'einit/src/security.psl');
  assert.equal(f[0]!.line, lineOf(s.psl, 'request src = ping.Server'));
  assert.equal(f[0]!.source, 'request src = ping.Server, dst = ping.Client { grant () }');
});

test('dead-binding: the kernel starting a process is a note, with the reason', () => {
  const s = pingWith({ execute: `${EXECUTE}\nexecute src = kl.core.Core { grant () }` });
  const f = only(run(s.dir), 'dead-binding');
  assert.equal(f.length, 1);
  assert.equal(f[0]!.level, 'note');
  assert.match(f[0]!.message, /without asking the monitor/);
});

test('shadowed-binding: every event it selects is denied first by an earlier binding', () => {
  const s = pingWith({
    before: 'request src = ping.Client, method = Pong { deny () }',
    after: 'request src = ping.Client, dst = ping.Server, method = Pong { grant () }',
  });
  const r = run(s.dir);
  const f = only(r, 'shadowed-binding');
  assert.equal(f.length, 1, lintText(r));
  assert.equal(f[0]!.line, lineOf(s.psl, 'dst = ping.Server, method = Pong { grant'));
  assert.match(f[0]!.message, new RegExp(`denied first by security.psl:${lineOf(s.psl, '{ deny () }')}:`));
  // the earlier deny also makes the Pong arm of the main binding unreachable
  assert.ok(only(r, 'dead-arm').some((x) => x.line === lineOf(s.psl, 'match method = Pong')));
});

test('dead-arm: a match arm that selects none of the events reaching it, a choice alternative never taken', () => {
  const s = pingWith({
    ping: `match method = Ping {\n        turns.enter {sid : src_sid, state : "pinged"}\n        match src = ping.Server { grant () }\n        choice message.value {\n            77 : { grant () }\n            _ : { grant () }\n        }\n    }`,
  });
  const r = run(s.dir);
  const f = only(r, 'dead-arm');
  assert.deepEqual(
    f.map((x) => x.line),
    [lineOf(s.psl, 'match src = ping.Server'), lineOf(s.psl, '77 :')],
    lintText(r),
  );
  assert.match(f[0]!.message, /selects none of the \d+ reachable decisions/);
  assert.match(f[1]!.message, /alternative 77 is taken in none/);
});

test('unused-method: a declared method no rule grants; the whole interface when none is', () => {
  const s = pingWith({ pong: '' });
  const f = only(run(s.dir), 'unused-method');
  assert.equal(f.length, 1);
  assert.equal(f[0]!.file, 'resources/xdl/ping/Pinger.idl');
  const idl = readFileSync(join(s.dir, 'resources', 'xdl', 'ping', 'Pinger.idl'), 'utf8');
  assert.equal(f[0]!.line, lineOf(idl, 'Pong('));
  assert.match(f[0]!.message, /ping\.Pinger\.Pong/);
  const none = only(run(pingWith({ request: '' }).dir), 'unused-method');
  assert.equal(none.length, 1);
  assert.match(none[0]!.message, /no method of interface ping\.Pinger \(Ping, Pong\)/);
});

test('undeclared-method: a method the selected endpoint does not declare', () => {
  const s = pingWith({ after: 'request dst = ping.Server, method = Exit { grant () }' });
  const f = only(run(s.dir), 'undeclared-method');
  assert.equal(f.length, 1);
  assert.equal(f[0]!.level, 'error');
  assert.equal(f[0]!.line, lineOf(s.psl, 'method = Exit'));
  assert.equal(f[0]!.column, s.psl.split('\n')[f[0]!.line! - 1]!.indexOf('method = Exit') + 1);
});

test('constant-condition: always false is a warning, always true a note, outermost only', () => {
  const s = pingWith({
    ping: `match method = Ping {\n        turns.enter {sid : src_sid, state : "pinged"}\n        assert (message.value < 100000 && message.value < 200000)\n    }`,
    pong: `match method = Pong {\n        turns.enter {sid : src_sid, state : "idle"}\n        assert (message.value > 100000)\n    }`,
  });
  const r = run(s.dir);
  const f = only(r, 'constant-condition');
  assert.deepEqual(
    f.map((x) => [x.line, x.level]),
    [
      [lineOf(s.psl, '< 100000'), 'note'],
      [lineOf(s.psl, '> 100000'), 'warning'],
    ],
    lintText(r),
  );
  assert.match(f[0]!.message, /is always true/);
  assert.match(f[1]!.message, /message\.value > 100000 is always false/);
  // a condition that varies is not reported
  const varies = pingWith({
    ping: `match method = Ping {\n        turns.enter {sid : src_sid, state : "pinged"}\n        assert (message.value < 2)\n    }`,
  });
  assert.deepEqual(only(run(varies.dir), 'constant-condition'), []);
});

test('static-object and unreached-flow-state', () => {
  const spare = `policy object spare : Flow {\n    type State = "a" | "b"\n    config = { states : ["a", "b"], initial : "a", transitions : { "a" : ["b"] } }\n}`;
  const broken = FLOW.replace('"idle" | "pinged"', '"idle" | "pinged" | "broken"')
    .replace('["idle", "pinged"]', '["idle", "pinged", "broken"]')
    .replace('"pinged" : ["idle"]', '"pinged" : ["idle", "broken"]');
  const s = pingWith({ objects: `${broken}\n${spare}` });
  const r = run(s.dir);
  const st = only(r, 'static-object');
  assert.equal(st.length, 1, lintText(r));
  assert.equal(st[0]!.line, lineOf(s.psl, 'policy object spare'));
  const fl = only(r, 'unreached-flow-state');
  assert.equal(fl.length, 1);
  assert.equal(fl[0]!.line, lineOf(s.psl, 'policy object turns'));
  assert.match(fl[0]!.message, /"broken"/);
  assert.doesNotMatch(fl[0]!.message, /"idle"|"pinged"/);
});

test('execute-not-started: an execute rule for a class no process of init.yaml has', () => {
  const s = pingWith({
    ghost: true,
    head: `${HEAD}use EDL ping.Ghost\n`,
    execute: `${EXECUTE}\nexecute src = Einit, dst = ping.Ghost { grant () }`,
  });
  const r = run(s.dir);
  const f = only(r, 'execute-not-started');
  assert.equal(f.length, 1, lintText(r));
  assert.equal(f[0]!.line, lineOf(s.psl, 'dst = ping.Ghost'));
  assert.equal(only(r, 'dead-binding').length, 1);
});

test('untrusted-grant-all: grant () with no condition on a request from an untrusted class', () => {
  const open = pingWith({ untrusted: ['ping.Client'], request: 'request src = ping.Client { grant () }' });
  const r = run(open.dir);
  const f = only(r, 'untrusted-grant-all');
  assert.equal(f.length, 1, lintText(r));
  assert.equal(f[0]!.level, 'error');
  assert.equal(f[0]!.line, lineOf(open.psl, 'request src = ping.Client { grant'));
  assert.deepEqual(r.untrusted, ['ping.Client']);
  // with another binding still restricting some of those requests: a warning
  const restricted = pingWith({ untrusted: ['ping.Client'], before: 'request src = ping.Client { grant () }' });
  const w = only(run(restricted.dir), 'untrusted-grant-all');
  assert.equal(w.length, 1);
  assert.equal(w[0]!.level, 'warning');
  assert.match(w[0]!.message, /other bindings still deny \d+ of its \d+ reachable decisions/);
  // the same grant to a trusted class, and narrow grants to an untrusted one, are not findings
  assert.deepEqual(
    only(run(pingWith({ request: 'request src = ping.Client { grant () }' }).dir), 'untrusted-grant-all'),
    [],
  );
  assert.deepEqual(only(run(pingWith({ untrusted: ['ping.Client'] }).dir), 'untrusted-grant-all'), []);
});

/* ------------------------------------------------------------ rule form */

function rulesWith(edit: (yaml: string) => string): { dir: string; yaml: string } {
  const dir = join(tmp, `rules-${n++}`);
  cpSync(join(root, 'examples', 'ping-rules'), dir, { recursive: true });
  const yaml = edit(readFileSync(join(dir, 'solution.yaml'), 'utf8'));
  writeFileSync(join(dir, 'solution.yaml'), yaml);
  return { dir, yaml };
}
const addRule = (rule: string) => (y: string) => y.replace('programs:', `  - ${rule}\nprograms:`);

test('rule form: clean, dead, shadowed, undeclared method, execute of an unstarted class, untrusted grant-all', () => {
  assert.deepEqual(run(join(root, 'examples', 'ping-rules')).findings, []);
  const dead = rulesWith(addRule('{ id: back, kind: request, src: ping.Server, dst: ping.Client }'));
  let f = only(run(dead.dir), 'dead-binding');
  assert.equal(f.length, 1);
  assert.equal(f[0]!.file, 'solution.yaml');
  assert.equal(f[0]!.line, lineOf(dead.yaml, 'id: back'));
  const shadow = rulesWith(addRule('{ id: again, kind: request, src: ping.Client, method: Ping }'));
  f = only(run(shadow.dir), 'shadowed-binding');
  assert.equal(f.length, 1);
  assert.match(f[0]!.message, /rule again never grants: .* granted first by ping/);
  const undeclared = rulesWith(addRule('{ id: odd, kind: request, dst: ping.Server, method: Exit }'));
  f = only(run(undeclared.dir), 'undeclared-method');
  assert.equal(f.length, 1);
  assert.equal(f[0]!.line, lineOf(undeclared.yaml, 'id: odd'));
  const ghost = rulesWith((y) =>
    addRule('{ id: ghost, kind: execute, src: Einit, dst: ping.Ghost }')(
      y.replace('  - name: ping.Server\n', '  - name: ping.Ghost\n  - name: ping.Server\n'),
    ),
  );
  f = only(run(ghost.dir), 'execute-not-started');
  assert.equal(f.length, 1);
  assert.equal(f[0]!.line, lineOf(ghost.yaml, 'id: ghost'));
  const open = rulesWith((y) => `${addRule('{ id: all, kind: request, src: ping.Client }')(y)}untrusted: [client]\n`);
  const r = run(open.dir);
  f = only(r, 'untrusted-grant-all');
  assert.equal(f.length, 1, lintText(r));
  assert.equal(f[0]!.level, 'error');
  assert.equal(f[0]!.line, lineOf(open.yaml, 'id: all'));
});

/* ------------------------------------------------------------ outputs */

test('SARIF: valid against the official 2.1.0 schema, locations relative to the solution', () => {
  const s = pingWith({ untrusted: ['ping.Client'], request: 'request src = ping.Client { grant () }' });
  const r = run(s.dir);
  const log = lintSarif(r);
  assert.deepEqual(sarifErrors(log), []);
  const results = log.runs[0]!.results!;
  assert.equal(results.length, r.findings.length);
  const err = results.find((x) => x.ruleId === 'untrusted-grant-all')!;
  assert.equal(err.level, 'error');
  const loc = err.locations![0]!.physicalLocation!;
  assert.equal(loc.artifactLocation!.uri, 'einit/src/security.psl');
  assert.equal(loc.artifactLocation!.uriBaseId, 'SOLUTION');
  assert.equal(loc.region!.startLine, lineOf(s.psl, 'request src = ping.Client { grant'));
  assert.ok(!JSON.stringify(log).includes(tmp), 'no machine path in the log');
});

test('golden: lint prints what test/fixtures/audit/lint-<example>.txt holds', () => {
  for (const x of EXAMPLES) {
    const got = `${lintText(run(join(root, 'examples', x)))}\n`;
    const file = join(fixtures, `lint-${x}.txt`);
    if (process.env.CORDON_UPDATE_GOLDEN === '1') writeFileSync(file, got);
    assert.ok(existsSync(file), `${file} exists (CORDON_UPDATE_GOLDEN=1 writes it)`);
    assert.equal(got, readFileSync(file, 'utf8'), `lint ${x}`);
  }
});

test('CLI: exit 0 without an error-level finding, 1 with one, 2 when it cannot run; --json, --sarif', async () => {
  const out: string[] = [];
  const capture = async (argv: string[]) => {
    out.length = 0;
    const r = runCli(['audit', 'lint', ...argv]);
    out.push(r.stdout, r.stderr);
    return r.code;
  };
  assert.equal(await capture([join(root, 'examples', 'ping')]), 0);
  assert.match(out.join(''), /^lint ping: 3 reachable monitor states/);
  const bad = pingWith({ untrusted: ['ping.Client'], request: 'request src = ping.Client { grant () }' });
  assert.equal(await capture([bad.dir, '--json']), 1);
  const j = JSON.parse(out[0]!) as LintReport;
  assert.ok(j.findings.some((f) => f.rule === 'untrusted-grant-all' && f.level === 'error'));
  const sarif = join(tmp, 'lint.sarif');
  assert.equal(await capture([bad.dir, '--sarif', sarif]), 1);
  assert.deepEqual(sarifErrors(JSON.parse(readFileSync(sarif, 'utf8'))), []);
  assert.equal(await capture([join(root, 'examples', 'echo'), '--sarif', '-']), 0);
  assert.deepEqual(sarifErrors(JSON.parse(out[0]!)), []);
  assert.equal(await capture([join(tmp, 'nowhere')]), 2);
  assert.match(out.join(''), /no solution at/);
  assert.equal(
    await capture([join(root, 'examples', 'ping'), '--sarif', join(tmp, 'no', 'such', 'dir', 'x.sarif')]),
    2,
  );
  assert.match(out.join(''), /cannot write/);
});

test('rule form: an unused method is located on its solution.yaml entry', () => {
  const s = rulesWith((y) => y.replace(/ {2}- \{ id: pong,[^\n]*\n/, ''));
  const f = only(run(s.dir), 'unused-method');
  assert.equal(f.length, 1);
  assert.equal(f[0]!.file, 'solution.yaml');
  assert.equal(f[0]!.line, lineOf(s.yaml, '- name: Pong'));
});

test('KasperskyOS fixtures: SDK modules are named by module and their warnings are notes; no machine path', () => {
  const r = run(join(root, 'test', 'fixtures', 'kos', 'python-sdcard'));
  const sdk = r.findings.filter((f) => f.file === 'kl/bc/BlobContainer.psl');
  assert.ok(sdk.length > 0, lintText(r));
  assert.ok(sdk.every((f) => f.level === 'note' && /from outside the solution/.test(f.message)));
  assert.ok(r.findings.some((f) => f.file === 'einit/src/security.psl' && f.level === 'warning'));
  for (const x of ['python-sdcard', 'dynamic-ns', 'traffic-light-psl']) {
    const text = JSON.stringify(run(join(root, 'test', 'fixtures', 'kos', x)));
    assert.ok(!text.includes(root), `no machine path in the findings on ${x}`);
  }
});

/** The rule ids (file:line:col of its calls) inside each binding. */
function callsOf(p: CheckedPolicy): Map<BindingDecl, Set<string>> {
  const out = new Map<BindingDecl, Set<string>>();
  for (const b of p.bindings) {
    const ids = new Set<string>();
    const walk = (ss: readonly Statement[]) => {
      for (const s of ss)
        if (s.kind === 'call') ids.add(p.label(s.loc));
        else if (s.kind === 'match') walk(s.body);
        else {
          ids.add(p.label(s.loc));
          for (const a of s.alternatives) walk(a.body);
        }
    };
    walk(b.body);
    out.set(b, ids);
  }
  return out;
}

test('dead and shadowed bindings never take part in a grant of the compiled policy the kernel runs', () => {
  let checked = 0;
  for (const dir of [
    ...['ping', 'echo', 'diode', 'gateway'].map((x) => join(root, 'examples', x)),
    ...['messagebus', 'separate-storage', 'traffic-light', 'secure-logger'].map((x) =>
      join(root, 'test', 'fixtures', 'kos', x),
    ),
    pingWith({
      before: 'request src = ping.Client, method = Pong { deny () }',
      after: 'request src = ping.Client, dst = ping.Server, method = Pong { grant () }',
    }).dir,
  ]) {
    const loaded = loadSolution(dir);
    const a = audited(loaded);
    const tab = tabulateSolution(loaded, a);
    const r = lint(loaded, { tab });
    const p = a.checked!;
    const calls = callsOf(p);
    const granting = new Set<string>();
    for (const row of tab.table.cells)
      for (const [g, rule] of row)
        if (g === 1) for (const id of tab.table.ruleNames[rule - 1]!.split(', ')) granting.add(id);
    const flagged = r.findings.filter((f) => f.rule === 'dead-binding' || f.rule === 'shadowed-binding');
    for (const f of flagged) {
      const b = p.bindings.find(
        (x) => p.label(x.loc).endsWith(`:${f.line}:${f.column}`) && f.file!.endsWith(p.label(x.loc).split(':')[0]!),
      );
      assert.ok(b !== undefined, `${f.file}:${f.line} is a binding`);
      for (const id of calls.get(b)!) assert.ok(!granting.has(id), `${id} of a ${f.rule} grants in ${dir}`);
      checked++;
    }
    // and every binding not flagged takes part in some decision: its events reach it
    assert.ok(flagged.length < p.bindings.length);
  }
  assert.ok(checked >= 5, `${checked} flagged bindings were checked`);
});

/* ------------------------------------------------------------ random policies */

const SEED = 20261207;

/** The rule ids below each binding, match arm and choice alternative, by the label of its location; and each assert by its argument's label. */
function blocks(p: CheckedPolicy): { bodies: Map<string, Set<string>>; asserts: Map<string, string> } {
  const bodies = new Map<string, Set<string>>();
  const asserts = new Map<string, string>();
  const collect = (ss: readonly Statement[], into: Set<string>[]) => {
    for (const s of ss) {
      if (s.kind === 'call') {
        for (const x of into) x.add(p.label(s.loc));
        if (s.method === 'assert') asserts.set(p.label(s.arg.loc), p.label(s.loc));
      } else if (s.kind === 'match') {
        const mine = new Set<string>();
        bodies.set(p.label(s.loc), mine);
        collect(s.body, [...into, mine]);
      } else {
        for (const x of into) x.add(p.label(s.loc));
        for (const a of s.alternatives) {
          const mine = new Set<string>();
          bodies.set(p.label(a.loc), mine);
          collect(a.body, [...into, mine]);
        }
      }
    }
  };
  for (const b of p.bindings) {
    const mine = new Set<string>();
    bodies.set(p.label(b.loc), mine);
    collect(b.body, [mine]);
  }
  return { bodies, asserts };
}

test('random policies: what lint calls dead, shadowed or constant agrees with the compiled policy the kernel runs', () => {
  const k = fc.constantFrom(0, 1, 2, 3, 100000);
  const extra = fc.oneof(
    fc.constant('request src = ping.Client, method = Pong { deny () }'),
    fc.constant('request src = ping.Client, dst = ping.Server, method = Pong { grant () }'),
    fc.constant('request src = ping.Server, dst = ping.Client { grant () }'),
    fc.constant('request dst = kl.core.Core { grant () }'),
    fc.constant('request src = ping.Client { grant () }'),
    k.map((n) => `request src = ping.Client, method = Ping { assert (message.value < ${n}) }`),
    k.map(
      (n) => `request src = ping.Client, dst = ping.Server { assert (message.value > ${n} || message.value == 2) }`,
    ),
    k.map(
      (n) =>
        `request src = ping.Client, dst = ping.Server {\n    match method = Ping { grant () }\n    match method = Pong { assert (message.value == ${n}) }\n    match src = ping.Server { grant () }\n}`,
    ),
  );
  let flaggedSeen = 0;
  fc.assert(
    fc.property(
      fc.array(extra, { maxLength: 4 }),
      fc.boolean(),
      fc.boolean(),
      fc.boolean(),
      (more, ping, pong, untrusted) => {
        const s = pingWith({
          before: more.slice(0, 2).join('\n\n'),
          after: more.slice(2).join('\n\n'),
          ...(ping ? {} : { ping: '' }),
          ...(pong ? {} : { pong: '' }),
          ...(untrusted ? { untrusted: ['ping.Client'] } : {}),
        });
        const loaded = loadSolution(s.dir);
        const a = audited(loaded);
        const tab = tabulateSolution(loaded, a);
        const r = lint(loaded, { tab });
        const p = a.checked!;
        const { bodies, asserts } = blocks(p);
        const granting = new Set<string>();
        const denying = new Set<string>();
        for (const row of tab.table.cells)
          for (const [g, rule] of row) {
            const ids = rule > 0 ? tab.table.ruleNames[rule - 1]!.split(', ') : [];
            for (const id of ids) (g === 1 ? granting : denying).add(id);
          }
        const label = (f: LintFinding) => `${f.file!.split('/').pop()}:${f.line}:${f.column}`;
        for (const f of r.findings) {
          if (f.rule === 'dead-binding' || f.rule === 'shadowed-binding' || f.rule === 'dead-arm') {
            const ids = bodies.get(label(f));
            assert.ok(ids !== undefined, `${label(f)} is a binding, match arm or alternative`);
            for (const id of ids) assert.ok(!granting.has(id), `${id} under a ${f.rule} grants:\n${s.psl}`);
            flaggedSeen++;
          }
          if (f.rule === 'constant-condition') {
            const call = asserts.get(label(f));
            if (call === undefined) continue; // a part of a condition, or a choice subject
            if (/always false/.test(f.message)) assert.ok(!granting.has(call), `${call} is always false but passes`);
            else assert.ok(!denying.has(call), `${call} is always true but denies:\n${s.psl}`);
            flaggedSeen++;
          }
          if (f.rule === 'untrusted-grant-all' && f.level === 'error') {
            // the events it names are granted in every state: at least that many requests of the class are
            assert.ok(untrusted);
            const n = Number(/\((\d+) events? of the alphabet\)/.exec(f.message)![1]);
            const always = tab.table.events.filter(
              (e, i) =>
                e.kind === 'request' &&
                loaded.tables.classes[e.srcClass]!.name === 'ping.Client' &&
                tab.table.cells.every((row) => row[i]![0] === 1),
            ).length;
            assert.ok(always >= n, `${always} requests of ping.Client are always granted, ${n} claimed`);
          }
        }
      },
    ),
    { seed: SEED, numRuns: 25 },
  );
  assert.ok(flaggedSeen > 10, `${flaggedSeen} findings were checked`);
});
