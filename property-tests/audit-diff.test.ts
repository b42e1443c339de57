// `cordon audit diff` against brute force, over random PSL policies for the
// ping solution (bindings with full heads over its events, bodies of grants,
// assertions and denials over the message, and Flow transitions of a per-SID
// automaton with random transitions, started for some processes at boot):
//
// - diff(p, p) is equivalent, complete, with no difference, for two separately
//   compiled copies of the same policy; also for random solutions with random
//   rule-form policies (limited rules: counters in the monitor state);
// - removing one binding B makes diff report exactly the events B alone
//   granted: checked against an independent enumeration through the
//   reference interpreter (src/policy/compile/interpret.ts, the oracle of
//   src/properties/oracle.ts), a breadth-first search of the interpreter's own
//   monitor states from boot along the events granted by rules outside B,
//   collecting, in every state it reaches, the events B's rules grant. The two
//   must agree event by event and state by state, and diff must report
//   nothing the new version grants that the old one does not.
// The heads are distinct, so no event is selected by two bindings: what B
// grants is then exactly what the policy without B denies by default.

import { rulesKey } from '../src/monitor/types.ts';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import fc from 'fast-check';
import { banner, check, runs } from './harness.ts';
import { loadSolution, type Loaded } from '../src/solution/load.ts';
import { loadPolicy } from '../src/policy/psl/index.ts';
import { compilePsl, interpretPsl } from '../src/policy/compile/index.ts';
import { createMonitor } from '../src/monitor/monitor.ts';
import { canonicalKey } from '../src/conformance/monitor-model.ts';
import { diff, exploreProduct, unionAlphabet, version } from '../src/audit/diff.ts';
import { printEvent } from '../src/audit/event.ts';
import { arbPolicy as arbRulePolicy, arbSolution } from '../src/properties/gen.ts';
import { compileSolution } from '../src/kernel/tables.ts';
import { compileRules, type RulePolicy } from '../src/monitor/rules.ts';
import type { SolutionDecl } from '../src/kernel/tables.ts';

banner(import.meta.filename);

const BASE = loadSolution(join(import.meta.dirname, '..', 'examples', 'ping'));

/* ------------------------------------------------------------ random policies */

interface Head {
  readonly kind: 'request' | 'response' | 'error';
  readonly src: string;
  readonly dst: string;
  readonly method: string;
}

const HEADS: readonly Head[] = [
  ...['ping.Client', 'ping.Server', 'Einit'].flatMap((src) =>
    ['Ping', 'Pong'].map((method) => ({ kind: 'request' as const, src, dst: 'ping.Server', method })),
  ),
  ...['ping.Client', 'ping.Server', 'Einit'].map((src) => ({
    kind: 'request' as const,
    src,
    dst: 'kl.core.Core',
    method: 'Exit',
  })),
  ...(['response', 'error'] as const).flatMap((kind) =>
    ['ping.Client', 'ping.Server', 'Einit'].flatMap((dst) =>
      ['Ping', 'Pong'].map((method) => ({ kind, src: 'ping.Server', dst, method })),
    ),
  ),
];
const STATES = ['a', 'b', 'c'];

/** The message field a head's conditions may read (none for errors and kernel calls). */
const field = (h: Head): string | null =>
  h.dst === 'kl.core.Core' || h.kind === 'error' ? null : h.kind === 'request' ? 'value' : 'reply';

const arbStatement = (h: Head): fc.Arbitrary<string> => {
  const f = field(h);
  const c = fc.constantFrom(0, 1, 2, 5);
  const options: fc.Arbitrary<string>[] = [
    fc.constant('grant ()'),
    fc
      .tuple(fc.constantFrom('src_sid', 'dst_sid'), fc.constantFrom(...STATES))
      .map(([who, s]) => `f.enter {sid : ${who}, state : "${s}"}`),
  ];
  if (f !== null)
    options.push(
      fc.tuple(fc.constantFrom('<', '>=', '==', '!='), c).map(([op, k]) => `assert (message.${f} ${op} ${k})`),
      c.map((k) => `deny (message.${f} == ${k})`),
    );
  return fc.oneof(...options);
};

