// Building TLA+ values on the TypeScript side, in the AST of the TLC bridge
// (src/tlc/value.ts), so that a value built here and a value TLC printed can
// be compared with the bridge's canonical form.

import { canonicalTla, formatTlaValue, type TlaValue } from '../tlc/value.ts';

export const int = (value: number): TlaValue => {
  if (!Number.isSafeInteger(value) || value < -(2 ** 31) || value >= 2 ** 31)
    throw new RangeError(`${value} is not a TLC integer (32-bit)`);
  return { kind: 'int', value };
};
export const str = (value: string): TlaValue => ({ kind: 'string', value });
export const bool = (value: boolean): TlaValue => ({ kind: 'bool', value });
export const mv = (name: string): TlaValue => ({ kind: 'modelValue', name });
export const seq = (elements: readonly TlaValue[]): TlaValue => ({ kind: 'seq', elements });
export const set = (elements: readonly TlaValue[]): TlaValue => ({ kind: 'set', elements });
export const tuple = (...elements: TlaValue[]): TlaValue => ({ kind: 'seq', elements });
export const rec = (fields: Readonly<Record<string, TlaValue>>): TlaValue => {
  const entries = Object.entries(fields);
  if (entries.length === 0) throw new RangeError('a TLA+ record needs at least one field');
  return { kind: 'record', fields: entries.map(([name, value]) => ({ name, value })) };
};
export const fn = (entries: readonly (readonly [TlaValue, TlaValue])[]): TlaValue => ({
  kind: 'function',
  entries: entries.map(([key, value]) => ({ key, value })),
});

/** The `null` of TS in the spec (a model value). */
export const NULL = mv('Null');
/** A rule field the TS rule leaves out (a model value). */
export const ABSENT = mv('Absent');

/** The model value naming CPU i. */
export const cpuName = (i: number): string => `c${i}`;

/** TLA+ source text of a value (valid in a module; functions need EXTENDS TLC). */
export function tlaSource(v: TlaValue): string {
  if (v.kind === 'record' && v.fields.length === 0) throw new RangeError('empty record');
  return formatTlaValue(v);
}

/**
 * A key equal for two values iff they denote the same TLA+ value. Faster than
 * the bridge's `tlaKey` (which formats sub-values repeatedly) and equal to it
 * in meaning: sets sorted, records and sequences as functions.
 */
export function valueKey(v: TlaValue): string {
  switch (v.kind) {
    case 'int':
      return String(v.value);
    case 'bool':
      return v.value ? 'T' : 'F';
    case 'string':
      return JSON.stringify(v.value);
    case 'modelValue':
      return `@${v.name}`;
    case 'set': {
      const keys = [...new Set(v.elements.map(valueKey))].sort();
      return `{${keys.join(',')}}`;
    }
    case 'interval':
      return valueKey(canonicalTla(v));
    case 'seq':
      // as a function on 1..n (sorted like one, so that both spellings agree)
      return `(${v.elements
        .map((e, i) => `${i + 1}:${valueKey(e)}`)
        .sort()
        .join(',')})`;
    case 'record': {
      const parts = v.fields.map((f) => `${JSON.stringify(f.name)}:${valueKey(f.value)}`).sort();
      return `(${parts.join(',')})`;
    }
    case 'function': {
      if (v.entries.length === 0) return '()';
      const parts = v.entries.map((e) => `${valueKey(e.key)}:${valueKey(e.value)}`).sort();
      return `(${parts.join(',')})`;
    }
  }
}
