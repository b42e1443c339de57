/**
 * Base (`nk/base.psl`, default object `base`): constant decisions and
 * Boolean-to-decision conversion. Its rules can be called without the
 * object name: `grant ()`, `deny ()`, `deny (<Boolean>)`, `assert (<Boolean>)`.
 */
import { defineModel, denied, granted, type RuleResult } from './model.ts';
import { fail, show, type Value } from './value.ts';

const boolArg = (method: string, arg: Value): boolean => {
  if (typeof arg !== 'boolean') return fail(`${method} takes () or a Boolean, not ${show(arg)}`);
  return arg;
};

export const Base = defineModel<undefined, null, null>({
  name: 'Base',
  description: 'constant decisions (grant, deny) and Boolean conditions (assert, deny (condition))',
  modules: ['nk.base', 'nk.basic'],
  defaultObject: 'base',
  config: null,
  types: { required: [], optional: [] },
  audit: { auditable: true },
  prepare: () => ({ ok: true, object: null }),
  initial: () => null,
  methods: {
    grant: {
      kind: 'rule',
      doc: 'grant () — always granted',
      apply: (_o, s, arg): RuleResult<null> => (arg === null ? granted(s) : fail(`grant takes (), not ${show(arg)}`)),
    },
    deny: {
      kind: 'rule',
      doc: 'deny () — always denied; deny (<Boolean>) — denied iff the condition is true',
      apply: (_o, s, arg): RuleResult<null> => {
        if (arg === null) return denied('deny () always denies');
        return boolArg('deny', arg) ? denied('the deny condition is true') : granted(s);
      },
    },
    assert: {
      kind: 'rule',
      doc: 'assert (<Boolean>) — granted iff the condition is true',
      apply: (_o, s, arg): RuleResult<null> => (boolArg('assert', arg) ? granted(s) : denied('the assertion is false')),
    },
  },
});
