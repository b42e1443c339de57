/**
 * PSL parser and `use` resolver: every construct of the practical subset
 * (items 1–17 of the format reference's section 7) and the rest of the PSL
 * syntax parse to the expected trees, with locations in the original files.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type {
  BindingDecl,
  CallExpr,
  ChoiceSection,
  Declaration,
  Expr,
  MatchSection,
  PolicyObjectDecl,
  PslFile,
} from '../src/policy/psl/ast.ts';
import { parsePsl } from '../src/policy/psl/parser.ts';
import { loadPolicy } from '../src/policy/psl/resolve.ts';
import { preprocess } from '../src/template/index.ts';
import { expectParseError, fixturePath, lc, readFixture, withoutLocs } from './fixtures/formats/helpers.ts';

const DOOR_TOP = 'door/einit/src/security.psl.in';
const BOARD = { BOARD: 'RPI4_BCM2711', USE_DYNLD: 'ON' };

function parseDoorTop(board: Record<string, string | boolean> = BOARD): PslFile {
  const source = preprocess(
    { file: 'security.psl.in', text: readFixture(DOOR_TOP) },
    { placeholders: { MAIN_TASK: 'Door' }, board },
  );
  return parsePsl(source);
}

function psl(text: string): PslFile {
  return parsePsl({ file: 'test.psl', text });
}

function bindings(file: PslFile): BindingDecl[] {
  return file.declarations.filter((d): d is BindingDecl => d.kind === 'binding');
}

/** The body of the only binding of a one-binding snippet. */
function body(text: string): BindingDecl['body'] {
  const [b] = bindings(psl(text));
  assert.ok(b !== undefined);
  return b.body;
}

/** The argument of the first rule in `request { <rule> }`. */
function ruleArg(rule: string): Expr {
  const [call] = body(`request { ${rule} }`);
  assert.equal(call?.kind, 'call');
  return (call as CallExpr).arg;
}

const grantCall = { kind: 'call', object: null, method: 'grant', arg: { kind: 'unit' } };
const matchGrant = (key: string, value: string) => ({
  kind: 'match',
  selectors: [{ key, value }],
  audit: null,
  body: [grantCall],
});

