/**
 * The PSL compiler's cost-saving paths keep what the policy decides and how
 * its rules are named (issue: cost that does not grow with the solution).
 * Each test names the path it protects:
 *
 * - rule refs made while checking (one per rule, its binding's part shared)
 *   give what the lazy, by-id refs gave, and fall back to them where the
 *   fast path cannot know the answer: a rule id two places share, the
 *   unchecked alternatives of a choice that is not modelled;
 * - a long list of endpoint or method names is searched by a map, a short
 *   one by a scan: both give the first id of a name and the same refusal;
 * - the decision trie's nodes of empty and one-leaf lists are shared
 *   through typed arrays, lists split by id through scratch arrays: the
 *   node and cell counts of a grid of bindings, and every decision of the
 *   grid, are as the by-Map trie made them.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as t from 'io-ts';
import { compileSolution, type SolutionDecl, type SolutionTables } from '../src/kernel/tables.ts';
import { compilePsl, interpretPsl, checkPolicy } from '../src/policy/compile/index.ts';
import { ParseError } from '../src/syntax/errors.ts';
import { decide, ev, HEAD, loadText, TABLES, type Both } from './psl-compile-helpers.ts';

describe('rule refs made while checking (traceability)', () => {
  it('each rule names its own binding; rules of one binding name it alike', () => {
    const text = `${HEAD}request src = Einit { grant () }\nrequest dst = demo.Lock {\n  grant ()\n  match method = Turn { grant () }\n}\n`;
    const checked = checkPolicy(loadText(text), TABLES);
    const [b0, b1] = checked.bindings;
    const r0 = checked.ruleRef(b0!.body[0]!.loc);
    const r1 = checked.ruleRef(b1!.body[0]!.loc);
    const inner = b1!.body[1]!;
    if (inner.kind !== 'match') assert.fail(`a match section, not ${inner.kind}`);
    const r2 = checked.ruleRef(inner.body[0]!.loc);
    assert.deepEqual(r0, {
      id: 'security.psl:3:23',
      loc: { file: 'security.psl', line: 3, col: 23 },
      binding: { head: 'request src=Einit', loc: { file: 'security.psl', line: 3, col: 1 } },
    });
    assert.deepEqual(r1.binding, { head: 'request dst=demo.Lock', loc: { file: 'security.psl', line: 4, col: 1 } });
    assert.deepEqual(r2, {
      id: 'security.psl:6:25',
      loc: { file: 'security.psl', line: 6, col: 25 },
      binding: r1.binding,
    });
    for (const r of [r0, r1, r2]) assert.ok(Object.isFrozen(r) && Object.isFrozen(r.loc) && Object.isFrozen(r.binding));
    // the audit maps hold each rule once, in the order of the policy
    assert.deepEqual([...checked.audit.ruleProfiles.keys()], [r0.id, r1.id, r2.id]);
  });

  it('two places with one id (two files shown alike) share one ref, naming the later binding', () => {
    // sol/a/b.psl is shown by its path under the top file's directory, lib/a/b.psl by its module path: both a/b.psl
    const files = new Map([
      ['sol/security.psl', `${HEAD}use b._\nuse a.b._\n`],
      ['sol/a/b.psl', 'request { grant () }\n'],
      ['lib/a/b.psl', 'error   { grant () }\n'],
    ]);
    const policy = loadText(
      files.get('sol/security.psl')!,
      {},
      {
        searchPath: ['sol/a', 'lib'],
        readFile: (p) => files.get(p),
      },
    );
    const checked = checkPolicy(policy, TABLES);
    assert.deepEqual(
      checked.bindings.map((b) => b.event),
      ['request', 'error'],
    );
    const [first, second] = checked.bindings.map((b) => checked.ruleRef(b.body[0]!.loc));
    assert.equal(first!.id, 'a/b.psl:1:11');
    assert.equal(first, second, 'one ref per id');
    assert.equal(first!.binding?.head, 'error');
    assert.deepEqual([...checked.audit.ruleProfiles.keys()], ['a/b.psl:1:11']);
    // and the decisions name it so, compiled and interpreted
    const b: Both = { compiled: compilePsl(policy, TABLES), interpreted: interpretPsl(policy, TABLES) };
    const d = decide(b, b.compiled.initial, ev('request', { endpoint: 'status', method: 'Get' }));
    assert.equal(d.verdict, 'grant');
    assert.deepEqual(d.rules, [first]);
  });

  it('a choice that is not modelled names its binding; so do the rules of its alternatives', () => {
    const text = `${HEAD}response dst = demo.Door {\n  choice (message.n / 2) { 1 : grant () _ : deny () }\n}\n`;
    const checked = checkPolicy(loadText(text), TABLES);
    const choice = checked.bindings[0]!.body[0]!;
    assert.equal(choice.kind, 'choice');
    const head = { head: 'response dst=demo.Door', loc: { file: 'security.psl', line: 3, col: 1 } };
    assert.deepEqual(checked.ruleRef(choice.loc), {
      id: 'security.psl:4:3',
      loc: { file: 'security.psl', line: 4, col: 3 },
      binding: head,
    });
    const alt = choice.kind === 'choice' ? choice.alternatives[0]!.body[0]! : choice;
    assert.deepEqual(checked.ruleRef(alt.loc).binding, head);
    assert.equal(checked.ruleRef({ ...choice.loc }), checked.ruleRef(choice.loc), 'one ref per place');
  });
});

const method = (name: string) => ({ name, request: t.unknown, response: t.unknown, error: t.unknown });
const names = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

function tablesOf(decl: SolutionDecl): SolutionTables {
  const r = compileSolution(decl);
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return r.value;
}

describe('long lists of names (cost that does not grow with the solution)', () => {
  // 20 methods and 20 endpoints: past the length where a name is found by a map instead of a scan
  const WIDE = tablesOf({
    name: 'wide',
    interfaces: [{ name: 'w.I', methods: names('M', 20).map(method) }],
    classes: [
      { name: 'w.Client', endpoints: [] },
      { name: 'w.Server', endpoints: names('e', 20).map((name) => ({ name, interface: 'w.I' })) },
    ],
    processes: [],
    connections: [],
  });
  const top = `${HEAD}use EDL w.Client\nuse EDL w.Server\nrequest endpoint = e17, method = M18 { grant () }\nrequest endpoint = e0, method = M0 { grant () }\n`;
  const spec = (endpoint: string, m: string) => ({ from: 'w.Client', to: 'w.Server', endpoint, method: m });

  it('an endpoint and a method far down their lists select their own ids, and only them', () => {
    const policy = loadText(top);
    const b: Both = { compiled: compilePsl(policy, WIDE), interpreted: interpretPsl(policy, WIDE) };
    const at = (e: string, m: string) =>
      decide(b, b.compiled.initial, ev('request', spec(e, m), WIDE)).rules.map((r) => r.id);
    assert.deepEqual(at('e17', 'M18'), ['security.psl:5:40']);
    assert.deepEqual(at('e0', 'M0'), ['security.psl:6:38']);
    for (const [e, m] of [
      ['e17', 'M17'],
      ['e18', 'M18'],
      ['e16', 'M18'],
      ['e0', 'M18'],
      ['e19', 'M19'],
    ] as const)
      assert.deepEqual(at(e, m), ['default-deny'], `${e} ${m}`);
  });

  it('an unknown name in a long list is refused as in a short one, naming the closest', () => {
    for (const [sel, message] of [
      [
        'method = M20',
        'unknown method M20 in selector method=; expected one of M0, M2, M10, Map, M1, M3, M4, M5, … (did you mean M0?)',
      ],
      [
        'endpoint = e20',
        'unknown endpoint e20 in selector endpoint=; expected one of e0, e2, e10, e1, e3, e4, e5, e6, … (did you mean e0?)',
      ],
    ] as const) {
      const text = `${HEAD}use EDL w.Client\nuse EDL w.Server\nrequest ${sel} { grant () }\n`;
      assert.throws(
        () => compilePsl(loadText(text), WIDE),
        (e: unknown) =>
          e instanceof ParseError && e.kind === 'reference' && e.message === `sol/security.psl:5:9: ${message}`,
      );
    }
  });
});

describe('the decision trie of a grid of bindings (cost that does not grow with the solution)', () => {
  // n x n classes, a binding per (src, dst) pair, some with a method, one for any source: as the bench's, smaller
  const n = 6;
  const GRID = tablesOf({
    name: 'grid',
    interfaces: [{ name: 'g.I', methods: ['M', 'N'].map(method) }],
    classes: names('g.C', n).map((name) => ({ name, endpoints: [{ name: 'e', interface: 'g.I' }] })),
    processes: [],
    connections: [],
  });
  const lines = [HEAD, ...names('g.C', n).map((c) => `use EDL ${c}\n`)];
  for (let k = 0; k < n * n; k++)
    if (k % 5 !== 4)
      lines.push(
        `request src = g.C${k % n}, dst = g.C${Math.floor(k / n)}, endpoint = e${k % 3 === 0 ? ', method = M' : ''} { ${k % 7 === 6 ? 'deny ()' : 'grant ()'} }\n`,
      );
  lines.push('request dst = g.C2, method = N { grant () }\n', 'request src = g.C3 { assert (message.v < 3) }\n');
  const policy = loadText(lines.join(''));
  const b: Both = { compiled: compilePsl(policy, GRID), interpreted: interpretPsl(policy, GRID) };

  it('shares its nodes as before: the counts per level and of the cells', () => {
    assert.deepEqual(b.compiled.stats, { cells: 36, staticCells: 30, nodes: [2, 8, 32, 33], leaves: 31 });
  });

  it('grows its levels past their first room: more nodes than leaves', () => {
    // a leaf per source and one per destination: a list per (src, dst) pair below them
    const cross = [HEAD, ...names('g.C', n).map((c) => `use EDL ${c}\n`)];
    for (let i = 0; i < n; i++) cross.push(`request src = g.C${i} { grant () }\nrequest dst = g.C${i} { grant () }\n`);
    const policy = loadText(cross.join(''));
    const c: Both = { compiled: compilePsl(policy, GRID), interpreted: interpretPsl(policy, GRID) };
    assert.deepEqual(c.compiled.stats, { cells: 49, staticCells: 49, nodes: [2, 8, 49, 49], leaves: 12 });
    for (let s = 0; s < n; s++)
      for (let d = 0; d < n; d++) {
        const e = ev('request', { from: `g.C${s}`, to: `g.C${d}`, endpoint: 'e', method: 'M' }, GRID);
        assert.equal(decide(c, c.compiled.initial, e).rules.length, 2);
      }
  });

  it('decides every (src, dst, method) as the interpreter does', () => {
    let grants = 0;
    for (let s = 0; s < n; s++)
      for (let d = 0; d < n; d++)
        for (const m of ['M', 'N'])
          for (const v of [1, 5]) {
            const e = ev('request', { from: `g.C${s}`, to: `g.C${d}`, endpoint: 'e', method: m, message: { v } }, GRID);
            if (decide(b, b.compiled.initial, e).verdict === 'grant') grants++;
          }
    assert.ok(grants > 20 && grants < 4 * n * n, `${grants} grants`);
  });
});
