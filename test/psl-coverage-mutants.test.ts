/**
 * Policy coverage (src/policy/compile/coverage.ts) down to its exact
 * counts and words, on in-memory policies: which points and conditions a
 * policy has, how often the decisions hit each, and the report, text and
 * lcov made from them. Each test states the requirement it protects; they
 * were written to kill the Stryker survivors of coverage.ts (issue 11,
 * part 4). The CLI and the examples are tested in coverage.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SecurityEvent } from '../src/monitor/types.ts';
import {
  compileWithCoverage,
  coverageLcov,
  coverageReport,
  coverageText,
  PolicyCoverage,
} from '../src/policy/compile/coverage.ts';
import { checkPolicy } from '../src/policy/compile/index.ts';
import { ev, HEAD, loadText, TABLES } from './psl-compile-helpers.ts';

const POLICY = `${HEAD}use nk.flow._
policy object fsm : Flow {
    type State = "a" | "b" | "c"
    config = { states : ["a", "b", "c"], initial : "a", transitions : { "a" : ["b", "c"], "b" : ["a"] } }
}
execute { fsm.init {sid : dst_sid} }
request dst = demo.Lock, method = Turn {
  match endpoint = front.bolt {
    fsm.enter {sid : dst_sid, state : "b"}
    match src = Einit { grant () }
  }
  match endpoint = back.bolt {
    choice (message.k) {
      "x" : { match src = Einit { grant () } }
      1 : assert (message.n > 1)
      _ : deny ()
    }
  }
  assert (true)
}
response { assert (1 / 2 == 0) }
`;

const EVENTS: readonly SecurityEvent[] = [
  ev('execute'),
  ev('request', { endpoint: 'front.bolt', method: 'Turn' }),
  ev('request', { endpoint: 'back.bolt', method: 'Turn', message: { k: 'x' } }),
  ev('request', { endpoint: 'back.bolt', method: 'Turn', message: { k: 1n, n: 0n } }),
];

function runAll(text: string, events: readonly SecurityEvent[], modules: Record<string, string> = {}) {
  const { compiled, coverage } = compileWithCoverage(loadText(text, modules), TABLES);
  let s = compiled.initial;
  const verdicts = events.map((e) => {
    const d = compiled.decide(s, e);
    if (d.verdict === 'grant') s = d.next as typeof s;
    return d.verdict;
  });
  return { compiled, coverage, verdicts };
}

describe('policy coverage: the points and conditions of a policy (coverage evidence)', () => {
  it('every binding, match section, choice, alternative, rule call and declared Flow transition is a point, in order', () => {
    const { coverage } = runAll(POLICY, []);
    assert.deepEqual(
      coverage.points.map((p) => `${p.kind} ${p.loc.line}:${p.loc.column} ${p.label}`),
      [
        'binding 8:1 execute',
        'rule 8:11 fsm.init',
        'binding 9:1 request dst=demo.Lock method=Turn',
        'match 10:3 match endpoint=front.bolt',
        'rule 11:5 fsm.enter',
        'match 12:5 match src=Einit',
        'rule 12:25 grant',
        'match 14:3 match endpoint=back.bolt',
        'rule 15:5 choice',
        'alternative 16:7 choice alternative "x"',
        'match 16:15 match src=Einit',
        'rule 16:35 grant',
        'alternative 17:7 choice alternative "1"',
        'rule 17:11 assert',
        'alternative 18:7 choice alternative _',
        'rule 18:11 deny',
        'rule 21:3 assert',
        'binding 23:1 response',
        'rule 23:12 assert',
        'transition 4:1 fsm: a → b',
        'transition 4:1 fsm: a → c',
        'transition 4:1 fsm: b → a',
      ],
    );
  });

  it('conditions: every match section, and the rules that can both grant and deny (not a constant Base rule, not an unmodelled one)', () => {
    const { coverage } = runAll(POLICY, []);
    assert.deepEqual(
      coverage.conditions.map((c) => `${c.kind} ${c.loc.line}:${c.loc.column} ${c.label} ${c.outcomes.join('/')}`),
      [
        'rule 8:11 fsm.init granted/denied',
        'match 10:3 match endpoint=front.bolt selected/not selected',
        'rule 11:5 fsm.enter granted/denied',
        'match 12:5 match src=Einit selected/not selected',
        'match 14:3 match endpoint=back.bolt selected/not selected',
        'match 16:15 match src=Einit selected/not selected',
        'rule 17:11 assert granted/denied',
      ],
    );
    // a match section outside a choice has its parent; inside one the step counts it
    assert.deepEqual(
      [...coverage.parentOf],
      [
        [3, 2],
        [5, 3],
        [7, 2],
      ],
    );
    assert.deepEqual(
      [...coverage.matchCondition],
      [
        [3, 1],
        [5, 3],
        [7, 4],
        [10, 5],
      ],
    );
    const checked = checkPolicy(loadText(POLICY), TABLES);
    const call = checked.bindings[0]!.body[0]!;
    assert.equal(call.kind, 'call');
    const fresh = new PolicyCoverage(checked);
    assert.equal(fresh.conditionOf(call as never), 0);
    assert.equal(fresh.idOf(checked.bindings[0]!), 0);
    assert.equal(fresh.idOf(call), 1);
    // a constant Base rule has one outcome
    const grantCall = [...checked.calls.keys()].find((c) => c.method === 'grant')!;
  });

  it('a Base rule of a constant that fails, or one Cordon cannot model, has one outcome; of an event value, two', () => {
    const { coverage } = runAll(
      `${HEAD}request {\n  assert (1 && true)\n  deny (message.n == 1)\n  assert (true && 1 / 2 == 0)\n  assert (message.n % 2 == 0)\n}\n`,
      [],
    );
    assert.deepEqual(
      coverage.conditions.map((c) => `${c.loc.line} ${c.label}`),
      ['5 deny'],
    );
  });

  it('hits: how often each point and each outcome was exercised', () => {
    const { coverage, verdicts } = runAll(POLICY, EVENTS);
    assert.deepEqual(verdicts, ['grant', 'grant', 'grant', 'deny']);
    assert.deepEqual([...coverage.pointHits], [1, 1, 3, 1, 1, 1, 1, 2, 2, 1, 1, 1, 1, 1, 0, 0, 2, 0, 0, 1, 0, 0]);
    assert.deepEqual([...coverage.conditionHits], [1, 0, 1, 2, 1, 0, 1, 0, 2, 1, 1, 0, 0, 1]);
    coverage.reset();
    assert.ok(coverage.pointHits.every((h) => h === 0));
    assert.ok(coverage.conditionHits.every((h) => h === 0));
    assert.equal(coverage.pointHits.length, 22);
    assert.equal(coverage.conditionHits.length, 14);
  });

  it('Flow transitions: counted per sid that changed state, only declared ones; other objects have none', () => {
    const { coverage } = runAll(POLICY, []);
    const fsmSlot = coverage.policy.objects.get('fsm')!.slot;
    assert.deepEqual(
      [...coverage.transitionsOf(fsmSlot)!],
      [
        ['a\0b', 19],
        ['a\0c', 20],
        ['b\0a', 21],
      ],
    );
    assert.equal(coverage.transitionsOf(0), undefined, 'base is not a Flow');
    const before = new Map([
      [1, 'a'],
      [2, 'a'],
      [3, 'b'],
    ]);
    // sid 1 a → b, sid 2 stays, sid 3 b → a, sid 4 is new (init: no transition)
    const after = new Map([
      [1, 'b'],
      [2, 'a'],
      [3, 'a'],
      [4, 'a'],
    ]);
    coverage.transitions(fsmSlot, before, after);
    assert.deepEqual([...coverage.pointHits.slice(19)], [1, 0, 1]);
    coverage.transitions(0, before, after);
    assert.deepEqual([...coverage.pointHits.slice(19)], [1, 0, 1], 'not a Flow slot: nothing counted');
    // an undeclared change (c → a) is not counted anywhere
    coverage.transitions(fsmSlot, new Map([[1, 'c']]), new Map([[1, 'a']]));
    assert.equal(
      coverage.pointHits.reduce((a, b) => a + b, 0),
      2,
    );
  });
});

describe('policy coverage: the report, its text and its lcov (coverage evidence)', () => {
  it('tallies per kind, in total and per file, with percentages rounded down to 0.01', () => {
    const { coverage } = runAll(POLICY, EVENTS);
    const r = coverageReport(coverage, 'sol');
    assert.deepEqual(r.bindings, { covered: 2, total: 3, percent: 66.66 });
    assert.deepEqual(r.matches, { covered: 4, total: 4, percent: 100 });
    assert.deepEqual(r.alternatives, { covered: 2, total: 3, percent: 66.66 });
    assert.deepEqual(r.rules, { covered: 7, total: 9, percent: 77.77 });
    assert.deepEqual(r.conditions, { covered: 9, total: 14, percent: 64.28 });
    assert.deepEqual(r.transitions, { covered: 1, total: 3, percent: 33.33 });
    assert.deepEqual(r.total, { covered: 25, total: 36, percent: 69.44 });
    assert.equal(r.files.length, 1);
    assert.equal(r.files[0]!.file, 'security.psl');
    assert.deepEqual(r.files[0]!.total, r.total);
    assert.deepEqual(r.files[0]!.points[0], {
      kind: 'binding',
      file: 'security.psl',
      line: 8,
      column: 1,
      label: 'execute',
      hits: 1,
    });
    assert.deepEqual(r.files[0]!.conditions[1], {
      kind: 'match',
      file: 'security.psl',
      line: 10,
      column: 3,
      label: 'match endpoint=front.bolt',
      outcomes: [
        { outcome: 'selected', hits: 1 },
        { outcome: 'not selected', hits: 2 },
      ],
    });
  });

  it('nothing to cover is 100%; files are sorted and named relative to the solution', () => {
    const modules = { 'zz/extra.psl': 'error { grant () }\n' };
    const { coverage } = runAll(`${HEAD}use zz.extra._\nrequest { grant () }\n`, [], modules);
    const r = coverageReport(coverage, 'sol');
    assert.deepEqual(r.transitions, { covered: 0, total: 0, percent: 100 });
    assert.deepEqual(r.conditions, { covered: 0, total: 0, percent: 100 });
    assert.deepEqual(r.bindings, { covered: 0, total: 2, percent: 0 });
    assert.deepEqual(
      r.files.map((f) => [f.file, f.points.map((p) => p.label), f.total]),
      [
        ['security.psl', ['request', 'grant'], { covered: 0, total: 2, percent: 0 }],
        ['zz/extra.psl', ['error', 'grant'], { covered: 0, total: 2, percent: 0 }],
      ],
    );
    assert.equal(coverageReport(coverage, '.').files[0]!.file, 'sol/security.psl');
  });

  it('the text: the tallies, then every point and outcome not exercised, by file', () => {
    const { coverage } = runAll(POLICY, EVENTS);
    assert.deepEqual(coverageText(coverageReport(coverage, 'sol')), [
      'policy coverage: 69.44% (25 of 36)',
      '  bindings      66.66%  2/3',
      '  match           100%  4/4',
      '  alternatives  66.66%  2/3',
      '  rules         77.77%  7/9',
      '  conditions    64.28%  9/14',
      '  transitions   33.33%  1/3',
      '  security.psl: 69.44%',
      '    security.psl:18:7 not exercised: alternative choice alternative _',
      '    security.psl:18:11 not exercised: rule deny',
      '    security.psl:23:1 not exercised: binding response',
      '    security.psl:23:12 not exercised: rule assert',
      '    security.psl:4:1 not exercised: transition fsm: a → c',
      '    security.psl:4:1 not exercised: transition fsm: b → a',
      '    security.psl:8:11 never denied: fsm.init',
      '    security.psl:11:5 never denied: fsm.enter',
      '    security.psl:12:5 never not selected: match src=Einit',
      '    security.psl:16:15 never not selected: match src=Einit',
      '    security.psl:17:11 never granted: assert',
    ]);
  });

  it('the lcov: FN/FNDA per binding, DA per line (the most hits of its points), BRDA per outcome', () => {
    const { coverage } = runAll(POLICY, EVENTS);
    assert.equal(
      coverageLcov(coverageReport(coverage, 'sol'), 'pal'),
      [
        'TN:pal',
        'SF:security.psl',
        'FN:8,execute@8',
        'FN:9,request_dst=demo.Lock_method=Turn@9',
        'FN:23,response@23',
        'FNDA:1,execute@8',
        'FNDA:3,request_dst=demo.Lock_method=Turn@9',
        'FNDA:0,response@23',
        'FNF:3',
        'FNH:2',
        'DA:4,1',
        'DA:8,1',
        'DA:9,3',
        'DA:10,1',
        'DA:11,1',
        'DA:12,1',
        'DA:14,2',
        'DA:15,2',
        'DA:16,1',
        'DA:17,1',
        'DA:18,0',
        'DA:21,2',
        'DA:23,0',
        'BRDA:8,0,0,1',
        'BRDA:8,0,1,-',
        'BRDA:10,1,0,1',
        'BRDA:10,1,1,2',
        'BRDA:11,2,0,1',
        'BRDA:11,2,1,-',
        'BRDA:12,3,0,1',
        'BRDA:12,3,1,-',
        'BRDA:14,4,0,2',
        'BRDA:14,4,1,1',
        'BRDA:16,5,0,1',
        'BRDA:16,5,1,-',
        'BRDA:17,6,0,-',
        'BRDA:17,6,1,1',
        'BRF:14',
        'BRH:9',
        'LF:13',
        'LH:11',
        'end_of_record',
        '',
      ].join('\n'),
    );
    assert.match(coverageLcov(coverageReport(coverage, 'sol')), /^TN:cordon\n/);
  });
});

describe('coverage of a declared self-transition', () => {
  it('statement coverage: a granted enter into the current state counts its declared s → s, a denied one does not', () => {
    const text = `${HEAD}use nk.flow._
policy object fsm : Flow {
    type State = "a" | "b"
    config = { states : ["a", "b"], initial : "a", transitions : { "a" : ["a", "b"] } }
}
execute { fsm.init {sid : dst_sid} }
request dst = demo.Lock, method = Turn {
  match endpoint = front.bolt { fsm.enter {sid : dst_sid, state : "a"} }
  match endpoint = back.bolt { fsm.enter {sid : dst_sid, state : "b"} }
}
`;
    const front = ev('request', { endpoint: 'front.bolt', method: 'Turn' });
    const back = ev('request', { endpoint: 'back.bolt', method: 'Turn' });
    // a → a twice, a → b once, then b → a is not declared: denied, nothing counted
    const { coverage, verdicts } = runAll(text, [ev('execute'), front, front, back, front]);
    assert.deepEqual(verdicts, ['grant', 'grant', 'grant', 'grant', 'deny']);
    const hits = (label: string) => {
      const i = coverage.points.findIndex((p) => p.kind === 'transition' && p.label === label);
      assert.ok(i >= 0, label);
      return coverage.pointHits[i];
    };
    assert.equal(hits('fsm: a → a'), 2);
    assert.equal(hits('fsm: a → b'), 1);
  });
});
