/**
 * Shared set-up of the PSL compiler and model tests: the door solution's
 * tables (the classes, endpoints and methods of the format fixtures),
 * policies from in-memory texts, events by name, and a decision helper that
 * asks both the compiled policy and the reference interpreter and insists
 * they agree on everything.
 */
import assert from 'node:assert/strict';
import { isDeepStrictEqual } from 'node:util';
import * as t from 'io-ts';
import { compileSolution, type SolutionDecl, type SolutionTables } from '../src/kernel/tables.ts';
import { rulesKey, type Decision, EventKind, SecurityEvent } from '../src/monitor/types.ts';
import {
  compilePsl,
  interpretPsl,
  type CompiledPsl,
  type CompiledPslPolicy,
  type PslCompileOptions,
} from '../src/policy/compile/index.ts';
import { loadPolicy, type PolicyLoadOptions, type ResolvedPolicy } from '../src/policy/psl/index.ts';
import { ParseError, type ParseErrorKind } from '../src/syntax/errors.ts';

const method = (name: string) => ({ name, request: t.unknown, response: t.unknown, error: t.unknown });

export const DOOR_SOLUTION: SolutionDecl = {
  name: 'door',
  interfaces: [
    { name: 'demo.Bolt', methods: ['Turn', 'Hold', 'Release'].map(method) },
    { name: 'demo.Log', methods: ['Write', 'Flush'].map(method) },
    { name: 'demo.Status', methods: ['Get'].map(method) },
    { name: 'demo.Audit', methods: ['Check'].map(method) },
    { name: 'kl.core.DcmApi', methods: ['Connect'].map(method) },
    { name: 'kl.bc.Blob', methods: ['Read'].map(method) },
  ],
  classes: [
    { name: 'demo.Door', endpoints: [], security: 'demo.Audit' },
    {
      name: 'demo.Lock',
      endpoints: [
        { name: 'status', interface: 'demo.Status' },
        { name: 'front.bolt', interface: 'demo.Bolt' },
        { name: 'front.spare', interface: 'demo.Bolt' },
        { name: 'back.bolt', interface: 'demo.Bolt' },
        { name: 'back.spare', interface: 'demo.Bolt' },
      ],
    },
    { name: 'demo.Logger', endpoints: [{ name: 'log', interface: 'demo.Log' }] },
    { name: 'kl.core.DCM', endpoints: [{ name: 'dcm', interface: 'kl.core.DcmApi' }] },
    { name: 'kl.drivers.BSP', endpoints: [] },
    { name: 'kl.bc.BlobContainer', endpoints: [{ name: 'blob', interface: 'kl.bc.Blob' }] },
  ],
  processes: [],
  connections: [],
};

export function doorTables(): SolutionTables {
  const r = compileSolution(DOOR_SOLUTION);
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return r.value;
}

export const TABLES = doorTables();

/** The usual head of a test policy. */
export const HEAD = 'execute: kl.core.Execute\nuse nk.base._\n';

/** Loads a policy from texts: `security.psl` is the top file; other entries are modules under the same directory. */
export function loadText(
  top: string,
  modules: Record<string, string> = {},
  options: Partial<PolicyLoadOptions> = {},
): ResolvedPolicy {
  const files = new Map<string, string>([
    ['sol/security.psl', top],
    ...Object.entries(modules).map(([k, v]) => [`sol/${k}`, v] as [string, string]),
  ]);
  return loadPolicy('sol/security.psl', { searchPath: ['sol'], readFile: (p) => files.get(p), ...options });
}

export interface Both {
  readonly compiled: CompiledPsl;
  readonly interpreted: CompiledPslPolicy;
}

export function both(
  top: string,
  modules: Record<string, string> = {},
  options: PslCompileOptions = {},
  tables: SolutionTables = TABLES,
): Both {
  const policy = loadText(top, modules);
  return { compiled: compilePsl(policy, tables, options), interpreted: interpretPsl(policy, tables, options) };
}

export interface EventSpec {
  readonly src?: number;
  readonly dst?: number;
  /** class names; default: Einit → demo.Lock */
  readonly from?: string;
  readonly to?: string;
  readonly endpoint?: string;
  readonly method?: string;
  readonly message?: unknown;
}

const classId = (tables: SolutionTables, name: string) => {
  const id = tables.classByName.get(name);
  if (id === undefined) throw new Error(`no class ${name}`);
  return id;
};

/**
 * An event as the kernel would make it: for request/response/error the
 * endpoint belongs to the server (dst of a request, src of a reply); for
 * security the method belongs to the source's security interface.
 */
