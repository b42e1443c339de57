/**
 * The PSL compiler refuses what it cannot compile correctly: every unknown
 * name, misused selector or call, invalid configuration, bad audit
 * profile, and unsupported construct is a ParseError at the file, line and
 * column of the construct — never a silent skip.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compilePsl, interpretPsl } from '../src/policy/compile/index.ts';
import { loadPolicy } from '../src/policy/psl/index.ts';
import { ParseError } from '../src/syntax/errors.ts';
import { fixturePath, readFixture } from './fixtures/formats/helpers.ts';
import { both, compileError, ev, HEAD, ruleAt, TABLES } from './psl-compile-helpers.ts';

/** `line:column` of the nth occurrence of needle. */
const at = (text: string, needle: string, nth = 0) => ruleAt(text, needle, nth).slice('security.psl:'.length);

/** Expects the error at the (first) occurrence of `needle` in the policy. */
function rejects(
  text: string,
  kind: Parameters<typeof compileError>[1],
  needle: string,
  message: string | RegExp,
  nth = 0,
): ParseError {
  return compileError(text, kind, at(text, needle, nth), message);
}

const FLOW_OBJ = `use nk.flow._
policy object fsm : Flow {
    type State = "a" | "b"
    config = { states : ["a", "b"], initial : "a", transitions : { "a" : ["b"] } }
}
`;

describe('PSL compile errors: selectors', () => {
  it('unknown task class, endpoint, method, interface, component', () => {
    rejects(
      `${HEAD}request src = demo.Nope { grant () }\n`,
      'reference',
      'src =',
      'unknown task class demo.Nope in selector src=',
    );
    rejects(
      `${HEAD}request { match dst = demo.Lock { match endpoint = front.nope { grant () } } }\n`,
      'reference',
      'endpoint',
      'unknown endpoint front.nope',
    );
    rejects(
      `${HEAD}request dst = demo.Lock method = Open { grant () }\n`,
      'reference',
      'method',
      'unknown method Open',
    );
    rejects(
      `${HEAD}request interface = demo.Nope { grant () }\n`,
      'reference',
      'interface',
      'unknown interface demo.Nope',
    );
    rejects(
      `${HEAD}request component = middle { grant () }\n`,
      'reference',
      'component',
      'no endpoint belongs to a component instance middle',
    );
  });

  it('a selector the event does not have', () => {
    rejects(
      `${HEAD}execute endpoint = log { grant () }\n`,
      'validation',
      'endpoint',
      'selector endpoint= does not apply to execute events',
    );
    rejects(
      `${HEAD}security dst = demo.Lock { grant () }\n`,
      'validation',
      'dst',
      'selector dst= does not apply to security events',
    );
    rejects(
      `${HEAD}execute { match interface = demo.Bolt { grant () } }\n`,
      'validation',
      'interface',
      'does not apply to execute events',
    );
    rejects(
      `${HEAD}execute method = start { grant () }\n`,
      'reference',
      'method',
      'has only the method main, not start',
    );
  });

  it('a selector given twice in one section', () => {
    const e = rejects(
      `${HEAD}request dst = demo.Lock, dst = demo.Door { grant () }\n`,
      'duplicate',
      'dst',
      'selector dst= is given twice',
      1,
    );
    assert.equal(e.related.length, 1);
  });
});