interface RandomPolicy {
  /** the lines before the bindings */
  readonly head: readonly string[];
  /** one binding a line */
  readonly bindings: readonly string[];
}

const arbPolicy: fc.Arbitrary<RandomPolicy> = fc
  .record({
    transitions: fc.tuple(
      ...STATES.map(() => fc.uniqueArray(fc.constantFrom(...STATES), { minLength: 1, maxLength: 3 })),
    ),
    init: fc.tuple(fc.boolean(), fc.boolean()),
    heads: fc.uniqueArray(fc.nat(HEADS.length - 1), { minLength: 1, maxLength: 8 }),
  })
  .chain(({ transitions, init, heads }) =>
    fc.tuple(...heads.map((i) => fc.array(arbStatement(HEADS[i]!), { minLength: 1, maxLength: 3 }))).map((bodies) => {
      const start = (cls: string, on: boolean) =>
        `        match dst = ${cls} { ${on ? 'f.init {sid : dst_sid}' : 'grant ()'} }`;
      return {
        head: [
          'execute: kl.core.Execute',
          'use nk.base._',
          'use nk.flow._',
          'use EDL Einit',
          'use EDL kl.core.Core',
          'use EDL ping.Client',
          'use EDL ping.Server',
          'policy object f : Flow {',
          `    type State = ${STATES.map((s) => `"${s}"`).join(' | ')}`,
          `    config = { states : [${STATES.map((s) => `"${s}"`).join(', ')}], initial : "a", transitions : { ${STATES.map((s, i) => `"${s}" : [${transitions[i]!.map((x) => `"${x}"`).join(', ')}]`).join(', ')} } }`,
          '}',
          'execute {',
          '    match src = kl.core.Core { grant () }',
          '    match src = Einit {',
          start('ping.Client', init[0]),
          start('ping.Server', init[1]),
          '    }',
          '}',
        ],
        bindings: heads.map((i, k) => {
          const h = HEADS[i]!;
          return `${h.kind} src = ${h.src}, dst = ${h.dst}, method = ${h.method} { ${bodies[k]!.join(' ')} }`;
        }),
      };
    }),
  );

const text = (p: RandomPolicy, without = -1) =>
  `${[...p.head, ...p.bindings.filter((_, i) => i !== without)].join('\n')}\n`;

/** The ping solution with a policy given as text. */
function withPolicy(source: string): Loaded {
  const psl = loadPolicy('sol/security.psl', {
    searchPath: ['sol'],
    readFile: (f) => (f.replace(/\\/g, '/').endsWith('sol/security.psl') ? source : undefined),
  });
  const name = 'random';
  return {
    ...BASE,
    name,
    psl,
    policy: compilePsl(psl, BASE.tables, { name }),
    oracle: interpretPsl(psl, BASE.tables, { name }),
    rules: null,
  };
}

const show = (p: RandomPolicy) => `\n${text(p)}`;

/* ------------------------------------------------------------ the properties */

const SELF = 'diff(p, p) is equivalent, complete, with no difference, for random policies';
test(SELF, () => {
  check(
    import.meta.filename,
    SELF,
    arbPolicy,
    (p) => {
      const r = diff(withPolicy(text(p)), withPolicy(text(p)));
      assert.equal(r.verdict, 'equivalent');
      assert.ok(r.complete);
      assert.equal(r.groups.length + r.boot.length + r.notCompared.length, 0);
    },
    runs(60),
    show,
  );
});

const REMOVE =
  'removing one binding makes diff report exactly the events it alone granted (the reference interpreter enumerates them)';
