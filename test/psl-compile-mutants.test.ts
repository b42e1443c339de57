/**
 * The PSL compiler, the reference interpreter and their shared runtime under
 * faults: the tests that kill Stryker's survivors in src/policy/compile
 * (compile.ts, interpret.ts, runtime.ts). Each names the requirement it
 * protects. A `Probe` model (defined here) answers without a verdict, throws,
 * keeps or changes its state and shows the argument it got, so that what the
 * evaluators do with a model's answer is observable decision by decision.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { POLICY_ERROR_RULES, rulesKey } from '../src/monitor/types.ts';
import { checkPolicy, type PslState } from '../src/policy/compile/check.ts';
import { DEFAULT_DENY_RULE } from '../src/policy/compile/index.ts';
import { interpretEvent, newTrace, selects } from '../src/policy/compile/interpret.ts';
import { choiceFailureReason, kindIndex, objectStateOf, withSlot } from '../src/policy/compile/runtime.ts';
import {
  BUILTIN_MODELS,
  defineModel,
  denied,
  fail,
  PslFailure,
  granted,
  show,
  type ModelRegistry,
  type Value,
} from '../src/policy/models/index.ts';
import { compileSolution } from '../src/kernel/tables.ts';
import { compileWithCoverage } from '../src/policy/compile/coverage.ts';
import type { BindingDecl, CallExpr, ChoiceSection, MatchSection } from '../src/policy/psl/ast.ts';
import {
  both,
  decide,
  ev,
  HEAD,
  loadText,
  ruleAt,
  run,
  TABLES,
  verdicts,
  DOOR_SOLUTION,
} from './psl-compile-helpers.ts';

const field = (arg: Value, name: string): Value => (arg as Record<string, Value>)[name] ?? null;

/** A model whose methods misbehave on purpose, and show what they were given. State: a counter. */
const Probe = defineModel<undefined, null, bigint>({
  name: 'Probe',
  description: 'a model for testing the evaluators',
  modules: [],
  defaultObject: 'probe',
  config: null,
  types: { required: [], optional: [] },
  audit: { auditable: false },
  prepare: () => ({ ok: true, object: null }),
  initial: () => 0n,
  methods: {
    bump: { kind: 'rule', doc: 'count one', apply: (_o, s) => granted(s + 1n) },
    keep: { kind: 'rule', doc: 'grant, state unchanged', apply: (_o, s) => granted(s) },
    pair: {
      kind: 'rule',
      doc: 'deny, showing a and b',
      params: ['a', 'b'],
      apply: (_o, _s, arg) => denied(`a=${show(field(arg, 'a'))} b=${show(field(arg, 'b'))}`),
      applyFields: (_o, _s, [a, b]) => denied(`a=${show(a!)} b=${show(b!)}`),
    },
    triple: {
      kind: 'rule',
      doc: 'deny, showing a, b and c',
      params: ['a', 'b', 'c'],
      apply: (_o, _s, arg) =>
        denied(`a=${show(field(arg, 'a'))} b=${show(field(arg, 'b'))} c=${show(field(arg, 'c'))}`),
      applyFields: (_o, _s, [a, b, c]) => denied(`a=${show(a!)} b=${show(b!)} c=${show(c!)}`),
    },
    noVerdict: {
      kind: 'rule',
      doc: 'answers neither grant nor deny',
      params: ['x'],
      apply: () => ({ granted: 'maybe' }) as never,
      applyFields: () => ({ granted: 'maybe' }) as never,
    },
    crash: {
      kind: 'rule',
      doc: 'throws an Error',
      params: ['x'],
      apply: () => {
        throw new Error('boom');
      },
      applyFields: () => {
        throw new Error('boom');
      },
    },
    crashText: {
      kind: 'rule',
      doc: 'throws a text',
      apply: () => {
        throw 'plain';
      },
    },
    refuse: { kind: 'rule', doc: 'fails with a reason', apply: () => fail('nope') },
    value: {
      kind: 'expression',
      doc: 'its x',
      params: ['x'],
      evaluate: (_o, _s, arg) => field(arg, 'x'),
      evaluateFields: (_o, _s, [x]) => x!,
    },
    count: { kind: 'expression', doc: 'the counter', evaluate: (_o, s) => s },
    explode: {
      kind: 'expression',
      doc: 'throws an Error',
      params: ['x'],
      evaluate: () => {
        throw new Error('kaput');
      },
      evaluateFields: () => {
        throw new Error('kaput');
      },
    },
    explodeText: {
      kind: 'expression',
      doc: 'throws a text',
      evaluate: () => {
        throw 'text';
      },
    },
    kind: {
      kind: 'expression',
      doc: 'its argument; a label "bad" has a matcher that throws',
      evaluate: (_o, _s, arg) => arg,
      label: (_o, label) => (v) => {
        if (v === 'bad') throw new Error('label bug');
        return v === label;
      },
    },
  },
});

/** Probe first: its object takes slot 0, before base and the others. */
const MODELS: ModelRegistry = new Map([['Probe', Probe], ...BUILTIN_MODELS]);

const turn = (message: unknown = null, spec: { src?: number; dst?: number; from?: string } = {}) =>
  ev('request', { from: 'demo.Door', to: 'demo.Lock', endpoint: 'front.bolt', method: 'Turn', message, ...spec });

const probe = (body: string) => both(`${HEAD}request method = Turn { ${body} }\n`, {}, { models: MODELS });

