// `cordon.yaml`: what Cordon needs beside a solution written in KasperskyOS
// formats and that those formats do not say — the values of the build's
// template placeholders and macros, and the scripted programs the verify
// scenario runs (in the program syntax of Cordon's own manifest). A real
// KasperskyOS solution has no such file; every key is optional.
//
//   name: ping                          solution name (default: the directory's name)
//   description: …
//   placeholders: { MAIN_TASK: Client } CMake @NAME@ values for .in files
//   macros: { INIT_Client_ENTITY_CONNECTIONS: "connections: …" }   init.yaml.in macros
//   variables: { USE_DYNLD: false }     board template variables beyond the board's own
//   programs:                           scripted programs, by process name
//     client:
//       - { call: ping, method: Ping, payload: { value: 1 } }
//   untrusted: [ … ]                    processes run as adversaries (cordon verify); cordon audit lint
//                                       takes their task classes as untrusted
//   properties:                         what `cordon check` verifies beside the kernel's own invariants
//     - { kind: one-way, internal: [diode.Writer], external: [diode.Reader] }
//
// The file is read with the `yaml` package and validated with io-ts; every
// error names the file, line and column.

import * as t from 'io-ts';
import { isLeft } from 'fp-ts/lib/Either.js';
import { isMap, isPair, isScalar, parseDocument, type Document } from 'yaml';
import { ManifestCodec, type ProgramOp } from './manifest.ts';
import { ParseError } from '../syntax/errors.ts';
import { sourceFromText, type Loc, type Source } from '../syntax/source.ts';
import type { TemplateValue } from '../template/board.ts';

/** The manifest's own program codec, so that both files accept the same operations. */
const Programs = ManifestCodec.types[1].props.programs;
/** and its solution properties (`cordon check`) */
const Properties = ManifestCodec.types[1].props.properties;

const Scalar = new t.Type<string, unknown, unknown>(
  'a text, number or boolean',
  (u): u is string => typeof u === 'string',
  (u, c) =>
    typeof u === 'string'
      ? t.success(u)
      : typeof u === 'number' || typeof u === 'boolean'
        ? t.success(String(u))
        : t.failure(u, c),
  (a) => a,
);
const TemplateValueCodec = t.union([t.string, t.number, t.boolean], 'a text, number or boolean');

export const CordonYamlCodec = t.partial(
  {
    name: t.string,
    description: t.string,
    placeholders: t.record(t.string, Scalar, 'a map of placeholder values'),
    macros: t.record(t.string, t.string, 'a map of macro texts'),
    variables: t.record(t.string, TemplateValueCodec, 'a map of template variables'),
    programs: Programs,
    untrusted: t.array(t.string, 'a list of process names'),
    properties: Properties,
  },
  'a map of cordon.yaml keys',
);

const KEYS = ['name', 'description', 'placeholders', 'macros', 'variables', 'programs', 'untrusted', 'properties'];

export interface CordonYaml {
  readonly file: string;
  readonly text: string;
  readonly name?: string;
  readonly description?: string;
  readonly placeholders: Readonly<Record<string, string>>;
  readonly macros: Readonly<Record<string, string>>;
  readonly variables: Readonly<Record<string, TemplateValue>>;
  /** null when the file has no `programs` key */
  readonly programs: Readonly<Record<string, readonly ProgramOp[]>> | null;
  readonly untrusted: readonly string[];
  /** solution properties `cordon check` verifies with TLC (class names, as in solution.yaml) */
  readonly properties: t.TypeOf<typeof Properties>;
  /** where each program and each untrusted entry is written, for later checks against init.yaml */
  readonly at: (path: readonly (string | number)[]) => Loc;
}

/** Where the node at `path` is written; for a key of a map, where the key is. */
function locateIn(doc: Document.Parsed, source: Source, path: readonly (string | number)[]): Loc {
  const last = path[path.length - 1];
  if (typeof last === 'string') {
    const parent = path.length === 1 ? doc.contents : doc.getIn(path.slice(0, -1), true);
    if (isMap(parent)) {
      const pair = parent.items.find((p) => isScalar(p.key) && p.key.value === last);
      const at = (pair?.key as { range?: readonly number[] } | undefined)?.range?.[0];
      if (at !== undefined) return source.locate(at);
    }
  }
  for (let n = path.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
    const range = (node as { range?: readonly number[] | null } | null | undefined)?.range;
    if (range?.[0] !== undefined) return source.locate(range[0]);
  }
  return source.locate(0);
}

/**
 * Reads a cordon.yaml.
 *
 * @throws ParseError on YAML errors, unknown keys and values of the wrong shape, at the offending place.
 */
export function parseCordonYaml(file: string, text: string): CordonYaml {
  const source = sourceFromText(file, text);
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true });
  const e = doc.errors[0];
  if (e !== undefined)
    throw new ParseError({
      kind: 'syntax',
      loc: source.locate(e.pos[0]),
      detail: `YAML: ${e.message.replace(/\s+/g, ' ').trim()}`,
    });
  const top = doc.contents;
  if (isMap(top)) {
    for (const pair of top.items) {
      if (!isPair(pair)) continue;
      const key = isScalar(pair.key) ? pair.key.value : undefined;
      if (typeof key !== 'string' || !KEYS.includes(key)) {
        const at = (pair.key as { range?: readonly number[] } | null)?.range?.[0] ?? 0;
        throw new ParseError({
          kind: 'validation',
          loc: source.locate(at),
          detail: `unknown key ${String(key)} in cordon.yaml (expected ${KEYS.join(', ')})`,
        });
      }
    }
  }
  const value: unknown = doc.toJS() ?? {};
  const decoded = CordonYamlCodec.decode(value);
  if (isLeft(decoded)) {
    const err = decoded.left[0]!;
    // keys under an intersection or union name a branch, not a place in the document
    const path: (string | number)[] = [];
    let expected = err.context[err.context.length - 1]?.type.name ?? 'a value';
    let actual: unknown = err.value;
    for (let i = 1; i < err.context.length; i++) {
      const parent = err.context[i - 1]!;
      const tag = (parent.type as { _tag?: string })._tag;
      if (tag === 'UnionType') {
        expected = parent.type.name;
        actual = parent.actual;
        break;
      }
      if (tag === 'IntersectionType') continue;
      const k = err.context[i]!.key;
      path.push(/^\d+$/.test(k) ? Number(k) : k);
    }
    const where =
      path.length === 0
        ? 'cordon.yaml'
        : path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
    const got = actual === undefined ? 'nothing' : (JSON.stringify(actual)?.slice(0, 60) ?? String(actual));
    throw new ParseError({
      kind: 'validation',
      loc: locateIn(doc, source, path),
      detail: `${where}: expected ${expected}, found ${got}`,
    });
  }
  const m = decoded.right;
  return {
    file,
    text,
    ...(m.name === undefined ? {} : { name: m.name }),
    ...(m.description === undefined ? {} : { description: m.description }),
    placeholders: m.placeholders ?? {},
    macros: m.macros ?? {},
    variables: m.variables ?? {},
    programs: m.programs ?? null,
    untrusted: m.untrusted ?? [],
    properties: m.properties ?? [],
    at: (path) => locateIn(doc, source, path),
  };
}
