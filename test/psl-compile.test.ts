/**
 * The PSL compiler: every construct compiled and decided (by the compiled
 * policy and the reference interpreter, which must agree on each decision),
 * the decision semantics (all must grant, default deny, evaluation order,
 * rollback on deny), rule ids, audit data and the real-style door policy.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compilePsl, compilePslFile, auditsRule, DEFAULT_DENY_RULE } from '../src/policy/compile/index.ts';
import { auditMark, auditRecord, policyAudit } from '../src/monitor/audit.ts';
import { loadPolicy } from '../src/policy/psl/index.ts';
import { fixturePath } from './fixtures/formats/helpers.ts';
import { both, decide, ev, HEAD, ruleAt, run, TABLES, verdicts } from './psl-compile-helpers.ts';
import { rulesKey } from '../src/monitor/types.ts';

const FLOW = `use nk.flow._
policy object door_fsm : Flow {
    type State = "closed" | "open" | "locked"
    config = { states : ["closed", "open", "locked"], initial : "closed"
             , transitions : { "closed" : ["open", "locked"], "open" : ["closed"], "locked" : ["closed"] } }
}
`;

const turn = (
  message: unknown = { request: { angle: 10, repeats: 1 } },
  spec: { src?: number; dst?: number; from?: string } = {},
) => ev('request', { from: 'demo.Door', to: 'demo.Lock', endpoint: 'front.bolt', method: 'Turn', message, ...spec });

describe('PSL compiler: bindings and selectors', () => {
  it('decides each of the five events by its own bindings', () => {
    const b = both(`${HEAD}
execute { grant () }
request dst = demo.Lock { grant () }
response src = demo.Lock { grant () }
error src = demo.Lock { deny () }
security src = demo.Door { grant () }
`);
    const s = b.compiled.initial;
    assert.equal(decide(b, s, ev('execute', { to: 'demo.Door' })).verdict, 'grant');
    assert.equal(decide(b, s, turn()).verdict, 'grant');
    assert.equal(
      decide(b, s, ev('response', { from: 'demo.Lock', to: 'demo.Door', endpoint: 'status', method: 'Get' })).verdict,
      'grant',
    );
    assert.equal(
      decide(b, s, ev('error', { from: 'demo.Lock', to: 'demo.Door', endpoint: 'status', method: 'Get' })).verdict,
      'deny',
    );
    assert.equal(
      decide(b, s, ev('security', { from: 'demo.Door', to: 'kl.core.Core', method: 'Check' })).verdict,
      'grant',
    );
    // a request to another server: no binding applies
    const d = decide(b, s, ev('request', { from: 'demo.Door', to: 'demo.Logger', endpoint: 'log', method: 'Write' }));
    assert.deepEqual([d.verdict, rulesKey(d), d.reason], ['deny', DEFAULT_DENY_RULE, 'no rule applies to this event']);
  });

  it('src, dst, endpoint, method, interface and component select', () => {
    const b = both(`${HEAD}
request src = demo.Door, dst = demo.Lock, endpoint = front.bolt, method = Turn { grant () }
request interface = demo.Status { grant () }
request component = back { grant () }
`);
    const s = b.compiled.initial;
    const r = (endpoint: string, method: string, from = 'demo.Door') =>
      decide(b, s, ev('request', { from, to: 'demo.Lock', endpoint, method })).verdict;
    assert.equal(r('front.bolt', 'Turn'), 'grant');
    assert.equal(r('front.bolt', 'Turn', 'Einit'), 'deny'); // src
    assert.equal(r('front.bolt', 'Hold'), 'deny'); // method
    assert.equal(r('front.spare', 'Turn'), 'deny'); // endpoint
    assert.equal(r('status', 'Get', 'Einit'), 'grant'); // interface
    assert.equal(r('back.spare', 'Release', 'Einit'), 'grant'); // component (instance-path prefix)
    assert.equal(r('back.bolt', 'Hold', 'Einit'), 'grant');
  });

  it('nested match sections inherit and add selectors; comma and whitespace forms; one-line headers', () => {
    const b = both(`${HEAD}
request {
    match dst = demo.Lock {
        match src = demo.Door endpoint = front.bolt { match method = Turn { grant () } }
        match src = Einit, method = Release { grant () }
    }
    match dst = demo.Logger { grant () }
}
request dst=demo.Lock endpoint=status method=Get { grant () }
`);
    const s = b.compiled.initial;
    const r = (from: string, to: string, endpoint: string, method: string) =>
      decide(b, s, ev('request', { from, to, endpoint, method })).verdict;
    assert.equal(r('demo.Door', 'demo.Lock', 'front.bolt', 'Turn'), 'grant');
    assert.equal(r('demo.Door', 'demo.Lock', 'front.bolt', 'Hold'), 'deny');
    assert.equal(r('Einit', 'demo.Lock', 'front.bolt', 'Turn'), 'deny');
    assert.equal(r('Einit', 'demo.Lock', 'back.spare', 'Release'), 'grant');
    assert.equal(r('demo.Door', 'demo.Logger', 'log', 'Write'), 'grant');
    assert.equal(r('demo.Door', 'demo.Lock', 'status', 'Get'), 'grant');
  });

  it('execute selectors: src, dst and method = main (the only method of kl.core.Execute)', () => {
    const b = both(`${HEAD}
execute src = kl.core.Core, dst = kl.core.Core { grant () }
execute src = Einit { match dst = demo.Door, method = main { grant () } }
`);
    const s = b.compiled.initial;
    assert.equal(decide(b, s, ev('execute', { from: 'kl.core.Core', to: 'kl.core.Core' })).verdict, 'grant');
    assert.equal(decide(b, s, ev('execute', { from: 'Einit', to: 'demo.Door' })).verdict, 'grant');
    assert.equal(decide(b, s, ev('execute', { from: 'Einit', to: 'demo.Lock' })).verdict, 'deny');
    assert.equal(b.compiled.executeInterface, 'kl.core.Execute');
  });

  it('security events select on the security interface and its method', () => {
    const b = both(`${HEAD}
security src = demo.Door, method = Check { match interface = demo.Audit { assert (message.level == "low") } }
`);
    const s = b.compiled.initial;
    const q = (level: string) =>
      decide(b, s, ev('security', { from: 'demo.Door', to: 'kl.core.Core', method: 'Check', message: { level } }))
        .verdict;
    assert.equal(q('low'), 'grant');
    assert.equal(q('high'), 'deny');
  });

  it('an interface selector is checked against the event itself (the cell guard)', () => {
    const b = both(`${HEAD}
request dst = demo.Lock, endpoint = front.bolt { match interface = demo.Bolt { grant () } }
`);
    const good = turn();
    assert.equal(decide(b, b.compiled.initial, good).verdict, 'grant');
    // an event naming another interface with the same endpoint id is not selected
    assert.equal(
      decide(b, b.compiled.initial, { ...good, iface: TABLES.interfaces.findIndex((i) => i.name === 'demo.Log') })
        .verdict,
      'deny',
    );
  });
});

describe('PSL compiler: rules and expressions', () => {
  it('grant (), deny (), deny (expr), assert (expr)', () => {
    const text = `${HEAD}
request method = Turn { grant () }
request method = Hold { deny () }
request method = Release { deny (message.force) }
request endpoint = status { assert (message.ok) }
`;
    const b = both(text);
    const s = b.compiled.initial;
    const r = (endpoint: string, method: string, message: unknown) =>
      decide(b, s, ev('request', { from: 'demo.Door', endpoint, method, message }));
    assert.equal(r('front.bolt', 'Turn', null).verdict, 'grant');
    const hold = r('front.bolt', 'Hold', null);
    assert.deepEqual(
      [hold.verdict, rulesKey(hold), hold.reason],
      ['deny', ruleAt(text, 'deny ()'), 'deny: deny () always denies'],
    );
    assert.equal(r('front.bolt', 'Release', { force: false }).verdict, 'grant');
    const forced = r('front.bolt', 'Release', { force: true });
    assert.deepEqual([forced.verdict, forced.reason], ['deny', 'deny: the deny condition is true']);
    assert.equal(r('status', 'Get', { ok: true }).verdict, 'grant');
    assert.deepEqual(r('status', 'Get', { ok: false }).reason, 'assert: the assertion is false');
    assert.match(r('status', 'Get', { ok: 1 }).reason!, /assert: assert takes \(\) or a Boolean, not 1/);
  });

  it('message fields, nested fields, elements, size (), comparisons, boolean and integer operators', () => {
    const text = `${HEAD}
request method = Turn {
    deny ( (message.request.repeats) > 3)
    assert (message.request.angle <= 90 && message.request.angle >= 0)
    assert (size (message.tags) < 3 || message.tags.[0] == "urgent")
    assert (message.request.angle * 2 + 1 - 1 != 180 ==> message.request.repeats == 1)
    assert ((message.mask & 0x3) == 0x3 && (message.mask | 4) == 7 && ~0 == -1 && !(message.mask == 0))
}
`;
    const b = both(text);
    const rule = (n: number) => (n === 0 ? ruleAt(text, 'deny (') : ruleAt(text, 'assert (', n - 1));
    const s = b.compiled.initial;
    const t = (request: unknown, tags: unknown = [], mask = 3) => decide(b, s, turn({ request, tags, mask }));
    assert.equal(t({ angle: 45, repeats: 1 }).verdict, 'grant');
    assert.equal(rulesKey(t({ angle: 45, repeats: 4 })), rule(0));
    assert.equal(rulesKey(t({ angle: 91, repeats: 1 })), rule(1));
    assert.equal(rulesKey(t({ angle: 45, repeats: 1 }, ['a', 'b', 'c'])), rule(2));
    assert.equal(t({ angle: 45, repeats: 1 }, ['urgent', 'b', 'c']).verdict, 'grant');
    assert.equal(t({ angle: 90, repeats: 1 }).verdict, 'grant');
    assert.equal(rulesKey(t({ angle: 45, repeats: 2 })), rule(3));
    assert.equal(rulesKey(t({ angle: 45, repeats: 1 }, [], 2)), rule(4));
    // big integers (UInt64 as bigint) compare exactly
    assert.equal(t({ angle: 45n, repeats: 1n }).verdict, 'grant');
  });

  it('an expression that runs incorrectly denies with the reason (missing field, out of range, wrong type)', () => {
    const b = both(`${HEAD}
request method = Turn { assert (message.items.[2] > 0) }
`);
    const s = b.compiled.initial;
    assert.equal(decide(b, s, turn({ items: [1, 2, 3] })).verdict, 'grant');
    assert.equal(decide(b, s, turn({ items: [1, 2] })).reason, 'assert: index 2 is out of range (2 elements)');
    assert.equal(decide(b, s, turn({ other: 1 })).reason, 'assert: no field items in {other : 1}');
    assert.equal(decide(b, s, turn({ items: 'abc' })).reason, 'assert: cannot index a text ("abc")');
    assert.equal(decide(b, s, turn({ items: [1, 2, 'x'] })).reason, 'assert: > compares integers, not "x" and 0');
    // execute events carry no message
    const e = both(`${HEAD}
execute { assert (message.x == 1) }
`);
    assert.equal(decide(e, e.compiled.initial, ev('execute')).reason, 'assert: cannot read field x of () (())');
  });

  it('src_sid and dst_sid are the SIDs of the event', () => {
    const b = both(`${HEAD}
request { assert (src_sid == 7 && dst_sid == 9) }
`);
    assert.equal(decide(b, b.compiled.initial, turn(undefined, { src: 7, dst: 9 })).verdict, 'grant');
    assert.equal(decide(b, b.compiled.initial, turn(undefined, { src: 7, dst: 8 })).verdict, 'deny');
  });

  it('Pred, Bool, Math and Struct methods, with and without the object name', () => {
    const text = `${HEAD}
request method = Turn {
    assert (pred.empty (message.note) && !(pred.empty (message.list)))
    assert (bool.all [true, message.flag] && !bool.any [] && bool.any [false, message.flag])
    assert (bool.cond {if : message.flag, then : 1, else : 2} == 1)
    assert (math.neg (3) == -3 && math.abs (-4) == 4 && math.sum [1, 2, 3] == 6 && math.product [] == 1)
    assert (struct.size (message.list) == size (message.list) && abs (-1) == 1)
}
`;
    const b = both(text);
    assert.equal(decide(b, b.compiled.initial, turn({ note: '', list: [1], flag: true })).verdict, 'grant');
    assert.equal(
      rulesKey(decide(b, b.compiled.initial, turn({ note: '', list: [1], flag: false }))),
      ruleAt(text, 'assert (bool.all'),
    );
  });

  it('choice: text, integer and Boolean labels, braces, the _ alternative, and no alternative', () => {
    const text = `${HEAD}
request method = Turn {
    choice message.mode {
        "a" : grant ()
        1 : { assert (message.ok) }
        true : deny ()
        _ : { deny (message.ok) }
    }
}
request method = Hold { choice (message.mode) { "x" : grant () } }
`;
    const b = both(text);
    const s = b.compiled.initial;
    const t = (mode: unknown, ok = true) => decide(b, s, turn({ mode, ok }));
    assert.equal(t('a').verdict, 'grant');
    assert.equal(t(1).verdict, 'grant');
    assert.equal(t(1n, false).verdict, 'deny');
    assert.equal(t(true).verdict, 'deny');
    assert.equal(t('zzz', false).verdict, 'grant');
    assert.equal(rulesKey(t('zzz', true)), ruleAt(text, 'deny (message.ok)'));
    const hold = decide(
      b,
      s,
      ev('request', { from: 'demo.Door', endpoint: 'front.bolt', method: 'Hold', message: { mode: 'y' } }),
    );
    assert.deepEqual(
      [hold.verdict, rulesKey(hold), hold.reason],
      ['deny', ruleAt(text, 'choice (message.mode)'), 'no alternative of the choice matches "y"'],
    );
  });

  it('choice alternatives may be separated by commas, on one line', () => {
    const b = both(`${HEAD}
request method = Turn { choice message.mode { "a" : grant (), "b" : { deny () }, _ : assert (message.ok) } }
`);
    const s = b.compiled.initial;
    assert.deepEqual(
      [turn({ mode: 'a' }), turn({ mode: 'b' }), turn({ mode: 'c', ok: true }), turn({ mode: 'c', ok: false })].map(
        (e) => decide(b, s, e).verdict,
      ),
      ['grant', 'deny', 'grant', 'deny'],
    );
  });

  it('Base rules with a wrong constant argument deny at run time, with the reason', () => {
    const text = `${HEAD}
request method = Turn { grant (1) }
request method = Hold { assert ("yes") }
`;
    const b = both(text);
    const s = b.compiled.initial;
    const g = decide(b, s, turn());
    assert.deepEqual(
      [g.verdict, rulesKey(g), g.reason],
      ['deny', ruleAt(text, 'grant (1)'), 'grant: grant takes (), not 1'],
    );
    const a = decide(b, s, ev('request', { from: 'demo.Door', endpoint: 'front.bolt', method: 'Hold' }));
    assert.deepEqual([a.verdict, a.reason], ['deny', 'assert: assert takes () or a Boolean, not "yes"']);
    assert.equal(b.compiled.stats.staticCells, b.compiled.stats.cells, 'decided at compile time');
  });

  it('a choice whose taken alternative calls no rule adds nothing; a failing subject denies at the choice', () => {
    const text = `${HEAD}
request method = Turn {
    choice message.mode { "quiet" : { match src = Einit { grant () } } _ : grant () }
}
`;
    const b = both(text);
    const s = b.compiled.initial;
    assert.equal(rulesKey(decide(b, s, turn({ mode: 'quiet' }))), DEFAULT_DENY_RULE);
    assert.equal(decide(b, s, turn({ mode: 'quiet' }, { from: 'Einit' })).verdict, 'grant');
    const d = decide(b, s, turn({}));
    assert.deepEqual([rulesKey(d), d.reason], [ruleAt(text, 'choice'), 'choice: no field mode in {}']);
  });

  it('constant sub-expressions are folded; a constant Base rule makes a static cell', () => {
    const b = both(`${HEAD}
request method = Turn { assert (1 + 2 * 3 == 7) }
request method = Hold { deny (1 > 2) }
request method = Release { assert ("a" < 1) }
request endpoint = status { assert (message.x == 2 * 3) }
`);
    const s = b.compiled.initial;
    const r = (endpoint: string, method: string, message: unknown = null) =>
      decide(b, s, ev('request', { from: 'demo.Door', endpoint, method, message }));
    assert.equal(r('front.bolt', 'Turn').verdict, 'grant');
    assert.equal(r('front.bolt', 'Hold').verdict, 'grant');
    assert.equal(r('front.bolt', 'Release').reason, 'assert: < compares integers, not "a" and 1');
    assert.equal(r('status', 'Get', { x: 6 }).verdict, 'grant');
    assert.ok(b.compiled.stats.staticCells >= 3, JSON.stringify(b.compiled.stats));
    assert.ok(b.compiled.stats.cells > b.compiled.stats.staticCells);
  });
});

describe('PSL compiler: decision semantics', () => {
  it('all applicable rules must grant: one deny anywhere decides', () => {
    const text = `${HEAD}
request { grant () }
request dst = demo.Lock { match method = Turn { assert (message.ok) } }
request src = demo.Door { grant () }
`;
    const b = both(text);
    const [g1, a, g2] = [ruleAt(text, 'grant'), ruleAt(text, 'assert'), ruleAt(text, 'grant', 1)];
    const s = b.compiled.initial;
    const ok = decide(b, s, turn({ ok: true }));
    assert.deepEqual([ok.verdict, rulesKey(ok)], ['grant', `${g1}, ${a}, ${g2}`]);
    const no = decide(b, s, turn({ ok: false }));
    assert.deepEqual([no.verdict, rulesKey(no)], ['deny', a]);
    // only the unconditional grants apply elsewhere
    assert.equal(
      rulesKey(decide(b, s, ev('request', { from: 'Einit', to: 'demo.Logger', endpoint: 'log', method: 'Flush' }))),
      g1,
    );
  });

  it('a decision names every deciding rule: id, place and binding, for static and dynamic cells alike', () => {
    const text = `${HEAD}
request dst = demo.Lock { grant () }
request src = demo.Door, method = Turn { grant () }
request src = demo.Door, method = Hold { match dst = demo.Lock { assert (message.ok) } }
`;
    const b = both(text);
    const at = (needle: string, nth = 0) => {
      const [file, line, col] = ruleAt(text, needle, nth).split(':');
      return { file: file!, line: Number(line), col: Number(col) };
    };
    const first = { id: ruleAt(text, 'grant'), loc: at('grant') };
    const lockBinding = { head: 'request dst=demo.Lock', loc: at('request dst') };
    const doorTurn = { head: 'request src=demo.Door, method=Turn', loc: at('request src') };
    const doorHold = { head: 'request src=demo.Door, method=Hold', loc: at('request src', 1) };
    // two bindings grant a Turn from the Door (a cell decided when compiling): both are named, in order
    const two = decide(b, b.compiled.initial, turn(undefined, { from: 'demo.Door' }));
    assert.equal(two.verdict, 'grant');
    assert.deepEqual(two.rules, [
      { ...first, binding: lockBinding },
      { id: ruleAt(text, 'grant', 1), loc: at('grant', 1), binding: doorTurn },
    ]);
    // a Hold runs code (an assert on the message): both granting rules again, with their bindings
    const hold = (ok: boolean) =>
      decide(
        b,
        b.compiled.initial,
        ev('request', { from: 'demo.Door', endpoint: 'front.bolt', method: 'Hold', message: { ok } }),
      );
    assert.deepEqual(hold(true).rules, [
      { ...first, binding: lockBinding },
      { id: ruleAt(text, 'assert'), loc: at('assert'), binding: doorHold },
    ]);
    // a deny names the one rule that denied
    assert.deepEqual(hold(false).rules, [{ id: ruleAt(text, 'assert'), loc: at('assert'), binding: doorHold }]);
    // no rule: the monitor's own, with no place
    assert.deepEqual(
      decide(
        b,
        b.compiled.initial,
        ev('response', { from: 'demo.Lock', to: 'demo.Door', endpoint: 'status', method: 'Get' }),
      ).rules,
      [{ id: DEFAULT_DENY_RULE }],
    );
  });

  it('no applicable rule: default deny; a binding without rules grants nothing', () => {
    const b = both(`${HEAD}
request dst = demo.Lock { match src = Einit { grant () } }
response { }
`);
    const s = b.compiled.initial;
    assert.equal(rulesKey(decide(b, s, turn())), DEFAULT_DENY_RULE);
    assert.equal(
      rulesKey(decide(b, s, ev('response', { from: 'demo.Lock', to: 'demo.Door', endpoint: 'status', method: 'Get' }))),
      DEFAULT_DENY_RULE,
    );
    assert.equal(decide(b, s, turn(undefined, { from: 'Einit' })).verdict, 'grant');
  });

  it('rules run in source order across included files; the first deny is reported', () => {
    const text = `${HEAD}
use part._
request method = Turn { deny (message.a) }
`;
    const b = both(text, { 'part.psl': 'request method = Turn { deny (message.b) }\n' });
    const mine = ruleAt(text, 'deny');
    const s = b.compiled.initial;
    // part.psl is included before the binding of security.psl, so its rule runs first
    assert.equal(rulesKey(decide(b, s, turn({ a: true, b: true }))), 'part.psl:1:25');
    assert.equal(rulesKey(decide(b, s, turn({ a: true, b: false }))), mine);
    assert.equal(rulesKey(decide(b, s, turn({ a: false, b: false }))), `part.psl:1:25, ${mine}`);
  });

  it('state changes of a decision that ends in deny are all discarded (no partial commit)', () => {
    const b = both(`${HEAD}${FLOW}
execute { grant () }
execute dst = demo.Lock { door_fsm.init {sid : dst_sid} }
request method = Turn {
    door_fsm.enter {sid : dst_sid, state : "open"}
}
request method = Turn {
    assert (message.angle <= 90)
}
request method = Hold { door_fsm.enter {sid : dst_sid, state : "locked"} }
`);
    const started = run(b, [ev('execute', { dst: 5 })]);
    const s1 = started.state;
    assert.deepEqual(b.compiled.objectState(s1, 'door_fsm'), new Map([[5, 'closed']]));
    // the first binding moves the door to open, the second denies: nothing survives
    const d = decide(b, s1, turn({ angle: 120 }));
    assert.equal(d.verdict, 'deny');
    assert.equal(d.next, s1);
    assert.deepEqual(b.compiled.objectState(d.next, 'door_fsm'), new Map([[5, 'closed']]));
    // so the door can still be locked from closed
    assert.equal(
      decide(b, s1, ev('request', { from: 'demo.Door', endpoint: 'front.bolt', method: 'Hold' })).verdict,
      'grant',
    );
    const g = decide(b, s1, turn({ angle: 45 }));
    assert.deepEqual(b.compiled.objectState(g.next, 'door_fsm'), new Map([[5, 'open']]));
    // and the original state object was not touched
    assert.deepEqual(b.compiled.objectState(s1, 'door_fsm'), new Map([[5, 'closed']]));
  });

  it('later rules and expressions of one decision see the state earlier rules made', () => {
    const b = both(`${HEAD}${FLOW}
execute dst = demo.Lock { door_fsm.init {sid : dst_sid} }
request method = Turn {
    door_fsm.enter {sid : dst_sid, state : "open"}
    choice (door_fsm.query {sid : dst_sid}) { "open" : grant () _ : deny () }
    door_fsm.enter {sid : dst_sid, state : "closed"}
}
`);
    const { decisions, state } = run(b, [ev('execute', { dst: 5 }), turn(), turn()]);
    assert.deepEqual(verdicts(decisions), ['grant', 'grant', 'grant']);
    assert.deepEqual(b.compiled.objectState(state, 'door_fsm'), new Map([[5, 'closed']]));
  });

  it('stateful calls in response and error rules', () => {
    const b = both(`${HEAD}${FLOW}
execute dst = demo.Lock { door_fsm.init {sid : src_sid} }
response src = demo.Lock, method = Turn { door_fsm.enter {sid : dst_sid, state : "open"} }
error src = demo.Lock { door_fsm.allow {sid : dst_sid, states : ["open"]} }
`);
    const reply = (kind: 'response' | 'error') =>
      ev(kind, { from: 'demo.Lock', to: 'demo.Door', src: 5, dst: 3, endpoint: 'front.bolt', method: 'Turn' });
    const { decisions, state } = run(b, [
      ev('execute', { src: 3, dst: 5 }),
      reply('error'),
      reply('response'),
      reply('error'),
      reply('response'),
    ]);
    assert.deepEqual(verdicts(decisions), ['grant', 'deny', 'grant', 'grant', 'deny']);
    assert.deepEqual(b.compiled.objectState(state, 'door_fsm'), new Map([[3, 'open']]));
    assert.equal(decisions[4]!.reason, 'door_fsm.enter: transition open → open is not permitted');
  });

  it("a state that is not this policy's is denied, never thrown on", () => {
    const b = both(`${HEAD}request { grant () }\n`);
    for (const bogus of [null, 42, 'x', [1, 2, 3], {}])
      assert.equal(rulesKey(decide(b, bogus, turn())), 'policy-error');
  });

  it('events with ids outside the tables select only unconstrained rules', () => {
    const b = both(`${HEAD}
request { grant () }
request dst = demo.Lock { deny () }
`);
    const weird = { ...turn(), srcClass: 999, dstClass: -3, endpoint: 1e6, method: 2.5 };
    assert.equal(decide(b, b.compiled.initial, weird).verdict, 'grant');
    assert.equal(rulesKey(decide(b, b.compiled.initial, { ...weird, kind: 'nonsense' as never })), DEFAULT_DENY_RULE);
  });
});

describe('PSL compiler: objects, global parameters, audit', () => {
  it('policy objects of every SDK model compile with their configuration', () => {
    const b = both(`${HEAD}${FLOW}use nk.hashmap._
use nk.staticmap._
use nk.regex._
use nk.mic._
policy object ports : HashSet { type Entry = UInt16  config = { set_size : 2, pool_size : 4 } }
policy object mmio : StaticMap { type Value = UInt64  config = { keys : { "base" : 0, "size" : 0 }, pool_size : 2 } }
policy object integ : Mic { config = ["LOW", "MEDIUM", "HIGH"] }
policy object codes : Regex
execute dst = demo.Lock {
    door_fsm.init {sid : dst_sid}
    ports.init {sid : dst_sid}
    mmio.init {sid : dst_sid}
    integ.execute {image : (), target : dst_sid, level : "MEDIUM", levelR : ()}
}
execute dst = demo.Door { integ.execute {image : (), target : dst_sid, level : "HIGH", levelR : ()} }
execute dst = demo.Logger { integ.execute {image : (), target : dst_sid, level : "LOW", levelR : ()} }
request dst = demo.Lock, method = Turn {
    ports.add {sid : dst_sid, entry : message.port}
    mmio.set {sid : dst_sid, key : "base", value : message.port}
    mmio.commit {sid : dst_sid}
    assert (mmio.get {sid : dst_sid, key : "base"} == message.port)
    assert (codes.match {text : message.code, pattern : "^[0-9]{4}$"} && re.match {text : message.code, pattern : "1"})
    integ.write {source : src_sid, target : dst_sid}
}
`);
    assert.deepEqual(
      b.compiled.objects.map((o) => `${o.name}:${o.model}`),
      [
        'base:Base',
        'pred:Pred',
        'bool:Bool',
        'math:Math',
        'struct:Struct',
        're:Regex',
        'door_fsm:Flow',
        'ports:HashSet',
        'mmio:StaticMap',
        'integ:Mic',
        'codes:Regex',
      ],
    );
    const t = (port: number, code = '1234', src = 3) => turn({ port, code }, { src, dst: 5 });
    const starts = [
      ev('execute', { dst: 5 }),
      ev('execute', { to: 'demo.Door', dst: 3 }),
      ev('execute', { to: 'demo.Logger', dst: 6 }),
    ];
    const { decisions, state } = run(b, [
      ...starts,
      t(80),
      t(443),
      t(8080),
      t(80, '12a4'),
      t(80, '1234', 6),
      t(443, '1234', 4),
      t(443),
    ]);
    assert.deepEqual(verdicts(decisions), [
      'grant',
      'grant',
      'grant',
      'grant',
      'grant',
      'deny',
      'deny',
      'deny',
      'deny',
      'grant',
    ]);
    assert.deepEqual(
      decisions.slice(5, 9).map((d) => d.reason),
      [
        'ports.add: the table of sid 5 is full (set_size 2)',
        'assert: the assertion is false',
        'integ.write: write: target is not at or below source (source LOW, target MEDIUM)',
        'integ.write: source (sid 4) has no integrity level',
      ],
    );
    assert.deepEqual(b.compiled.objectState(state, 'mmio'), new Map([[5, { base: [443n, 0n], working: [443n, 0n] }]]));
    assert.deepEqual(
      [...(b.compiled.objectState(state, 'ports') as Map<number, Map<string, unknown>>).get(5)!.values()],
      [80n, 443n],
    );
  });

  it('audit profiles and audit default are kept as data, with the profile of every rule', () => {
    const text = `${HEAD}${FLOW}use nk.regex._
audit profile verbose =
    { 0 : { base : { kss : ["denied"] } }
    , 1 : { door_fsm : { kss : ["granted", "denied"], omit : ["closed"] }
          , re       : { kss : ["denied"], emit : ["match"] } } }
audit profile quiet = { 0 : { base : { kss : [] } } }
audit default = verbose 1
request method = Turn { grant () }
request method = Hold { audit quiet  grant ()  match src = demo.Door { audit verbose deny () } }
`;
    const b = both(text);
    const [turnGrant, holdGrant, holdDeny] = [
      ruleAt(text, 'grant ()'),
      ruleAt(text, 'grant ()', 1),
      ruleAt(text, 'deny ()'),
    ];
    const a = b.compiled.audit;
    assert.equal(a.defaultProfile, 'verbose');
    assert.equal(a.defaultLevel, 1);
    assert.deepEqual([...a.profiles.keys()], ['empty', 'verbose', 'quiet']);
    assert.deepEqual(a.profiles.get('verbose')!.levels.get(1)!.get('door_fsm'), {
      kss: ['granted', 'denied'],
      options: { omit: ['closed'] },
    });
    assert.equal(a.ruleProfiles.get(turnGrant), 'verbose');
    assert.equal(a.ruleProfiles.get(holdGrant), 'quiet');
    assert.equal(a.ruleProfiles.get(holdDeny), 'verbose');
    assert.equal(a.ruleObjects.get(holdGrant), 'base');
    const d = decide(
      b,
      b.compiled.initial,
      ev('request', { from: 'demo.Door', endpoint: 'front.bolt', method: 'Hold' }),
    );
    assert.equal(rulesKey(d), holdDeny);
    assert.equal(auditsRule(a, rulesKey(d), 'denied', 0), true);
    assert.equal(auditsRule(a, holdGrant, 'granted', 0), false);
    // without audit declarations the profile is `empty` at level 0
    const plainText = `${HEAD}request { grant () }\n`;
    const plain = both(plainText);
    assert.deepEqual([plain.compiled.audit.defaultProfile, plain.compiled.audit.defaultLevel], ['empty', 0]);
    assert.equal(plain.compiled.audit.ruleProfiles.get(ruleAt(plainText, 'grant')), 'empty');
  });

  it('the audit log honours the profiles: each record carries the profile, the level and whether it is logged', () => {
    const text = `${HEAD}
audit profile loud = { 0 : { base : { kss : ["granted", "denied"] } }, 1 : { base : { kss : ["denied"] } } }
audit profile quiet = { 0 : { base : { kss : [] } } }
audit default = loud 1
request method = Turn { grant () }
request method = Hold { audit quiet  grant ()  match src = demo.Door { audit loud deny () } }
`;
    const b = both(text);
    const a = policyAudit(b.compiled)!;
    const record = (spec: Parameters<typeof ev>[1], level?: number) => {
      const e = ev('request', spec);
      const d = decide(b, b.compiled.initial, e);
      const mark = auditMark(a, d, level);
      // the record carries the profile and level; whether it is written is the mark's `logged`
      assert.deepEqual(auditRecord(TABLES, 1, e, d, a, level).audit, { profile: mark.profile, level: mark.level });
      return mark;
    };
    // level 1 (the default): loud logs denials only
    assert.deepEqual(record({ endpoint: 'front.bolt', method: 'Turn' }), { profile: 'loud', level: 1, logged: false });
    assert.deepEqual(record({ endpoint: 'front.bolt', method: 'Turn' }, 0), {
      profile: 'loud',
      level: 0,
      logged: true,
    });
    assert.deepEqual(record({ from: 'demo.Door', endpoint: 'front.bolt', method: 'Hold' }), {
      profile: 'loud',
      level: 1,
      logged: true,
    });
    // the quiet block's grant is never logged
    assert.deepEqual(record({ endpoint: 'front.bolt', method: 'Hold' }, 0), {
      profile: 'quiet',
      level: 0,
      logged: false,
    });
    // a default-deny is always logged
    assert.deepEqual(record({ endpoint: 'front.bolt', method: 'Release' }), {
      profile: 'loud',
      level: 1,
      logged: true,
    });
    assert.equal(policyAudit({ name: 'rules', initial: null, decide: () => null }), null);
  });

  it('PAL test blocks in the policy are left to the PAL runner', () => {
    const b = both(`${HEAD}
request { grant () }
assert "tests" { sequence { grant request src = x dst = y endpoint = e method = m {} } }
`);
    assert.equal(decide(b, b.compiled.initial, turn()).verdict, 'grant');
  });
});

describe('PSL compiler: the door solution (real-style policy with templates and fragments)', () => {
  const top = fixturePath('door/einit/src/security.psl.in');
  const searchPath = [fixturePath('door/einit/src'), fixturePath('sdk')];
  const options = {
    searchPath,
    placeholders: { MAIN_TASK: 'Door' },
    board: { BOARD: 'RPI4_BCM2711', USE_DYNLD: 'ON' },
  };

  it('compiles through compilePslFile with CMake placeholders and board variables', () => {
    const c = compilePslFile(top, TABLES, options);
    const policy = loadPolicy(top, options);
    const b = { compiled: c, interpreted: compilePsl(policy, TABLES) };
    const s = c.initial;
    assert.equal(c.name, 'security.psl.in');
    assert.equal(decide(b, s, ev('execute', { from: 'kl.core.Core', to: 'kl.core.Core' })).verdict, 'grant');
    assert.equal(
      rulesKey(decide(b, s, ev('execute', { from: 'Einit', to: 'kl.drivers.BSP' }))),
      'kl/drivers/BSP.psl:3:44',
    );
    assert.equal(rulesKey(decide(b, s, ev('execute', { from: 'Einit', to: 'kl.bc.BlobContainer' }))), 'dynld.psl:6:39');
    const write = (lines: number) =>
      ev('request', {
        from: 'demo.Door',
        to: 'demo.Logger',
        endpoint: 'log',
        method: 'Write',
        message: { lines: Array.from({ length: lines }, () => 'x'), urgent: false },
      });
    assert.equal(decide(b, s, write(7)).verdict, 'grant');
    assert.equal(decide(b, s, write(8)).reason, 'deny: the deny condition is true');
    const bolt = (repeats: number, endpoint = 'front.bolt') =>
      ev('request', { from: 'demo.Door', endpoint, method: 'Turn', message: { request: { angle: 5, repeats } } });
    assert.equal(decide(b, s, bolt(3)).verdict, 'grant');
    assert.equal(rulesKey(decide(b, s, bolt(4))), 'security.psl.in:62:5');
    assert.equal(decide(b, s, bolt(4, 'back.bolt')).verdict, 'grant');
    assert.equal(
      rulesKey(decide(b, s, ev('request', { from: 'demo.Logger', endpoint: 'status', method: 'Get' }))),
      DEFAULT_DENY_RULE,
    );
    assert.equal(
      decide(b, s, ev('error', { from: 'demo.Lock', to: 'demo.Door', endpoint: 'status', method: 'Get' })).verdict,
      'grant',
    );
  });

  it('another board leaves the board-specific fragment out', () => {
    const c = compilePslFile(top, TABLES, { ...options, board: { BOARD: 'QEMU', USE_DYNLD: '' } });
    assert.equal(
      rulesKey(c.decide(c.initial, ev('execute', { from: 'Einit', to: 'kl.drivers.BSP' }))),
      DEFAULT_DENY_RULE,
    );
    assert.equal(
      rulesKey(c.decide(c.initial, ev('execute', { from: 'Einit', to: 'kl.bc.BlobContainer' }))),
      DEFAULT_DENY_RULE,
    );
  });
});