const reasonOf = (body: string, message: unknown = null) => {
  const b = probe(body);
  const d = decide(b, b.compiled.initial, turn(message));
  assert.equal(d.verdict, 'deny', `${body}: ${d.reason}`);
  return d.reason;
};

describe('mutants: what a model answers becomes a decision (runtime.ts)', () => {
  it('default deny: a model answering neither grant nor deny denies, naming the callee', () => {
    // a record literal naming the params goes through applyFields, any other argument through apply
    assert.equal(reasonOf('probe.noVerdict {x : 1}'), 'probe.noVerdict: the model returned no verdict');
    assert.equal(reasonOf('probe.noVerdict (message)', { x: 1 }), 'probe.noVerdict: the model returned no verdict');
  });

  it('the monitor never throws: a model that throws denies with its message, naming the callee', () => {
    assert.equal(reasonOf('probe.crash {x : 1}'), 'probe.crash: the model failed: boom');
    assert.equal(reasonOf('probe.crash (message)', { x: 1 }), 'probe.crash: the model failed: boom');
    assert.equal(reasonOf('probe.crashText ()'), 'probe.crashText: the model failed: plain');
    assert.equal(reasonOf('probe.refuse ()'), 'probe.refuse: nope');
  });

  it('the monitor never throws: an expression that throws denies the rule using it, both callees named', () => {
    assert.equal(reasonOf('assert (probe.explode {x : 1} == 1)'), 'assert: probe.explode: the model failed: kaput');
    assert.equal(
      reasonOf('assert (probe.explode (message) == 1)', { x: 1 }),
      'assert: probe.explode: the model failed: kaput',
    );
    assert.equal(reasonOf('assert (probe.explodeText () == 1)'), 'assert: probe.explodeText: the model failed: text');
    assert.equal(
      reasonOf('choice (probe.explode {x : message}) { _ : grant () }'),
      'choice: probe.explode: the model failed: kaput',
    );
    // an inner call's failure keeps its own prefix after the outer rule's
    assert.equal(
      reasonOf('probe.pair {a : probe.explode {x : 1}, b : 2}'),
      'probe.pair: probe.explode: the model failed: kaput',
    );
  });

  it('typed arguments: a record literal reaches the model as its params, in params order, whatever the literal order', () => {
    assert.equal(reasonOf('probe.pair {a : 1, b : 2}'), 'probe.pair: a=1 b=2');
    assert.equal(reasonOf('probe.pair {b : 2, a : 1}'), 'probe.pair: a=1 b=2');
    assert.equal(reasonOf('probe.pair {b : message.y, a : message.x}', { x: 'x', y: 'y' }), 'probe.pair: a="x" b="y"');
    assert.equal(reasonOf('probe.triple {c : 3, a : 1, b : 2}'), 'probe.triple: a=1 b=2 c=3');
    assert.equal(
      reasonOf('probe.triple {c : message.c, a : message.a, b : message.b}', { a: 1, b: 2, c: 3 }),
      'probe.triple: a=1 b=2 c=3',
    );
    assert.equal(
      reasonOf('probe.triple {b : message.b, c : message.c, a : message.a}', { a: 1, b: 2, c: 3 }),
      'probe.triple: a=1 b=2 c=3',
    );
    // not exactly the params: the record as written goes to apply
    assert.equal(reasonOf('probe.pair (message)', { a: 7, b: 8 }), 'probe.pair: a=7 b=8');
    assert.equal(reasonOf('assert (probe.value {x : message.v} == 5)', { v: 4 }), 'assert: the assertion is false');
    const b = probe('assert (probe.value {x : message.v} == 5)');
    assert.equal(decide(b, b.compiled.initial, turn({ v: 5 })).verdict, 'grant');
  });

  it('evaluation order: the fields of a record literal are evaluated as written; the first failure is reported', () => {
    // both fields fail; the one written first names the reason
    assert.equal(reasonOf('probe.pair {b : message.q, a : message.r}', {}), 'probe.pair: no field q in {}');
    assert.equal(reasonOf('probe.pair {a : message.r, b : message.q}', {}), 'probe.pair: no field r in {}');
    assert.equal(
      reasonOf('probe.triple {c : message.q, a : message.r, b : message.s}', {}),
      'probe.triple: no field q in {}',
    );
    assert.equal(reasonOf('probe.noVerdict {x : message.q}', {}), 'probe.noVerdict: no field q in {}');
    // an argument of an expression call that fails is the enclosing rule's failure
    assert.equal(reasonOf('assert (probe.value {x : message.q} == 1)', {}), 'assert: no field q in {}');
  });

  it('a grant that changes no object returns the monitor state it was given, not a copy (persistent state)', () => {
    const b = probe('probe.keep ()');
    const s = b.compiled.initial;
    for (const policy of [b.compiled, b.interpreted]) {
      const d = policy.decide(s, turn());
      assert.equal(d.verdict, 'grant');
      assert.equal(d.next, s);
    }
    const f = both(
      `${HEAD}use nk.flow._
policy object fsm : Flow { type State = "a" | "b"
  config = { states : ["a", "b"], initial : "a", transitions : { "a" : ["b"], "b" : ["b"] } } }
execute { fsm.init {sid : dst_sid} }
request { fsm.enter {sid : dst_sid, state : "b"} }
`,
    );
    const started = decide(f, f.compiled.initial, ev('execute', { dst: 5 })).next;
    const moved = decide(f, started, turn()).next;
    assert.notEqual(moved, started);
    // b → b is declared: granted, and the machine is already in b, so the state object stays
    for (const policy of [f.compiled, f.interpreted]) assert.equal(policy.decide(moved, turn()).next, moved);
  });

  it('a rule that changes its object changes that slot only, in place order (slot 0 too)', () => {
    const b = probe('probe.bump ()  probe.bump ()  assert (probe.count () == 2)');
    const s = b.compiled.initial;
    assert.equal(b.compiled.objects[0]!.name, 'probe');
    const d = decide(b, s, turn());
    assert.equal(d.verdict, 'grant');
    const next = d.next as PslState;
    assert.equal(next.length, s.length);
    assert.equal(next[0], 2n);
    for (let i = 1; i < s.length; i++) assert.equal(next[i], s[i]);
    assert.notEqual(next, s, 'a new state, the one given unchanged');
    assert.equal(s[0], 0n);
    // the next decision starts from it
    assert.equal(decide(b, next, turn()).reason, 'assert: the assertion is false');
    assert.equal(b.compiled.objectState(next, 'probe'), 2n);
  });

  it('withSlot: a one-object state and a many-object state are both replaced at the slot only', () => {
    assert.deepEqual(withSlot(Object.freeze(['a']), 0, 'z'), ['z']);
    assert.deepEqual(withSlot(Object.freeze(['a', 'b']), 0, 'z'), ['z', 'b']);
    assert.deepEqual(withSlot(Object.freeze(['a', 'b']), 1, 'z'), ['a', 'z']);
    // a new array each time; the one given is never written (states are immutable by construction)
    for (const given of [['a'], ['a', 'b']]) {
      const next = withSlot(given, 0, 'z');
      assert.notEqual(next, given);
      assert.equal(given[0], 'a');
    }
  });

  it("objectState: a named object's state, a SidMap read out as a Map, nothing for an unknown name or a bad state", () => {
    const objects = [
      { name: 'x', slot: 0 },
      { name: 'y', slot: 1 },
    ];
    assert.equal(objectStateOf(objects, ['a', 'b'], 'y'), 'b');
    assert.equal(objectStateOf(objects, ['a', 'b'], 'z'), undefined);
    assert.equal(objectStateOf(objects, { 1: 'b', length: 2 }, 'y'), undefined);
    assert.equal(objectStateOf(objects, null, 'x'), undefined);
  });

  it('the reason of a choice whose subject failed names the cause, whatever was thrown', () => {
    assert.equal(choiceFailureReason(new PslFailure('no field m')), 'choice: no field m');
    assert.equal(choiceFailureReason(new Error('broken')), 'choice: broken');
    assert.equal(choiceFailureReason('text'), 'choice: text');
  });

  it('complete mediation: every event kind has its own trie; an unknown kind has none', () => {
    assert.deepEqual(
      ['execute', 'request', 'response', 'error', 'security', 'nonsense', 'toString', 'constructor'].map((k) =>
        kindIndex(k as never),
      ),
      [0, 1, 2, 3, 4, -1, -1, -1],
    );
  });

  it('a monitor state not of this policy is denied with the policy-error rule, naming why, and kept as given', () => {
    const b = probe('probe.bump ()');
    for (const bogus of [null, 42, [1], {}, [...b.compiled.initial, 0n]]) {
      for (const policy of [b.compiled, b.interpreted]) {
        const d = policy.decide(bogus, turn());
        assert.deepEqual(
          [d.verdict, d.rules, d.reason, d.next],
          ['deny', POLICY_ERROR_RULES, 'the monitor state is not a state of this policy', bogus],
        );
      }
    }
    // a copy of the initial state (same length, another array) is a state of this policy
    assert.equal(decide(b, [...b.compiled.initial], turn()).verdict, 'grant');
  });
});

