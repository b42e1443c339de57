/**
 * PAL parser: test sets, setup/sequence/finally blocks, expectations,
 * case names, SID capture with `<-`, selectors and message records.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PalAssert, PalTestCase } from '../src/policy/pal/ast.ts';
import { parsePal } from '../src/policy/pal/parser.ts';
import { parsePsl } from '../src/policy/psl/parser.ts';
import { expectParseError, lc, readFixture, withoutLocs } from './fixtures/formats/helpers.ts';

const TESTS = 'door/einit/src/tests.psl';

function pal(text: string) {
  return parsePal({ file: 'tests.psl', text });
}

/** A test case written alone in a sequence. */
function oneCase(text: string): PalTestCase {
  const c = pal(`assert { sequence { ${text} } }`).asserts[0]?.sequences[0]?.cases[0];
  assert.ok(c !== undefined);
  return c;
}

const sel = (key: string, value: string) => ({ key, value });

describe('PAL test sets (door/einit/src/tests.psl)', () => {
  const file = pal(readFixture(TESTS));
  const [door, kernel] = file.asserts as [PalAssert, PalAssert];

  it('two assert blocks, named and unnamed', () => {
    assert.equal(file.asserts.length, 2);
    assert.equal(door.name, 'door policy');
    assert.equal(kernel.name, null);
    assert.equal(lc(door.loc), '2:1');
  });

  it('setup with SID captures, with and without an expectation', () => {
    assert.deepEqual(withoutLocs(door.setup), [
      {
        kind: 'palCase',
        expectation: null,
        name: null,
        capture: 'core',
        event: 'execute',
        selectors: [sel('dst', 'kl.core.Core')],
        message: null,
      },
      {
        kind: 'palCase',
        expectation: null,
        name: null,
        capture: 'einit',
        event: 'execute',
        selectors: [sel('src', 'core'), sel('dst', 'Einit')],
        message: null,
      },
      {
        kind: 'palCase',
        expectation: 'grant',
        name: null,
        capture: 'door',
        event: 'execute',
        selectors: [sel('src', 'einit'), sel('dst', 'demo.Door')],
        message: null,
      },
      {
        kind: 'palCase',
        expectation: null,
        name: null,
        capture: 'lock',
        event: 'execute',
        selectors: [sel('src', 'einit'), sel('dst', 'demo.Lock')],
        message: null,
      },
    ]);
    assert.equal(lc(door.setup?.[2]?.loc ?? { file: '', line: 0, column: 0 }), '6:9');
  });

  it('sequences with names, case names, messages spanning lines and ; separators', () => {
    assert.deepEqual(
      door.sequences.map((s) => [s.name, s.cases.length]),
      [
        ['a small turn is allowed', 2],
        ['four turns are refused', 1],
        [null, 2],
      ],
    );
    const turn = door.sequences[0]?.cases[0];
    assert.deepEqual(withoutLocs(turn), {
      kind: 'palCase',
      expectation: 'grant',
      name: 'turn twice',
      capture: null,
      event: 'request',
      selectors: [sel('src', 'door'), sel('dst', 'lock'), sel('endpoint', 'front.bolt'), sel('method', 'Turn')],
      message: {
        kind: 'record',
        fields: [
          {
            key: { kind: 'name', name: 'request' },
            value: {
              kind: 'record',
              fields: [
                { key: { kind: 'name', name: 'angle' }, value: { kind: 'int', value: 45n, text: '45' } },
                { key: { kind: 'name', name: 'repeats' }, value: { kind: 'int', value: 2n, text: '2' } },
              ],
            },
          },
        ],
      },
    });
    assert.deepEqual(withoutLocs(door.sequences[0]?.cases[1]?.message), { kind: 'record', fields: [] });
  });

  it('any, a name without an expectation, security events', () => {
    const [anyCase, named] = door.sequences[2]?.cases ?? [];
    assert.equal(anyCase?.expectation, 'any');
    assert.equal(named?.expectation, null);
    assert.equal(named?.name, 'named, expectation left to the runner');
    assert.equal(named?.event, 'security');
    assert.deepEqual(withoutLocs(named?.selectors), [sel('src', 'door'), sel('method', 'Check')]);
  });

  it('finally, error events and negative values in messages', () => {
    assert.deepEqual(withoutLocs(door.finally), [
      {
        kind: 'palCase',
        expectation: 'any',
        name: null,
        capture: null,
        event: 'error',
        selectors: [sel('src', 'lock'), sel('dst', 'door'), sel('endpoint', 'front.bolt'), sel('method', 'Turn')],
        message: {
          kind: 'record',
          fields: [{ key: { kind: 'name', name: 'rc' }, value: { kind: 'int', value: -1n, text: '-1' } }],
        },
      },
    ]);
  });

  it('a capture after the expectation', () => {
    const c = kernel.sequences[0]?.cases[0];
    assert.equal(c?.expectation, 'deny');
    assert.equal(c?.capture, 'core2');
  });

  it('the same blocks are assert declarations of a PSL file', () => {
    const psl = parsePsl({ file: 'tests.psl', text: readFixture(TESTS) });
    assert.deepEqual(psl.declarations, file.asserts);
  });
});

describe('PAL test cases', () => {
  it('capture before or after the expectation and name, never twice', () => {
    assert.equal(oneCase('s <- deny "n" execute dst = X').capture, 's');
    assert.equal(oneCase('deny "n" s <- execute dst = X').capture, 's');
    expectParseError(() => oneCase('a <- grant b <- execute dst = X'), {
      kind: 'validation',
      message: /captures a SID only once/,
    });
  });

  it('comma-separated selectors and events without selectors', () => {
    assert.deepEqual(withoutLocs(oneCase('grant request src = a, dst = b').selectors), [
      sel('src', 'a'),
      sel('dst', 'b'),
    ]);
    assert.deepEqual(withoutLocs(oneCase('response').selectors), []);
  });

  it('a file without tests is empty; comments are allowed anywhere', () => {
    assert.deepEqual(pal('// nothing\n/* here */').asserts, []);
    assert.equal(
      pal('assert /* c */ "x" { // c\n sequence { /* c */ grant execute dst = A // c\n } }').asserts[0]?.sequences[0]
        ?.cases.length,
      1,
    );
  });
});

describe('PAL errors', () => {
  const cases: [string, string, RegExp][] = [
    [
      'assert { sequence { grant requst dst = A } }',
      '1:27',
      /expected a SID capture \(<sid> <-\), a security event \(execute, request, response, error, security\) or a text literal but found "requst"/,
    ],
    ['assert { sequence { grant request dst A } }', '1:39', /expected "="/],
    ['assert { finally {} sequence {} }', '1:21', /expected "\}"/],
    [
      'assert { sequence { 5 } }',
      '1:21',
      /expected a test case \(grant, deny, any, a security event, or <sid> <- execute …\) or "\}"/,
    ],
    ['assert { setup { } setup { } }', '1:20', /expected "finally", "sequence" or "\}" but found "setup"/],
    ['use nk.base._', '1:1', /expected end of input or "assert" but found "use"/],
  ];
  for (const [text, at, message] of cases) {
    it(JSON.stringify(text), () => {
      expectParseError(() => pal(text), { kind: 'syntax', at, message });
    });
  }
});
