/**
 * Adding a security model: the worked example of src/policy/models/README.md
 * ("Adding a model"), compiled from PSL with a registry that holds it, and
 * the registry's refusals.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as t from 'io-ts';
import {
  BUILTIN_MODELS,
  Flow,
  defineModel,
  denied,
  granted,
  mapSet,
  Positive,
  record,
  sidOf,
  strictRecord,
  withModels,
} from '../src/policy/models/index.ts';
import { both, compileError, decide, ev, HEAD, run, verdicts } from './psl-compile-helpers.ts';

const QuotaConfig = strictRecord({ limit: Positive }, 'QuotaConfig');

/** Quota: each SID may use a resource at most `limit` times. */
export const Quota = defineModel<t.TypeOf<typeof QuotaConfig>, { readonly limit: bigint }, ReadonlyMap<number, bigint>>(
  {
    name: 'Quota',
    description: 'at most `limit` uses per SID',
    modules: [], // no `use` needed
    config: QuotaConfig,
    types: { required: [], optional: [] },
    audit: { auditable: true },
    prepare: ({ config }) => ({ ok: true, object: { limit: config.limit } }),
    initial: () => new Map(),
    methods: {
      use: {
        kind: 'rule',
        doc: 'use {sid} — count one use; denied once the limit is reached',
        params: ['sid'],
        apply: (o, s, arg) => {
          const sid = sidOf(record(arg, 'use', ['sid']).sid!);
          const n = s.get(sid) ?? 0n;
          return n >= o.limit ? denied(`sid ${sid} has used its ${o.limit} uses`) : granted(mapSet(s, sid, n + 1n));
        },
      },
      used: {
        kind: 'expression',
        doc: 'used {sid} — how many uses so far',
        params: ['sid'],
        evaluate: (_o, s, arg) => s.get(sidOf(record(arg, 'used', ['sid']).sid!)) ?? 0n,
      },
    },
  },
);

const POLICY = `${HEAD}
policy object turns : Quota { config = { limit : 3 } }

request dst = demo.Lock, method = Turn {
    turns.use {sid : src_sid}
    assert (turns.used {sid : src_sid} <= 3)
}
`;

describe('a user-defined model (the README example)', () => {
  const models = withModels(BUILTIN_MODELS, Quota);

  it('is compiled and interpreted like a built-in one: state per SID, rollback on deny', () => {
    const b = both(POLICY, {}, { models });
    const turn = (src: number) => ev('request', { from: 'demo.Door', src, endpoint: 'front.bolt', method: 'Turn' });
    const { decisions, state } = run(b, [turn(3), turn(3), turn(4), turn(3), turn(3), turn(4)]);
    assert.deepEqual(verdicts(decisions), ['grant', 'grant', 'grant', 'grant', 'deny', 'grant']);
    assert.equal(decisions[4]!.reason, 'turns.use: sid 3 has used its 3 uses');
    assert.deepEqual(
      b.compiled.objectState(state, 'turns'),
      new Map([
        [3, 3n],
        [4, 2n],
      ]),
    );
    assert.equal(decide(b, state, turn(3)).next, state);
  });

  it('its configuration and argument fields are checked at compile time', () => {
    compileError(
      `${HEAD}policy object q : Quota { config = { limit : 0 } }\n`,
      'validation',
      '3:36',
      'invalid config of q : Quota: limit: must be an integer in 1 … 16777215',
      {},
      { models },
    );
    compileError(
      `${HEAD}policy object q : Quota { config = { limit : 1 } }\nrequest { q.use {pid : src_sid} }\n`,
      'validation',
      '4:17',
      'q.use takes {sid}: missing sid',
      {},
      { models },
    );
  });

  it('without the registry the model is unknown; the registry refuses duplicate names and bad methods', () => {
    compileError(POLICY, 'reference', '4:1', 'unknown security model Quota');
    assert.throws(() => withModels(models, Quota), /a security model named Quota is already registered/);
    assert.throws(() => withModels(BUILTIN_MODELS, { ...Flow, name: 'Flow' }), /already registered/);
    assert.throws(() => withModels(BUILTIN_MODELS, { ...Quota, name: 'not a name' }), /must be an identifier/);
    assert.throws(
      () => withModels(BUILTIN_MODELS, { ...Quota, name: 'Odd', methods: { x: { kind: 'other' } as never } }),
      /a method is a rule or an expression/,
    );
  });
});