describe('PSL compile errors: calls and expressions', () => {
  it('an unknown policy object (the models fixture calls flow.enter without declaring flow)', () => {
    const file = fixturePath('models/security.psl');
    const text = readFixture('models/security.psl');
    const policy = loadPolicy(file, { searchPath: [] });
    let caught: unknown;
    try {
      compilePsl(policy, TABLES);
    } catch (e) {
      caught = e;
    }
    assert.ok(caught instanceof ParseError);
    assert.equal(caught.kind, 'reference');
    assert.equal(`${caught.loc.line}:${caught.loc.column}`, at(text, 'flow.enter(src_sid'));
    assert.match(caught.message, /^.*models\/security\.psl:\d+:5: unknown policy object flow$/);
  });

  it('unknown methods, rules used as values, expressions used as rules', () => {
    rejects(
      `${HEAD}${FLOW_OBJ}request { fsm.jump {sid : src_sid} }\n`,
      'reference',
      'fsm.jump',
      'model Flow (object fsm) has no method jump',
    );
    rejects(
      `${HEAD}${FLOW_OBJ}request { assert (fsm.enter {sid : src_sid, state : "b"}) }\n`,
      'validation',
      'fsm.enter',
      'fsm.enter is a rule, not an expression',
    );
    rejects(
      `${HEAD}${FLOW_OBJ}request { fsm.query {sid : src_sid} }\n`,
      'validation',
      'fsm.query',
      'fsm.query is an expression, not a rule',
    );
    rejects(`${HEAD}request { permit () }\n`, 'reference', 'permit', 'unknown rule permit');
    rejects(`${HEAD}request { assert (size2 (message) > 1) }\n`, 'reference', 'size2', 'unknown expression size2');
  });

  it('SDK rules and objects need their module', () => {
    rejects('request { grant () }\n', 'reference', 'grant', 'grant belongs to the model Base: add use nk.base._');
    rejects(
      `${HEAD}request { assert (re.match {text : "a", pattern : "a"}) }\n`,
      'reference',
      're.match',
      'unknown policy object re',
    );
    rejects(
      `${HEAD}policy object f : Flow { type State = "a" config = { states : ["a"], initial : "a", transitions : {} } }\n`,
      'reference',
      'policy object',
      'model Flow is not included: add use nk.flow._',
    );
  });

  it('arguments of the wrong shape', () => {
    rejects(
      `${HEAD}${FLOW_OBJ}request { fsm.enter {sid : src_sid} }\n`,
      'validation',
      '{sid : src_sid}',
      'fsm.enter takes {sid, state}: missing state',
    );
    rejects(
      `${HEAD}${FLOW_OBJ}request { fsm.init {sid : src_sid, id : 1} }\n`,
      'validation',
      '{sid : src_sid, id',
      'fsm.init takes {sid}: unknown field id',
    );
    rejects(
      `${HEAD}${FLOW_OBJ}request { fsm.enter (src_sid, "b") }\n`,
      'validation',
      '(src_sid',
      'fsm.enter takes a dictionary {sid, state}',
    );
  });

  it('unknown names in expressions and repeated record fields', () => {
    rejects(
      `${HEAD}request { assert (port > 80) }\n`,
      'reference',
      'port',
      'unknown name port (an expression may use message, src_sid and dst_sid)',
    );
    rejects(
      `${HEAD}${FLOW_OBJ}request { fsm.enter {sid : src_sid, sid : dst_sid, state : "b"} }\n`,
      'duplicate',
      'sid : dst_sid',
      'field sid is given twice',
    );
  });

  it('Regex patterns must be constant and valid', () => {
    const head = `${HEAD}use nk.regex._\n`;
    rejects(
      `${head}request { assert (re.match {text : message.t, pattern : message.p}) }\n`,
      'validation',
      'message.p',
      're.match: pattern must be a constant',
    );
    rejects(
      `${head}request { assert (re.match {text : message.t, pattern : "(["}) }\n`,
      'validation',
      '"(["',
      're.match: invalid regular expression "(["',
    );
    rejects(
      `${head}request { choice (re.select {text : message.t}) { "[" : grant () } }\n`,
      'validation',
      '"["',
      're.select: invalid regular expression',
    );
  });

  it('Regex patterns use what a linear-time engine (RE2) has: backreferences and lookaround are refused at the pattern', () => {
    const head = `${HEAD}use nk.regex._\n`;
    const linear =
      'is not supported: the Regex model matches in linear time (RE2 syntax), which has no backreferences or lookaround';
    const match = (pattern: string) =>
      `${head}request {\n    assert (re.match {text : message.t, pattern : "${pattern}"})\n}\n`;
    rejects(
      match('(a)\\\\1'),
      'validation',
      '"(a)',
      `re.match: invalid regular expression "(a)\\\\1": the backreference \\1 ${linear}`,
    );
    rejects(match('(?<n>a)\\\\k<n>'), 'validation', '"(?<n>', `the backreference \\k ${linear}`);
    rejects(match('a(?=b)'), 'validation', '"a(?=b)"', `the lookahead (?=…) ${linear}`);
    rejects(match('a(?!b)'), 'validation', '"a(?!b)"', `the lookahead (?!…) ${linear}`);
    rejects(match('(?<=a)b'), 'validation', '"(?<=a)b"', `the lookbehind (?<=…) ${linear}`);
    rejects(match('(?<!a)b'), 'validation', '"(?<!a)b"', `the lookbehind (?<!…) ${linear}`);
    rejects(
      match('\\\\u0041'),
      'validation',
      '"\\\\u',
      'invalid escape sequence \\u (RE2 writes a code point as \\x{…}, e.g. \\x{41})',
    );
    const select = `${head}request {\n    choice (re.select {text : message.t}) {\n        "^ok$" : grant ()\n        "^(x)\\\\1$" : grant ()\n        _ : deny ()\n    }\n}\n`;
    rejects(
      select,
      'validation',
      '"^(x)',
      `re.select: invalid regular expression "^(x)\\\\1$": the backreference \\1 ${linear}`,
    );
    // what RE2 does have compiles: classes, counted repetition, named groups, inline flags
    const ok = both(match('^(?i)(?P<w>[a-z]{2,8})\\\\s+\\\\d{1,3}$'));
    const say = (t: string) =>
      ok.compiled.decide(
        ok.compiled.initial,
        ev('request', { from: 'demo.Door', endpoint: 'front.bolt', method: 'Turn', message: { t } }),
      ).verdict;
    assert.deepEqual(['Turn 90', 'turn  1', 'turn 1000', 'x 1', 'turn\t7'].map(say), [
      'grant',
      'grant',
      'deny',
      'deny',
      'grant',
    ]);
  });

  it('choice labels: unknown states, repeated labels, two defaults', () => {
    rejects(
      `${HEAD}${FLOW_OBJ}request { choice (fsm.query {sid : dst_sid}) { "c" : grant () } }\n`,
      'validation',
      '"c"',
      'fsm.query: "c" is not a state of this Flow (states: a, b)',
    );
    rejects(
      `${HEAD}request { choice message.m { "x" : grant () "x" : deny () } }\n`,
      'duplicate',
      '"x"',
      'the choice alternative "x" is given twice',
      1,
    );
    rejects(
      `${HEAD}request { choice message.m { _ : grant () _ : deny () } }\n`,
      'duplicate',
      '_ :',
      'a choice has two _ alternatives',
      1,
    );
  });
});

