// Cordon's own solution manifest (`solution.yaml`): task classes, interfaces
// with typed parameters, processes, static connections, a policy in the
// intermediate rule form, and the scripted programs of the processes. It is
// read with the `yaml` package and validated with io-ts; every error names the
// file, line and column.

import { readFileSync } from 'node:fs';
import * as t from 'io-ts';
import { isLeft } from 'fp-ts/lib/Either.js';
import { LineCounter, parseDocument, isMap, isSeq, type Node as YamlNode } from 'yaml';
import { Nat } from '../kernel/kernel-api.ts';
import type { SolutionDecl } from '../kernel/tables.ts';
import type { RulePolicy } from '../monitor/rules.ts';
import { EVENT_KINDS } from '../monitor/types.ts';

const Name = t.string;
const Params = t.record(t.string, t.string);
const MethodM = t.intersection([t.type({ name: Name }), t.partial({ in: Params, out: Params, error: Params })]);
const InterfaceM = t.type({ name: Name, methods: t.array(MethodM) });
const ClassM = t.intersection([
  t.type({ name: Name }),
  t.partial({ endpoints: t.array(t.type({ name: Name, interface: Name })), security: Name }),
]);
const ProcessM = t.intersection([t.type({ name: Name, class: Name }), t.partial({ priority: Nat })]);
const ConnectionM = t.type({ client: Name, server: Name, id: Name });
const Kind = t.keyof(
  Object.fromEntries(EVENT_KINDS.map((k) => [k, null])) as Record<(typeof EVENT_KINDS)[number], null>,
);
const RuleM = t.intersection([
  t.type({ kind: Kind }),
  t.partial({ id: Name, src: Name, dst: Name, endpoint: Name, method: Name, limit: Nat }),
]);
/** A handle to transfer: a number, or `{ $ref: "saved.field" }` naming an earlier result. */
const TransferM = t.type({ handle: t.union([Nat, t.type({ $ref: t.string })]), rights: Nat });
const Common = t.partial({ save: Name });
const OpM = t.union([
  t.intersection([
    t.type({ call: Name, method: Name }),
    t.partial({ endpoint: Name, payload: t.unknown, handles: t.array(TransferM) }),
    Common,
  ]),
  t.intersection([t.type({ recv: Name }), t.partial({ client: Name }), Common]),
  t.intersection([
    t.type({ reply: Name }),
    t.partial({ client: Name, payload: t.unknown, error: t.boolean, handles: t.array(TransferM) }),
    Common,
  ]),
  t.intersection([t.type({ kernel: Name, method: Name }), t.partial({ payload: t.unknown }), Common]),
]);
export const ManifestCodec = t.intersection([
  t.type({
    name: Name,
    interfaces: t.array(InterfaceM),
    classes: t.array(ClassM),
    processes: t.array(ProcessM),
    connections: t.array(ConnectionM),
    policy: t.array(RuleM),
  }),
  t.partial({
    programs: t.record(t.string, t.array(OpM)),
    untrusted: t.array(Name),
    description: t.string,
    /** extra properties `cordon check` verifies with TLC, e.g. a one-way gateway: no information flows from the external classes to the internal ones */
    properties: t.array(t.type({ kind: t.literal('one-way'), internal: t.array(Name), external: t.array(Name) })),
  }),
]);
export type Manifest = t.TypeOf<typeof ManifestCodec>;
export type ProgramOp = t.TypeOf<typeof OpM>;

export interface LoadedManifest {
  readonly file: string;
  readonly text: string;
  readonly solution: SolutionDecl;
  readonly policy: RulePolicy;
  readonly programs: Readonly<Record<string, readonly ProgramOp[]>>;
  readonly untrusted: readonly string[];
  readonly properties: readonly {
    readonly kind: 'one-way';
    readonly internal: readonly string[];
    readonly external: readonly string[];
  }[];
}

export class ManifestError extends Error {}

