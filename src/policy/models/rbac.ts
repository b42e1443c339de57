/**
 * Rbac — role-based access control, Cordon's own model (not in the
 * KasperskyOS SDK; no `use` needed). Roles carry permissions; a role may
 * inherit the permissions of junior roles; resources (SIDs) are assigned
 * roles at run time.
 *
 * ```psl
 * policy object rbac : Rbac {
 *     config = { roles       : ["operator", "guest"]
 *              , permissions : { "operator" : ["open", "lock"], "guest" : ["peek"] }
 *              , inherits    : { "operator" : ["guest"] } }               // optional
 * }
 * execute dst = demo.Door { rbac.assign {sid : dst_sid, role : "operator"} }
 * request dst = demo.Lock, method = Open { rbac.check {sid : src_sid, permission : "open"} }
 * ```
 *
 * | method | kind | granted / value | denied / fails when |
 * |--------|------|-----------------|---------------------|
 * | `assign {sid, role}` | rule | sid holds role (granted if it already did) | unknown role; bad sid |
 * | `revoke {sid, role}` | rule | sid no longer holds role (granted if it did not) | unknown role; bad sid |
 * | `check {sid, permission}` | rule | some role of sid (or a role it inherits) has the permission | otherwise; bad sid |
 * | `has_role {sid, role}` | expression → Boolean | whether sid holds role (directly) | unknown role; bad sid |
 * | `permitted {sid, permission}` | expression → Boolean | what `check` would decide | bad sid |
 *
 * State: SID → its roles (sorted); a SID with no roles has no entry.
 * Inheritance must be acyclic.
 */
import * as t from 'io-ts';
import { TextList, strictPartialRecord } from './codecs.ts';
import { defineModel, emptyBySid, denied, granted, mapDelete, mapSet, record, sidOf, textOf } from './model.ts';
import { fail, type Value } from './value.ts';

const Config = strictPartialRecord(
  { roles: TextList, permissions: t.record(t.string, TextList) },
  { inherits: t.record(t.string, TextList) },
  'RbacConfig',
);

interface RbacObject {
  readonly roles: readonly string[];
  /** role → every permission it has, inherited ones included */
  readonly effective: ReadonlyMap<string, ReadonlySet<string>>;
}
export type RbacState = ReadonlyMap<number, readonly string[]>;

function roleOf(o: RbacObject, v: Value): string {
  const r = textOf(v, 'role');
  if (!o.roles.includes(r)) return fail(`${JSON.stringify(r)} is not a declared role`);
  return r;
}

function permitted(o: RbacObject, s: RbacState, arg: Value, method: string): [number, string, boolean] {
  const r = record(arg, method, ['sid', 'permission']);
  const sid = sidOf(r.sid!);
  const perm = textOf(r.permission!, `${method}: permission`);
  return [sid, perm, (s.get(sid) ?? []).some((role) => o.effective.get(role)!.has(perm))];
}

export const Rbac = defineModel<t.TypeOf<typeof Config>, RbacObject, RbacState>({
  name: 'Rbac',
  description: 'role-based access control: roles with permissions and inheritance, assigned to resources',
  modules: [],
  config: Config,
  types: { required: [], optional: [] },
  audit: { auditable: true },
  prepare: ({ config }) => {
    const roles = [...config.roles];
    if (new Set(roles).size !== roles.length) return { ok: false, error: 'config.roles lists a role twice' };
    const known = new Set(roles);
    for (const r of Object.keys(config.permissions)) if (!known.has(r)) return { ok: false, error: `config.permissions: ${JSON.stringify(r)} is not a declared role` };
    const inherits = config.inherits ?? {};
    for (const [r, juniors] of Object.entries(inherits)) {
      const bad = [r, ...juniors].find((x) => !known.has(x));
      if (bad !== undefined) return { ok: false, error: `config.inherits: ${JSON.stringify(bad)} is not a declared role` };
    }
    const effective = new Map<string, Set<string>>();
    const visit = (role: string, path: readonly string[]): Set<string> | string => {
      if (path.includes(role)) return `config.inherits has a cycle: ${[...path, role].join(' → ')}`;
      const done = effective.get(role);
      if (done !== undefined) return done;
      const perms = new Set(config.permissions[role] ?? []);
      for (const j of inherits[role] ?? []) {
        const sub = visit(j, [...path, role]);
        if (typeof sub === 'string') return sub;
        for (const p of sub) perms.add(p);
      }
      effective.set(role, perms);
      return perms;
    };
    for (const r of roles) {
      const res = visit(r, []);
      if (typeof res === 'string') return { ok: false, error: res };
    }
    return { ok: true, object: { roles, effective } };
  },
  initial: () => emptyBySid(),
  methods: {
    assign: {
      kind: 'rule',
      doc: 'assign {sid, role} — give sid the role',
      params: ['sid', 'role'],
      apply: (o, s, arg) => {
        const r = record(arg, 'assign', ['sid', 'role']);
        const sid = sidOf(r.sid!);
        const role = roleOf(o, r.role!);
        const have = s.get(sid) ?? [];
        return have.includes(role) ? granted(s) : granted(mapSet(s, sid, Object.freeze([...have, role].sort())));
      },
    },
    revoke: {
      kind: 'rule',
      doc: 'revoke {sid, role} — take the role from sid',
      params: ['sid', 'role'],
      apply: (o, s, arg) => {
        const r = record(arg, 'revoke', ['sid', 'role']);
        const sid = sidOf(r.sid!);
        const role = roleOf(o, r.role!);
        const have = s.get(sid) ?? [];
        if (!have.includes(role)) return granted(s);
        const rest = have.filter((x) => x !== role);
        return granted(rest.length === 0 ? mapDelete(s, sid) : mapSet(s, sid, Object.freeze(rest)));
      },
    },
    check: {
      kind: 'rule',
      doc: 'check {sid, permission} — granted iff a role of sid has the permission',
      params: ['sid', 'permission'],
      apply: (o, s, arg) => {
        const [sid, perm, ok] = permitted(o, s, arg, 'check');
        return ok ? granted(s) : denied(`no role of sid ${sid} (${(s.get(sid) ?? []).join(', ') || 'none'}) has permission ${perm}`);
      },
    },
    has_role: {
      kind: 'expression',
      doc: 'has_role {sid, role} — whether sid holds the role',
      params: ['sid', 'role'],
      evaluate: (o, s, arg) => {
        const r = record(arg, 'has_role', ['sid', 'role']);
        const sid = sidOf(r.sid!);
        return (s.get(sid) ?? []).includes(roleOf(o, r.role!));
      },
    },
    permitted: {
      kind: 'expression',
      doc: 'permitted {sid, permission} — whether check would grant',
      params: ['sid', 'permission'],
      evaluate: (o, s, arg) => permitted(o, s, arg, 'permitted')[2],
    },
  },
});