describe('PSL: the constructs real solutions use (section 7)', () => {
  const top = parseDoorTop();
  const decls = top.declarations;

  it('1: execute: kl.core.Execute', () => {
    const d = decls[0] as Declaration;
    assert.deepEqual(withoutLocs(d), { kind: 'executeInterface', interface: 'kl.core.Execute' });
    assert.equal(lc(d.loc), '6:1');
    assert.equal(d.loc.file, 'security.psl.in');
  });

  it('2: use nk.base._ and use nk.basic._', () => {
    assert.deepEqual(withoutLocs(decls[1]), { kind: 'useModule', module: 'nk.base' });
    assert.equal(lc((decls[1] as Declaration).loc), '8:1');
    assert.deepEqual(withoutLocs(psl('use nk.basic._').declarations), [{ kind: 'useModule', module: 'nk.basic' }]);
  });

  it('3: use EDL Einit, kl.core.Core and <pkg>.<Class> (after @MAIN_TASK@ substitution)', () => {
    const edl = decls.filter((d) => d.kind === 'useEdl');
    assert.deepEqual(
      edl.map((d) => d.taskClass),
      ['Einit', 'kl.core.Core', 'demo.Door', 'demo.Lock', 'demo.Logger'],
    );
    // demo.@MAIN_TASK@ is on line 12 of the template.
    assert.equal(lc((edl[2] as Declaration).loc), '12:1');
  });

  it('4: system program fragments (use kl.core.DCM._)', () => {
    const uses = decls.filter((d) => d.kind === 'useModule').map((d) => d.module);
    assert.deepEqual(uses, ['nk.base', 'kl.core.DCM', 'kl.drivers.BSP', 'dynld']);
    const dcm = decls.find((d) => d.kind === 'useModule' && d.module === 'kl.core.DCM') as Declaration;
    assert.equal(lc(dcm.loc), '17:1');
  });

  it('5, 16: conditional inclusion {% if USE_DYNLD %} use dynld._ {% endif %} and BOARD branches', () => {
    const modules = (t: PslFile) => t.declarations.flatMap((d) => (d.kind === 'useModule' ? [d.module] : []));
    assert.deepEqual(modules(parseDoorTop({ BOARD: 'RADXA_ROCK_3A', USE_DYNLD: false })), [
      'nk.base',
      'kl.core.DCM',
      'kl.drivers.RockBSP',
    ]);
    assert.deepEqual(modules(parseDoorTop({ BOARD: 'QEMU' })), ['nk.base', 'kl.core.DCM']);
    const rock = parseDoorTop({ BOARD: 'RADXA_ROCK_3A' }).declarations.find(
      (d) => d.kind === 'useModule' && d.module === 'kl.drivers.RockBSP',
    );
    assert.equal(lc((rock as Declaration).loc), '22:1');
  });

  it('6: execute { match src = A { match dst = B { grant () } } }', () => {
    const exec = bindings(top)[0] as BindingDecl;
    assert.equal(exec.event, 'execute');
    assert.deepEqual(exec.selectors, []);
    assert.deepEqual(withoutLocs(exec.body), [
      {
        kind: 'match',
        selectors: [{ key: 'src', value: 'kl.core.Core' }],
        audit: null,
        body: [matchGrant('dst', 'kl.core.Core'), matchGrant('dst', 'Einit')],
      },
      {
        kind: 'match',
        selectors: [{ key: 'src', value: 'Einit' }],
        audit: null,
        body: [matchGrant('dst', 'demo.Door'), matchGrant('dst', 'demo.Lock'), matchGrant('dst', 'demo.Logger')],
      },
    ]);
    assert.equal(lc(exec.loc), '30:1');
    const inner = (exec.body[1] as MatchSection).body[0] as MatchSection;
    assert.equal(lc(inner.loc), '36:9');
    const selector = inner.selectors[0];
    assert.ok(selector !== undefined);
    assert.equal(lc(selector.loc), '36:15');
  });

  it('7: selector on the binding head plus nested match (dynld.psl)', () => {
    const dynld = parsePsl({ file: 'dynld.psl', text: readFixture('door/einit/src/dynld.psl') });
    assert.deepEqual(withoutLocs(dynld.declarations), [
      { kind: 'useEdl', taskClass: 'kl.bc.BlobContainer' },
      {
        kind: 'binding',
        event: 'execute',
        selectors: [{ key: 'src', value: 'Einit' }],
        audit: null,
        body: [matchGrant('dst', 'kl.bc.BlobContainer')],
      },
      {
        kind: 'binding',
        event: 'request',
        selectors: [],
        audit: null,
        body: [matchGrant('dst', 'kl.bc.BlobContainer')],
      },
    ]);
  });

  const request = bindings(top)[1] as BindingDecl;

  it('8: request { match dst = S { match src = C { grant () } } }', () => {
    assert.equal(request.event, 'request');
    assert.deepEqual(withoutLocs(request.body[1]), {
      kind: 'match',
      selectors: [{ key: 'dst', value: 'demo.Lock' }],
      audit: null,
      body: [matchGrant('src', 'demo.Door')],
    });
  });

  it('9: match without an inner client filter', () => {
    assert.deepEqual(withoutLocs(request.body[2]), matchGrant('dst', 'demo.Logger'));
  });

  it('10, 12, 13: comma-separated selectors with a deny (size (…) > N) rule', () => {
    assert.deepEqual(withoutLocs(request.body[3]), {
      kind: 'match',
      selectors: [
        { key: 'dst', value: 'demo.Logger' },
        { key: 'endpoint', value: 'log' },
        { key: 'method', value: 'Write' },
      ],
      audit: null,
      body: [
        {
          kind: 'call',
          object: null,
          method: 'deny',
          arg: {
            kind: 'binary',
            op: '>',
            left: {
              kind: 'call',
              object: null,
              method: 'size',
              arg: { kind: 'field', target: { kind: 'name', name: 'message' }, field: 'lines' },
            },
            right: { kind: 'int', value: 7n, text: '7' },
          },
        },
      ],
    });
    const deny = (request.body[3] as MatchSection).body[0] as CallExpr;
    assert.equal(lc(deny.loc), '56:9');
  });

  it('11, 14: whitespace-separated head selectors and a struct field of the message', () => {
    const turn = bindings(top)[2] as BindingDecl;
    assert.deepEqual(withoutLocs(turn.selectors), [
      { key: 'dst', value: 'demo.Lock' },
      { key: 'endpoint', value: 'front.bolt' },
      { key: 'method', value: 'Turn' },
    ]);
    assert.deepEqual(withoutLocs(turn.body), [
      {
        kind: 'call',
        object: null,
        method: 'deny',
        arg: {
          kind: 'binary',
          op: '>',
          left: {
            kind: 'field',
            target: { kind: 'field', target: { kind: 'name', name: 'message' }, field: 'request' },
            field: 'repeats',
          },
          right: { kind: 'int', value: 3n, text: '3' },
        },
      },
    ]);
  });

  it('15: response { grant () } and error { grant() }', () => {
    const [response, error] = bindings(top).slice(3);
    assert.deepEqual(withoutLocs(response), {
      kind: 'binding',
      event: 'response',
      selectors: [],
      audit: null,
      body: [grantCall],
    });
    assert.deepEqual(withoutLocs(error), {
      kind: 'binding',
      event: 'error',
      selectors: [],
      audit: null,
      body: [grantCall],
    });
  });

  it('17: @MAIN_TASK@ inside selectors resolves to the configured class', () => {
    const door = ((bindings(top)[0] as BindingDecl).body[1] as MatchSection).body[0] as MatchSection;
    assert.equal(door.selectors[0]?.value, 'demo.Door');
  });
});

