/**
 * More exact tests of the PSL checker and policy coverage, for Stryker
 * survivors found after test/psl-check-mutants.test.ts and
 * test/psl-coverage-mutants.test.ts (issue 11, part 4). Each test states
 * the requirement it protects.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileWithCoverage } from '../src/policy/compile/coverage.ts';
import { checkPolicy } from '../src/policy/compile/index.ts';
import { HEAD, loadText, TABLES } from './psl-compile-helpers.ts';

describe('check: rule ids (traceability)', () => {
  it('a place in a file the policy does not include is named by the file name', () => {
    const checked = checkPolicy(loadText(`${HEAD}request { grant () }\n`), TABLES);
    assert.equal(checked.label({ file: 'other/dir/x.psl', line: 1, column: 2 }), 'x.psl:1:2');
  });

  it('a rule ref is made once per place, whichever Loc object names it', () => {
    const checked = checkPolicy(loadText(`${HEAD}request { grant () }\n`), TABLES);
    const loc = checked.bindings[0]!.body[0]!.loc;
    const ref = checked.ruleRef({ ...loc });
    assert.equal(checked.ruleRef(loc), ref);
    assert.equal(checked.ruleRef({ ...loc }), ref);
  });
});

describe('policy coverage: points inside choices (coverage evidence)', () => {
  it('a match section nested in a choice is counted by its step, at any depth; outside a choice by its parent', () => {
    const text = `${HEAD}request {\n  choice (message.k) {\n    "x" : { match src = Einit { match dst = demo.Lock { grant () } } }\n  }\n  match src = Einit { match dst = demo.Lock { grant () } }\n}\n`;
    const { coverage } = compileWithCoverage(loadText(text), TABLES);
    assert.deepEqual(
      coverage.points.map((p) => `${p.kind} ${p.label}`),
      [
        'binding request',
        'rule choice',
        'alternative choice alternative "x"',
        'match match src=Einit',
        'match match dst=demo.Lock',
        'rule grant',
        'match match src=Einit',
        'match match dst=demo.Lock',
        'rule grant',
      ],
    );
    assert.deepEqual(
      [...coverage.parentOf],
      [
        [6, 0],
        [7, 6],
      ],
    );
    assert.deepEqual(
      [...coverage.matchCondition],
      [
        [3, 0],
        [4, 1],
        [6, 2],
        [7, 3],
      ],
    );
  });

  it('a sid that kept its state took no transition, even where a self-transition is declared', () => {
    const text = `${HEAD}use nk.flow._\npolicy object fsm : Flow {\n    type State = "a" | "b"\n    config = { states : ["a", "b"], initial : "a", transitions : { "a" : ["a", "b"] } }\n}\n`;
    const { coverage } = compileWithCoverage(loadText(text), TABLES);
    const slot = coverage.policy.objects.get('fsm')!.slot;
    assert.deepEqual([...coverage.transitionsOf(slot)!.keys()], ['a\0a', 'a\0b']);
    coverage.transitions(
      slot,
      new Map([
        [1, 'a'],
        [2, 'a'],
      ]),
      new Map([
        [1, 'b'],
        [2, 'a'],
      ]),
    );
    assert.deepEqual([...coverage.pointHits], [0, 1]);
  });
});
