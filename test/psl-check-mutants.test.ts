/**
 * The PSL checker (src/policy/compile/check.ts) down to its exact words:
 * each test states the requirement it protects and asserts the whole
 * message, place and related notes of the error (or the accepted policy's
 * checked data), so that a checker that reports less, reports elsewhere, or
 * accepts what it must refuse fails here. Written to kill the Stryker
 * survivors of check.ts (issue 11, part 4).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as t from 'io-ts';
import { rulesKey } from '../src/monitor/types.ts';
import { auditsRule, checkPolicy, compilePsl, constantValue, type PslAudit } from '../src/policy/compile/index.ts';
import { BUILTIN_MODELS, defineModel, granted, TypeError_, withModels } from '../src/policy/models/index.ts';
import { ParseError } from '../src/syntax/errors.ts';
import { both, decide, ev, HEAD, loadText, refusal, TABLES } from './psl-compile-helpers.ts';

const FLOW_OBJ = `use nk.flow._
policy object fsm : Flow {
    type State = "a" | "b"
    config = { states : ["a", "b"], initial : "a", transitions : { "a" : ["b"] } }
}
`;

/** Refused with exactly this kind and message (the message starts with file:line:col). */
function refuses(top: string, kind: ParseError['kind'], message: string, options = {}): ParseError {
  const e = refusal(top, {}, options);
  assert.equal(e.message, message);
  assert.equal(e.kind, kind, e.message);
  return e;
}

const LOCK = { endpoint: 'front.bolt', method: 'Turn' } as const;

describe('check: an unknown name is refused, listing the known ones closest to it (static configuration)', () => {
  it('a task class one edit away: all 8 classes by distance, with the suggestion', () => {
    refuses(
      `${HEAD}request src = demo.Lok { grant () }\n`,
      'reference',
      'sol/security.psl:3:9: unknown task class demo.Lok in selector src=; expected one of demo.Lock, demo.Door, demo.Logger, Einit, kl.core.Core, kl.core.DCM, kl.drivers.BSP, kl.bc.BlobContainer (did you mean demo.Lock?)',
    );
  });

  it('a name far from every one: exactly 8 known are listed without an ellipsis and without a suggestion', () => {
    refuses(
      `${HEAD}request dst = x { grant () }\n`,
      'reference',
      'sol/security.psl:3:9: unknown task class x in selector dst=; expected one of Einit, demo.Door, demo.Lock, demo.Logger, kl.core.DCM, kl.core.Core, kl.drivers.BSP, kl.bc.BlobContainer',
    );
  });

  it('more than 8 known: the 8 closest and an ellipsis', () => {
    refuses(
      `${HEAD}request method = Tur { grant () }\n`,
      'reference',
      'sol/security.psl:3:9: unknown method Tur in selector method=; expected one of Turn, Map, Ack, Get, Exit, Wait, Wake, Start, … (did you mean Turn?)',
    );
  });

  it('the suggestion threshold: at most 2 edits for a short name, a quarter of the length for a long one', () => {
    const msg = (name: string) => refusal(`${HEAD}request src = ${name} { grant () }\n`).message;
    // 2 edits from demo.Lock: suggested
    assert.match(msg('demo.Lxxk'), /\(did you mean demo\.Lock\?\)$/);
    // 3 edits from demo.Log, a 9-letter name (a quarter is 2): not suggested
    assert.doesNotMatch(msg('demo.Lxxx'), /did you mean/);
    // 3 edits from kl.drivers.BSP, a 14-letter name (a quarter is 3): suggested
    assert.match(msg('kl.drivers.XXX'), /\(did you mean kl\.drivers\.BSP\?\)$/);
    // 4 edits, 14 letters: not suggested
    assert.doesNotMatch(msg('kl.drivers.XXXX'), /did you mean/);
  });

  it('the distance counts insertions, deletions and substitutions (Levenshtein)', () => {
    // deletion: demo.Loc is one edit from demo.Lock, three from demo.Door and demo.Logger
    assert.match(
      refusal(`${HEAD}request src = demo.Loc { grant () }\n`).message,
      /expected one of demo\.Lock, demo\.Door, demo\.Logger, Einit, .* \(did you mean demo\.Lock\?\)$/,
    );
    // insertion: demo.Doors is one edit from demo.Door
    assert.match(
      refusal(`${HEAD}request src = demo.Doors { grant () }\n`).message,
      /expected one of demo\.Door, .*\(did you mean demo\.Door\?\)$/,
    );
    // transposed letters are two edits: EInti → Einit
    assert.match(
      refusal(`${HEAD}request src = Eniit { grant () }\n`).message,
      /expected one of Einit, .*\(did you mean Einit\?\)$/,
    );
  });

  it('endpoints and interfaces are suggested the same way', () => {
    refuses(
      `${HEAD}request interface = demo.Bolx { grant () }\n`,
      'reference',
      'sol/security.psl:3:9: unknown interface demo.Bolx in selector interface=; expected one of demo.Bolt, demo.Log, demo.Audit, demo.Status, kl.bc.Blob, kl.core.IO, kl.core.Task, kl.core.VMM, … (did you mean demo.Bolt?)',
    );
    assert.match(
      refusal(`${HEAD}request endpoint = front.bolx { grant () }\n`).message,
      /^sol\/security\.psl:3:9: unknown endpoint front\.bolx in selector endpoint=; expected one of front\.bolt, .*\(did you mean front\.bolt\?\)$/,
    );
  });

  it('a class named by its table id order: src= finds every class, not only the first', () => {
    const b = both(`${HEAD}request src = kl.bc.BlobContainer { grant () }\n`);
    const d = decide(b, b.compiled.initial, ev('request', { from: 'kl.bc.BlobContainer', ...LOCK }));
    assert.equal(d.verdict, 'grant');
    assert.equal(decide(b, b.compiled.initial, ev('request', { from: 'demo.Door', ...LOCK })).verdict, 'deny');
  });
});

