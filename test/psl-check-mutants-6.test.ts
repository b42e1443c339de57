/**
 * More exact tests of the PSL checker's policy objects
 * (src/policy/compile/check.ts), for Stryker survivors of the second range
 * run (issue 11, part 4). Each test states the requirement it protects.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as t from 'io-ts';
import { checkPolicy } from '../src/policy/compile/index.ts';
import { BUILTIN_MODELS, defineModel, granted, withModels } from '../src/policy/models/index.ts';
import { HEAD, loadText, refusal as refusalOf, TABLES } from './psl-compile-helpers.ts';

/** A test model with two required type parameters and one optional; it prepares only objects named as declared. */
const Typed = defineModel<unknown, string, null>({
  name: 'Typed',
  description: 'a test model',
  modules: [],
  defaultObject: 'typed',
  config: t.unknown,
  configOptional: true,
  types: { required: ['A', 'B'], optional: ['C'] },
  audit: { auditable: true },
  prepare: (decl) =>
    decl.name === 'typed' || decl.types.size >= 2
      ? { ok: true, object: decl.name }
      : { ok: false, error: `prepared under the name ${decl.name}` },
  initial: () => null,
  methods: { pass: { kind: 'rule', doc: 'pass any — grants', apply: (_o, s) => granted(s) } },
});
const models = withModels(BUILTIN_MODELS, Typed);

const refusal = (top: string) => refusalOf(top, {}, { models });

describe('check: type parameters of a model with several (static configuration)', () => {
  it('every missing required type and every allowed one are named, comma-separated', () => {
    assert.equal(
      refusal(`${HEAD}policy object x : Typed\n`).message,
      'sol/security.psl:3:1: policy object x : Typed must declare type A, B',
    );
    assert.equal(
      refusal(`${HEAD}policy object x : Typed { type D = UInt8 }\n`).message,
      'sol/security.psl:3:27: model Typed has no type parameter D (it takes A, B, C)',
    );
  });

  it('an SDK default object is prepared under its own name; a declared one under the declared name', () => {
    const checked = checkPolicy(
      loadText(`${HEAD}policy object x : Typed { type A = UInt8 type B = UInt8 }\n`),
      TABLES,
      {
        models,
      },
    );
    assert.equal(checked.objects.get('typed')!.object, 'typed');
    assert.equal(checked.objects.get('x')!.object, 'x');
  });
});
