/**
 * io-ts codecs for model configurations. A configuration is a PSL constant
 * (`config = { … }`), evaluated to a value (integers are `bigint`, see
 * value.ts) and then decoded with the model's codec.
 */
import * as t from 'io-ts';
import { isRecord } from './value.ts';

/** A PSL integer constant. */
export const Int = new t.Type<bigint, bigint, unknown>('Integer', (u): u is bigint => typeof u === 'bigint', (u, c) => (typeof u === 'bigint' ? t.success(u) : t.failure(u, c)), t.identity);

/** A PSL integer constant ≥ 1 that fits a JavaScript array length. */
export const Positive = new t.Type<bigint, bigint, unknown>(
  'PositiveInteger',
  (u): u is bigint => typeof u === 'bigint' && u >= 1n && u <= 0xffffffn,
  (u, c) => (typeof u === 'bigint' && u >= 1n && u <= 0xffffffn ? t.success(u) : t.failure(u, c, 'must be an integer in 1 … 16777215')),
  t.identity,
);

/** A dictionary with exactly these fields (io-ts `type` ignores extra ones; a configuration must not have any). */
export function strictRecord<P extends t.Props>(props: P, name?: string): t.Type<t.TypeOf<t.TypeC<P>>, t.OutputOf<t.TypeC<P>>, unknown> {
  const inner = t.type(props);
  const known = new Set(Object.keys(props));
  const extra = (u: unknown) => (isRecord(u) ? Object.keys(u).filter((k) => !known.has(k)) : []);
  return new t.Type(
    name ?? inner.name,
    (u): u is t.TypeOf<t.TypeC<P>> => inner.is(u) && extra(u).length === 0,
    (u, c) => {
      const ex = extra(u);
      if (ex.length > 0) return t.failure(u, c, `unknown field${ex.length === 1 ? '' : 's'} ${ex.join(', ')} (expected ${[...known].join(', ')})`);
      return inner.validate(u, c);
    },
    inner.encode,
  );
}

/** A dictionary with these required and optional fields and no others. */
export function strictPartialRecord<P extends t.Props, Q extends t.Props>(required: P, optional: Q, name: string) {
  const inner = t.intersection([t.type(required), t.partial(optional)]);
  const known = new Set([...Object.keys(required), ...Object.keys(optional)]);
  const extra = (u: unknown) => (isRecord(u) ? Object.keys(u).filter((k) => !known.has(k)) : []);
  return new t.Type<t.TypeOf<typeof inner>, t.OutputOf<typeof inner>, unknown>(
    name,
    (u): u is t.TypeOf<typeof inner> => inner.is(u) && extra(u).length === 0,
    (u, c) => {
      const ex = extra(u);
      if (ex.length > 0) return t.failure(u, c, `unknown field${ex.length === 1 ? '' : 's'} ${ex.join(', ')} (expected ${[...known].join(', ')})`);
      return inner.validate(u, c);
    },
    inner.encode,
  );
}

export const TextList = t.readonlyArray(t.string);