const LOC = { file: 'x.psl', line: 1, column: 1 };
const sel = (key: 'src' | 'dst' | 'endpoint' | 'method' | 'interface' | 'component', value: string) => ({
  key,
  value,
  loc: LOC,
});

describe('mutants: the reference interpreter (interpret.ts)', () => {
  it('selectors select by the names in the tables; ids outside the tables select nothing', () => {
    const t = TABLES;
    const e = turn();
    assert.equal(selects(t, sel('src', 'demo.Door'), e), true);
    assert.equal(selects(t, sel('src', 'demo.Lock'), e), false);
    assert.equal(selects(t, sel('dst', 'demo.Lock'), e), true);
    assert.equal(selects(t, sel('dst', 'demo.Door'), e), false);
    assert.equal(selects(t, sel('endpoint', 'front.bolt'), e), true);
    assert.equal(selects(t, sel('endpoint', 'front.spare'), e), false);
    assert.equal(selects(t, sel('method', 'Turn'), e), true);
    assert.equal(selects(t, sel('method', 'Hold'), e), false);
    assert.equal(selects(t, sel('interface', 'demo.Bolt'), e), true);
    assert.equal(selects(t, sel('interface', 'demo.Log'), e), false);
    assert.equal(selects(t, sel('component', 'front'), e), true);
    assert.equal(selects(t, sel('component', 'back'), e), false);
    // the execute interface has one method, main
    const x = ev('execute');
    assert.equal(selects(t, sel('method', 'main'), x), true);
    assert.equal(selects(t, sel('method', 'Turn'), x), false);
    const out = { ...e, srcClass: 999, dstClass: -1, endpoint: 999, method: 999, iface: 999 };
    for (const s of [
      sel('src', 'demo.Door'),
      sel('dst', 'demo.Lock'),
      sel('endpoint', 'front.bolt'),
      sel('method', 'Turn'),
      sel('interface', 'demo.Bolt'),
      sel('component', 'front'),
    ])
      assert.equal(selects(t, s, out), false, s.key);
  });

  it('component= selects the endpoints of that instance only, not of an instance whose name it begins', () => {
    const tables = (() => {
      const r = compileSolution({
        ...DOOR_SOLUTION,
        classes: DOOR_SOLUTION.classes.map((c) =>
          c.name === 'demo.Lock'
            ? {
                ...c,
                endpoints: [...c.endpoints, { name: 'frontier.bolt', interface: 'demo.Bolt' }],
              }
            : c,
        ),
      });
      if (!r.ok) throw new Error(r.errors.join('\n'));
      return r.value;
    })();
    const b = both(`${HEAD}request component = front { grant () }\n`, {}, {}, tables);
    const r = (endpoint: string) =>
      decide(b, b.compiled.initial, ev('request', { from: 'demo.Door', endpoint, method: 'Turn' }, tables)).verdict;
    assert.deepEqual([r('front.bolt'), r('frontier.bolt'), r('back.bolt')], ['grant', 'deny', 'deny']);
    assert.equal(
      selects(tables, sel('component', 'front'), ev('request', { endpoint: 'frontier.bolt', method: 'Turn' }, tables)),
      false,
    );
  });

  it('execute method = main selects every execute event', () => {
    const b = both(`${HEAD}execute method = main { grant () }\n`);
    assert.equal(decide(b, b.compiled.initial, ev('execute')).verdict, 'grant');
  });

  it('the monitor never throws: a model bug outside any rule denies with the policy-error rule, state kept', () => {
    const b = probe('choice (probe.kind (message)) { "good" : grant () _ : deny () }');
    const s = b.compiled.initial;
    assert.equal(decide(b, s, turn('good')).verdict, 'grant');
    assert.equal(
      rulesKey(decide(b, s, turn('other'))),
      ruleAt(
        `${HEAD}request method = Turn { choice (probe.kind (message)) { "good" : grant () _ : deny () } }\n`,
        'deny',
      ),
    );
    const c = b.compiled.decide(s, turn('bad'));
    assert.deepEqual(
      [c.verdict, c.rules, c.reason, c.next],
      ['deny', POLICY_ERROR_RULES, 'the compiled policy failed: label bug', s],
    );
    const i = b.interpreted.decide(s, turn('bad'));
    assert.deepEqual(
      [i.verdict, i.rules, i.reason, i.next],
      ['deny', POLICY_ERROR_RULES, 'the interpreter failed: label bug', s],
    );
  });

  it('audit explain: the trace records each selection, value, rule call and choice of one decision', () => {
    const text = `${HEAD}
request method = Turn {
    assert (message.n > 1)
    match src = demo.Door { probe.bump () }
    match src = Einit { grant () }
    choice (message.mode) { "a" : grant ()  _ : probe.refuse () }
}
request method = Hold { grant () }
response { grant () }
`;
    const p = checkPolicy(loadText(text), TABLES, { models: MODELS });
    const [turnB, holdB, responseB] = p.bindings as [BindingDecl, BindingDecl, BindingDecl];
    const body = turnB.body;
    const [assertCall, doorMatch, einitMatch, choice] = body as [CallExpr, MatchSection, MatchSection, ChoiceSection];
    const trace = newTrace();
    const d = interpretEvent(p, p.initial, turn({ n: 2, mode: 'a' }), trace);
    assert.equal(d.verdict, 'grant');
    // bindings of the event's kind are recorded, selected or not; those of other kinds are not visited
    assert.equal(trace.selected.get(turnB), true);
    assert.equal(trace.selected.get(holdB), false);
    assert.equal(trace.selected.has(responseB), false);
    assert.equal(trace.selected.get(doorMatch), true);
    assert.equal(trace.selected.get(einitMatch), false);
    // rule calls: the argument, the state before and after
    const r0 = trace.rules.get(assertCall)!;
    assert.deepEqual(r0, { arg: true, before: null, after: null });
    const bump = doorMatch.body[0] as CallExpr;
    assert.deepEqual(trace.rules.get(bump), { arg: null, before: 0n, after: 1n });
    // values: every expression evaluated
    const values = [...trace.values.values()];
    assert.ok(values.includes(2), JSON.stringify(values.map(String)));
    assert.ok(values.includes('a'));
    // the choice: its subject's value and the alternative taken
    assert.deepEqual(trace.choices.get(choice), { value: 'a', taken: choice.alternatives[0] });

    // a denying rule: its reason, no state after
    const t2 = newTrace();
    const d2 = interpretEvent(p, p.initial, turn({ n: 2, mode: 'z' }), t2);
    assert.equal(d2.reason, 'probe.refuse: nope');
    const refuse = choice.alternatives[1]!.body[0] as CallExpr;
    assert.deepEqual(t2.rules.get(refuse), { arg: null, before: 1n, reason: 'probe.refuse: nope' });
    assert.deepEqual(t2.choices.get(choice), { value: 'z', taken: choice.alternatives[1] });

    // a failing argument: only the reason; the rest of the body is not reached
    const t3 = newTrace();
    const d3 = interpretEvent(p, p.initial, turn({ mode: 'a' }), t3);
    assert.equal(d3.reason, 'assert: no field n in {mode : "a"}');
    assert.deepEqual(t3.rules.get(assertCall), { reason: 'assert: no field n in {mode : "a"}' });
    assert.equal(t3.selected.has(doorMatch), false);
    assert.equal(t3.choices.size, 0);

    // a failing choice subject: recorded with no value
    const t4 = newTrace();
    assert.equal(interpretEvent(p, p.initial, turn({ n: 2 }), t4).reason, 'choice: no field mode in {n : 2}');
    assert.deepEqual(t4.choices.get(choice), {});
    // recording changes nothing about the decision
    assert.deepEqual(interpretEvent(p, p.initial, turn({ n: 2, mode: 'a' })), d);
  });

  it('audit explain: a choice with no matching alternative records the value and no alternative', () => {
    const text = `${HEAD}request method = Turn { choice (message.mode) { "a" : grant () } }\n`;
    const p = checkPolicy(loadText(text), TABLES);
    const trace = newTrace();
    const d = interpretEvent(p, p.initial, turn({ mode: 'q' }), trace);
    assert.equal(d.reason, 'no alternative of the choice matches "q"');
    const choice = p.bindings[0]!.body[0] as ChoiceSection;
    assert.deepEqual(trace.choices.get(choice), { value: 'q' });
  });

  it('default deny: a binding that applies but calls no rule denies with the default-deny rule', () => {
    const b = both(`${HEAD}request method = Turn { match src = Einit { grant () } }\n`);
    const d = decide(b, b.compiled.initial, turn());
    assert.deepEqual([d.verdict, rulesKey(d), d.reason], ['deny', DEFAULT_DENY_RULE, 'no rule applies to this event']);
  });

  it('the interpreted policy is named after the compiled one and shows the same objects and their states', () => {
    const b = probe('probe.bump ()');
    assert.equal(b.interpreted.name, `${b.compiled.name} (interpreted)`);
    assert.deepEqual(b.interpreted.objects, b.compiled.objects);
    const next = decide(b, b.compiled.initial, turn()).next;
    assert.equal(b.interpreted.objectState(next, 'probe'), 1n);
    assert.equal(b.interpreted.objectState(next, 'nobody'), undefined);
    assert.equal(b.interpreted.executeInterface, b.compiled.executeInterface);
    assert.deepEqual(b.interpreted.audit, b.compiled.audit);
    assert.deepEqual(b.interpreted.notModelled, b.compiled.notModelled);
  });
});

