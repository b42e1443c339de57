/**
 * Regex (`nk/regex.psl`, default object `re`): checks texts against
 * regular expressions written in the policy.
 *
 * - `re.match {text : <Text>, pattern : "<regex>"}` → Boolean;
 * - `re.select {text : <Text>}` → for `choice`: each alternative's label is
 *   a pattern, and the first alternative whose pattern matches is taken.
 *
 * Dialect (the reference does not name one): RE2 syntax, matched by re2js
 * (a port of RE2) in time linear in the text, whatever the pattern: the
 * texts are untrusted message fields, and a backtracking engine would let a
 * pattern such as `(a+)+$` and a 40-character message stall the monitor,
 * and with it the whole system. Search semantics — `"[0-9]"` matches any
 * text containing a digit; anchor with `^…$` to match the whole text.
 * Patterns must be text literals ("statically written"); a pattern that
 * does not compile, or uses what RE2 does not have (backreferences,
 * lookahead and lookbehind), is a compile error at the pattern.
 *
 * Auditable, with the model-specific key `emit : ["match", "select"]`.
 */
import { RE2JS, RE2JSException, RE2JSSyntaxException } from 're2js';
import { defineModel, record, textOf } from './model.ts';
import { fail, show, type Value } from './value.ts';

interface RegexObject {
  /** compiled patterns; filled at compile time, only read while deciding */
  readonly patterns: Map<string, RE2JS>;
}

/** Why RE2 refuses a pattern, naming what a policy author wrote: backreferences and lookaround by name. */
function refusal(pattern: string, e: unknown): string {
  const what = `invalid regular expression ${JSON.stringify(pattern)}`;
  if (!(e instanceof RE2JSException)) return `${what}: ${e instanceof Error ? e.message : String(e)}`;
  const fragment = e instanceof RE2JSSyntaxException ? (e.getPattern() ?? '') : '';
  const linear = 'the Regex model matches in linear time (RE2 syntax), which has no backreferences or lookaround';
  if (/^\\[1-9]/.test(fragment) || (fragment === '\\k' && pattern.includes('\\k<'))) return `${what}: the backreference ${fragment} is not supported: ${linear}`;
  const look = /^\(\?(=|!|<=|<!)/.exec(fragment);
  if (look !== null) return `${what}: the ${look[1]!.startsWith('<') ? 'lookbehind' : 'lookahead'} (?${look[1]}…) is not supported: ${linear}`;
  const description = e instanceof RE2JSSyntaxException ? e.getDescription() : e.message;
  if (fragment === '\\u') return `${what}: ${description} \\u (RE2 writes a code point as \\x{…}, e.g. \\x{41})`;
  return `${what}: ${description}${fragment === '' ? '' : ` at \`${fragment.length > 40 ? `${fragment.slice(0, 40)}…` : fragment}\``}`;
}

function compile(o: RegexObject, pattern: string): RE2JS | string {
  const known = o.patterns.get(pattern);
  if (known !== undefined) return known;
  try {
    const re = RE2JS.compile(pattern);
    o.patterns.set(pattern, re);
    return re;
  } catch (e) {
    return refusal(pattern, e);
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