export function ev(kind: EventKind, spec: EventSpec = {}, tables: SolutionTables = TABLES): SecurityEvent {
  const srcClass = classId(tables, spec.from ?? 'Einit');
  const dstClass = classId(tables, spec.to ?? 'demo.Lock');
  const base = {
    kind,
    src: spec.src ?? 1,
    srcClass,
    dst: spec.dst ?? 5,
    dstClass,
    transfers: [],
    message: spec.message ?? null,
  };
  if (kind === 'execute') return { ...base, endpoint: -1, method: -1, iface: -1, riid: -1, mid: -1 };
  if (kind === 'security') {
    const iface = tables.classes[srcClass]!.security;
    const mid = tables.interfaces[iface]?.methods.findIndex((m) => m.name === spec.method) ?? -1;
    return { ...base, endpoint: -1, method: tables.methodNames.indexOf(spec.method ?? ''), iface, riid: -1, mid };
  }
  const server = tables.classes[kind === 'request' ? dstClass : srcClass]!;
  const ep = server.endpoints.find((e) => e.name === spec.endpoint);
  if (ep === undefined) throw new Error(`class ${server.name} has no endpoint ${spec.endpoint}`);
  const mid = tables.interfaces[ep.iface]!.methods.findIndex((m) => m.name === spec.method);
  if (mid < 0) throw new Error(`endpoint ${spec.endpoint} has no method ${spec.method}`);
  return {
    ...base,
    endpoint: ep.nameId,
    method: tables.methodNames.indexOf(spec.method!),
    iface: ep.iface,
    riid: ep.riid,
    mid,
  };
}

/** Decides with both evaluators; they must agree on verdict, rule, reason and next state. */
export function decide(b: Both, state: unknown, event: SecurityEvent): Decision {
  const c = b.compiled.decide(state, event);
  const i = b.interpreted.decide(state, event);
  assert.equal(
    c.verdict,
    i.verdict,
    `verdict: compiled ${c.verdict} (${rulesKey(c)}: ${c.reason}), interpreted ${i.verdict} (${rulesKey(i)}: ${i.reason})`,
  );
  assert.deepEqual(c.rules, i.rules, 'rules (ids, places and bindings)');
  assert.equal(c.reason, i.reason, 'reason');
  assert.ok(isDeepStrictEqual(c.next, i.next), 'next state');
  if (c.verdict === 'deny') assert.equal(c.next, state, 'a denial keeps the state it was given');
  return c;
}

/** Runs events in order, keeping the state of each grant; returns the decisions and the final state. */
export function run(
  b: Both,
  events: readonly SecurityEvent[],
  state: unknown = b.compiled.initial,
): { decisions: Decision[]; state: unknown } {
  const decisions: Decision[] = [];
  let s = state;
  for (const e of events) {
    const d = decide(b, s, e);
    decisions.push(d);
    if (d.verdict === 'grant') s = d.next;
  }
  return { decisions, state: s };
}

export const verdicts = (ds: readonly Decision[]) => ds.map((d) => d.verdict);

/** The ParseError that compiling `top` throws (compiler and interpreter alike); any other outcome fails the test. */
export function refusal(
  top: string,
  modules: Record<string, string> = {},
  options: PslCompileOptions = {},
): ParseError {
  let caught: unknown;
  try {
    both(top, modules, options);
  } catch (e) {
    caught = e;
  }
  assert.ok(
    caught instanceof ParseError,
    `expected a ParseError, got ${caught === undefined ? 'success' : String(caught)}`,
  );
  return caught;
}

/** Compiling must fail with a ParseError of this kind at line:column of security.psl (or the given file), with text in its message. */
export function compileError(
  top: string,
  kind: ParseErrorKind,
  at: string,
  text: string | RegExp,
  modules: Record<string, string> = {},
  options: PslCompileOptions = {},
): ParseError {
  const caught = refusal(top, modules, options);
  assert.equal(caught.kind, kind, caught.message);
  const file = at.includes('.psl:') ? at.slice(0, at.lastIndexOf('.psl:') + 4) : 'sol/security.psl';
  const lc = at.includes('.psl:') ? at.slice(at.lastIndexOf('.psl:') + 5) : at;
  assert.equal(`${caught.loc.file}:${caught.loc.line}:${caught.loc.column}`, `${file}:${lc}`, caught.message);
  if (typeof text === 'string')
    assert.ok(caught.message.includes(text), `"${caught.message}" should contain "${text}"`);
  else assert.match(caught.message, text);
  return caught;
}

/** The rule id (`security.psl:line:col`) of the nth occurrence of `needle` in `text`. */
export function ruleAt(text: string, needle: string, nth = 0, file = 'security.psl'): string {
  let at = -1;
  for (let i = 0; i <= nth; i++) {
    at = text.indexOf(needle, at + 1);
    if (at < 0) throw new Error(`"${needle}" occurs fewer than ${nth + 1} times`);
  }
  const before = text.slice(0, at);
  const line = before.split('\n').length;
  const column = at - before.lastIndexOf('\n');
  return `${file}:${line}:${column}`;
}