describe('mutants: the compiled policy (compile.ts)', () => {
  const reasonsOf = (rule: string, messages: readonly unknown[]) => {
    const b = both(`${HEAD}request method = Turn { ${rule} }\n`);
    return messages.map((m) => {
      const d = decide(b, b.compiled.initial, turn(m));
      return d.verdict === 'grant' ? 'grant' : d.reason;
    });
  };

  it('expressions: &&, || and ==> evaluate their right operand only when it decides', () => {
    // message.gone is missing: reading it fails, so reaching it would deny
    assert.deepEqual(reasonsOf('assert (!(message.f && message.gone))', [{ f: false }]), ['grant']);
    assert.deepEqual(reasonsOf('assert (message.t || message.gone)', [{ t: true }]), ['grant']);
    assert.deepEqual(reasonsOf('assert (message.f ==> message.gone)', [{ f: false }]), ['grant']);
    assert.deepEqual(
      reasonsOf('assert (message.t && message.x)', [
        { t: true, x: true },
        { t: true, x: false },
        { t: true, x: 1 },
        { t: 1 },
      ]),
      [
        'grant',
        'assert: the assertion is false',
        'assert: the right operand of && must be a Boolean, not 1',
        'assert: the left operand of && must be a Boolean, not 1',
      ],
    );
    assert.deepEqual(
      reasonsOf('assert (message.t || message.x)', [
        { t: false, x: true },
        { t: false, x: false },
        { t: false, x: 1 },
        { t: 1 },
      ]),
      [
        'grant',
        'assert: the assertion is false',
        'assert: the right operand of || must be a Boolean, not 1',
        'assert: the left operand of || must be a Boolean, not 1',
      ],
    );
    assert.deepEqual(
      reasonsOf('assert (message.t ==> message.x)', [
        { t: true, x: true },
        { t: true, x: false },
        { t: true, x: 1 },
        { t: 1 },
      ]),
      [
        'grant',
        'assert: the assertion is false',
        'assert: the right operand of ==> must be a Boolean, not 1',
        'assert: the left operand of ==> must be a Boolean, not 1',
      ],
    );
  });

  it('expressions: comparisons, arithmetic and unary operators decide as written, with their own words on a type error', () => {
    assert.deepEqual(
      reasonsOf('assert (message.a == message.b)', [
        { a: 1, b: 1 },
        { a: 1, b: 2 },
        { a: 1, b: 'x' },
      ]),
      ['grant', 'assert: the assertion is false', 'assert: == compares two scalars of one type, not 1 and "x"'],
    );
    assert.deepEqual(
      reasonsOf('assert (message.a != message.b)', [
        { a: 1, b: 2 },
        { a: 1, b: 1 },
        { a: 1, b: 'x' },
      ]),
      ['grant', 'assert: the assertion is false', 'assert: != compares two scalars of one type, not 1 and "x"'],
    );
    for (const [op, yes, no] of [
      ['<', [1, 2], [2, 2]],
      ['<=', [2, 2], [3, 2]],
      ['>', [3, 2], [2, 2]],
      ['>=', [2, 2], [1, 2]],
    ] as const)
      assert.deepEqual(
        reasonsOf(`assert (message.a ${op} message.b)`, [
          { a: yes[0], b: yes[1] },
          { a: no[0], b: no[1] },
          { a: 'x', b: 1 },
        ]),
        ['grant', 'assert: the assertion is false', `assert: ${op} compares integers, not "x" and 1`],
        op,
      );
    assert.deepEqual(
      reasonsOf('assert (message.a - message.b == 1)', [
        { a: 3, b: 2 },
        { a: 2, b: 3 },
        { a: 'x', b: 1 },
      ]),
      ['grant', 'assert: the assertion is false', 'assert: - takes integers, not "x" and 1'],
    );
    assert.deepEqual(
      reasonsOf('assert (-message.a == 2 && !message.f)', [
        { a: -2, f: false },
        { a: 2, f: false },
      ]),
      ['grant', 'assert: the assertion is false'],
    );
  });

  it('expressions: lists, tuples, records, elements, src_sid, dst_sid and the message are what the event carries', () => {
    assert.deepEqual(
      reasonsOf('assert ([message.a, 2].[0] == 1 && (message.a, message.b).[1] == 2)', [
        { a: 1, b: 2 },
        { a: 1, b: 3 },
      ]),
      ['grant', 'assert: the assertion is false'],
    );
    assert.deepEqual(
      reasonsOf('assert ({k : message.a, j : 1}.k == 1 && {k : message.a}.k == message.a)', [{ a: 1 }, { a: 2 }]),
      ['grant', 'assert: the assertion is false'],
    );
    assert.deepEqual(reasonsOf('assert (message == 4)', [4, 5]), ['grant', 'assert: the assertion is false']);
    const b = both(`${HEAD}request method = Turn { assert (src_sid == 7)  assert (dst_sid == 9) }\n`);
    assert.equal(decide(b, b.compiled.initial, turn(null, { src: 7, dst: 9 })).verdict, 'grant');
    assert.equal(decide(b, b.compiled.initial, turn(null, { src: 9, dst: 9 })).verdict, 'deny');
    assert.equal(decide(b, b.compiled.initial, turn(null, { src: 7, dst: 7 })).verdict, 'deny');
  });

  it('constant folding: a constant that cannot be evaluated denies with its reason wherever it is used', () => {
    assert.deepEqual(reasonsOf('assert (message.ok && 1 + "x" == 2)', [{ ok: true }]), [
      'assert: + takes integers, not 1 and "x"',
    ]);
    // a record literal with a constant failure is the record's failure, not a field's
    assert.equal(reasonOf('probe.pair {a : 1 + "x", b : message}', 1), 'probe.pair: + takes integers, not 1 and "x"');
    assert.equal(reasonOf('probe.pair {a : 1 + "x", b : 2}'), 'probe.pair: + takes integers, not 1 and "x"');
  });

  it('all rules must grant: a certain deny after a stateful rule denies, and a certain deny first decides the cell', () => {
    for (const text of [
      `${HEAD}request { probe.bump () }\nrequest { deny () }\nrequest { probe.bump () }\n`,
      `${HEAD}request { deny () }\nrequest { probe.bump () }\n`,
      `${HEAD}request { grant () }\nrequest { deny () }\nrequest { probe.bump () }\n`,
    ]) {
      const b = both(text, {}, { models: MODELS });
      const s = b.compiled.initial;
      const d = decide(b, s, turn());
      assert.deepEqual(
        [d.verdict, rulesKey(d), d.reason],
        ['deny', ruleAt(text, 'deny ()'), 'deny: deny () always denies'],
      );
      assert.equal(d.next, s);
      // and from a state the policy made, the state it was given
      const other = withSlot(s, 0, 5n);
      const e = decide(b, other, turn());
      assert.equal(e.next, other);
    }
  });

  it('a decision prepared when compiling keeps the monitor state it is given (grant, deny and default deny)', () => {
    const text = `${HEAD}request method = Turn { grant () }\nrequest method = Hold { deny () }\nexecute { probe.bump () }\n`;
    const b = both(text, {}, { models: MODELS });
    const s = decide(b, b.compiled.initial, ev('execute')).next as PslState;
    assert.equal(s[0], 1n);
    const hold = ev('request', { from: 'demo.Door', endpoint: 'front.bolt', method: 'Hold' });
    const release = ev('request', { from: 'demo.Door', endpoint: 'front.bolt', method: 'Release' });
    for (const e of [turn(), hold, release, { ...turn(), kind: 'nonsense' as never }]) {
      for (const policy of [b.compiled, b.interpreted]) assert.equal(policy.decide(s, e).next, s, String(e.method));
      assert.equal(b.compiled.decide(b.compiled.initial, e).next, b.compiled.initial);
    }
    assert.deepEqual(
      [turn(), hold, release].map((e) => rulesKey(decide(b, s, e))),
      [ruleAt(text, 'grant ()'), ruleAt(text, 'deny ()'), DEFAULT_DENY_RULE],
    );
    assert.ok(b.compiled.stats.staticCells >= 3, JSON.stringify(b.compiled.stats));
  });

  it('interface= guards: the rules of another interface do not apply; when none applies, default deny', () => {
    const text = `${HEAD}request interface = demo.Status { grant () }
request interface = demo.Bolt, method = Hold { probe.bump () }
request interface = demo.Bolt, method = Release { probe.bump ()  deny (message.no) }
`;
    const b = both(text, {}, { models: MODELS });
    const s = b.compiled.initial;
    const get = ev('request', { from: 'demo.Door', endpoint: 'status', method: 'Get' });
    assert.deepEqual([decide(b, s, get).verdict, rulesKey(decide(b, s, get))], ['grant', ruleAt(text, 'grant ()')]);
    const t = decide(b, s, turn());
    assert.deepEqual([t.verdict, rulesKey(t), t.reason], ['deny', DEFAULT_DENY_RULE, 'no rule applies to this event']);
    assert.equal(t.next, s);
    const other = withSlot(s, 0, 3n);
    assert.equal(decide(b, other, turn()).next, other);
    const hold = decide(b, s, ev('request', { from: 'demo.Door', endpoint: 'front.bolt', method: 'Hold' }));
    assert.deepEqual([hold.verdict, (hold.next as PslState)[0]], ['grant', 1n]);
    const rel = (no: boolean) =>
      decide(b, s, ev('request', { from: 'demo.Door', endpoint: 'back.spare', method: 'Release', message: { no } }));
    assert.deepEqual([rel(false).verdict, (rel(false).next as PslState)[0]], ['grant', 1n]);
    assert.deepEqual([rel(true).verdict, rel(true).next], ['deny', s]);
  });

  it('a cell reused by several events decides each by its own event and state (no state carried between decisions)', () => {
    const text = `${HEAD}use nk.flow._
policy object fsm : Flow { type State = "a" | "b" | "c"
  config = { states : ["a", "b", "c"], initial : "a", transitions : { "a" : ["b"], "b" : ["c"] } } }
execute { fsm.init {sid : dst_sid} }
request method = Turn { fsm.enter {sid : dst_sid, state : message} }
request method = Hold { fsm.enter {sid : dst_sid, state : "b"}  fsm.enter {sid : dst_sid, state : "c"} }
`;
    const b = both(text);
    const { state: s5 } = run(b, [ev('execute', { dst: 5 }), ev('execute', { dst: 6 })]);
    const to = (state: unknown, dst: number, message: string) => decide(b, state, turn(message, { dst }));
    const b5 = to(s5, 5, 'b');
    assert.equal(b5.verdict, 'grant');
    // the same cell again: another event (dst 6, still in a), then the first state again
    assert.equal(to(b5.next, 6, 'c').reason, 'fsm.enter: transition a → c is not permitted');
    assert.equal(to(b5.next, 5, 'c').verdict, 'grant');
    assert.equal(to(s5, 5, 'c').reason, 'fsm.enter: transition a → c is not permitted');
    assert.deepEqual(
      b.compiled.objectState(to(b5.next, 5, 'c').next, 'fsm'),
      new Map([
        [5, 'c'],
        [6, 'a'],
      ]),
    );
    // two steps in one cell: each decision from its own state
    const hold = (state: unknown, dst: number) =>
      decide(b, state, ev('request', { from: 'demo.Door', endpoint: 'front.bolt', method: 'Hold', dst }));
    const h = hold(s5, 5);
    assert.deepEqual(
      b.compiled.objectState(h.next, 'fsm'),
      new Map([
        [5, 'c'],
        [6, 'a'],
      ]),
    );
    assert.equal(hold(h.next, 5).reason, 'fsm.enter: transition c → b is not permitted');
    assert.deepEqual(
      b.compiled.objectState(hold(h.next, 6).next, 'fsm'),
      new Map([
        [5, 'c'],
        [6, 'c'],
      ]),
    );
    assert.deepEqual(verdicts([hold(s5, 6), hold(s5, 5)]), ['grant', 'grant']);
  });

  it('not modelled: a rule using an unmodelled construct denies where it is reached, also behind an interface guard', () => {
    const text = `${HEAD}request method = Turn { probe.bump ()  assert (message.n % 2 == 0) }
request interface = demo.Bolt, method = Hold { assert (message.n % 2 == 0) }
request method = Release { assert (message.n % 2 == 0)  probe.bump () }
`;
    const b = both(text, {}, { models: MODELS });
    const s = b.compiled.initial;
    const why = (nth: number) =>
      `not modelled: unsupported construct modulo operator % (the Math model has no modulo) at sol/${ruleAt(text, '%', nth)}`;
    const t = decide(b, s, turn({ n: 2 }));
    assert.deepEqual([t.verdict, rulesKey(t), t.reason, t.next], ['deny', ruleAt(text, 'assert'), why(0), s]);
    const h = decide(
      b,
      s,
      ev('request', { from: 'demo.Door', endpoint: 'back.bolt', method: 'Hold', message: { n: 2 } }),
    );
    assert.deepEqual([h.verdict, rulesKey(h), h.reason], ['deny', ruleAt(text, 'assert', 1), why(1)]);
    const r = decide(
      b,
      s,
      ev('request', { from: 'demo.Door', endpoint: 'back.bolt', method: 'Release', message: { n: 2 } }),
    );
    assert.deepEqual([r.verdict, rulesKey(r), r.reason], ['deny', ruleAt(text, 'assert', 2), why(2)]);
    // the interface guard: another interface's event is not denied by it
    const g = decide(b, s, ev('request', { from: 'demo.Door', endpoint: 'status', method: 'Get' }));
    assert.equal(rulesKey(g), DEFAULT_DENY_RULE);
  });
});

