/**
 * More exact tests of the PSL checker (src/policy/compile/check.ts), for
 * the Stryker survivors of the third range run (issue 11, part 4). Each
 * test states the requirement it protects.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { auditsRule, checkPolicy } from '../src/policy/compile/index.ts';
import { ParseError } from '../src/syntax/errors.ts';
import { both, HEAD, loadText, TABLES } from './psl-compile-helpers.ts';

describe('check: choice subjects are checked like any expression (default deny)', () => {
  it('an unknown name in a choice subject refuses the policy; it is not taken for a construct Cordon cannot model', () => {
    let caught: unknown;
    try {
      both(`${HEAD}request { choice (ghost) { _ : grant () } }\n`);
    } catch (e) {
      caught = e;
    }
    assert.ok(caught instanceof ParseError, String(caught));
    assert.equal(caught.kind, 'reference');
    assert.equal(
      caught.message,
      'sol/security.psl:3:19: unknown name ghost (an expression may use message, src_sid and dst_sid)',
    );
  });
});

describe('check: audit profiles (audit)', () => {
  it('an object configured without kss records no outcome', () => {
    const a = checkPolicy(
      loadText(`${HEAD}audit profile p = { 0 : { base : {} } }\naudit default = p 0\nrequest { grant () }\n`),
      TABLES,
    ).audit;
    assert.deepEqual(a.profiles.get('p')!.levels.get(0)!.get('base'), { kss: [], options: {} });
    assert.equal(auditsRule(a, 'security.psl:5:11', 'granted'), false);
  });

  it('a rule whose object the level does not name is not recorded', () => {
    const text = `${HEAD}use nk.flow._\npolicy object fsm : Flow {\n    type State = "a" | "b"\n    config = { states : ["a", "b"], initial : "a", transitions : { "a" : ["b"] } }\n}\naudit profile p = { 0 : { base : { kss : ["granted", "denied"] } } }\naudit default = p 0\nrequest { fsm.init {sid : src_sid} }\n`;
    const a = checkPolicy(loadText(text), TABLES).audit;
    assert.equal(a.ruleObjects.get('security.psl:10:11'), 'fsm');
    assert.equal(auditsRule(a, 'security.psl:10:11', 'granted'), false);
    assert.equal(auditsRule(a, 'security.psl:10:11', 'denied'), false);
  });
});