/** IDL-style parameter types understood in a manifest (the IDL front end maps full IDL). */
function scalar(type: string): t.Mixed | undefined {
  const m = /^(U|S)Int(8|16|32|64)$/.exec(type);
  if (m) {
    const bits = Number(m[2]);
    const [lo, hi] =
      m[1] === 'U'
        ? [0, bits >= 53 ? Number.MAX_SAFE_INTEGER : 2 ** bits - 1]
        : [
            bits >= 53 ? Number.MIN_SAFE_INTEGER : -(2 ** (bits - 1)),
            bits >= 53 ? Number.MAX_SAFE_INTEGER : 2 ** (bits - 1) - 1,
          ];
    const is = (u: unknown): u is number => typeof u === 'number' && Number.isInteger(u) && u >= lo && u <= hi;
    return new t.Type<number, number, unknown>(
      type,
      is,
      (u, c) => (is(u) ? t.success(u) : t.failure(u, c)),
      t.identity,
    );
  }
  if (type === 'Boolean') return t.boolean;
  const s = /^string<(\d+)>$/.exec(type);
  if (s) {
    const n = Number(s[1]);
    const is = (u: unknown): u is string => typeof u === 'string' && u.length <= n;
    return new t.Type<string, string, unknown>(
      type,
      is,
      (u, c) => (is(u) ? t.success(u) : t.failure(u, c)),
      t.identity,
    );
  }
  return undefined;
}

function locate(doc: ReturnType<typeof parseDocument>, lc: LineCounter, path: readonly (string | number)[]): string {
  let node: unknown = doc.contents;
  let last: YamlNode | undefined;
  for (const key of path) {
    if (isMap(node) || isSeq(node)) {
      last = node as YamlNode;
      node = (node as { get(k: unknown, keep: true): unknown }).get(key, true);
    } else break;
  }
  const at = (node as YamlNode | undefined)?.range?.[0] ?? last?.range?.[0] ?? 0;
  const { line, col } = lc.linePos(at);
  return `${line}:${col}`;
}

export function parseManifest(text: string, file: string): LoadedManifest {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const { line, col } = lc.linePos(e.pos[0]);
    throw new ManifestError(`${file}:${line}:${col}: ${e.message.split('\n')[0]}`);
  }
  const decoded = ManifestCodec.decode(doc.toJS());
  if (isLeft(decoded)) {
    const err = decoded.left[0]!;
    // keys under an intersection or union name a branch, not a place in the document
    const keys = err.context
      .filter(
        (c, i) =>
          i > 0 &&
          !(err.context[i - 1]!.type instanceof t.IntersectionType || err.context[i - 1]!.type instanceof t.UnionType),
      )
      .map((c) => (/^\d+$/.test(c.key) ? Number(c.key) : c.key));
    const expected = err.context[err.context.length - 1]?.type.name ?? 'a value';
    throw new ManifestError(
      `${file}:${locate(doc, lc, keys)}: ${keys.join('.') || 'the document'}: expected ${expected}, got ${JSON.stringify(err.value) ?? 'nothing'}`,
    );
  }
  const m = decoded.right;
  const problems: string[] = [];
  const codec = (where: string, params: Record<string, string> | undefined): t.Mixed => {
    const props: Record<string, t.Mixed> = {};
    for (const [k, ty] of Object.entries(params ?? {})) {
      const c = scalar(ty);
      if (c === undefined)
        problems.push(
          `${file}: ${where}: parameter "${k}" has unknown type "${ty}" (UInt8..UInt64, SInt8..SInt64, Boolean, string<N>)`,
        );
      props[k] = c ?? t.unknown;
    }
    return t.exact(t.type(props));
  };
  const solution: SolutionDecl = {
    name: m.name,
    interfaces: m.interfaces.map((i) => ({
      name: i.name,
      methods: i.methods.map((x) => ({
        name: x.name,
        request: codec(`${i.name}.${x.name} in`, x.in),
        response: codec(`${i.name}.${x.name} out`, x.out),
        error: codec(`${i.name}.${x.name} error`, x.error),
      })),
    })),
    classes: m.classes.map((c) => ({
      name: c.name,
      endpoints: c.endpoints ?? [],
      ...(c.security === undefined ? {} : { security: c.security }),
    })),
    processes: m.processes.map((p) => ({
      name: p.name,
      taskClass: p.class,
      ...(p.priority === undefined ? {} : { priority: p.priority }),
    })),
    connections: m.connections,
  };
  if (problems.length > 0) throw new ManifestError(problems.join('\n'));
  for (const name of Object.keys(m.programs ?? {}))
    if (!m.processes.some((p) => p.name === name))
      throw new ManifestError(`${file}:${locate(doc, lc, ['programs', name])}: programs: no process "${name}"`);
  return {
    file,
    text,
    solution,
    policy: { name: m.name, rules: m.policy },
    programs: m.programs ?? {},
    untrusted: m.untrusted ?? [],
    properties: m.properties ?? [],
  };
}

export function loadManifest(file: string): LoadedManifest {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ManifestError(`${file}: cannot read it (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  return parseManifest(text, file);
}