describe('PSL compile errors: policy objects and types', () => {
  it('unknown models (an unsupported one, Era, loads as not modelled: psl-not-modelled.test.ts)', () => {
    rejects(
      `${HEAD}policy object x : Quota { config = 1 }\n`,
      'reference',
      'policy object',
      'unknown security model Quota',
    );
  });

  it('configurations: missing, not constant, invalid, not allowed', () => {
    rejects(
      `${HEAD}use nk.hashmap._\npolicy object s : HashSet { type Entry = UInt8 }\n`,
      'validation',
      'policy object',
      'policy object s : HashSet needs a config',
    );
    rejects(
      `${HEAD}use nk.hashmap._\npolicy object s : HashSet { type Entry = UInt8 config = { set_size : message.n, pool_size : 1 } }\n`,
      'validation',
      '{ set_size',
      'the config of s must be a constant: message is not a constant',
    );
    rejects(
      `${HEAD}use nk.hashmap._\npolicy object s : HashSet { type Entry = UInt8 config = { set_size : 0, pool_size : 1 } }\n`,
      'validation',
      '{ set_size',
      'invalid config of s : HashSet: set_size: must be an integer in 1 … 16777215',
    );
    rejects(
      `${HEAD}use nk.hashmap._\npolicy object s : HashSet { type Entry = UInt8 config = { set_size : 1, pool_size : 1, colour : "red" } }\n`,
      'validation',
      '{ set_size',
      'unknown field colour',
    );
    rejects(
      `${HEAD}use nk.regex._\npolicy object r : Regex { config = 1 }\n`,
      'validation',
      '1 }',
      'model Regex takes no config',
    );
  });

  it('model-specific configuration checks', () => {
    rejects(
      `${HEAD}use nk.flow._\npolicy object f : Flow { type State = "a" | "b" config = { states : ["a"], initial : "a", transitions : {} } }\n`,
      'validation',
      '{ states',
      'config.states [a] must be the members of type State [a, b]',
    );
    rejects(
      `${HEAD}use nk.flow._\npolicy object f : Flow { type State = "a" config = { states : ["a"], initial : "z", transitions : {} } }\n`,
      'validation',
      '{ states',
      'config.initial "z" is not a state',
    );
    rejects(
      `${HEAD}use nk.staticmap._\npolicy object m : StaticMap { type Value = UInt8 config = { keys : { "k" : 300 }, pool_size : 1 } }\n`,
      'validation',
      '{ keys',
      'the default of key "k" is outside the type Value (0 … 255)',
    );
    rejects(
      `${HEAD}use nk.staticmap._\npolicy object m : StaticMap { type Value = Text config = { keys : { "k" : 0 }, pool_size : 1 } }\n`,
      'validation',
      '{ keys',
      'type Value of a StaticMap must be an integer type',
    );
    rejects(
      `${HEAD}use nk.mic._\npolicy object m : Mic { config = [] }\n`,
      'validation',
      '[]',
      'a Mic needs at least one degree',
    );
    rejects(
      `${HEAD}policy object r : Rbac { config = { roles : ["a", "b"], permissions : {}, inherits : { "a" : ["b"], "b" : ["a"] } } }\n`,
      'validation',
      '{ roles',
      'config.inherits has a cycle: a → b → a',
    );
    rejects(
      `${HEAD}policy object t : TypeEnforcement { config = { types : ["a"], allow : { "a" : { "b" : ["call"] } } } }\n`,
      'validation',
      '{ types',
      'config.allow.a: "b" is not a declared type',
    );
  });

  it('type parameters: required, unknown, and unknown or unsupported types', () => {
    rejects(
      `${HEAD}use nk.hashmap._\npolicy object s : HashSet { config = { set_size : 1, pool_size : 1 } }\n`,
      'validation',
      'policy object',
      'policy object s : HashSet must declare type Entry',
    );
    rejects(
      `${HEAD}use nk.hashmap._\npolicy object s : HashSet { type Key = UInt8 type Entry = UInt8 config = { set_size : 1, pool_size : 1 } }\n`,
      'validation',
      'type Key',
      'model HashSet has no type parameter Key (it takes Entry)',
    );
    rejects(
      `${HEAD}use nk.hashmap._\npolicy object s : HashSet { type Entry = Port config = { set_size : 1, pool_size : 1 } }\n`,
      'reference',
      'Port',
      'unknown type Port',
    );
    rejects(`${HEAD}type Angle = UInt17\n`, 'reference', 'UInt17', 'unknown type UInt17');
    rejects(`${HEAD}type Loop = List<Loop>\n`, 'validation', 'Loop>', 'type alias cycle through Loop');
  });

  it('duplicate objects and types', () => {
    rejects(
      `${HEAD}use nk.regex._\npolicy object r : Regex\npolicy object r : Regex\n`,
      'duplicate',
      'policy object',
      'policy object r is declared twice',
      1,
    );
    rejects(
      `${HEAD}policy object base : Base\n`,
      'duplicate',
      'policy object',
      'policy object base is predeclared by the SDK (model Base)',
    );
    rejects(`${HEAD}type A = UInt8\ntype A = UInt16\n`, 'duplicate', 'type A', 'type A is declared twice', 1);
  });
});

