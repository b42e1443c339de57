/**
 * HashSet (`nk/hashmap.psl`): each resource (SID) may own one table of
 * unique values of the type `Entry`, taken from a pool.
 *
 * ```psl
 * policy object ports : HashSet {
 *     type Entry = UInt16
 *     config = { set_size : 8, pool_size : 4 }
 * }
 * ```
 *
 * | method               | kind       | granted / value                       | denied / fails when                  |
 * |----------------------|------------|---------------------------------------|--------------------------------------|
 * | `init {sid}`         | rule       | binds an empty table from the pool    | pool exhausted; sid has a table; bad sid |
 * | `fini {sid}`         | rule       | returns the table to the pool         | sid has no table; bad sid            |
 * | `add {sid, entry}`   | rule       | entry inserted, or already present    | table full; no table; entry not an `Entry`; bad sid |
 * | `remove {sid, entry}`| rule       | entry deleted, or absent              | no table; entry not an `Entry`; bad sid |
 * | `contains {sid, entry}` | expression → Boolean | membership               | no table; bad sid                    |
 *
 * State: SID → its table, a map from each entry's key (`valueKey`) to the
 * entry (canonical values; equality is structural).
 */
import * as t from 'io-ts';
import { Positive, strictRecord } from './codecs.ts';
import { defineModel, emptyBySid, denied, granted, mapDelete, mapSet, record, sidOf, type RuleResult } from './model.ts';
import { typePredicate, type TypeCheck } from './types.ts';
import { canonical, fail, show, valueKey, type Value } from './value.ts';

const Config = strictRecord({ set_size: Positive, pool_size: Positive }, 'HashSetConfig');

interface HashSetObject {
  readonly setSize: number;
  readonly poolSize: number;
  readonly entry: TypeCheck;
}
export type HashSetTable = ReadonlyMap<string, Value>;
export type HashSetState = ReadonlyMap<number, HashSetTable>;

function entryOf(o: HashSetObject, v: Value): Value {
  if (!o.entry(v)) return fail(`entry ${show(v)} is not of type Entry`);
  return canonical(v);
}

const EMPTY: HashSetTable = new Map();

function init(o: HashSetObject, s: HashSetState, sidV: Value): RuleResult<HashSetState> {
  const sid = sidOf(sidV);
  if (s.has(sid)) return denied(`sid ${sid} already has a table`);
  if (s.size >= o.poolSize) return denied(`no free table (pool_size ${o.poolSize})`);
  return granted(mapSet(s, sid, EMPTY));
}

function fini(s: HashSetState, sidV: Value): RuleResult<HashSetState> {
  const sid = sidOf(sidV);
  return s.has(sid) ? granted(mapDelete(s, sid)) : denied(`sid ${sid} has no table`);
}

function add(o: HashSetObject, s: HashSetState, sidV: Value, entryV: Value): RuleResult<HashSetState> {
  const sid = sidOf(sidV);
  const table = s.get(sid);
  if (table === undefined) return denied(`sid ${sid} has no table`);
  const entry = entryOf(o, entryV);
  const key = valueKey(entry);
  if (table.has(key)) return granted(s);
  if (table.size >= o.setSize) return denied(`the table of sid ${sid} is full (set_size ${o.setSize})`);
  return granted(mapSet(s, sid, mapSet(table, key, entry)));
}

function remove(o: HashSetObject, s: HashSetState, sidV: Value, entryV: Value): RuleResult<HashSetState> {
  const sid = sidOf(sidV);
  const table = s.get(sid);
  if (table === undefined) return denied(`sid ${sid} has no table`);
  const key = valueKey(entryOf(o, entryV));
  return table.has(key) ? granted(mapSet(s, sid, mapDelete(table, key))) : granted(s);
}

function contains(s: HashSetState, sidV: Value, entryV: Value): boolean {
  const sid = sidOf(sidV);
  const table = s.get(sid);
  if (table === undefined) return fail(`sid ${sid} has no table`);
  return table.has(valueKey(entryV));
}

export const HashSet = defineModel<t.TypeOf<typeof Config>, HashSetObject, HashSetState>({
  name: 'HashSet',
  description: 'per-resource sets of unique values (init, fini, add, remove, contains)',
  modules: ['nk.hashmap'],
  config: Config,
  types: { required: ['Entry'], optional: [] },
  audit: { auditable: true },
  prepare: ({ config, types, aliases }) => ({
    ok: true,
    object: { setSize: Number(config.set_size), poolSize: Number(config.pool_size), entry: typePredicate(types.get('Entry')!, aliases) },
  }),
  initial: () => emptyBySid(),
  methods: {
    init: {
      kind: 'rule',
      doc: 'init {sid} — bind an empty table to sid',
      params: ['sid'],
      apply: (o, s, arg) => init(o, s, record(arg, 'init', ['sid']).sid!),
      applyFields: (o, s, f) => init(o, s, f[0]!),
    },
    fini: {
      kind: 'rule',
      doc: 'fini {sid} — release the table of sid',
      params: ['sid'],
      apply: (_o, s, arg) => fini(s, record(arg, 'fini', ['sid']).sid!),
      applyFields: (_o, s, f) => fini(s, f[0]!),
    },
    add: {
      kind: 'rule',
      doc: 'add {sid, entry} — insert the entry (granted if already present)',
      params: ['sid', 'entry'],
      apply: (o, s, arg) => {
        const r = record(arg, 'add', ['sid', 'entry']);
        return add(o, s, r.sid!, r.entry!);
      },
      applyFields: (o, s, f) => add(o, s, f[0]!, f[1]!),
    },
    remove: {
      kind: 'rule',
      doc: 'remove {sid, entry} — delete the entry (granted if absent)',
      params: ['sid', 'entry'],
      apply: (o, s, arg) => {
        const r = record(arg, 'remove', ['sid', 'entry']);
        return remove(o, s, r.sid!, r.entry!);
      },
      applyFields: (o, s, f) => remove(o, s, f[0]!, f[1]!),
    },
    contains: {
      kind: 'expression',
      doc: 'contains {sid, entry} — whether the table of sid holds the entry',
      params: ['sid', 'entry'],
      evaluate: (_o, s, arg) => {
        const r = record(arg, 'contains', ['sid', 'entry']);
        return contains(s, r.sid!, r.entry!);
      },
      evaluateFields: (_o, s, f) => contains(s, f[0]!, f[1]!),
    },
  },
});