describe('PSL: the rest of the syntax (models/security.psl)', () => {
  const file = parsePsl({ file: 'security.psl', text: readFixture('models/security.psl') });
  const objects = file.declarations.filter((d): d is PolicyObjectDecl => d.kind === 'policyObject');
  const all = bindings(file);

  it('policy objects with type aliases and configuration records', () => {
    assert.deepEqual(
      objects.map((o) => [o.name, o.model, o.types.map((t) => t.name), o.config?.kind ?? null]),
      [
        ['door_fsm', 'Flow', ['State'], 'record'],
        ['ports', 'HashSet', ['Entry'], 'record'],
        ['mmio', 'StaticMap', ['Value'], 'record'],
        ['integ', 'Mic', [], 'list'],
        ['codes', 'Regex', [], null],
      ],
    );
    const flow = objects[0] as PolicyObjectDecl;
    assert.deepEqual(withoutLocs(flow.types[0]?.type), {
      kind: 'typeVariant',
      options: [
        { kind: 'typeText', value: 'closed' },
        { kind: 'typeText', value: 'open' },
        { kind: 'typeText', value: 'locked' },
      ],
    });
    const keys = (flow.config as Extract<Expr, { kind: 'record' }>).fields.map((f) =>
      f.key.kind === 'name' ? f.key.name : '',
    );
    assert.deepEqual(keys, ['states', 'initial', 'transitions']);
    assert.deepEqual(withoutLocs(file.declarations.find((d) => d.kind === 'typeAlias')), {
      kind: 'typeAlias',
      name: 'Angle',
      type: { kind: 'typeName', name: 'UInt16', args: [] },
    });
  });

  it('audit profiles and audit default', () => {
    const profile = file.declarations.find((d) => d.kind === 'auditProfile');
    assert.equal(profile?.kind === 'auditProfile' && profile.name, 'verbose');
    const levels =
      profile?.kind === 'auditProfile' && profile.value.kind === 'record'
        ? profile.value.fields.map((f) => withoutLocs(f.key))
        : [];
    assert.deepEqual(levels, [
      { kind: 'int', value: 0n, text: '0' },
      { kind: 'int', value: 1n, text: '1' },
    ]);
    assert.deepEqual(withoutLocs(file.declarations.find((d) => d.kind === 'auditDefault')), {
      kind: 'auditDefault',
      profile: 'verbose',
      level: 1n,
    });
  });

  it('execute src = A, dst = B on one line; state-changing calls with record arguments', () => {
    assert.deepEqual(withoutLocs(all[0]?.selectors), [
      { key: 'src', value: 'kl.core.Core' },
      { key: 'dst', value: 'kl.core.Core' },
    ]);
    assert.deepEqual(withoutLocs(all[1]?.body[0]), {
      kind: 'call',
      object: 'door_fsm',
      method: 'init',
      arg: {
        kind: 'record',
        fields: [{ key: { kind: 'name', name: 'sid' }, value: { kind: 'name', name: 'dst_sid' } }],
      },
    });
    const mic = all[1]?.body[2] as CallExpr;
    assert.equal(mic.method, 'execute', 'model methods may be named like events');
    assert.deepEqual(withoutLocs((mic.arg as Extract<Expr, { kind: 'record' }>).fields.map((f) => f.value)), [
      { kind: 'unit' },
      { kind: 'name', name: 'dst_sid' },
      { kind: 'text', value: 'HIGH' },
      { kind: 'unit' },
    ]);
  });

  it('interface= selector, audit in a binding, choice with a parenthesised call, block alternatives and _', () => {
    const turn = all[2] as BindingDecl;
    assert.deepEqual(withoutLocs(turn.selectors), [
      { key: 'dst', value: 'demo.Lock' },
      { key: 'interface', value: 'demo.Bolt' },
      { key: 'method', value: 'Turn' },
    ]);
    assert.equal(turn.audit?.profile, 'verbose');
    const choice = turn.body[0] as ChoiceSection;
    assert.equal(choice.kind, 'choice');
    assert.deepEqual(withoutLocs(choice.subject), {
      kind: 'call',
      object: 'door_fsm',
      method: 'query',
      arg: {
        kind: 'record',
        fields: [{ key: { kind: 'name', name: 'sid' }, value: { kind: 'name', name: 'dst_sid' } }],
      },
    });
    assert.deepEqual(
      choice.alternatives.map((a) => [withoutLocs(a.label), a.audit?.profile ?? null, a.body.length]),
      [
        [{ kind: 'text', value: 'open' }, null, 1],
        [{ kind: 'text', value: 'closed' }, 'verbose', 2],
        [{ kind: 'default' }, null, 1],
      ],
    );
  });

  it('component= selector, regex call, handle fields, tuple arguments, ==> and bitwise operators', () => {
    const hold = all[3] as BindingDecl;
    assert.deepEqual(
      hold.selectors.map((s) => s.key),
      ['dst', 'component', 'method'],
    );
    assert.deepEqual(withoutLocs((hold.body[0] as CallExpr).arg), {
      kind: 'call',
      object: 're',
      method: 'match',
      arg: {
        kind: 'record',
        fields: [
          {
            key: { kind: 'name', name: 'text' },
            value: { kind: 'field', target: { kind: 'name', name: 'message' }, field: 'reason' },
          },
          { key: { kind: 'name', name: 'pattern' }, value: { kind: 'text', value: '^[a-z ]+\\.$' } },
        ],
      },
    });
    assert.deepEqual(withoutLocs(hold.body[2]), {
      kind: 'call',
      object: 'flow',
      method: 'enter',
      arg: {
        kind: 'tuple',
        items: [
          { kind: 'name', name: 'src_sid' },
          { kind: 'text', value: 'locked' },
        ],
      },
    });
    const implication = (hold.body[3] as CallExpr).arg;
    assert.equal(implication.kind === 'binary' && implication.op, '==>');
  });

  it('choice on a bare message path with text, integer, boolean and negative labels; comma-separated alternatives', () => {
    const release = all[4] as BindingDecl;
    const choice = release.body[0] as ChoiceSection;
    assert.deepEqual(withoutLocs(choice.subject), {
      kind: 'field',
      target: { kind: 'name', name: 'message' },
      field: 'mode',
    });
    assert.deepEqual(
      choice.alternatives.map((a) => withoutLocs(a.label)),
      [
        { kind: 'text', value: 'a' },
        { kind: 'int', value: 1n, text: '1' },
        { kind: 'bool', value: true },
        { kind: 'int', value: -2n, text: '-2' },
        { kind: 'default' },
      ],
    );
  });

  it('security events with match interface=', () => {
    const sec = all[5] as BindingDecl;
    assert.equal(sec.event, 'security');
    assert.deepEqual(withoutLocs(sec.body), [matchGrant('interface', 'demo.Audit')]);
  });
});