describe('mutants: the counting compiled policy (compile.ts with a coverage recorder)', () => {
  const text = `${HEAD}use nk.flow._
policy object fsm : Flow { type State = "a" | "b"
  config = { states : ["a", "b"], initial : "a", transitions : { "a" : ["b"], "b" : ["a"] } } }
execute { fsm.init {sid : dst_sid} }
request dst = demo.Lock {
  match method = Turn { fsm.enter {sid : dst_sid, state : "b"} }
  match method = Hold { grant () }
  match interface = demo.Status { grant () }
}
response src = demo.Lock {
  choice (message.m) {
    "x" : { match dst = demo.Door { grant () } }
    _ : deny ()
  }
}
`;
  const line = (needle: string) => Number(ruleAt(text, needle).split(':')[1]);
  const reply = (to: string, m: string) =>
    ev('response', { from: 'demo.Lock', to, endpoint: 'status', method: 'Get', message: { m }, dst: 3 });
  const events = [
    ev('execute', { dst: 5 }),
    ev('execute', { dst: 5 }),
    turn(null, { dst: 5 }),
    turn(null, { dst: 5 }),
    ev('request', { from: 'demo.Door', endpoint: 'front.bolt', method: 'Hold', dst: 5 }),
    ev('request', { from: 'demo.Door', endpoint: 'status', method: 'Get', dst: 5 }),
    reply('demo.Door', 'x'),
    reply('demo.Logger', 'x'),
    reply('demo.Door', 'y'),
  ];

  it('coverage counts what each decision exercised, and the counting policy decides as the plain one', () => {
    const { compiled, coverage } = compileWithCoverage(loadText(text), TABLES);
    const plain = both(text);
    const { decisions } = run({ compiled, interpreted: plain.interpreted }, events);
    assert.deepEqual(verdicts(decisions), [
      'grant',
      'deny',
      'grant',
      'deny',
      'grant',
      'grant',
      'grant',
      'deny',
      'deny',
    ]);
    assert.deepEqual(
      decisions.map((d) => d.reason ?? ''),
      run(plain, events).decisions.map((d) => d.reason ?? ''),
    );
    const point = (kind: string, label: string, at?: string) => {
      const i = coverage.points.findIndex(
        (p) => p.kind === kind && p.label === label && (at === undefined || p.loc.line === line(at)),
      );
      assert.ok(i >= 0, `no point ${kind} ${label}`);
      return coverage.pointHits[i];
    };
    const condition = (label: string) => {
      const i = coverage.conditions.findIndex((c) => c.label === label);
      assert.ok(i >= 0, `no condition ${label}`);
      return [coverage.conditionHits[2 * i], coverage.conditionHits[2 * i + 1]];
    };
    assert.deepEqual(
      [
        point('binding', 'execute'),
        point('binding', 'request dst=demo.Lock'),
        point('binding', 'response src=demo.Lock'),
      ],
      [2, 4, 3],
    );
    assert.deepEqual(
      [
        point('match', 'match method=Turn'),
        point('match', 'match method=Hold'),
        point('match', 'match interface=demo.Status'),
        point('match', 'match dst=demo.Door'),
      ],
      [2, 1, 1, 1],
    );
    assert.deepEqual(condition('match method=Turn'), [2, 2]);
    assert.deepEqual(condition('match method=Hold'), [1, 3]);
    assert.deepEqual(condition('match interface=demo.Status'), [1, 3]);
    assert.deepEqual(condition('match dst=demo.Door'), [1, 1]);
    assert.deepEqual([point('rule', 'fsm.init'), point('rule', 'fsm.enter')], [2, 2]);
    assert.deepEqual(condition('fsm.init'), [1, 1]);
    assert.deepEqual(condition('fsm.enter'), [1, 1]);
    assert.deepEqual(
      [
        point('rule', 'grant', 'match method = Hold'),
        point('rule', 'grant', 'match interface ='),
        point('rule', 'grant', 'match dst ='),
        point('rule', 'deny', '_ : deny'),
        point('rule', 'choice'),
      ],
      [1, 1, 1, 1, 3],
    );
    assert.deepEqual(
      [point('alternative', 'choice alternative "x"'), point('alternative', 'choice alternative _')],
      [2, 1],
    );
    assert.deepEqual([point('transition', 'fsm: a → b'), point('transition', 'fsm: b → a')], [1, 0]);
  });

  it('coverage: an event no binding selects, an unknown kind and a bad state count nothing', () => {
    const { compiled, coverage } = compileWithCoverage(loadText(text), TABLES);
    const none = [
      ev('request', { from: 'demo.Door', to: 'demo.Logger', endpoint: 'log', method: 'Write' }),
      { ...turn(), kind: 'nonsense' as never },
    ];
    const s = compiled.initial;
    for (const e of none) assert.equal(rulesKey(compiled.decide(s, e)), DEFAULT_DENY_RULE);
    assert.equal(compiled.decide([1], turn()).reason, 'the monitor state is not a state of this policy');
    const other = withSlot(s, 0, s[0]);
    assert.equal(compiled.decide(other, none[1]!).next, other);
    assert.equal(compiled.decide(other, none[0]!).next, other);
    assert.deepEqual(
      [...coverage.pointHits].filter((x) => x > 0),
      [],
    );
    assert.deepEqual(
      [...coverage.conditionHits].filter((x) => x > 0),
      [],
    );
  });
});
