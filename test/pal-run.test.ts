/**
 * The PAL runner (src/policy/pal/run.ts) against compiled policies in the
 * rule form and hand-written ones: grant / deny / any, default expectation,
 * SID capture, rollback between tests, setup and finally, message
 * validation through the monitor, and JUnit XML that is well-formed.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { interfaceDecl } from '../src/interfaces/codecs.ts';
import { resolveTaskClasses } from '../src/interfaces/resolve.ts';
import { compileSolution, type SolutionTables } from '../src/kernel/tables.ts';
import { compileRules, type AllowRule } from '../src/monitor/rules.ts';
import { rulesKey, type CompiledPolicy, SecurityEvent } from '../src/monitor/types.ts';
import { parsePal } from '../src/policy/pal/parser.ts';
import { formatPalResults, runPalTests, type PalRunResult } from '../src/policy/pal/run.ts';
import { palJUnitXml } from '../src/policy/pal/junit.ts';
import { palCheckId, palChecks } from '../src/policy/pal/checks.ts';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { junitXml } from '../src/output/junit.ts';
import { ParseError } from '../src/syntax/errors.ts';

const files: Record<string, string> = {
  '/s/demo/Counter.idl': `package demo.Counter
interface {
    Add(in UInt8 n, out UInt32 total, error SInt32 rc);
    Reset();
}`,
  '/s/demo/Audit.idl': 'package demo.Audit\ninterface { Check(in string<8> level); }\n',
  '/s/demo/Server.edl': 'task class demo.Server\nendpoints { counter : demo.Counter }\n',
  '/s/demo/Client.edl': 'task class demo.Client\nsecurity demo.Audit\n',
};

function tables(): SolutionTables {
  const specs = resolveTaskClasses(['demo.Server', 'demo.Client'], { searchPath: ['/s'], readFile: (p) => files[p] });
  const c = compileSolution({
    name: 'pal',
    interfaces: [...specs.interfaces.values()].map(interfaceDecl),
    classes: [...specs.taskClasses.values()].map((k) => ({
      name: k.name,
      endpoints: k.endpoints.map((e) => ({ name: e.qualifiedName, interface: e.interface.name })),
      ...(k.securityInterfaces[0] ? { security: k.securityInterfaces[0].interface.name } : {}),
    })),
    processes: [],
    connections: [],
  });
  assert.ok(c.ok, c.ok ? '' : c.errors.join('\n'));
  return c.value;
}
const T = tables();

function rules(list: AllowRule[]): CompiledPolicy {
  const p = compileRules(T, { name: 'test', rules: list });
  assert.ok(p.ok, p.ok ? '' : p.errors.join('\n'));
  return p.value;
}

const POLICY = rules([
  { id: 'kernel-start', kind: 'execute', src: 'kl.core.Core', dst: 'kl.core.Core' },
  { id: 'start-einit', kind: 'execute', src: 'kl.core.Core', dst: 'Einit' },
  { id: 'start-apps', kind: 'execute', src: 'Einit' },
  {
    id: 'add-once',
    kind: 'request',
    src: 'demo.Client',
    dst: 'demo.Server',
    endpoint: 'counter',
    method: 'Add',
    limit: 1,
  },
  { id: 'answer', kind: 'response', src: 'demo.Server', dst: 'demo.Client' },
  { id: 'audit', kind: 'security', src: 'demo.Client', method: 'Check' },
]);

const SETUP = `
    setup {
        core <- execute dst = kl.core.Core
        einit <- execute src = core dst = Einit
        c <- execute src = einit dst = demo.Client
        s <- execute src = einit dst = demo.Server
    }`;

function run(text: string, policy: CompiledPolicy = POLICY): PalRunResult {
  return runPalTests(T, policy, parsePal({ file: 'tests.psl', text }).asserts);
}

describe('PAL runner', () => {
  it('grant, deny and any; the default expectation is grant', () => {
    const r = run(`assert "basics" {${SETUP}
    sequence "calls" {
        grant "first add" request src = c dst = s endpoint = counter method = Add { n : 1 }
        response src = s dst = c endpoint = counter method = Add { total : 1 }
        deny request src = c dst = s endpoint = counter method = Reset
        any request src = c dst = s method = Reset
        security src = c method = Check { level : "low" }
    }
}`);
    assert.equal(r.failed, 0, formatPalResults(r).join('\n'));
    const cases = r.tests[0]!.cases;
    assert.equal(cases.length, 9);
    assert.deepEqual(
      cases.map((c) => c.phase),
      ['setup', 'setup', 'setup', 'setup', 'sequence', 'sequence', 'sequence', 'sequence', 'sequence'],
    );
    const add = cases[4]!;
    assert.equal(add.name, 'first add');
    assert.equal(rulesKey(add), 'add-once');
    assert.equal(add.event, 'request src=demo.Client(sid 2) dst=demo.Server(sid 3) endpoint=counter method=Add');
    assert.equal(rulesKey(cases[6]!), 'default-deny');
    assert.equal(cases[7]!.verdict, 'deny', 'any ignores the decision');
  });

  it('a wrong expectation fails the case with the event and the deciding rule, skips the rest, still runs finally', () => {
    const r = run(`assert {${SETUP}
    sequence {
        deny request src = c dst = s endpoint = counter method = Add { n : 1 }
        grant request src = c dst = s endpoint = counter method = Add { n : 2 }
    }
    finally { any response src = s dst = c endpoint = counter method = Add { total : 1 } }
}`);
    assert.equal(r.failed, 1);
    const t = r.tests[0]!;
    assert.equal(t.suite, 'assert at tests.psl:1:1');
    assert.equal(t.name, 'sequence 1');
    const [failed, skipped, fin] = t.cases.slice(4);
    assert.equal(failed!.status, 'fail');
    assert.equal(failed!.failure, 'expected deny, got grant by add-once');
    assert.equal(skipped!.status, 'skipped');
    assert.equal(fin!.phase, 'finally');
    assert.equal(fin!.status, 'pass');
    const text = formatPalResults(r).join('\n');
    assert.match(
      text,
      /FAIL {2}deny request src=demo\.Client\(sid 2\) dst=demo\.Server\(sid 3\) endpoint=counter method=Add -> GRANT by add-once/,
    );
    assert.match(text, /tests\.psl:9:9: expected deny, got grant by add-once/);
    assert.match(text, /1 of 1 PAL tests failed/);
  });

  it('rolls the monitor state back between tests: each sequence starts from the state after setup', () => {
    const r = run(`assert "quota" {${SETUP}
    sequence "uses the quota" {
        request src = c dst = s endpoint = counter method = Add { n : 1 }
        deny request src = c dst = s endpoint = counter method = Add { n : 1 }
    }
    sequence "has it again" {
        grant request src = c dst = s endpoint = counter method = Add { n : 1 }
    }
}`);
    assert.equal(r.failed, 0, formatPalResults(r).join('\n'));
    assert.equal(r.tests.length, 2);
    assert.equal(r.tests[0]!.cases[5]!.reason, 'every matching rule has used up its limit');
  });

  it('a denied event leaves the state; a granted one moves it', () => {
    // the second Add is denied (quota used): still denied after an unrelated denied event
    const r = run(`assert {${SETUP}
    sequence {
        request src = c dst = s endpoint = counter method = Add { n : 1 }
        deny request src = s dst = c endpoint = counter method = Add { n : 1 }
        deny request src = c dst = s endpoint = counter method = Add { n : 1 }
    }
}`);
    assert.equal(r.failed, 0, formatPalResults(r).join('\n'));
  });

  it('a failure, the printed results and JUnit name every rule that decided, with its place and binding', () => {
    const at = (line: number) => ({ file: 'security.psl', line, col: 5 });
    const two: CompiledPolicy = {
      name: 'two bindings',
      initial: null,
      decide: (s) => ({
        verdict: 'grant',
        rules: [
          { id: 'security.psl:3:5', loc: at(3), binding: { head: 'request dst=demo.Server', loc: at(2) } },
          { id: 'security.psl:6:5', loc: at(6), binding: { head: 'request src=demo.Client', loc: at(5) } },
        ],
        next: s,
      }),
    };
    const r = run(
      `assert "both" {${SETUP}
    sequence "denied?" { deny request src = c dst = s endpoint = counter method = Add { n : 1 } }
}`,
      two,
    );
    const failing = r.tests[0]!.cases.find((c) => c.status === 'fail')!;
    const both =
      'security.psl:3:5 (binding request dst=demo.Server at security.psl:2:5); security.psl:6:5 (binding request src=demo.Client at security.psl:5:5)';
    assert.equal(failing.failure, `expected deny, got grant by ${both}`);
    assert.deepEqual(
      failing.rules.map((x) => x.id),
      ['security.psl:3:5', 'security.psl:6:5'],
    );
    assert.ok(
      formatPalResults(r).some((l) => l.endsWith('-> GRANT by security.psl:3:5, security.psl:6:5')),
      formatPalResults(r).join('\n'),
    );
    const xml = palJUnitXml('pal', r);
    assert.ok(xml.includes(`grant by ${both}`), xml);
  });

  it('SID capture: kernel 0, Einit 1, then 2, 3, …; a denied start binds nothing', () => {
    const seen: SecurityEvent[] = [];
    const recording: CompiledPolicy = {
      name: 'recording',
      initial: null,
      decide: (s, e) => {
        seen.push(e);
        return e.kind === 'execute' && T.classes[e.dstClass]!.name === 'demo.Server'
          ? { verdict: 'deny', rules: [{ id: 'no-servers' }], reason: 'r', next: s }
          : { verdict: 'grant', rules: [{ id: 'all' }], next: s };
      },
    };
    const r = run(
      `assert {
    sequence {
        k <- execute dst = kl.core.Core
        e <- execute src = k dst = Einit
        a <- execute src = e dst = demo.Client
        b <- execute src = e dst = demo.Client
        deny srv <- execute src = e dst = demo.Server
        request src = a dst = b endpoint = counter method = Add { n : 1 }
    }
}`,
      recording,
    );
    assert.deepEqual(
      seen.slice(0, 5).map((e) => [e.src, e.srcClass, e.dst, e.dstClass]),
      [
        [0, 0, 0, 0],
        [0, 0, 1, 1],
        [1, 1, 2, T.classByName.get('demo.Client')],
        [1, 1, 3, T.classByName.get('demo.Client')],
        [1, 1, 4, T.classByName.get('demo.Server')],
      ],
    );
    // a request to a client, which serves nothing: sent with RIID/MID -1, denied as a structural error
    const last = r.tests[0]!.cases[5]!;
    assert.equal(last.verdict, 'deny');
    assert.equal(rulesKey(last), 'structure');
    assert.match(last.failure!, /expected grant, got deny by structure: RIID -1 \/ MID -1/);

    const r2 = run(
      `assert {${SETUP}
    sequence {
        deny x <- execute src = einit dst = kl.core.Core
        request src = x dst = s endpoint = counter method = Add { n : 1 }
    }
}`,
      rules([
        { kind: 'execute', dst: 'Einit' },
        { kind: 'execute', src: 'Einit', dst: 'demo.Client' },
        { kind: 'execute', src: 'Einit', dst: 'demo.Server' },
        { kind: 'execute', src: 'kl.core.Core', dst: 'kl.core.Core' },
      ]),
    );
    const c = r2.tests[0]!.cases[5]!;
    assert.equal(c.status, 'fail');
    assert.match(
      c.failure!,
      /^tests\.psl:\d+:\d+: src=x: not a SID variable of this test \(known: core, einit, c, s\) nor a task class$/,
    );
  });

  it('a class name stands for the only process of that class', () => {
    const r = run(`assert {${SETUP}
    sequence { request src = demo.Client dst = demo.Server method = Add { n : 1 } }
}`);
    assert.equal(r.failed, 0, formatPalResults(r).join('\n'));
  });

  it('messages are validated by the monitor: a wrong one is denied as a structural error, and fails any', () => {
    const r = run(`assert {${SETUP}
    sequence "wrong type" { deny request src = c dst = s endpoint = counter method = Add { n : 300 } }
    sequence "extra field" { deny request src = c dst = s endpoint = counter method = Add { n : 1, m : 2 } }
    sequence "any fails" { any request src = c dst = s endpoint = counter method = Add { n : "x" } }
    sequence "security message" { deny security src = c method = Check { level : "much too long" } }
}`);
    const [wrong, extra, anyFails, sec] = r.tests;
    assert.equal(wrong!.status, 'pass');
    assert.equal(rulesKey(wrong!.cases[4]!), 'structure');
    assert.match(wrong!.cases[4]!.reason!, /demo\.Counter\.Add \(request\): n: expected UInt8 \(0\.\.255\), got 300/);
    assert.match(extra!.cases[4]!.reason!, /m: is not one of n/);
    assert.equal(anyFails!.status, 'fail');
    assert.match(
      anyFails!.cases[4]!.failure!,
      /the event could not be processed: message does not match demo\.Counter\.Add/,
    );
    assert.equal(sec!.status, 'pass');
    assert.match(sec!.cases[4]!.reason!, /level: expected string<8>/);
  });

  it('mistakes in a case fail it with file:line:col', () => {
    const r = run(`assert {${SETUP}
    sequence { request src = c dst = s endpoint = counter }
    sequence { execute src = c }
    sequence { x <- execute src = einit dst = demo.Nothing }
    sequence { request src = c dst = s method = Add { n : nobody } }
}`);
    assert.deepEqual(
      r.tests.map((t) => t.cases[4]!.failure!.replace(/^tests\.psl:(\d+):(\d+): /, '$1:$2 ')),
      [
        '8:16 a request case needs method=',
        '9:16 an execute case needs dst= (the task class to start)',
        '10:41 dst=demo.Nothing: no task class demo.Nothing in this solution (classes: kl.core.Core, Einit, demo.Server, demo.Client)',
        '11:59 nobody is not a SID variable of this test (known: core, einit, c, s); a message holds literals, lists, records and SID variables',
      ],
    );
  });

  it('an operator in a message is an unsupported construct: that test is skipped with it, the others run', () => {
    const r = run(
      `assert {${SETUP}\n    sequence "sum" { request src = c dst = s method = Add { n : 1 + 2 } }\n    sequence "plain" { request src = c dst = s method = Add { n : 3 } }\n}`,
    );
    assert.deepEqual(
      r.tests.map((t) => [t.name, t.status]),
      [
        ['sum', 'skipped'],
        ['plain', 'pass'],
      ],
    );
    assert.match(
      r.tests[0]!.notModelled!,
      /^unsupported construct binary expression in a PAL message .* at tests\.psl:\d+:\d+$/,
    );
    assert.equal(r.tests[0]!.cases.length, 0, 'a skipped test runs no case');
    assert.deepEqual([r.passed, r.failed, r.skipped], [1, 0, 1]);
    assert.match(
      formatPalResults(r).join('\n'),
      /SKIP {2}assert .* \/ sum[\s\S]*not run: unsupported construct binary expression[\s\S]*1 of 2 PAL tests passed, 1 skipped \(not modelled\)$/,
    );
  });

  it('an assert block without sequences runs its setup as one test', () => {
    const r = run(`assert "only setup" {${SETUP}\n}`);
    assert.equal(r.tests.length, 1);
    assert.equal(r.tests[0]!.name, 'setup');
    assert.equal(r.tests[0]!.status, 'pass');
  });
});

describe('PAL tests as verify checks', () => {
  it('one check of kind pal per test; a failing one names its failing cases', () => {
    const r = run(`assert "quota" {${SETUP}
    sequence "ok" { request src = c dst = s method = Add { n : 1 } }
    sequence "ok" { deny request src = c dst = s method = Add { n : 1 } }
}`);
    const checks = palChecks(r, (f) => `short/${f}`);
    assert.deepEqual(
      checks.map((c) => [c.id, c.kind, c.status]),
      [
        ['pal.quota.ok', 'pal', 'pass'],
        ['pal.quota.ok#2', 'pal', 'fail'],
      ],
    );
    assert.equal(
      checks[1]!.counterexample,
      'short/tests.psl:9:21: expect deny: request src=demo.Client(sid 2) dst=demo.Server(sid 3) endpoint=counter method=Add -> grant by add-once\n  expected deny, got grant by add-once',
    );
    assert.deepEqual(checks[1]!.details, {
      test: 'quota / ok',
      at: 'short/tests.psl:9:5',
      cases: 5,
      passed: 4,
      skipped: 0,
    });
    assert.equal(palCheckId(' a / b ', 'x&y'), 'pal.a-b.x-y');
  });
});

describe('JUnit XML', () => {
  it('a PAL run becomes one testsuite per assert block and one testcase per sequence, read back by a JUnit parser', () => {
    const r = run(`assert "odd <names> & \\"quotes\\"" {${SETUP}
    sequence "passes ]]> here" { request src = c dst = s endpoint = counter method = Add { n : 1 } }
    sequence "fails" { deny request src = c dst = s endpoint = counter method = Add { n : 1 } }
}
assert "second" { sequence { any request src = c dst = s method = Add { n : 1 } } }`);
    const xml = palJUnitXml('pal <demo>', r, '2026-01-01T00:00:00Z');
    const doc = readJUnit(xml);
    assert.equal(doc.tests, '3');
    assert.equal(doc.failures, '2');
    const [first, second] = doc.testsuite;
    assert.equal(first!.name, 'odd <names> & "quotes"');
    assert.equal(first!.testcase.length, 2);
    assert.equal(first!.testcase[0]!.name, 'passes ]]> here');
    assert.match(first!.testcase[1]!.failure![0]!.message, /expected deny, got grant by add-once/);
    assert.match(
      first!.testcase[0]!['system-out']![0]!,
      /PASS \[sequence\] tests\.psl:\d+:\d+ expect grant: request src=demo\.Client\(sid 2\)/,
    );
    // the second set fails: its setup is missing, so c is unknown
    assert.equal(second!.failures, '1');
  });

  it('characters XML 1.0 forbids never make the document unreadable', () => {
    const xml = junitXml('odd \u0001 name', [
      { name: 's<&>', cases: [{ name: 'x\u0001y\uD800z', classname: 'c', timeSeconds: 0.5, systemOut: ']]> & <' }] },
    ]);
    assert.equal(XMLValidator.validate(xml), true);
    const doc = readJUnit(xml);
    assert.equal(doc.testsuite[0]!.name, 's<&>');
    assert.equal(readJUnit(junitXml('empty', [])).tests, '0');
  });
});

/* ------------------------------------------------------------------ JUnit read back by a well-kept XML parser */

interface JUnitDoc {
  tests: string;
  failures: string;
  testsuite: {
    name: string;
    failures: string;
    testcase: { name: string; failure?: { message: string }[]; 'system-out'?: string[] }[];
  }[];
}

function readJUnit(xml: string): JUnitDoc {
  const valid = XMLValidator.validate(xml);
  assert.equal(valid, true, `not well-formed: ${JSON.stringify(valid)}`);
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '',
    isArray: (name) => ['testsuite', 'testcase', 'failure', 'system-out'].includes(name),
  });
  return (parser.parse(xml) as { testsuites: JUnitDoc }).testsuites;
}
