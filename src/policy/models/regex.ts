/**
 * Regex (`nk/regex.psl`, default object `re`): checks texts against
 * regular expressions written in the policy.
 *
 * - `re.match {text : <Text>, pattern : "<regex>"}` → Boolean;
 * - `re.select {text : <Text>}` → for `choice`: each alternative's label is
 *   a pattern, and the first alternative whose pattern matches is taken.
 *
 * Dialect (the reference does not name one): ECMAScript regular
 * expressions without flags, with search semantics — `"[0-9]"` matches
 * any text containing a digit; anchor with `^…$` to match the whole text.
 * Patterns must be text literals ("statically written"); a pattern that
 * does not compile is a compile error.
 *
 * Auditable, with the model-specific key `emit : ["match", "select"]`.
 */
import { defineModel, record, textOf } from './model.ts';
import { fail, show, type Value } from './value.ts';

interface RegexObject {
  /** compiled patterns; filled at compile time, only read while deciding */
  readonly patterns: Map<string, RegExp>;
}

function compile(o: RegexObject, pattern: string): RegExp | string {
  const known = o.patterns.get(pattern);
  if (known !== undefined) return known;
  try {
    const re = new RegExp(pattern);
    o.patterns.set(pattern, re);
    return re;
  } catch (e) {
    return `invalid regular expression ${JSON.stringify(pattern)}: ${e instanceof Error ? e.message : String(e)}`;
  }
}

const EMIT = new Set(['match', 'select']);

export const Regex = defineModel<undefined, RegexObject, null>({
  name: 'Regex',
  description: 'regular-expression checks of texts (match, select)',
  modules: ['nk.regex'],
  defaultObject: 're',
  config: null,
  types: { required: [], optional: [] },
  audit: {
    auditable: true,
    options: {
      emit: (_o, v: Value) =>
        Array.isArray(v) && v.every((x) => typeof x === 'string' && EMIT.has(x)) ? null : `emit must be a list of "match" and "select", not ${show(v)}`,
    },
  },
  prepare: () => ({ ok: true, object: { patterns: new Map() } }),
  initial: () => null,
  methods: {
    match: {
      kind: 'expression',
      doc: 'match {text, pattern} — true iff the text matches the pattern',
      params: ['text', 'pattern'],
      constant: ['pattern'],
      checkConstant: (o, _field, value) => {
        if (typeof value !== 'string') return `the pattern must be a text literal, not ${show(value)}`;
        const re = compile(o, value);
        return typeof re === 'string' ? re : null;
      },
      evaluate: (o, _s, arg) => {
        const r = record(arg, 'match', ['text', 'pattern']);
        const text = textOf(r.text!, 'match: text');
        const re = compile(o, textOf(r.pattern!, 'match: pattern'));
        return typeof re === 'string' ? fail(re) : re.test(text);
      },
    },
    select: {
      kind: 'expression',
      doc: 'select {text} — the text, for a choice whose labels are patterns',
      params: ['text'],
      evaluate: (_o, _s, arg) => textOf(record(arg, 'select', ['text']).text!, 'select: text'),
      label: (o, label) => {
        if (typeof label !== 'string') return `a re.select alternative must be a pattern (a text), not ${show(label)}`;
        const re = compile(o, label);
        return typeof re === 'string' ? re : (v: Value) => typeof v === 'string' && re.test(v);
      },
    },
  },
});