describe('PSL expressions', () => {
  const bin = (op: string, left: unknown, right: unknown) => ({ kind: 'binary', op, left, right });
  const name = (n: string) => ({ kind: 'name', name: n });
  const int = (v: number) => ({ kind: 'int', value: BigInt(v), text: String(v) });

  it('C-like precedence: * over + over comparisons over && over || over ==>', () => {
    assert.deepEqual(
      withoutLocs(ruleArg('assert (a || b && c == 1 + 2 * 3 ==> d)')),
      bin(
        '==>',
        bin('||', name('a'), bin('&&', name('b'), bin('==', name('c'), bin('+', int(1), bin('*', int(2), int(3)))))),
        name('d'),
      ),
    );
  });

  it('bitwise & and | bind looser than comparisons, as in C', () => {
    assert.deepEqual(
      withoutLocs(ruleArg('assert (a && b >= 1 | 2 & 3)')),
      bin('&&', name('a'), bin('|', bin('>=', name('b'), int(1)), bin('&', int(2), int(3)))),
    );
  });

  it('left associativity, unary operators and negative literals', () => {
    assert.deepEqual(withoutLocs(ruleArg('assert (1 - 2 - 3)')), bin('-', bin('-', int(1), int(2)), int(3)));
    assert.deepEqual(
      withoutLocs(ruleArg('assert (!a != ~b)')),
      bin('!=', { kind: 'unary', op: '!', operand: name('a') }, { kind: 'unary', op: '~', operand: name('b') }),
    );
    assert.deepEqual(
      withoutLocs(ruleArg('assert (x > -5)')),
      bin('>', name('x'), { kind: 'int', value: -5n, text: '-5' }),
    );
    assert.deepEqual(
      withoutLocs(ruleArg('assert (x - -y)')),
      bin('-', name('x'), { kind: 'unary', op: '-', operand: name('y') }),
    );
  });

  it('literals: hex, text escapes, booleans, unit, lists, records, empty collections', () => {
    assert.deepEqual(withoutLocs(ruleArg('deny (0xFF)')), { kind: 'int', value: 255n, text: '0xFF' });
    assert.deepEqual(withoutLocs(ruleArg('deny ("a\\"b\\n\\u0041")')), { kind: 'text', value: 'a"b\nA' });
    assert.deepEqual(withoutLocs(ruleArg('deny (false)')), { kind: 'bool', value: false });
    assert.deepEqual(withoutLocs(ruleArg('x.f [1, "two", [], {},]')), {
      kind: 'list',
      items: [int(1), { kind: 'text', value: 'two' }, { kind: 'list', items: [] }, { kind: 'record', fields: [] }],
    });
    assert.deepEqual(withoutLocs(ruleArg('x.f {"k" : 1, 2 : true}')), {
      kind: 'record',
      fields: [
        { key: { kind: 'text', value: 'k' }, value: int(1) },
        { key: int(2), value: { kind: 'bool', value: true } },
      ],
    });
  });

  it('element access .[i], field access after a call, src_sid/dst_sid, calls in expressions', () => {
    assert.deepEqual(
      withoutLocs(ruleArg('assert (message.items.[0].x == pred.eq (src_sid, dst_sid))')),
      bin(
        '==',
        {
          kind: 'field',
          target: { kind: 'index', target: { kind: 'field', target: name('message'), field: 'items' }, index: int(0) },
          field: 'x',
        },
        {
          kind: 'call',
          object: 'pred',
          method: 'eq',
          arg: { kind: 'tuple', items: [name('src_sid'), name('dst_sid')] },
        },
      ),
    );
  });

  it('calls without a space before the argument, and across lines', () => {
    assert.deepEqual(withoutLocs(body('request {grant()}')), [grantCall]);
    assert.deepEqual(withoutLocs(body('request {\n  deny\n  (\n  a\n  >\n  1\n  )\n}')), [
      { kind: 'call', object: null, method: 'deny', arg: bin('>', name('a'), int(1)) },
    ]);
  });

  it('locations of nested nodes point at their first character', () => {
    const arg = ruleArg('assert (message.a > 10)');
    assert.equal(arg.kind, 'binary');
    if (arg.kind !== 'binary') return;
    assert.equal(lc(arg.loc), '1:19');
    assert.equal(lc(arg.right.loc), '1:31');
    assert.equal(
      arg.left.kind === 'field' && lc(arg.left.loc),
      '1:19',
      'a field access starts where its target starts',
    );
  });
});