test(REMOVE, () => {
  let nonEmpty = 0;
  let total = 0;
  check(
    import.meta.filename,
    REMOVE,
    arbPolicy.chain((p) => fc.tuple(fc.constant(p), fc.nat(p.bindings.length - 1))),
    ([p, b]) => {
      const oldLoaded = withPolicy(text(p));
      const old = version('old', oldLoaded);
      const neu = version('new', withPolicy(text(p, b)));
      const alphabet = unionAlphabet(old, neu);
      const product = exploreProduct(old, neu, alphabet);
      assert.ok(product.complete);
      const reported = new Set<string>();
      for (const d of product.disagreements) {
        assert.equal(d.old?.verdict, 'grant', 'the version without the binding grants nothing the other denies');
        const e = alphabet.events[d.event]!.old!;
        reported.add(`${printEvent(old.tables, e)} in ${canonicalKey(product.states[d.state]!.old)}`);
      }

      // the brute force: the reference interpreter of the old policy, from its own state after boot
      const line = p.head.length + b + 1;
      const ofB = (rule: string) => rule.split(', ').map((r) => Number(/^security\.psl:(\d+):/.exec(r)?.[1]) === line);
      const interpreter = createMonitor(old.tables, oldLoaded.oracle!);
      let s0 = interpreter.initial;
      for (const d of old.boot.decisions) {
        const x = interpreter.decide(s0, d.event);
        assert.equal(x.verdict, d.decision.verdict, 'the interpreter boots as the compiled policy does');
        if (x.verdict === 'grant') s0 = x.next;
      }
      const events = alphabet.events.map((u) => u.old).filter((e) => e !== null);
      const expected = new Set<string>();
      const seen = new Map([[canonicalKey(s0), s0]]);
      const queue = [s0];
      while (queue.length > 0) {
        const s = queue.shift()!;
        for (const e of events) {
          const x = interpreter.decide(s, e);
          if (x.verdict !== 'grant') continue;
          const mine = ofB(rulesKey(x));
          if (mine.every(Boolean)) expected.add(`${printEvent(old.tables, e)} in ${canonicalKey(s)}`);
          else {
            assert.ok(!mine.some(Boolean), `an event granted by B and another binding: ${rulesKey(x)}`);
            const k = canonicalKey(x.next);
            if (!seen.has(k)) {
              seen.set(k, x.next);
              queue.push(x.next);
            }
          }
        }
      }
      total++;
      if (expected.size > 0) nonEmpty++;
      assert.deepEqual([...reported].sort(), [...expected].sort());
    },
    runs(60),
    ([p, b]) => `binding ${b} removed from${show(p)}`,
  );
  if (process.env.DIFF_STATS) console.log(`stats ${nonEmpty}/${total}`);
  assert.ok(nonEmpty * 4 >= total, `only ${nonEmpty} of ${total} removed bindings granted anything`);
});

/** A generated solution with a rule-form policy, as the loader would give it. */
function ruleSolution(decl: SolutionDecl, policy: RulePolicy): Loaded | null {
  const t = compileSolution(decl);
  if (!t.ok) return null;
  const compiled = compileRules(t.value, policy);
  if (!compiled.ok) return null;
  return {
    name: decl.name,
    dir: '.',
    files: [],
    tables: t.value,
    policy: compiled.value,
    rules: policy,
    oracle: null,
    psl: null,
    manifest: null,
    manifestFile: null,
    pal: [],
    properties: [],
    added: [],
    notModelled: [],
  };
}

const SELF_RULES =
  'diff(p, p) is equivalent, complete, with no difference, for random solutions and rule-form policies';
test(SELF_RULES, () => {
  let compared = 0;
  check(
    import.meta.filename,
    SELF_RULES,
    arbSolution.chain((s) => fc.tuple(fc.constant(s), arbRulePolicy(s))),
    ([s, p]) => {
      const a = ruleSolution(s, p);
      const b = ruleSolution(s, p);
      if (a === null || b === null) return;
      compared++;
      const r = diff(a, b);
      if (process.env.DIFF_STATS) console.log(`rules ${r.explored.states} ${r.alphabet.events}`);
      assert.equal(r.verdict, 'equivalent');
      assert.ok(r.complete);
      assert.equal(r.groups.length + r.boot.length + r.notCompared.length, 0);
    },
    runs(60),
    ([s, p]) => JSON.stringify({ solution: s, policy: p }),
  );
  assert.ok(compared >= 30, `only ${compared} generated solutions compiled`);
});
