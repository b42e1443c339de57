/**
 * TypeEnforcement — Cordon's own model (not in the KasperskyOS SDK; no
 * `use` needed). Every resource (SID) gets a *type* (a domain, for a
 * process); an allow matrix says which permissions a source type has on a
 * target type, and a transition table which types a domain may start.
 *
 * ```psl
 * policy object te : TypeEnforcement {
 *     config = { types       : ["init_t", "door_t", "lock_t"]
 *              , allow       : { "door_t" : { "lock_t" : ["call"] } }
 *              , transitions : { "init_t" : ["door_t", "lock_t"] } }      // optional
 * }
 * execute src = Einit { te.transition {source : src_sid, target : dst_sid, type : "door_t"} }
 * request { te.allow {source : src_sid, target : dst_sid, permission : "call"} }
 * ```
 *
 * | method | kind | granted / value | denied / fails when |
 * |--------|------|-----------------|---------------------|
 * | `label {sid, type}` | rule | gives sid the type | sid already has one; unknown type; bad sid |
 * | `unlabel {sid}` | rule | removes sid's type | sid has none; bad sid |
 * | `transition {source, target, type}` | rule | labels target with type when `type ∈ transitions[type(source)]` | source unlabelled; target labelled; not listed; bad sid |
 * | `allow {source, target, permission}` | rule | `permission ∈ allow[type(source)][type(target)]` | not listed; unlabelled; bad sid |
 * | `type_of {sid}` | expression → Text | sid's type (for `choice`) | unlabelled; bad sid |
 */
import * as t from 'io-ts';
import { TextList, strictPartialRecord } from './codecs.ts';
import { defineModel, emptyBySid, denied, granted, mapDelete, mapSet, record, sidOf, textOf } from './model.ts';
import { fail, show, type Value } from './value.ts';

const Config = strictPartialRecord(
  { types: TextList, allow: t.record(t.string, t.record(t.string, TextList)) },
  { transitions: t.record(t.string, TextList) },
  'TypeEnforcementConfig',
);

interface TeObject {
  readonly types: ReadonlySet<string>;
  /** "source target" → permissions */
  readonly allow: ReadonlyMap<string, ReadonlySet<string>>;
  readonly transitions: ReadonlyMap<string, ReadonlySet<string>>;
}
export type TeState = ReadonlyMap<number, string>;

function typeName(o: TeObject, v: Value, what: string): string {
  const name = textOf(v, what);
  if (!o.types.has(name)) return fail(`${what}: ${JSON.stringify(name)} is not a declared type`);
  return name;
}

function typeOf(s: TeState, v: Value, what: string): string {
  const sid = sidOf(v, what);
  return s.get(sid) ?? fail(`${what} (sid ${sid}) has no type`);
}

export const TypeEnforcement = defineModel<t.TypeOf<typeof Config>, TeObject, TeState>({
  name: 'TypeEnforcement',
  description: 'type enforcement: types of resources, an allow matrix and domain transitions',
  modules: [],
  config: Config,
  types: { required: [], optional: [] },
  audit: { auditable: true },
  prepare: ({ config }) => {
    const types = new Set(config.types);
    if (types.size !== config.types.length) return { ok: false, error: 'config.types lists a type twice' };
    const unknown = (x: string) => !types.has(x);
    const allow = new Map<string, ReadonlySet<string>>();
    for (const [src, row] of Object.entries(config.allow)) {
      if (unknown(src)) return { ok: false, error: `config.allow: ${JSON.stringify(src)} is not a declared type` };
      for (const [dst, perms] of Object.entries(row)) {
        if (unknown(dst)) return { ok: false, error: `config.allow.${src}: ${JSON.stringify(dst)} is not a declared type` };
        allow.set(`${src} ${dst}`, new Set(perms));
      }
    }
    const transitions = new Map<string, ReadonlySet<string>>();
    for (const [from, tos] of Object.entries(config.transitions ?? {})) {
      const bad = [from, ...tos].find(unknown);
      if (bad !== undefined) return { ok: false, error: `config.transitions: ${JSON.stringify(bad)} is not a declared type` };
      transitions.set(from, new Set(tos));
    }
    return { ok: true, object: { types, allow, transitions } };
  },
  initial: () => emptyBySid(),
  methods: {
    label: {
      kind: 'rule',
      doc: 'label {sid, type} — give sid a type',
      params: ['sid', 'type'],
      apply: (o, s, arg) => {
        const r = record(arg, 'label', ['sid', 'type']);
        const sid = sidOf(r.sid!);
        const type = typeName(o, r.type!, 'label: type');
        return s.has(sid) ? denied(`sid ${sid} already has type ${s.get(sid)!}`) : granted(mapSet(s, sid, type));
      },
    },
    unlabel: {
      kind: 'rule',
      doc: 'unlabel {sid} — remove the type of sid',
      params: ['sid'],
      apply: (_o, s, arg) => {
        const sid = sidOf(record(arg, 'unlabel', ['sid']).sid!);
        return s.has(sid) ? granted(mapDelete(s, sid)) : denied(`sid ${sid} has no type`);
      },
    },
    transition: {
      kind: 'rule',
      doc: 'transition {source, target, type} — source starts target in a domain it may enter',
      params: ['source', 'target', 'type'],
      apply: (o, s, arg) => {
        const r = record(arg, 'transition', ['source', 'target', 'type']);
        const from = typeOf(s, r.source!, 'source');
        const target = sidOf(r.target!, 'target');
        const to = typeName(o, r.type!, 'transition: type');
        if (s.has(target)) return denied(`target (sid ${target}) already has type ${s.get(target)!}`);
        if (!(o.transitions.get(from)?.has(to) ?? false)) return denied(`domain ${from} may not start ${to}`);
        return granted(mapSet(s, target, to));
      },
    },
    allow: {
      kind: 'rule',
      doc: 'allow {source, target, permission} — granted iff the matrix lists the permission',
      params: ['source', 'target', 'permission'],
      apply: (o, s, arg) => {
        const r = record(arg, 'allow', ['source', 'target', 'permission']);
        const src = typeOf(s, r.source!, 'source');
        const dst = typeOf(s, r.target!, 'target');
        const perm = textOf(r.permission!, 'allow: permission');
        return (o.allow.get(`${src} ${dst}`)?.has(perm) ?? false) ? granted(s) : denied(`${src} has no permission ${perm} on ${dst}`);
      },
    },
    type_of: {
      kind: 'expression',
      doc: 'type_of {sid} — the type of sid',
      params: ['sid'],
      evaluate: (_o, s, arg) => typeOf(s, record(arg, 'type_of', ['sid']).sid!, 'sid'),
      label: (o, label) => (typeof label === 'string' && o.types.has(label) ? (v) => v === label : `${show(label)} is not a declared type`),
    },
  },
});