describe('PSL syntax errors say what was expected, where', () => {
  const cases: [string, string, RegExp][] = [
    [
      'request { grant }',
      '1:17',
      /expected a call argument \(\(\), \(expression\), \{ record \} or \[ list \]\) but found "\}"/,
    ],
    [
      'request src= A, {}',
      '1:17',
      /expected a selector \(src=, dst=, endpoint=, method=, interface=, component=\) but found "\{"/,
    ],
    [
      'reqest {}',
      '1:1',
      /expected a declaration \(execute:, use, policy object, type, audit, a binding .*\) or end of input but found "reqest"/,
    ],
    ['request {\n  match dst B { }\n}', '2:13', /expected "=" but found "B"/],
    ['request { deny (a b) }', '1:19', /an operator \(==, !=, <, <=, >, >=, &&, \|\|, ==>, \+, -, \*, \|, &\)/],
    ['request { deny (a > ) }', '1:21', /expected an expression but found "\)"/],
    [
      'use nk.base',
      '1:12',
      /expected the suffix \._ that ends a module inclusion \(use nk\.base\._\) but found end of input/,
    ],
    ['request {\n  choice (x) { "a" grant () }\n}', '2:20', /expected ":" but found "grant"/],
    [
      'execute {',
      '1:10',
      /expected a rule \(a model method call such as grant \(\), a match or a choice section\), "audit" or "\}" but found end of input/,
    ],
    ['request { /* never closed', '1:11', /unterminated comment/],
    ['request { deny ("abc) }', '1:17', /unterminated text literal/],
  ];
  for (const [text, at, message] of cases) {
    it(JSON.stringify(text), () => {
      const e = expectParseError(() => psl(text), { kind: 'syntax', at, message });
      assert.ok(e.message.startsWith(`test.psl:${at}: `), e.message);
    });
  }

  it('validation errors found by the grammar', () => {
    expectParseError(() => psl('request { grant () audit verbose }'), {
      kind: 'validation',
      at: '1:20',
      message: /audit <profile> must be the first item of its block/,
    });
    expectParseError(() => psl('policy object Door : Flow {}'), {
      kind: 'validation',
      at: '1:1',
      message: /must start with a lowercase letter/,
    });
    expectParseError(() => psl('policy object d : Flow {\n config = 1\n config = 2\n}'), {
      kind: 'duplicate',
      at: '3:2',
      message: /declares config twice/,
    });
  });
});

