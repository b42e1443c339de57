/**
 * StaticMap (`nk/staticmap.psl`): each resource (SID) may own one
 * key → value table from a pool. The keys are fixed by the configuration
 * (with their default values); the values are integers of the type `Value`.
 * Every table has a *base* and a *working* instance: writes go to the
 * working instance, `commit` copies it to the base, `rollback` copies the
 * base back.
 *
 * ```psl
 * policy object mmio : StaticMap {
 *     type Value = UInt64
 *     config = { keys : { "base" : 0, "size" : 0 }, pool_size : 2 }
 * }
 * ```
 *
 * | method                      | kind               | semantics                         | denied / fails when          |
 * |-----------------------------|--------------------|-----------------------------------|------------------------------|
 * | `init {sid}`                | rule               | bind a table, keys at defaults    | pool exhausted; bound; bad sid |
 * | `fini {sid}`                | rule               | unbind                            | not bound; bad sid           |
 * | `set {sid, key, value}`     | rule               | write the working instance        | unknown key; value not a `Value`; not bound; bad sid |
 * | `commit {sid}`              | rule               | working → base                    | not bound; bad sid           |
 * | `rollback {sid}`            | rule               | base → working                    | not bound; bad sid           |
 * | `get {sid, key}`            | expression → Value | read the base instance            | unknown key; not bound; bad sid |
 * | `get_uncommitted {sid, key}`| expression → Value | read the working instance (1.1 spelling `get_uncommited` accepted) | same |
 *
 * Keys are texts (`Key = List<UInt8>` keys are not supported: a dictionary
 * key in PSL is a name or a text).
 */
import * as t from 'io-ts';
import { Int, Positive, strictRecord } from './codecs.ts';
import { defineModel, emptyBySid, denied, granted, mapDelete, mapSet, record, sidOf, textOf, type ExpressionMethod } from './model.ts';
import { integerRange } from './types.ts';
import { asInt, fail, type Value } from './value.ts';

const Config = strictRecord({ keys: t.record(t.string, Int), pool_size: Positive }, 'StaticMapConfig');

interface StaticMapObject {
  readonly keys: ReadonlyMap<string, number>;
  readonly defaults: readonly bigint[];
  readonly range: readonly [bigint, bigint];
  readonly poolSize: number;
}
export interface StaticMapTable {
  readonly base: readonly bigint[];
  readonly working: readonly bigint[];
}
export type StaticMapState = ReadonlyMap<number, StaticMapTable>;

function keyOf(o: StaticMapObject, v: Value): number {
  const k = textOf(v, 'key');
  const i = o.keys.get(k);
  if (i === undefined) return fail(`unknown key ${JSON.stringify(k)} (keys: ${[...o.keys.keys()].join(', ')})`);
  return i;
}

function tableOf(s: StaticMapState, sid: number): StaticMapTable {
  return s.get(sid) ?? fail(`sid ${sid} has no table`);
}

const bound = (s: StaticMapState, arg: Value, method: string): [number, StaticMapTable | undefined] => {
  const sid = sidOf(record(arg, method, ['sid']).sid!);
  return [sid, s.get(sid)];
};

const reader = (which: 'base' | 'working', name: string): ExpressionMethod<StaticMapObject, StaticMapState> => ({
  kind: 'expression',
  doc: `${name} {sid, key} — the key's value in the ${which} instance`,
  params: ['sid', 'key'],
  evaluate: (o, s, arg) => {
    const r = record(arg, name, ['sid', 'key']);
    const table = tableOf(s, sidOf(r.sid!));
    return table[which][keyOf(o, r.key!)]!;
  },
});

export const StaticMap = defineModel<t.TypeOf<typeof Config>, StaticMapObject, StaticMapState>({
  name: 'StaticMap',
  description: 'per-resource key → value tables with commit and rollback',
  modules: ['nk.staticmap'],
  config: Config,
  types: { required: ['Value'], optional: [] },
  audit: { auditable: true },
  prepare: ({ config, types, aliases }) => {
    const range = integerRange(types.get('Value')!, aliases);
    if (range === null) return { ok: false, error: 'type Value of a StaticMap must be an integer type (UInt8 … SInt64)' };
    const names = Object.keys(config.keys);
    if (names.length === 0) return { ok: false, error: 'a StaticMap needs at least one key' };
    const defaults = names.map((k) => config.keys[k]!);
    const bad = names.find((_, i) => defaults[i]! < range[0] || defaults[i]! > range[1]);
    if (bad !== undefined) return { ok: false, error: `the default of key ${JSON.stringify(bad)} is outside the type Value (${range[0]} … ${range[1]})` };
    return { ok: true, object: { keys: new Map(names.map((k, i) => [k, i])), defaults: Object.freeze(defaults), range, poolSize: Number(config.pool_size) } };
  },
  initial: () => emptyBySid(),
  methods: {
    init: {
      kind: 'rule',
      doc: 'init {sid} — bind a table with every key at its default',
      params: ['sid'],
      apply: (o, s, arg) => {
        const [sid, table] = bound(s, arg, 'init');
        if (table !== undefined) return denied(`sid ${sid} already has a table`);
        if (s.size >= o.poolSize) return denied(`no free table (pool_size ${o.poolSize})`);
        return granted(mapSet(s, sid, Object.freeze({ base: o.defaults, working: o.defaults })));
      },
    },
    fini: {
      kind: 'rule',
      doc: 'fini {sid} — unbind the table of sid',
      params: ['sid'],
      apply: (_o, s, arg) => {
        const [sid, table] = bound(s, arg, 'fini');
        return table === undefined ? denied(`sid ${sid} has no table`) : granted(mapDelete(s, sid));
      },
    },
    set: {
      kind: 'rule',
      doc: 'set {sid, key, value} — write the value into the working instance',
      params: ['sid', 'key', 'value'],
      apply: (o, s, arg) => {
        const r = record(arg, 'set', ['sid', 'key', 'value']);
        const sid = sidOf(r.sid!);
        const table = s.get(sid);
        if (table === undefined) return denied(`sid ${sid} has no table`);
        const k = keyOf(o, r.key!);
        const v = asInt(r.value!, 'set: value');
        if (v < o.range[0] || v > o.range[1]) return fail(`value ${v} is outside the type Value (${o.range[0]} … ${o.range[1]})`);
        if (table.working[k] === v) return granted(s);
        const working = table.working.slice();
        working[k] = v;
        return granted(mapSet(s, sid, Object.freeze({ base: table.base, working: Object.freeze(working) })));
      },
    },
    commit: {
      kind: 'rule',
      doc: 'commit {sid} — copy the working instance to the base',
      params: ['sid'],
      apply: (_o, s, arg) => {
        const [sid, table] = bound(s, arg, 'commit');
        if (table === undefined) return denied(`sid ${sid} has no table`);
        return table.base === table.working ? granted(s) : granted(mapSet(s, sid, Object.freeze({ base: table.working, working: table.working })));
      },
    },
    rollback: {
      kind: 'rule',
      doc: 'rollback {sid} — copy the base back to the working instance',
      params: ['sid'],
      apply: (_o, s, arg) => {
        const [sid, table] = bound(s, arg, 'rollback');
        if (table === undefined) return denied(`sid ${sid} has no table`);
        return table.base === table.working ? granted(s) : granted(mapSet(s, sid, Object.freeze({ base: table.base, working: table.base })));
      },
    },
    get: reader('base', 'get'),
    get_uncommitted: reader('working', 'get_uncommitted'),
    get_uncommited: reader('working', 'get_uncommited'),
  },
});
