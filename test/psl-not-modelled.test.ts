/**
 * Constructs Cordon cannot model (`/` and `%`, the Mic wildcard `...`, the
 * Era model, maps with non-text keys) do not refuse the policy: it loads,
 * lists each as "unsupported construct X at file:line:col" in
 * `notModelled`, and every rule or choice that uses one denies when it is
 * reached — the compiled policy and the reference interpreter alike — while
 * the rest of the policy decides as written.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { both, decide, ev, HEAD } from './psl-compile-helpers.ts';
import { rulesKey } from '../src/monitor/types.ts';

const POLICY = `${HEAD}use nk.mic._
policy object era : Era { config = "automaton.era" }
type Level = "low" | ... | ()
policy object ports : HashSet { type Entry = Map<UInt16, Boolean> config = { set_size : 2, pool_size : 2 } }
policy object window : HashSet { type Entry = UInt8 config = { set_size : 8 / 2, pool_size : 2 } }
use nk.hashmap._
request dst = demo.Lock {
  match endpoint = front.bolt { grant () }
  match endpoint = back.bolt { assert (message.n % 2 == 0) }
  match endpoint = status { era.tick {} }
}
response dst = demo.Door {
  choice (message.n / 2) { 1 : grant () _ : grant () }
}
response dst = demo.Logger {
  choice (message.n) { 1 : grant () _ : { ports.add {sid : src_sid, entry : {}} } }
}
error { grant () }
`;

describe('not modelled: the policy loads, lists what it cannot model, and those rules deny', () => {
  const b = both(POLICY);

  it('the list: one message per construct, with its place', () => {
    assert.deepEqual(b.compiled.notModelled, [
      'unsupported construct ... in a type (the meaning of the Mic level wildcard is not documented) at sol/security.psl:5:22',
      'unsupported construct the Era model (legacy Starter Kit only, not part of KasperskyOS CE) at sol/security.psl:4:1',
      'unsupported construct Map with keys of a type other than Text (PSL dictionary keys are names or texts) at sol/security.psl:6:50',
      'unsupported construct division operator / (the Math model has no division) at sol/security.psl:7:77',
      'unsupported construct modulo operator % (the Math model has no modulo) at sol/security.psl:11:50',
      'unsupported construct division operator / (the Math model has no division) at sol/security.psl:15:21',
    ]);
    assert.deepEqual(b.interpreted.notModelled, b.compiled.notModelled);
    // objects Cordon cannot model are not in the monitor state
    assert.deepEqual(
      b.compiled.objects.map((o) => o.name).filter((n) => ['era', 'ports', 'window'].includes(n)),
      [],
    );
  });

  it('a rule using one denies, naming it; the other rules decide as written', () => {
    const s = b.compiled.initial;
    assert.equal(decide(b, s, ev('request', { endpoint: 'front.bolt', method: 'Turn' })).verdict, 'grant');
    const mod = decide(b, s, ev('request', { endpoint: 'back.bolt', method: 'Turn', message: { n: 2 } }));
    assert.equal(mod.verdict, 'deny');
    assert.equal(rulesKey(mod), 'security.psl:11:32');
    assert.equal(
      mod.reason,
      'not modelled: unsupported construct modulo operator % (the Math model has no modulo) at sol/security.psl:11:50',
    );
    const era = decide(b, s, ev('request', { endpoint: 'status', method: 'Get' }));
    assert.equal(era.verdict, 'deny');
    assert.match(era.reason ?? '', /^not modelled: unsupported construct the Era model .* at sol\/security\.psl:4:1$/);
  });

  it('a choice whose subject uses one denies; inside an alternative, only that alternative denies', () => {
    const s = b.compiled.initial;
    const door = decide(
      b,
      s,
      ev('response', { from: 'demo.Lock', to: 'demo.Door', endpoint: 'status', method: 'Get', message: { n: 2 } }),
    );
    assert.equal(door.verdict, 'deny');
    assert.equal(rulesKey(door), 'security.psl:15:3');
    assert.match(door.reason ?? '', /division operator \/ .* at sol\/security\.psl:15:21$/);
    const one = decide(
      b,
      s,
      ev('response', { from: 'demo.Lock', to: 'demo.Logger', endpoint: 'status', method: 'Get', message: { n: 1 } }),
    );
    assert.equal(one.verdict, 'grant');
    const other = decide(
      b,
      s,
      ev('response', { from: 'demo.Lock', to: 'demo.Logger', endpoint: 'status', method: 'Get', message: { n: 3 } }),
    );
    assert.equal(other.verdict, 'deny');
    assert.match(other.reason ?? '', /^not modelled: unsupported construct Map with keys/);
    assert.equal(
      decide(b, s, ev('error', { from: 'demo.Lock', to: 'demo.Door', endpoint: 'status', method: 'Get' })).verdict,
      'grant',
    );
  });

  it('a policy without such constructs has an empty list', () => {
    assert.deepEqual(both(`${HEAD}request { grant () }\n`).compiled.notModelled, []);
  });
});
