/**
 * More exact tests of the PSL checker (src/policy/compile/check.ts), for
 * Stryker survivors predicted from its code after the first two files
 * (issue 11, part 4). Each test states the requirement it protects.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { constantValue } from '../src/policy/compile/index.ts';
import { both, decide, ev, HEAD, loadText, refusal } from './psl-compile-helpers.ts';

const FLOW_OBJ = `use nk.flow._
policy object fsm : Flow {
    type State = "a" | "b"
    config = { states : ["a", "b"], initial : "a", transitions : { "a" : ["b"] } }
}
`;
const LOCK = { endpoint: 'front.bolt', method: 'Turn' } as const;

describe('check: calls without an object go only to the SDK default objects (default deny)', () => {
  it('a declared object is not a default object: its methods need its name', () => {
    const e = refusal(`${HEAD}${FLOW_OBJ}request { init {sid : src_sid} }\n`);
    assert.equal(e.kind, 'reference');
    assert.equal(
      e.message,
      "sol/security.psl:8:11: unknown rule init (a call without an object name goes to the SDK's default objects: base, pred, bool, math, struct)",
    );
  });
});

describe('check: arguments and choices on values computed when the event comes (default deny)', () => {
  it('a call is a valid argument of a rule with a record parameter; it is checked when the event comes', () => {
    const b = both(`${HEAD}${FLOW_OBJ}request { fsm.enter (fsm.query {sid : src_sid}) }\n`);
    assert.equal(decide(b, b.compiled.initial, ev('request', LOCK)).verdict, 'deny');
  });

  it('a choice on a call of a method without its own label matching compares labels by value', () => {
    const b = both(`${HEAD}request { choice (size (message.t)) { 2 : grant () _ : deny () } }\n`);
    const say = (t: string) => decide(b, b.compiled.initial, ev('request', { ...LOCK, message: { t } })).verdict;
    assert.deepEqual(['ab', 'abc'].map(say), ['grant', 'deny']);
  });
});

describe('check: audit profiles are written out as dictionaries (audit)', () => {
  it('a profile or a level that is a constant dictionary but not written as one is refused', () => {
    const level = refusal(`${HEAD}audit profile p = { 0 : [{ base : { kss : [] } }].[0] }\n`);
    assert.equal(level.message, 'sol/security.psl:3:25: audit profile p: level 0 maps object names to { kss : […] }');
    assert.equal(level.kind, 'validation');
    const profile = refusal(`${HEAD}audit profile p = [{ 0 : {} }].[0]\n`);
    assert.equal(profile.message, 'sol/security.psl:3:19: audit profile p must be written as a dictionary');
    assert.equal(profile.kind, 'validation');
  });
});

describe('check: type aliases (typed interfaces)', () => {
  it('a top-level alias is visible in the type parameters of an object', () => {
    const b = both(
      `${HEAD}use nk.hashmap._\ntype Small = UInt8\npolicy object s : HashSet { type Entry = Small config = { set_size : 1, pool_size : 1 } }\nexecute { s.init {sid : dst_sid} }\nrequest { s.add {sid : dst_sid, entry : message.e} }\n`,
    );
    const started = decide(b, b.compiled.initial, ev('execute'));
    assert.equal(started.verdict, 'grant');
    const s = started.next;
    assert.equal(decide(b, s, ev('request', { ...LOCK, message: { e: 7n } })).verdict, 'grant');
    const big = decide(b, s, ev('request', { ...LOCK, message: { e: 300n } }));
    assert.equal(big.reason, 's.add: entry 300 is not of type Entry', 'Small is UInt8');
  });

  it('an alias Cordon cannot model is listed once, however many objects use it', () => {
    const b = both(
      `${HEAD}use nk.hashmap._\ntype L = "a" | ... | ()\npolicy object s : HashSet { type Entry = L config = { set_size : 1, pool_size : 1 } }\npolicy object t : HashSet { type Entry = L config = { set_size : 1, pool_size : 1 } }\n`,
    );
    assert.deepEqual(b.compiled.notModelled, [
      'unsupported construct ... in a type (the meaning of the Mic level wildcard is not documented) at sol/security.psl:4:16',
    ]);
  });
});

describe('check: constants (default deny)', () => {
  it('a constant list or tuple is frozen, as a record is', () => {
    const policy = loadText(`${HEAD}request { assert ([1, 2]) assert ((1, "a")) }\n`);
    const bind = policy.declarations.find((d) => d.kind === 'binding')!;
    assert.equal(bind.kind, 'binding');
    for (const s of bind.kind === 'binding' ? bind.body : []) {
      if (s.kind !== 'call') assert.fail(`not a rule call: ${s.kind}`);
      const v = constantValue(s.arg);
      assert.ok(v.ok && Array.isArray(v.value) && Object.isFrozen(v.value));
    }
  });
});