describe('check: selectors apply only to the events that have them (typed interfaces)', () => {
  it('the message lists the selectors the event takes', () => {
    refuses(
      `${HEAD}security endpoint = log { grant () }\n`,
      'validation',
      'sol/security.psl:3:10: selector endpoint= does not apply to security events (they take src=, method=, interface=)',
    );
    refuses(
      `${HEAD}execute component = front { grant () }\n`,
      'validation',
      'sol/security.psl:3:9: selector component= does not apply to execute events (they take src=, dst=, method=)',
    );
  });

  it('every selector of request, response and error events is accepted', () => {
    for (const event of ['request', 'response', 'error'])
      both(
        `${HEAD}${event} src = demo.Door, dst = demo.Lock, endpoint = front.bolt, method = Turn, interface = demo.Bolt, component = front { grant () }\n`,
      );
    both(`${HEAD}security src = demo.Door, method = Check, interface = demo.Audit { grant () }\n`);
    both(`${HEAD}execute src = Einit, dst = demo.Lock, method = main { grant () }\n`);
  });

  it('execute method=main selects every execute event; another method is refused', () => {
    const b = both(`${HEAD}execute method = main { grant () }\n`);
    assert.equal(decide(b, b.compiled.initial, ev('execute')).verdict, 'grant');
    refuses(
      `${HEAD}execute method = start { grant () }\n`,
      'reference',
      'sol/security.psl:3:9: the execute interface kl.core.Execute has only the method main, not start',
    );
  });

  it('component= selects the endpoints of one component instance, and only those', () => {
    const b = both(`${HEAD}request dst = demo.Lock { match component = front { grant () } }\n`);
    const s = b.compiled.initial;
    assert.equal(decide(b, s, ev('request', { endpoint: 'front.bolt', method: 'Turn' })).verdict, 'grant');
    assert.equal(decide(b, s, ev('request', { endpoint: 'front.spare', method: 'Turn' })).verdict, 'grant');
    assert.equal(decide(b, s, ev('request', { endpoint: 'back.bolt', method: 'Turn' })).verdict, 'deny');
    assert.equal(decide(b, s, ev('request', { endpoint: 'status', method: 'Get' })).verdict, 'deny');
    // a prefix of an instance name is not the instance
    assert.match(
      refusal(`${HEAD}request component = fro { grant () }\n`).message,
      /no endpoint belongs to a component instance fro \(qualified endpoint names: .*front\.bolt, front\.spare, back\.bolt, back\.spare/,
    );
  });

  it('a selector given twice names both places', () => {
    const e = refuses(
      `${HEAD}request src = demo.Lock, dst = demo.Lock, src = demo.Door { grant () }\n`,
      'duplicate',
      'sol/security.psl:3:43: selector src= is given twice in one section\n  sol/security.psl:3:9: first given here',
    );
    assert.equal(e.related.length, 1);
    // the same key in nested sections is not a repetition
    both(`${HEAD}request dst = demo.Lock { match dst = demo.Lock { grant () } }\n`);
  });
});

describe('check: calls name a known object and method with the argument it takes (default deny)', () => {
  it('an unknown object, when none is declared, says how to get the SDK ones', () => {
    refuses(
      'request { fsm.enter {} }\n',
      'reference',
      'sol/security.psl:1:11: unknown policy object fsm (no object is declared; did you forget use nk.base._?)',
    );
    refuses(`${HEAD}request { fsm.enter {} }\n`, 'reference', 'sol/security.psl:3:11: unknown policy object fsm');
  });

  it('an unknown rule without an object lists the default objects included', () => {
    refuses(
      'use nk.flow._\nrequest { permit () }\n',
      'reference',
      "sol/security.psl:2:11: unknown rule permit (a call without an object name goes to the SDK's default objects: none included)",
    );
    refuses(
      `${HEAD}request { permit () }\n`,
      'reference',
      "sol/security.psl:3:11: unknown rule permit (a call without an object name goes to the SDK's default objects: base, pred, bool, math, struct)",
    );
    refuses(
      'request { assert (size (message) > 1) }\n',
      'reference',
      'sol/security.psl:1:11: assert belongs to the model Base: add use nk.base._',
    );
  });

  it('a call without an object goes to the first default object with that method', () => {
    const b = both(`${HEAD}request { assert (size (message.t) == 2) }\n`);
    assert.equal(decide(b, b.compiled.initial, ev('request', { ...LOCK, message: { t: 'ab' } })).verdict, 'grant');
    assert.equal(decide(b, b.compiled.initial, ev('request', { ...LOCK, message: { t: 'abc' } })).verdict, 'deny');
  });

  it('an object without such a method lists the methods it has', () => {
    refuses(
      `${HEAD}policy object r : Rbac { config = { roles : ["a"], permissions : {}, inherits : {} } }\nrequest { r.nope {} }\n`,
      'reference',
      'sol/security.psl:4:11: model Rbac (object r) has no method nope (it has assign, revoke, check, has_role, permitted)',
    );
    // an inherited property of every object is not a method
    refuses(
      `${HEAD}request { base.toString () }\n`,
      'reference',
      'sol/security.psl:3:11: model Base (object base) has no method toString (it has grant, deny, assert)',
    );
  });

  it('rules are statements and expressions are values, said in full', () => {
    refuses(
      `${HEAD}${FLOW_OBJ}request { assert (fsm.enter {sid : src_sid, state : "b"}) }\n`,
      'validation',
      'sol/security.psl:8:19: fsm.enter is a rule, not an expression: a rule can only be called as a statement',
    );
    refuses(
      `${HEAD}${FLOW_OBJ}request { fsm.query {sid : src_sid} }\n`,
      'validation',
      'sol/security.psl:8:11: fsm.query is an expression, not a rule: use its value in a rule (assert (…), deny (…)) or a choice',
    );
  });

  it('record arguments: every missing and every unknown field is named', () => {
    refuses(
      `${HEAD}${FLOW_OBJ}request { fsm.enter {} }\n`,
      'validation',
      'sol/security.psl:8:21: fsm.enter takes {sid, state}: missing sid, state',
    );
    refuses(
      `${HEAD}${FLOW_OBJ}request { fsm.init {sid : src_sid, id : 1, x : 2} }\n`,
      'validation',
      'sol/security.psl:8:20: fsm.init takes {sid}: unknown field id, x',
    );
    refuses(
      `${HEAD}${FLOW_OBJ}request { fsm.enter (src_sid, "b") }\n`,
      'validation',
      'sol/security.psl:8:21: fsm.enter takes a dictionary {sid, state}',
    );
    refuses(
      `${HEAD}${FLOW_OBJ}request { fsm.enter ["b"] }\n`,
      'validation',
      'sol/security.psl:8:21: fsm.enter takes a dictionary {sid, state}',
    );
  });

  it('a record argument given as a value (message, a field, an element, a call) is checked when the event comes', () => {
    for (const arg of ['(message)', '(message.r)', '(message.[0])']) {
      const b = both(`${HEAD}${FLOW_OBJ}request { fsm.enter ${arg} }\n`);
      const d = decide(b, b.compiled.initial, ev('request', { ...LOCK, src: 3, message: null }));
      assert.equal(d.verdict, 'deny', arg);
    }
  });

  it('the arguments inside a call are checked too', () => {
    refuses(
      `${HEAD}${FLOW_OBJ}request { fsm.enter {sid : ghost, state : "b"} }\n`,
      'reference',
      'sol/security.psl:8:28: unknown name ghost (an expression may use message, src_sid and dst_sid)',
    );
    refuses(
      `${HEAD}request { assert (size ([message, ghost]) == 2) }\n`,
      'reference',
      'sol/security.psl:3:35: unknown name ghost (an expression may use message, src_sid and dst_sid)',
    );
  });

  it('constant fields (a Regex pattern) must be written out as constants', () => {
    const head = `${HEAD}use nk.regex._\n`;
    refuses(
      `${head}request { assert (re.match (message)) }\n`,
      'validation',
      'sol/security.psl:4:29: re.match takes a dictionary {text, pattern} written out, with constant pattern',
    );
    refuses(
      `${head}request { assert (re.match {text : message.t, pattern : src_sid}) }\n`,
      'validation',
      'sol/security.psl:4:57: re.match: pattern must be a constant (src_sid is not a constant)',
    );
    // a constant expression is a constant
    const b = both(`${head}request { assert (re.match {text : message.t, pattern : ["^a", "^b"].[1]}) }\n`);
    assert.equal(decide(b, b.compiled.initial, ev('request', { ...LOCK, message: { t: 'bc' } })).verdict, 'grant');
    assert.equal(decide(b, b.compiled.initial, ev('request', { ...LOCK, message: { t: 'ac' } })).verdict, 'deny');
  });

  it('names in expressions: message, src_sid and dst_sid only', () => {
    const b = both(`${HEAD}request { assert (src_sid != dst_sid) }\n`);
    assert.equal(decide(b, b.compiled.initial, ev('request', { ...LOCK, src: 1, dst: 5 })).verdict, 'grant');
    assert.equal(decide(b, b.compiled.initial, ev('request', { ...LOCK, src: 5, dst: 5 })).verdict, 'deny');
    refuses(
      `${HEAD}request { assert (-(nope) < 0) }\n`,
      'reference',
      'sol/security.psl:3:21: unknown name nope (an expression may use message, src_sid and dst_sid)',
    );
    refuses(
      `${HEAD}request { assert (message.[nope] == 1) }\n`,
      'reference',
      'sol/security.psl:3:28: unknown name nope (an expression may use message, src_sid and dst_sid)',
    );
    refuses(
      `${HEAD}request { assert (nope.[0] == 1) }\n`,
      'reference',
      'sol/security.psl:3:19: unknown name nope (an expression may use message, src_sid and dst_sid)',
    );
    refuses(
      `${HEAD}request { assert (message.x == nope.y) }\n`,
      'reference',
      'sol/security.psl:3:32: unknown name nope (an expression may use message, src_sid and dst_sid)',
    );
    refuses(
      `${HEAD}request { assert ((1, nope) == (1, 2)) }\n`,
      'reference',
      'sol/security.psl:3:23: unknown name nope (an expression may use message, src_sid and dst_sid)',
    );
    refuses(
      `${HEAD}request { assert ({ a : 1, b : nope } == message) }\n`,
      'reference',
      'sol/security.psl:3:32: unknown name nope (an expression may use message, src_sid and dst_sid)',
    );
  });
});

describe('check: constant arguments are folded exactly as the interpreter evaluates them (default deny)', () => {
  /** The verdict and reason of `assert (<e>)` on one request; compiler and interpreter must agree (decide). */
  const assertOf = (e: string) => {
    const b = both(`${HEAD}request { assert (${e}) }\n`);
    const d = decide(b, b.compiled.initial, ev('request', { ...LOCK, message: { n: 1 } }));
    return d.verdict === 'grant' ? 'grant' : `deny: ${d.reason}`;
  };

  it('Boolean operators short-circuit as written', () => {
    assert.equal(assertOf('true && true'), 'grant');
    assert.equal(assertOf('true && false'), 'deny: assert: the assertion is false');
    assert.equal(assertOf('false && 1'), 'deny: assert: the assertion is false');
    assert.equal(assertOf('true || 1'), 'grant');
    assert.equal(assertOf('false || true'), 'grant');
    assert.equal(assertOf('false || false'), 'deny: assert: the assertion is false');
    assert.equal(assertOf('false ==> 1'), 'grant');
    assert.equal(assertOf('true ==> false'), 'deny: assert: the assertion is false');
    assert.equal(assertOf('true ==> true'), 'grant');
  });

  it('operands of the wrong type deny, naming the operand', () => {
    assert.equal(assertOf('1 && true'), 'deny: assert: the left operand of && must be a Boolean, not 1');
    assert.equal(assertOf('true && 1'), 'deny: assert: the right operand of && must be a Boolean, not 1');
    assert.equal(assertOf('1 || true'), 'deny: assert: the left operand of || must be a Boolean, not 1');
    assert.equal(assertOf('false || 1'), 'deny: assert: the right operand of || must be a Boolean, not 1');
    assert.equal(assertOf('1 ==> true'), 'deny: assert: the left operand of ==> must be a Boolean, not 1');
    assert.equal(assertOf('true ==> 1'), 'deny: assert: the right operand of ==> must be a Boolean, not 1');
  });

  it('comparisons, arithmetic, unary operators, fields and elements', () => {
    assert.equal(assertOf('1 == 1'), 'grant');
    assert.equal(assertOf('1 != 1'), 'deny: assert: the assertion is false');
    assert.equal(assertOf('"a" != "b"'), 'grant');
    assert.equal(assertOf('1 < 2 && 2 <= 2 && 3 > 2 && 2 >= 2'), 'grant');
    assert.equal(assertOf('2 < 2'), 'deny: assert: the assertion is false');
    assert.equal(assertOf('2 + 3 * 4 - 1 == 13'), 'grant');
    assert.equal(assertOf('(6 | 1) == 7 && (6 & 3) == 2'), 'grant');
    assert.equal(assertOf('-(2) == 0 - 2 && !(false)'), 'grant');
    assert.equal(assertOf('{ a : { b : 4 } }.a.b == 4'), 'grant');
    assert.equal(assertOf('[1, [2, 3]].[1].[0] == 2'), 'grant');
    assert.equal(assertOf('(1, 2).[1] == 2'), 'grant');
    assert.equal(
      assertOf('{ "k" : 1 } == { "k" : 1 }'),
      'deny: assert: == compares two scalars of one type, not {k : 1} and {k : 1}',
    );
    assert.equal(assertOf('() == ()'), 'grant');
    assert.equal(assertOf('{ 7 : true }.[0]'), 'deny: assert: cannot index a dictionary ({7 : true})');
  });

  it('constantValue: a name or a call is not a constant; a failing constant is a constant that fails', () => {
    const policy = loadText(
      `${HEAD}request { assert (message) assert (size (1)) assert (base.nope (1)) assert (1 && true) assert ({ "x" : 1 }) }\n`,
    );
    const bind = policy.declarations.find((d) => d.kind === 'binding')!;
    assert.equal(bind.kind, 'binding');
    const args = bind.body.map((s) => (s.kind === 'call' ? s.arg : null));
    assert.deepEqual(constantValue(args[0]!), { ok: false, reason: 'message is not a constant', constant: false });
    assert.deepEqual(constantValue(args[1]!), {
      ok: false,
      reason: 'a call of size is not a constant',
      constant: false,
    });
    assert.deepEqual(constantValue(args[2]!), {
      ok: false,
      reason: 'a call of base.nope is not a constant',
      constant: false,
    });
    assert.deepEqual(constantValue(args[3]!), {
      ok: false,
      reason: 'the left operand of && must be a Boolean, not 1',
      constant: true,
    });
    const rec = constantValue(args[4]!);
    assert.ok(rec.ok && Object.isFrozen(rec.value));
    assert.deepEqual({ ...(rec.ok ? (rec.value as object) : {}) }, { x: 1n });
  });
});

/** Loads a policy from a file map (top: sol/security.psl) with the given search path. */
function loadFiles(files: Record<string, string>, searchPath: readonly string[]) {
  const map = new Map(Object.entries(files));
  return loadText(files['sol/security.psl']!, {}, { searchPath, readFile: (p) => map.get(p) });
}

describe('check: rule ids name the file as the policy author sees it (traceability)', () => {
  it('the top file by its name, a module under its directory by its relative path, one elsewhere by its module path', () => {
    const policy = loadFiles(
      {
        'sol/security.psl': `${HEAD}use parts.door._\nuse kl.extra._\nrequest { grant () }\n`,
        'sol/inc/parts/door.psl': 'response { grant () }\n',
        'lib/kl/extra.psl': 'error { grant () }\n',
      },
      ['sol/inc', 'lib'],
    );
    const checked = checkPolicy(policy, TABLES);
    const ids = checked.bindings.map((b) => checked.label(b.body[0]!.loc));
    assert.deepEqual(ids.sort(), ['inc/parts/door.psl:1:12', 'kl/extra.psl:1:9', 'security.psl:5:11']);
    assert.equal(checked.name, 'security.psl');
    assert.equal(checkPolicy(policy, TABLES, { name: 'door' }).name, 'door');
  });

  it('a rule ref carries its binding head and place, also inside match sections and choice alternatives', () => {
    const text = `${HEAD}request dst = demo.Lock, method = Turn {\n  match endpoint = front.bolt {\n    choice (message.k) {\n      "a" : { match src = Einit { grant () } }\n      _ : deny ()\n    }\n  }\n}\n`;
    const checked = checkPolicy(loadText(text), TABLES);
    const section = checked.bindings[0]!.body[0]!;
    assert.equal(section.kind, 'match');
    const choice = section.kind === 'match' ? section.body[0]! : section;
    assert.equal(choice.kind, 'choice');
    const inner = choice.kind === 'choice' ? choice.alternatives[0]!.body[0]! : choice;
    assert.equal(inner.kind, 'match');
    const grantCall = (inner.kind === 'match' ? inner.body[0]! : inner).loc;
    const ref = checked.ruleRef(grantCall);
    assert.deepEqual(ref, {
      id: 'security.psl:6:35',
      loc: { file: 'security.psl', line: 6, col: 35 },
      binding: { head: 'request dst=demo.Lock, method=Turn', loc: { file: 'security.psl', line: 3, col: 1 } },
    });
    assert.ok(Object.isFrozen(ref) && Object.isFrozen(ref.loc) && Object.isFrozen(ref.binding));
    assert.equal(checked.ruleRef(grantCall), ref, 'made once per place');
    // a place no statement has (a binding head) has no binding
    assert.deepEqual(checked.ruleRef(checked.bindings[0]!.loc), {
      id: 'security.psl:3:1',
      loc: { file: 'security.psl', line: 3, col: 1 },
    });
    // the decision names it
    const b = both(text);
    const d = decide(b, b.compiled.initial, ev('request', { ...LOCK, message: { k: 'a' } }));
    assert.equal(d.verdict, 'grant');
    assert.deepEqual(d.rules, [ref]);
    const denied = decide(b, b.compiled.initial, ev('request', { ...LOCK, message: { k: 'z' } }));
    assert.equal(rulesKey(denied), 'security.psl:7:11');
    assert.equal(denied.rules[0]!.binding?.head, 'request dst=demo.Lock, method=Turn');
  });

  it('a binding without selectors is headed by its event alone', () => {
    const checked = checkPolicy(loadText(`${HEAD}error { grant () }\n`), TABLES);
    assert.equal(checked.ruleRef(checked.bindings[0]!.body[0]!.loc).binding?.head, 'error');
  });
});

describe('check: global declarations (static configuration)', () => {
  it('execute: kl.core.Execute is recorded; its absence is null; a repeat keeps the first', () => {
    assert.equal(
      checkPolicy(loadText(`${HEAD}execute: kl.core.Execute\n`), TABLES).executeInterface,
      'kl.core.Execute',
    );
    assert.equal(checkPolicy(loadText('use nk.base._\n'), TABLES).executeInterface, null);
    refuses(
      'execute: kl.core.Start\nuse nk.base._\n',
      'reference',
      'sol/security.psl:1:1: unknown execute interface kl.core.Start (the only one is kl.core.Execute)',
    );
  });

  it('use EDL names a task class of the solution', () => {
    both(`${HEAD}use EDL demo.Lock\n`);
    refuses(
      `${HEAD}use EDL demo.Window\n`,
      'reference',
      'sol/security.psl:3:1: use EDL demo.Window: the solution has no task class demo.Window',
    );
  });

  it('a type alias declared twice names the first', () => {
    const e = refuses(
      `${HEAD}type A = UInt8\ntype A = UInt16\n`,
      'duplicate',
      'sol/security.psl:4:1: type A is declared twice\n  sol/security.psl:3:1: first declared here',
    );
    assert.equal(e.related.length, 1);
  });

  it('a type alias that is not valid is refused; one Cordon cannot model is listed as not modelled', () => {
    refuses(`${HEAD}type A = UInt17\n`, 'reference', 'sol/security.psl:3:10: unknown type UInt17');
    const b = both(`${HEAD}type L = "a" | ... | ()\nrequest { grant () }\n`);
    assert.deepEqual(b.compiled.notModelled, [
      'unsupported construct ... in a type (the meaning of the Mic level wildcard is not documented) at sol/security.psl:3:16',
    ]);
    assert.equal(decide(b, b.compiled.initial, ev('request', LOCK)).verdict, 'grant');
  });
});

describe('check: policy objects are declared once, of a known and included model, with a valid config (static configuration)', () => {
  it('type parameters: the required ones, no others, once each', () => {
    refuses(
      `${HEAD}use nk.hashmap._\npolicy object s : HashSet { config = { set_size : 1, pool_size : 1 } }\n`,
      'validation',
      'sol/security.psl:4:1: policy object s : HashSet must declare type Entry',
    );
    refuses(
      `${HEAD}use nk.hashmap._\npolicy object s : HashSet { type Key = UInt8 type Entry = UInt8 config = { set_size : 1, pool_size : 1 } }\n`,
      'validation',
      'sol/security.psl:4:29: model HashSet has no type parameter Key (it takes Entry)',
    );
    refuses(
      `${HEAD}use nk.regex._\npolicy object r : Regex { type X = UInt8 }\n`,
      'validation',
      'sol/security.psl:4:27: model Regex has no type parameter X (it takes none)',
    );
    refuses(
      `${HEAD}use nk.hashmap._\npolicy object s : HashSet { type Entry = UInt8 type Entry = UInt8 config = { set_size : 1, pool_size : 1 } }\n`,
      'duplicate',
      'sol/security.psl:4:48: type Entry is declared twice in policy object s',
    );
    // an optional type parameter may be given (StaticMap's Value)
    both(
      `${HEAD}use nk.staticmap._\npolicy object m : StaticMap { type Value = UInt8 config = { keys : { "k" : 1 }, pool_size : 1 } }\n`,
    );
  });

  it('configs: needed, constant, valid, or not taken', () => {
    refuses(
      `${HEAD}use nk.hashmap._\npolicy object s : HashSet { type Entry = UInt8 }\n`,
      'validation',
      'sol/security.psl:4:1: policy object s : HashSet needs a config',
    );
    refuses(
      `${HEAD}use nk.hashmap._\npolicy object s : HashSet { type Entry = UInt8 config = { set_size : message, pool_size : 1 } }\n`,
      'validation',
      'sol/security.psl:4:57: the config of s must be a constant: message is not a constant',
    );
    refuses(
      `${HEAD}use nk.hashmap._\npolicy object s : HashSet { type Entry = UInt8 config = { set_size : 0, pool_size : 1 } }\n`,
      'validation',
      'sol/security.psl:4:57: invalid config of s : HashSet: set_size: must be an integer in 1 … 16777215',
    );
    refuses(
      `${HEAD}use nk.regex._\npolicy object r : Regex { config = 1 }\n`,
      'validation',
      'sol/security.psl:4:36: model Regex takes no config',
    );
    refuses(
      `${HEAD}use nk.flow._\npolicy object f : Flow { type State = "a" config = { states : ["a"], initial : "z", transitions : {} } }\n`,
      'validation',
      'sol/security.psl:4:52: policy object f : Flow: config.initial "z" is not a state',
    );
    refuses(
      `${HEAD}use nk.mic._\npolicy object m : Mic { config = [] }\n`,
      'validation',
      'sol/security.psl:4:34: policy object m : Mic: a Mic needs at least one degree',
    );
  });

  it('models: known, included, and not an SDK object', () => {
    refuses(
      `${HEAD}policy object x : Quota { config = 1 }\n`,
      'reference',
      'sol/security.psl:3:1: unknown security model Quota (known: Base, Pred, Bool, Math, Struct, Regex, HashSet, StaticMap, Flow, Mic, TypeEnforcement, Rbac)',
    );
    refuses(
      `${HEAD}policy object f : Flow { type State = "a" config = { states : ["a"], initial : "a", transitions : {} } }\n`,
      'reference',
      'sol/security.psl:3:1: model Flow is not included: add use nk.flow._',
    );
    const e = refuses(
      `${HEAD}policy object base : Base\n`,
      'duplicate',
      'sol/security.psl:3:1: policy object base is predeclared by the SDK (model Base)',
    );
    assert.deepEqual(e.related, []);
    refuses(
      `${HEAD}use nk.regex._\npolicy object r : Regex\npolicy object r : Regex\n`,
      'duplicate',
      'sol/security.psl:5:1: policy object r is declared twice\n  sol/security.psl:4:1: first declared here',
    );
    refuses(
      `${HEAD}use nk.hashmap._\npolicy object s : HashSet { type Entry = UInt8 config = { set_size : 8 / 2, pool_size : 1 } }\npolicy object s : HashSet { type Entry = UInt8 config = { set_size : 1, pool_size : 1 } }\n`,
      'duplicate',
      'sol/security.psl:5:1: policy object s is declared twice (the first is not modelled: unsupported construct division operator / (the Math model has no division) at sol/security.psl:4:72)',
    );
  });

  it('the SDK objects of the included modules only, in registry order, each with its slot and initial state', () => {
    const checked = checkPolicy(loadText(`${HEAD}use nk.regex._\n${FLOW_OBJ}`), TABLES);
    assert.deepEqual(
      checked.objectList.map((o) => [o.name, o.model.name, o.slot, o.loc === null]),
      [
        ['base', 'Base', 0, true],
        ['pred', 'Pred', 1, true],
        ['bool', 'Bool', 2, true],
        ['math', 'Math', 3, true],
        ['struct', 'Struct', 4, true],
        ['re', 'Regex', 5, true],
        ['fsm', 'Flow', 6, false],
      ],
    );
    assert.equal(checked.objects.get('fsm'), checked.objectList[6]);
    assert.equal(checked.initial.length, 7);
    assert.ok(Object.isFrozen(checked.initial));
    assert.equal(checkPolicy(loadText('request { }\n'), TABLES).objectList.length, 0);
  });
});

/** A model of Cordon's tests: configurable failures of its preparation and checks. */
function testModel(
  name: string,
  prepare: () => { ok: true; object: unknown } | { ok: false; error: string },
  extra = {},
) {
  return defineModel<unknown, unknown, null>({
    name,
    description: 'a test model',
    modules: [],
    config: t.unknown,
    configOptional: true,
    types: { required: [], optional: [] },
    audit: { auditable: true },
    prepare,
    initial: () => null,
    methods: {
      pass: { kind: 'rule', doc: 'pass any — grants', apply: (_o, s) => granted(s) },
      value: {
        kind: 'expression',
        doc: 'value {k} — k, with k constant',
        params: ['k'],
        constant: ['k'],
        checkConstant: (_o, _f, v) => (v === 'bad' ? 'k must not be "bad"' : null),
        evaluate: (_o, _s, arg) => (arg as { k: unknown }).k as never,
        label: (_o, l) => (l === 'never' ? 'the label "never" never applies' : (v) => v === l),
      },
    },
    ...extra,
  });
}

describe('check: a model that cannot prepare an object refuses the policy at the declaration (static configuration)', () => {
  const ok = () => ({ ok: true as const, object: null });
  const models = withModels(BUILTIN_MODELS, testModel('Tm', ok));

  it('a config is optional when the model says so; any argument goes to a method without params', () => {
    const b = both(`${HEAD}policy object x : Tm\nrequest { x.pass (message) x.pass {a : 1} }\n`, {}, { models });
    assert.equal(decide(b, b.compiled.initial, ev('request', LOCK)).verdict, 'grant');
  });

  it("checkConstant and label hooks refuse with the model's words", () => {
    refuses(
      `${HEAD}policy object x : Tm\nrequest { assert (x.value {k : "bad"} == "bad") }\n`,
      'validation',
      'sol/security.psl:4:32: x.value: k must not be "bad"',
      { models },
    );
    refuses(
      `${HEAD}policy object x : Tm\nrequest { choice (x.value {k : "a"}) { "never" : grant () } }\n`,
      'validation',
      'sol/security.psl:4:40: x.value: the label "never" never applies',
      { models },
    );
    refuses(
      `${HEAD}policy object x : Tm\nrequest { assert (x.value (message)) }\n`,
      'validation',
      'sol/security.psl:4:28: x.value takes a dictionary {k} written out, with constant k',
      { models },
    );
    // the model's matcher decides which alternative a value takes
    const b = both(
      `${HEAD}policy object x : Tm\nrequest { choice (x.value {k : "a"}) { "b" : deny () "a" : grant () } }\n`,
      {},
      { models },
    );
    assert.equal(decide(b, b.compiled.initial, ev('request', LOCK)).verdict, 'grant');
  });

  it('prepare failing, or throwing, names the object and the model', () => {
    const failing = withModels(
      BUILTIN_MODELS,
      testModel('Tm', () => ({ ok: false, error: 'no room' })),
    );
    refuses(`${HEAD}policy object x : Tm\n`, 'validation', 'sol/security.psl:3:1: policy object x : Tm: no room', {
      models: failing,
    });
    refuses(
      `${HEAD}policy object x : Tm { config = 1 }\n`,
      'validation',
      'sol/security.psl:3:33: policy object x : Tm: no room',
      { models: failing },
    );
    const throwing = withModels(
      BUILTIN_MODELS,
      testModel('Tm', () => {
        throw new Error('boom');
      }),
    );
    refuses(`${HEAD}policy object x : Tm\n`, 'validation', 'sol/security.psl:3:1: model Tm failed to prepare x: boom', {
      models: throwing,
    });
    const throwingText = withModels(
      BUILTIN_MODELS,
      testModel('Tm', () => {
        throw 'plain'; // eslint-disable-line no-throw-literal
      }),
    );
    refuses(
      `${HEAD}policy object x : Tm\n`,
      'validation',
      'sol/security.psl:3:1: model Tm failed to prepare x: plain',
      {
        models: throwingText,
      },
    );
  });

  it('a type error in prepare is the type error; an unsupported type makes the object not modelled', () => {
    const at = { file: 'sol/security.psl', line: 3, column: 20 };
    const typeErr = withModels(
      BUILTIN_MODELS,
      testModel('Tm', () => {
        throw new TypeError_(at, 'no such width', 'reference');
      }),
    );
    refuses(`${HEAD}policy object x : Tm\n`, 'reference', 'sol/security.psl:3:20: no such width', { models: typeErr });
    const unsupported = withModels(
      BUILTIN_MODELS,
      testModel('Tm', () => {
        throw new TypeError_(at, 'a width Cordon lacks', 'unsupported');
      }),
    );
    const b = both(`${HEAD}policy object x : Tm\nrequest { x.pass () }\n`, {}, { models: unsupported });
    assert.deepEqual(b.compiled.notModelled, ['unsupported construct a width Cordon lacks at sol/security.psl:3:20']);
    const d = decide(b, b.compiled.initial, ev('request', LOCK));
    assert.equal(d.verdict, 'deny');
    assert.equal(d.reason, 'not modelled: unsupported construct a width Cordon lacks at sol/security.psl:3:20');
  });

  it('an SDK default object its model cannot prepare refuses the policy at the top of the file', () => {
    const bad = withModels(
      BUILTIN_MODELS,
      testModel('Tm', () => ({ ok: false, error: 'broken default' }), { defaultObject: 'tm' }),
    );
    refuses(`${HEAD}request { grant () }\n`, 'validation', 'sol/security.psl:1:1: model Tm: broken default', {
      models: bad,
    });
    const good = withModels(BUILTIN_MODELS, testModel('Tm', ok, { defaultObject: 'tm' }));
    const checked = checkPolicy(loadText(`${HEAD}request { pass () }\n`), TABLES, { models: good });
    assert.equal(checked.objects.get('tm')?.loc, null);
    assert.equal([...checked.calls.values()][0]!.target.name, 'tm');
    assert.equal([...checked.calls.values()][0]!.callee, 'pass');
  });
});

const auditOf = (text: string): PslAudit => checkPolicy(loadText(text), TABLES).audit;

describe('check: audit profiles say which rule outcomes the audit log records (audit)', () => {
  it('profiles, levels, objects and kss as written; the default profile and level', () => {
    const a = auditOf(
      `${HEAD}${FLOW_OBJ}audit profile p = { 0 : { base : { kss : ["granted"] } }, 65535 : { base : { kss : ["denied", "granted"] }, fsm : { kss : [], omit : ["a"] } } }\naudit default = p 65535\n`,
    );
    assert.equal(a.defaultProfile, 'p');
    assert.equal(a.defaultLevel, 65535);
    const p = a.profiles.get('p')!;
    assert.equal(p.loc?.line, 8);
    assert.deepEqual([...p.levels.keys()], [0, 65535]);
    assert.deepEqual(p.levels.get(0)!.get('base'), { kss: ['granted'], options: {} });
    assert.deepEqual(p.levels.get(65535)!.get('base'), { kss: ['denied', 'granted'], options: {} });
    assert.deepEqual(p.levels.get(65535)!.get('fsm')!.kss, []);
    assert.deepEqual(p.levels.get(65535)!.get('fsm')!.options, { omit: ['a'] });
    assert.deepEqual(a.profiles.get('empty'), { name: 'empty', levels: new Map(), loc: null });
    const none = auditOf(HEAD);
    assert.equal(none.defaultProfile, 'empty');
    assert.equal(none.defaultLevel, 0);
  });

  it('the profile of each rule: the innermost audit, else the default; the object each rule calls', () => {
    const text = `${HEAD}${FLOW_OBJ}audit profile p = {}\naudit profile q = {}\naudit profile r = {}\naudit default = p 0\nrequest {\n  grant ()\n  match src = Einit { audit q\n    fsm.init {sid : src_sid}\n    choice (fsm.query {sid : src_sid}) { "a" : { audit r grant () } _ : grant () }\n  }\n}\nresponse { audit r\n  assert (message.n == 1)\n}\n`;
    const checked = checkPolicy(loadText(text), TABLES);
    const id = (needle: string, nth = 0) => {
      let at = -1;
      for (let i = 0; i <= nth; i++) at = text.indexOf(needle, at + 1);
      const before = text.slice(0, at);
      return `security.psl:${before.split('\n').length}:${at - before.lastIndexOf('\n')}`;
    };
    const profiles = Object.fromEntries(checked.audit.ruleProfiles);
    const objects = Object.fromEntries(checked.audit.ruleObjects);
    assert.deepEqual(profiles, {
      [id('grant ()')]: 'p',
      [id('fsm.init')]: 'q',
      [id('choice')]: 'q',
      [id('grant ()', 1)]: 'r',
      [id('grant ()', 2)]: 'q',
      [id('assert')]: 'r',
    });
    assert.deepEqual(objects, {
      [id('grant ()')]: 'base',
      [id('fsm.init')]: 'fsm',
      [id('choice')]: 'fsm',
      [id('grant ()', 1)]: 'base',
      [id('grant ()', 2)]: 'base',
      [id('assert')]: 'base',
    });
    // a choice on a value, not a call, is Base's
    const plain = checkPolicy(loadText(`${HEAD}request { choice message.m { _ : grant () } }\n`), TABLES);
    assert.deepEqual([...plain.audit.ruleObjects.values()], ['base', 'base']);
  });

  it("auditsRule: the rule's profile at the level, under the rule's object, lists the outcome", () => {
    const text = `${HEAD}audit profile p = { 0 : { base : { kss : ["granted"] } }, 2 : { base : { kss : ["denied"] } } }\naudit default = p 2\nrequest { grant () }\nresponse { audit empty grant () }\n`;
    const a = auditOf(text);
    const req = 'security.psl:5:11';
    const resp = 'security.psl:6:24';
    assert.equal(auditsRule(a, req, 'denied'), true, 'the default level 2 records denials');
    assert.equal(auditsRule(a, req, 'granted'), false);
    assert.equal(auditsRule(a, req, 'granted', 0), true);
    assert.equal(auditsRule(a, req, 'denied', 0), false);
    assert.equal(auditsRule(a, req, 'granted', 1), false, 'no such level');
    assert.equal(auditsRule(a, resp, 'granted', 0), false, 'the empty profile records nothing');
    // a rule id the policy does not have: the default profile, but no object
    assert.equal(auditsRule(a, 'security.psl:99:1', 'denied'), false);
    // a rule id with an object but no profile of its own takes the default profile
    const noProfile = { ...a, ruleProfiles: new Map<string, string>() };
    assert.equal(auditsRule(noProfile, req, 'denied'), true);
    const unknownProfile = { ...a, ruleProfiles: new Map([[req, 'gone']]) };
    assert.equal(auditsRule(unknownProfile, req, 'denied'), false);
  });

  it('audit errors, each at its place and in full', () => {
    const cases: [string, ParseError['kind'], string][] = [
      ['audit default = loud 0\n', 'reference', 'sol/security.psl:3:1: unknown audit profile loud'],
      ['request { audit loud grant () }\n', 'reference', 'sol/security.psl:3:11: unknown audit profile loud'],
      [
        'request { match src = Einit { audit loud grant () } }\n',
        'reference',
        'sol/security.psl:3:31: unknown audit profile loud',
      ],
      [
        'request { choice message.m { "x" : { audit loud grant () } } }\n',
        'reference',
        'sol/security.psl:3:38: unknown audit profile loud',
      ],
      [
        'audit profile p = message\n',
        'validation',
        'sol/security.psl:3:19: audit profile p must be a constant: message is not a constant',
      ],
      [
        'audit profile p = 1\n',
        'validation',
        'sol/security.psl:3:19: audit profile p must be a dictionary { <level> : { <object> : { kss : […] } } }',
      ],
      [
        'audit profile p = [1]\n',
        'validation',
        'sol/security.psl:3:19: audit profile p must be a dictionary { <level> : { <object> : { kss : […] } } }',
      ],
      [
        'audit profile p = { 0 : 1 }\n',
        'validation',
        'sol/security.psl:3:25: audit profile p: level 0 maps object names to { kss : […] }',
      ],
      [
        'audit profile p = { 0 : { base : 1 } }\n',
        'validation',
        'sol/security.psl:3:34: audit profile p: the audit of base is a dictionary { kss : […] }',
      ],
      [
        'audit profile p = { x : {} }\n',
        'validation',
        'sol/security.psl:3:21: audit profile p: a level is an integer in 0 … 65535',
      ],
      [
        'audit profile p = { -1 : {} }\n',
        'validation',
        'sol/security.psl:3:21: audit profile p: a level is an integer in 0 … 65535',
      ],
      [
        'audit profile p = { 65536 : {} }\n',
        'validation',
        'sol/security.psl:3:21: audit profile p: a level is an integer in 0 … 65535',
      ],
      [
        'audit profile p = { 0 : { ghost : { kss : [] } } }\n',
        'reference',
        'sol/security.psl:3:27: audit profile p: unknown policy object ghost',
      ],
      [
        'audit profile p = { 0 : { pred : { kss : [] } } }\n',
        'validation',
        'sol/security.psl:3:27: audit profile p: objects of the model Pred cannot be audited',
      ],
      [
        'audit profile p = { 0 : { base : { kss : ["maybe"] } } }\n',
        'validation',
        'sol/security.psl:3:34: audit profile p: base.kss must be a list of "granted" and "denied"',
      ],
      [
        'audit profile p = { 0 : { base : { kss : ["granted", 1] } } }\n',
        'validation',
        'sol/security.psl:3:34: audit profile p: base.kss must be a list of "granted" and "denied"',
      ],
      [
        'audit profile p = { 0 : { base : { kss : "granted" } } }\n',
        'validation',
        'sol/security.psl:3:34: audit profile p: base.kss must be a list of "granted" and "denied"',
      ],
      [
        'audit profile p = { 0 : { base : { kss : [], omit : ["x"] } } }\n',
        'validation',
        'sol/security.psl:3:34: audit profile p: the model Base has no audit key omit',
      ],
      [
        `${FLOW_OBJ}audit profile p = { 0 : { fsm : { kss : [], omit : ["x"] } } }\n`,
        'validation',
        'sol/security.psl:8:33: audit profile p: fsm.omit: omit must be a list of states of the object, not ["x"]',
      ],
      [
        'audit profile p = {}\naudit profile p = {}\n',
        'duplicate',
        'sol/security.psl:4:1: audit profile p is declared twice\n  sol/security.psl:3:1: first declared here',
      ],
      ['audit profile empty = {}\n', 'duplicate', 'sol/security.psl:3:1: audit profile empty is declared twice'],
      [
        'audit profile p = {}\naudit default = p 0\naudit default = p 1\n',
        'duplicate',
        'sol/security.psl:5:1: audit default is declared twice\n  sol/security.psl:4:1: first declared here',
      ],
      [
        'audit profile p = {}\naudit default = p 65536\n',
        'validation',
        'sol/security.psl:4:1: audit level 65536 must be in 0 … 65535',
      ],
    ];
    for (const [text, kind, message] of cases) {
      const e = refusal(`${HEAD}${text}`);
      assert.equal(e.message, message, text);
      assert.equal(e.kind, kind, text);
    }
  });

  it('a profile Cordon cannot read, or naming an object it cannot model, audits nothing and is listed', () => {
    const div = checkPolicy(loadText(`${HEAD}audit profile p = { 0 : { base : { kss : [8 / 2] } } }\n`), TABLES);
    assert.deepEqual(div.notModelled, [
      'unsupported construct division operator / (the Math model has no division) at sol/security.psl:3:45',
    ]);
    assert.equal(div.audit.profiles.get('p')!.levels.size, 0);
    assert.equal(div.audit.profiles.get('p')!.loc?.line, 3);
    const era = checkPolicy(
      loadText(
        `${HEAD}policy object e : Era { config = "x" }\naudit profile p = { 0 : { e : { kss : [] }, base : { kss : ["denied"] } } }\n`,
      ),
      TABLES,
    );
    assert.deepEqual([...era.audit.profiles.get('p')!.levels.get(0)!.keys()], ['base']);
    assert.deepEqual(era.notModelled, [
      'unsupported construct the Era model (legacy Starter Kit only, not part of KasperskyOS CE) at sol/security.psl:3:1',
    ]);
  });
});

describe('check: choices have distinct labels and one default at most (default deny)', () => {
  it('repeated labels and defaults name the first', () => {
    refuses(
      `${HEAD}request { choice message.m { "x" : grant () "x" : deny () } }\n`,
      'duplicate',
      'sol/security.psl:3:45: the choice alternative "x" is given twice\n  sol/security.psl:3:30: first here',
    );
    refuses(
      `${HEAD}request { choice message.m { 1 : grant () 2 : grant () 1 : deny () } }\n`,
      'duplicate',
      'sol/security.psl:3:56: the choice alternative 1 is given twice\n  sol/security.psl:3:30: first here',
    );
    refuses(
      `${HEAD}request { choice message.m { _ : grant () "a" : deny () _ : deny () } }\n`,
      'duplicate',
      'sol/security.psl:3:57: a choice has two _ alternatives\n  sol/security.psl:3:30: first here',
    );
    refuses(
      `${HEAD}${FLOW_OBJ}request { choice (fsm.query {sid : dst_sid}) { "c" : grant () } }\n`,
      'validation',
      'sol/security.psl:8:48: fsm.query: "c" is not a state of this Flow (states: a, b)',
    );
  });

  it('labels of different types are different; each alternative takes its own label', () => {
    const b = both(`${HEAD}request { choice message.m { 1 : grant () "1" : deny () true : grant () _ : deny () } }\n`);
    const say = (m: unknown) => decide(b, b.compiled.initial, ev('request', { ...LOCK, message: { m } })).verdict;
    assert.deepEqual([1n, '1', true, 2n].map(say), ['grant', 'deny', 'grant', 'deny']);
    const checked = checkPolicy(
      loadText(`${HEAD}request { choice message.m { "a" : grant () _ : deny () } }\n`),
      TABLES,
    );
    const alts = [...checked.labels];
    assert.equal(alts.length, 2);
    assert.equal(alts[1]![1], null, 'the default alternative has no matcher');
    assert.equal(alts[0]![1]!('a'), true);
    assert.equal(alts[0]![1]!('b'), false);
  });

  it('an unmodelled choice subject denies and is listed once', () => {
    const b = both(
      `${HEAD}request { choice (message.n / 2) { 1 : grant () _ : grant () } }\nresponse { choice (message.n / 2) { _ : grant () } }\n`,
    );
    assert.equal(b.compiled.notModelled.length, 2);
    const checked = checkPolicy(loadText(`${HEAD}request { assert (1 / 2 == 0) assert (1 / 2 == 0) }\n`), TABLES);
    assert.equal(checked.notModelled.length, 2, 'two places, two entries');
    assert.equal(checked.unmodelled.size, 2);
    assert.deepEqual([...checked.audit.ruleObjects.values()], ['base', 'base']);
  });
});