describe('PSL compile errors: global parameters and audit', () => {
  it('the execute interface and use EDL', () => {
    rejects(
      'execute: kl.core.Start\nuse nk.base._\n',
      'reference',
      'execute',
      'unknown execute interface kl.core.Start (the only one is kl.core.Execute)',
    );
    rejects(
      `${HEAD}use EDL demo.Window\n`,
      'reference',
      'use EDL',
      'use EDL demo.Window: the solution has no task class demo.Window',
    );
  });

  it('audit profiles', () => {
    rejects(`${HEAD}audit default = loud 0\n`, 'reference', 'audit default', 'unknown audit profile loud');
    rejects(`${HEAD}request { audit loud grant () }\n`, 'reference', 'audit loud', 'unknown audit profile loud');
    rejects(
      `${HEAD}audit profile p = { 0 : { ghost : { kss : [] } } }\n`,
      'reference',
      'ghost',
      'audit profile p: unknown policy object ghost',
    );
    rejects(
      `${HEAD}audit profile p = { 0 : { pred : { kss : [] } } }\n`,
      'validation',
      'pred',
      'objects of the model Pred cannot be audited',
    );
    rejects(
      `${HEAD}audit profile p = { 0 : { base : { kss : ["maybe"] } } }\n`,
      'validation',
      '{ kss',
      'base.kss must be a list of "granted" and "denied"',
    );
    rejects(
      `${HEAD}audit profile p = { 0 : { base : { kss : [], omit : ["x"] } } }\n`,
      'validation',
      '{ kss',
      'the model Base has no audit key omit',
    );
    rejects(
      `${HEAD}${FLOW_OBJ}audit profile p = { 0 : { fsm : { kss : [], omit : ["x"] } } }\n`,
      'validation',
      '{ kss',
      'fsm.omit: omit must be a list of states of the object',
    );
    rejects(`${HEAD}audit profile p = { x : {} }\n`, 'validation', 'x :', 'a level is an integer in 0 … 65535');
    rejects(
      `${HEAD}audit profile p = {}\naudit profile p = {}\n`,
      'duplicate',
      'audit profile',
      'audit profile p is declared twice',
      1,
    );
    rejects(
      `${HEAD}audit profile p = {}\naudit default = p 0\naudit default = p 1\n`,
      'duplicate',
      'audit default',
      'audit default is declared twice',
      1,
    );
  });
});

describe('PSL compile errors: the interpreter reports the same errors as the compiler', () => {
  it('an unknown name', () => {
    const bad = `${HEAD}request { assert (nope == 1) }\n`;
    rejects(bad, 'reference', 'nope', 'unknown name nope');
    const files = new Map([['sol/security.psl', bad]]);
    const policy = loadPolicy('sol/security.psl', { searchPath: ['sol'], readFile: (p) => files.get(p) });
    assert.throws(
      () => interpretPsl(policy, TABLES),
      (x: unknown) => x instanceof ParseError && x.kind === 'reference' && x.message.includes('unknown name nope'),
    );
  });
});
