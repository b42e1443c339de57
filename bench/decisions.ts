// Monitor decisions per second on a 200-rule allow-list (20 classes x 5
// methods x 2 destinations), 100,000 queries from a fixed seed, half of them
// hitting a rule. Cordon's compiled policy is measured beside Cedar (wasm) and
// Casbin holding the same policy through their fastest public API, a
// string-keyed Map, and a pre-interned bitmap (the physical floor). Every
// engine's verdicts must agree on every query.

import * as t from 'io-ts';
import { compileSolution, type SolutionDecl } from '../src/kernel/tables.ts';
import { compileRules, type AllowRule } from '../src/monitor/rules.ts';
import { createMonitor } from '../src/monitor/monitor.ts';
import type { SecurityEvent } from '../src/monitor/types.ts';
import { Nat } from '../src/kernel/kernel-api.ts';
import { xorshift } from './prng.ts';

export const CLASSES = 20;
export const METHODS = 5;
export const QUERIES = 100_000;

export interface Query {
  readonly src: number;
  readonly dst: number;
  readonly method: number;
}

export function allowed(src: number, dst: number, method: number): boolean {
  return dst === (src + 1) % CLASSES || dst === (src + 3) % CLASSES ? method < METHODS : false;
}

/** The fixed query set: half hit a rule, half do not. */
export function queries(seed = 20261121): Query[] {
  const rnd = xorshift(seed);
  const out: Query[] = [];
  while (out.length < QUERIES) {
    const hit = out.length % 2 === 0;
    const src = rnd() % CLASSES;
    const method = rnd() % METHODS;
    let dst = rnd() % CLASSES;
    if (hit) dst = rnd() % 2 === 0 ? (src + 1) % CLASSES : (src + 3) % CLASSES;
    else while (allowed(src, dst, method)) dst = rnd() % CLASSES;
    out.push({ src, dst, method });
  }
  return out;
}

const cls = (i: number) => `bench.C${i}`;
const meth = (m: number) => `M${m}`;

export function cordonSetup() {
  const solution: SolutionDecl = {
    name: 'bench',
    interfaces: [
      {
        name: 'bench.I',
        methods: Array.from({ length: METHODS }, (_, m) => ({
          name: meth(m),
          request: t.type({ v: Nat }),
          response: t.unknown,
          error: t.unknown,
        })),
      },
    ],
    classes: Array.from({ length: CLASSES }, (_, i) => ({
      name: cls(i),
      endpoints: [{ name: 'e', interface: 'bench.I' }],
    })),
    processes: [],
    connections: [],
  };
  const tables = compileSolution(solution);
  if (!tables.ok) throw new Error(tables.errors.join('\n'));
  const rules: AllowRule[] = [];
  for (let i = 0; i < CLASSES; i++)
    for (const d of [(i + 1) % CLASSES, (i + 3) % CLASSES])
      for (let m = 0; m < METHODS; m++)
        rules.push({ kind: 'request', src: cls(i), dst: cls(d), endpoint: 'e', method: meth(m) });
  const policy = compileRules(tables.value, { name: 'bench-200', rules });
  if (!policy.ok) throw new Error(policy.errors.join('\n'));
  const T = tables.value;
  const e = T.endpointNames.indexOf('e');
  const iface = T.interfaces.findIndex((x) => x.name === 'bench.I');
  const event = (q: Query): SecurityEvent => ({
    kind: 'request',
    src: q.src + 2,
    srcClass: T.classByName.get(cls(q.src))!,
    dst: q.dst + 2,
    dstClass: T.classByName.get(cls(q.dst))!,
    endpoint: e,
    method: T.methodNames.indexOf(meth(q.method)),
    iface,
    riid: 0,
    mid: q.method,
    message: { v: 1 },
    transfers: [],
  });
  return { tables: T, policy: policy.value, monitor: createMonitor(T, policy.value), rules, event };
}

export function cedarPolicyText(): string {
  const out: string[] = [];
  for (let i = 0; i < CLASSES; i++)
    for (const d of [(i + 1) % CLASSES, (i + 3) % CLASSES])
      for (let m = 0; m < METHODS; m++)
        out.push(
          `permit(principal == Class::"${cls(i)}", action == Action::"${meth(m)}", resource == Class::"${cls(d)}");`,
        );
  return out.join('\n');
}

export const CASBIN_MODEL = `
[request_definition]
r = sub, obj, act

[policy_definition]
p = sub, obj, act

[policy_effect]
e = some(where (p.eft == allow))

[matchers]
m = r.sub == p.sub && r.obj == p.obj && r.act == p.act
`;