describe('PSL constructs Cordon parses but cannot model: an unsupported node at the construct', () => {
  it('/ and % in an expression, ... in a type', () => {
    const call = (bindings(psl('request { assert (a / 2 > 1) }'))[0] as BindingDecl).body[0] as CallExpr;
    const cmp = call.arg as Expr & { kind: 'binary' };
    assert.equal(cmp.left.kind, 'unsupported');
    assert.match((cmp.left as Expr & { kind: 'unsupported' }).construct, /^division operator \//);
    assert.equal(lc(cmp.left.loc), '1:21');
    const mod = ((bindings(psl('request { assert (a % 2 > 1) }'))[0] as BindingDecl).body[0] as CallExpr)
      .arg as Expr & { kind: 'binary' };
    assert.match((mod.left as Expr & { kind: 'unsupported' }).construct, /^modulo operator %/);
    const alias = psl('type Level = "low" | ... | ()').declarations[0] as Declaration & { kind: 'typeAlias' };
    const wildcard = (alias.type as unknown as { options: { kind: string; loc: { line: number; column: number } }[] })
      .options[1]!;
    assert.equal(wildcard.kind, 'typeUnsupported');
    assert.equal(lc(wildcard.loc as never), '1:22');
  });
});

describe('PSL constructs Cordon rejects as unsupported', () => {
  const cases: [string, string, RegExp][] = [
    ['request {\n{% if BOARD == "X" %}\ngrant ()\n{% endif %}\n}', '2:1', /template tag \{% if %\}/],
    ['request dst = demo.@MAIN_TASK@ { grant () }', '1:20', /CMake placeholder @MAIN_TASK@/],
    ['use EDL @MAIN_TASK@', '1:9', /CMake placeholder @MAIN_TASK@/],
    ['request { {{ rule }} }', '1:11', /template syntax \{\{/],
  ];
  for (const [text, at, detail] of cases) {
    it(JSON.stringify(text), () => {
      const e = expectParseError(() => psl(text), { kind: 'unsupported', at, message: detail });
      assert.match(e.message, new RegExp(`^unsupported construct .* at test\\.psl:${at}$`));
    });
  }
});

describe('loadPolicy: the use resolver', () => {
  const searchPath = [fixturePath('door/einit/src'), fixturePath('sdk')];
  const options = { searchPath, placeholders: { MAIN_TASK: 'Door' }, board: BOARD };

  it('loads SDK fragments, conditional modules and built-in model modules, once each, in inclusion order', () => {
    const policy = loadPolicy(fixturePath(DOOR_TOP), options);
    assert.deepEqual(
      policy.modules.map((m) => [m.name, m.kind]),
      [
        [null, 'file'],
        ['nk.base', 'builtin'],
        ['kl.core.DCM', 'file'],
        ['kl.drivers.BSP', 'file'],
        ['dynld', 'file'],
      ],
    );
    assert.ok(policy.modules[2]?.file?.endsWith('sdk/kl/core/DCM.psl'));
    assert.equal(lc(policy.modules[2]?.usedFrom ?? { file: '', line: 0, column: 0 }), '17:1');
    assert.deepEqual(
      policy.edl.map((e) => e.taskClass),
      [
        'Einit',
        'kl.core.Core',
        'demo.Door',
        'demo.Lock',
        'demo.Logger',
        'kl.core.DCM',
        'kl.drivers.BSP',
        'kl.bc.BlobContainer',
      ],
    );
    // A module's declarations follow the use that includes it.
    const kinds = policy.declarations.map((d) =>
      d.kind === 'useModule'
        ? `use ${d.module}`
        : d.kind === 'binding'
          ? `${d.event}@${d.loc.file.split('/').pop()}`
          : d.kind,
    );
    const at = kinds.indexOf('use kl.core.DCM');
    assert.deepEqual(kinds.slice(at, at + 4), ['use kl.core.DCM', 'useEdl', 'execute@DCM.psl', 'request@DCM.psl']);
    assert.equal(kinds.filter((k) => k === 'execute@dynld.psl').length, 1);
  });

  it('reports a missing module at its use, after templating, in the template file', () => {
    const e = expectParseError(
      () => loadPolicy(fixturePath(DOOR_TOP), { ...options, board: { BOARD: 'RADXA_ROCK_3A' } }),
      {
        kind: 'reference',
        at: '22:1',
        file: 'security.psl.in',
        message: /cannot find PSL module kl\.drivers\.RockBSP \(looked for kl\/drivers\/RockBSP\.psl in /,
      },
    );
    assert.ok(e.loc.file.endsWith(DOOR_TOP));
  });

  it('reports an unknown CMake placeholder in the top file', () => {
    // The first placeholder is in the file's header comment: CMake substitutes there too.
    expectParseError(() => loadPolicy(fixturePath(DOOR_TOP), { searchPath, board: BOARD }), {
      kind: 'template',
      at: '3:7',
      message: /unknown placeholder @MAIN_TASK@/,
    });
  });

  const memory = (files: Record<string, string>) => (path: string) => files[path];

  it('a use cycle includes each module once, in first-use order; each file is read once', () => {
    const files: Record<string, string> = {
      'top.psl': 'use a._\nrequest { grant () }',
      'lib/a.psl': 'use b._\nresponse { grant () }',
      'lib/b.psl': '\n\n  use a._\n  use top._\nerror { grant () }',
      'lib/top.psl': 'use a._',
    };
    const reads: string[] = [];
    const readFile = (path: string) => (reads.push(path), files[path]);
    const p = loadPolicy('top.psl', { searchPath: ['lib'], readFile });
    assert.deepEqual(
      p.modules.map((m) => m.name),
      [null, 'a', 'b', 'top'],
    );
    assert.deepEqual(
      p.declarations.filter((d) => d.kind === 'binding').map((d) => `${d.loc.file}:${d.loc.line}`),
      ['lib/b.psl:5', 'lib/a.psl:2', 'top.psl:2'],
    );
    assert.equal(new Set(reads).size, reads.length, `a file was read twice: ${reads.join(', ')}`);
  });

  it('a typo in the use of an own module names the file looked for and the closest module', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cordon-use-'));
    try {
      mkdirSync(join(dir, 'parts'));
      writeFileSync(join(dir, 'parts', 'flow_part.psl'), 'response { grant () }\n');
      writeFileSync(join(dir, 'security.psl'), 'use nk.base._\n  use parts.flwo_part._\n');
      expectParseError(() => loadPolicy(join(dir, 'security.psl'), { searchPath: [dir] }), {
        kind: 'reference',
        at: '2:3',
        message:
          /cannot find PSL module parts\.flwo_part \(looked for parts\/flwo_part\.psl in .*\); did you mean use parts\.flow_part\._\?$/,
      });
      expectParseError(
        () =>
          loadPolicy(join(dir, 'security.psl'), {
            searchPath: [dir],
            readFile: (f) => (f.endsWith('security.psl') ? 'use nk.flwo._' : undefined),
          }),
        {
          kind: 'reference',
          message: /did you mean use nk\.flow\._\?$/,
        },
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a module used from two places is loaded once (diamond)', () => {
    const readFile = memory({
      'top.psl': 'use a._\nuse b._',
      'lib/a.psl': 'use c._',
      'lib/b.psl': 'use c._',
      'lib/c.psl': 'response { grant () }',
    });
    const policy = loadPolicy('top.psl', { searchPath: ['lib'], readFile });
    assert.deepEqual(
      policy.modules.map((m) => m.name),
      [null, 'a', 'c', 'b'],
    );
    assert.equal(policy.declarations.filter((d) => d.kind === 'binding').length, 1);
  });

  it('the first directory of the search path wins; a file overrides a built-in module', () => {
    const readFile = memory({
      'top.psl': 'use m._\nuse nk.flow._',
      'first/m.psl': 'error { grant () }',
      'second/m.psl': 'response { grant () }',
      'second/nk/flow.psl': 'use EDL kl.core.Core',
    });
    const policy = loadPolicy('top.psl', { searchPath: ['first', 'second'], readFile });
    assert.deepEqual(
      policy.modules.map((m) => [m.name, m.file]),
      [
        [null, 'top.psl'],
        ['m', 'first/m.psl'],
        ['nk.flow', 'second/nk/flow.psl'],
      ],
    );
  });

  it('a syntax error in an included module points into that module', () => {
    const readFile = memory({ 'top.psl': 'use a._', 'lib/a.psl': 'request {\n  match src = }' });
    expectParseError(() => loadPolicy('top.psl', { searchPath: ['lib'], readFile }), {
      kind: 'syntax',
      at: '2:15',
      file: 'lib/a.psl',
    });
  });

  it('a missing top file is an io error', () => {
    expectParseError(() => loadPolicy('nowhere.psl', { searchPath: [], readFile: () => undefined }), {
      kind: 'io',
      at: '1:1',
    });
  });
});

describe('PSL parser limits', () => {
  it('brackets nested deeper than 200 levels are refused at the first one too deep', () => {
    const text = 'request { assert (' + '('.repeat(250) + 'x' + ')'.repeat(251) + ' }';
    expectParseError(() => psl(text), { kind: 'limit', at: '1:217', message: /brackets nest deeper than 200 levels/ });
  });

  it('an operator chain too deep for the call stack is a ParseError, not a crash', () => {
    expectParseError(() => psl(`request { assert (${'!'.repeat(50_000)}x) }`), {
      kind: 'limit',
      at: '1:1',
      message: /nests too deeply/,
    });
  });
});
