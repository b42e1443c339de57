/**
 * `init.yaml` — the solution's initialization description, read by Einit:
 * which processes to start (task class, process name, executable, args,
 * environment) and which static IPC channels to create between them.
 *
 *   entities:
 *   - name: demo.Door            task class (EDL name)
 *     task: demo.FrontDoor       process name, default: the class name
 *     path: Door                 executable, default: last part of the class name
 *     args: ["--verbose"]
 *     env: { DOOR_ID: front }
 *     connections:               channels on which this process is the client
 *     - target: demo.Lock        the server's process name
 *       id: lock_channel         the name the client looks the channel up by
 *   - name: demo.Lock
 *   - name: kl.core.DCM
 *     dynamic_connection_manager: true   the SDK's dynamic connection manager
 *
 * `init.yaml.in` templates are accepted too: `@NAME@` placeholders are
 * filled from `variables`, and the macros the build generates
 * (`@INIT_EXTERNAL_ENTITIES@`, `@INIT_<prog>_ENTITY_CONNECTIONS@`,
 * `@INIT_<prog>_ENTITY_CONNECTIONS+@`, `@INIT_<prog>_ENTITY_ARGS@`,
 * `@INIT_<prog>_ENTITY_ENV@`) from `macros`. A macro's YAML text is written
 * as if at column 0; each of its lines after the first is indented like the
 * line holding the macro, so
 *
 *   macros: { INIT_Door_ENTITY_CONNECTIONS: "connections:\n- target: kl.core.DCM\n  id: dcm" }
 *
 * expands `  @INIT_Door_ENTITY_CONNECTIONS@` into a `connections:` key of
 * the entity at that indentation. When `INIT_<prog>_ENTITY_CONNECTIONS+`
 * has no value of its own it is derived from `INIT_<prog>_ENTITY_CONNECTIONS`
 * (the same items without the `connections:` line). A macro written at
 * column 0, as the SDK's own templates do, is indented like what it belongs
 * to (the entity above it; its connection items for the `+` form; the entity
 * list for `@INIT_EXTERNAL_ENTITIES@`), and a value that already starts with
 * spaces (CMake's own text) goes in unchanged.
 *
 * A connection target that is not a process of the file is an error, unless
 * `unknownTargets: 'keep'`: then it is listed in `external` for the caller
 * (the solution loader adds SDK system programs the build would add).
 */
import * as t from 'io-ts';
import { isLeft } from 'fp-ts/lib/Either.js';
import { isMap, isPair, isScalar, isSeq, parseDocument, type Document } from 'yaml';
import { listPlaceholders, substitutePlaceholders } from '../template/cmake.ts';
import { ParseError } from '../syntax/errors.ts';
import { asSource, type Loc, type Source, type SourceInput } from '../syntax/source.ts';

export interface InitYamlOptions {
  /** Values of the build's `@INIT_…@` macros, as YAML text (see the module comment). */
  readonly macros?: Readonly<Record<string, string>>;
  /** Values of other CMake `@NAME@` placeholders (single-line text). */
  readonly variables?: Readonly<Record<string, string>>;
  /**
   * What to do with an `@INIT_…@` macro that has no value: `error` (default)
   * or `strip` (expand to nothing, with a warning).
   */
  readonly onUndefinedMacro?: 'error' | 'strip';
  /**
   * Values for the placeholders neither `macros` nor `variables` has (the
   * loader's computed SDK build values); it may throw a ParseError at `loc`.
   */
  readonly resolve?: (name: string, loc: Loc) => string | undefined;
  /**
   * What to do with a connection whose target is not a process of the file:
   * `error` (default), or `keep` it and list the target in `external` (the
   * caller resolves it, e.g. as an SDK system program the build adds).
   */
  readonly unknownTargets?: 'error' | 'keep';
}

/** A process Einit starts. */
export interface InitProcess {
  /** Process name (`task`, or the class name when absent); unique in a solution. */
  readonly name: string;
  /** Task class (the entity's `name`, an EDL name). */
  readonly taskClass: string;
  /** Executable in the image (`path`, or the last part of the class name). */
  readonly path: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  /** `dynamic_connection_manager: true`: the process is a dynamic connection manager (the SDK's DCM) */
  readonly dynamicConnectionManager?: boolean;
  readonly loc: Loc;
}

/** A static IPC channel, described once on the client side. */
export interface InitConnection {
  /** Process name of the client. */
  readonly client: string;
  /** Process name of the server (`target`). */
  readonly server: string;
  /** Channel name the client looks the channel up by (for `{ var, include }` ids: the variable name). */
  readonly id: string;
  /** For `id: { var: …, include: … }`: the header declaring the variable. */
  readonly idInclude: string | null;
  readonly loc: Loc;
}

export interface InitDescription {
  readonly file: string;
  readonly processes: readonly InitProcess[];
  readonly connections: readonly InitConnection[];
  /** Non-fatal notes, e.g. macros stripped because they had no value. */
  readonly warnings: readonly { readonly message: string; readonly loc: Loc }[];
  /** With `unknownTargets: 'keep'`: connection targets that are not processes of the file, each once, at its first `target`. */
  readonly external?: readonly { readonly name: string; readonly client: string; readonly loc: Loc }[];
}

/* ------------------------------------------------------------- the shape */

function named<A>(codec: t.Type<A, unknown, unknown>, name: string): t.Type<A, unknown, unknown> {
  return new t.Type<A, unknown, unknown>(name, codec.is, (u, c) => codec.validate(u, c), codec.encode);
}

/** A YAML scalar read as text (`PORT: 8080` is the text "8080"). */
const ScalarText = new t.Type<string, unknown, unknown>(
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

/** A collection written as a key without a value (`connections:` with nothing after it) means none. */
function orEmpty<A>(codec: t.Type<A, unknown, unknown>, empty: A): t.Type<A, unknown, unknown> {
  return new t.Type<A, unknown, unknown>(
    codec.name,
    codec.is,
    (u, c) => (u === null ? t.success(empty) : codec.validate(u, c)),
    codec.encode,
  );
}

const ConnectionId = t.union(
  [t.string, t.type({ var: t.string, include: t.string })],
  'a channel name (text) or { var: <C constant>, include: <header> }',
);

const Connection = t.type({
  target: named(t.string, 'the server process name (text)'),
  id: ConnectionId,
});

const Entity = t.intersection([
  t.type({ name: named(t.string, 'a task class name (text)') }),
  t.partial({
    task: named(t.string, 'a process name (text)'),
    path: named(t.string, 'an executable path (text)'),
    args: orEmpty(named(t.array(ScalarText), 'a list of arguments'), []),
    env: orEmpty(named(t.record(t.string, ScalarText), 'a map of environment variables'), {}),
    connections: orEmpty(named(t.array(Connection), 'a list of connections'), []),
    dynamic_connection_manager: named(t.boolean, 'true or false'),
  }),
]);

const InitYaml = t.type(
  { entities: orEmpty(named(t.array(Entity), 'a list of entities'), []) },
  'a map with the key entities',
);

/** Keys allowed in each kind of map, for "unknown key" errors. */
const KNOWN_KEYS = {
  top: ['entities'],
  // the keys the SDK's einit tool reads (entities without `path` run the file named like the class)
  entity: ['name', 'task', 'path', 'args', 'env', 'connections', 'dynamic_connection_manager'],
  connection: ['target', 'id'],
  id: ['var', 'include'],
} as const;

/* ----------------------------------------------------------------- loading */

/**
 * Reads an `init.yaml` (or an `init.yaml.in` with its macro values).
 *
 * @throws ParseError with file, line and column (in the template, for
 *   text that came from a macro: at the macro) on YAML errors, a wrong
 *   shape, unknown keys, duplicate process names or channel ids, and
 *   connections to processes that are not started.
 */
export function loadInitYaml(input: SourceInput, options: InitYamlOptions = {}): InitDescription {
  const raw = asSource(input);
  const warnings: { message: string; loc: Loc }[] = [];
  const source = expandMacros(raw, options, warnings);
  const doc = parseYaml(source);
  checkKeys(doc, source);

  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    throw new ParseError({
      kind: 'limit',
      loc: source.locate(0),
      detail: `YAML aliases cannot be expanded: ${(e as Error).message}`,
    });
  }
  const decoded = InitYaml.decode(value);
  if (isLeft(decoded)) throw shapeError(decoded.left, doc, source);

  const at = (path: readonly (string | number)[]): Loc => locateNode(doc, path, source);
  const processes: InitProcess[] = [];
  const connections: InitConnection[] = [];
  const byName = new Map<string, InitProcess>();
  const external = new Map<string, { name: string; client: string; loc: Loc }>();
  decoded.right.entities.forEach((e, i) => {
    const name = e.task ?? e.name;
    const process: InitProcess = {
      name,
      taskClass: e.name,
      path: e.path ?? (e.name.split('.').pop() as string),
      args: e.args ?? [],
      env: e.env ?? {},
      ...(e.dynamic_connection_manager === true ? { dynamicConnectionManager: true } : {}),
      loc: at(['entities', i]),
    };
    const first = byName.get(name);
    if (first !== undefined) {
      throw new ParseError({
        kind: 'duplicate',
        loc: process.loc,
        detail: `process name ${name} is used twice (give one entity a different task name)`,
        related: [{ message: 'first used here', loc: first.loc }],
      });
    }
    byName.set(name, process);
    processes.push(process);
  });
  decoded.right.entities.forEach((e, i) => {
    const client = processes[i] as InitProcess;
    const ids = new Map<string, Loc>();
    (e.connections ?? []).forEach((c, j) => {
      const loc = at(['entities', i, 'connections', j]);
      if (!byName.has(c.target) && options.unknownTargets === 'keep') {
        if (!external.has(c.target))
          external.set(c.target, {
            name: c.target,
            client: client.name,
            loc: at(['entities', i, 'connections', j, 'target']),
          });
      } else if (!byName.has(c.target)) {
        throw new ParseError({
          kind: 'reference',
          loc: at(['entities', i, 'connections', j, 'target']),
          detail: `connection target ${c.target} is not a process of this solution (known: ${[...byName.keys()].join(', ')})`,
        });
      }
      const id = typeof c.id === 'string' ? c.id : c.id.var;
      const firstId = ids.get(id);
      if (firstId !== undefined) {
        throw new ParseError({
          kind: 'duplicate',
          loc: at(['entities', i, 'connections', j, 'id']),
          detail: `process ${client.name} has two connections with id ${id}`,
          related: [{ message: 'first used here', loc: firstId }],
        });
      }
      ids.set(id, loc);
      connections.push({
        client: client.name,
        server: c.target,
        id,
        idInclude: typeof c.id === 'string' ? null : c.id.include,
        loc,
      });
    });
  });
  return {
    file: raw.file,
    processes,
    connections,
    warnings,
    ...(options.unknownTargets === 'keep' ? { external: [...external.values()] } : {}),
  };
}

function expandMacros(source: Source, options: InitYamlOptions, warnings: { message: string; loc: Loc }[]): Source {
  if (!source.text.includes('@')) return source;
  const macros = options.macros ?? {};
  const variables = options.variables ?? {};
  const strip = options.onUndefinedMacro === 'strip';
  const stripped: string[] = [];
  let context: MacroContext | undefined;
  const expanded = substitutePlaceholders(
    source,
    (name, offset, loc) => {
      let value: string | undefined;
      if (Object.hasOwn(macros, name)) value = macros[name];
      else {
        const base = name.endsWith('+') ? name.slice(0, -1) : null;
        if (base !== null && Object.hasOwn(macros, base)) value = connectionItems(macros[base] as string);
        else if (Object.hasOwn(variables, name)) return variables[name];
        else value = options.resolve?.(name, loc);
      }
      if (value === undefined) {
        if (strip && name.startsWith('INIT_')) {
          stripped.push(name);
          return '';
        }
        return undefined;
      }
      context ??= macroContext(source);
      return place(value, name, offset, source.text, context);
    },
    { indentMultiline: true },
  );
  if (stripped.length > 0) {
    // Report each stripped macro at its place in the template.
    const seen = new Set<string>();
    let from = 0;
    for (const name of stripped) {
      const at = source.text.indexOf(`@${name}@`, from);
      from = at + 1;
      if (seen.has(name)) continue;
      seen.add(name);
      warnings.push({ message: `macro @${name}@ has no value and was left out`, loc: source.locate(Math.max(0, at)) });
    }
  }
  return expanded;
}

/** Where macros written at column 0 (the SDK's own templates put them there) belong in the YAML around them. */
interface MacroContext {
  /** column of the entity list's dashes */
  readonly entityItems: number;
  /** for each entity, in order: its first offset, the column of its keys, the column of its connections' dashes */
  readonly entities: readonly { readonly start: number; readonly keys: number; readonly connections: number | null }[];
}

function columnAt(text: string, offset: number): number {
  return offset - (text.lastIndexOf('\n', offset - 1) + 1);
}

/** The template's structure with every placeholder blanked out (same offsets). */
function macroContext(source: Source): MacroContext {
  let blank = source.text;
  for (const p of listPlaceholders(source))
    blank = blank.slice(0, p.start) + ' '.repeat(p.end - p.start) + blank.slice(p.end);
  const doc = parseDocument(blank, { prettyErrors: false, strict: false, uniqueKeys: false });
  const top = doc.contents;
  const seq = isMap(top) ? top.get('entities', true) : null;
  if (!isSeq(seq)) return { entityItems: 0, entities: [] };
  const entities: { start: number; keys: number; connections: number | null }[] = [];
  for (const e of seq.items) {
    const start = nodeOffset(e);
    if (start === undefined) continue;
    const conns = isMap(e) ? e.get('connections', true) : null;
    const c = isSeq(conns) ? nodeOffset(conns) : undefined;
    entities.push({ start, keys: columnAt(blank, start), connections: c === undefined ? null : columnAt(blank, c) });
  }
  const first = nodeOffset(seq);
  return { entityItems: first === undefined ? 0 : columnAt(blank, first), entities };
}

/**
 * A macro's value in place. A value written as if at column 0 (the form of
 * cordon.yaml's macros and of the loader's computed ones) goes to the
 * macro's own indentation; a macro that sits at column 0 itself gets the
 * indentation of what it belongs to: the entity before it for
 * `INIT_<program>_ENTITY_…` (its connection items for the `+` form), the
 * entity list for `INIT_EXTERNAL_ENTITIES`. A value that starts with spaces
 * is already indented (as CMake writes it) and goes in unchanged.
 */
function place(value: string, name: string, offset: number, text: string, ctx: MacroContext): string {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  if (offset !== lineStart || value === '' || /^[ \t]/.test(value)) return value;
  let column = 0;
  if (name === 'INIT_EXTERNAL_ENTITIES') column = ctx.entityItems;
  else if (/^INIT_.+_ENTITY_/.test(name)) {
    const owner = [...ctx.entities].reverse().find((e) => e.start < offset);
    if (owner !== undefined) column = name.endsWith('+') ? (owner.connections ?? owner.keys) : owner.keys;
  }
  if (column === 0) return value;
  const pad = ' '.repeat(column);
  return value
    .replace(/\n+$/, '')
    .split('\n')
    .map((l) => (l.length === 0 ? l : pad + l))
    .join('\n');
}

/**
 * The list items of a `connections:` macro value, for the `…+` form that
 * appends to a hand-written list: the text without its `connections:` line,
 * dedented to column 0.
 */
function connectionItems(value: string): string {
  const lines = value.replace(/\n+$/, '').split('\n');
  const body = /^\s*connections:\s*$/.test(lines[0] ?? '') ? lines.slice(1) : lines;
  const indents = body.filter((l) => l.trim().length > 0).map((l) => /^ */.exec(l)?.[0].length ?? 0);
  const common = indents.length === 0 ? 0 : Math.min(...indents);
  return body.map((l) => l.slice(common)).join('\n');
}

function parseYaml(source: Source): Document.Parsed {
  const doc = parseDocument(source.text, { prettyErrors: false, uniqueKeys: true, strict: true });
  const error = doc.errors[0];
  if (error !== undefined) {
    throw new ParseError({
      kind: 'syntax',
      loc: source.locate(error.pos[0]),
      detail: `YAML: ${error.message.replace(/\s+/g, ' ').trim()}`,
    });
  }
  return doc;
}

/* --------------------------------------------------------------- locations */

function nodeOffset(node: unknown): number | undefined {
  const range = (node as { range?: readonly number[] | null } | null)?.range;
  return range?.[0];
}

/** Location of the node at `path`, or of its closest existing ancestor. */
function locateNode(doc: Document.Parsed, path: readonly (string | number)[], source: Source): Loc {
  for (let n = path.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
    const offset = nodeOffset(node);
    if (offset !== undefined) return source.locate(offset);
  }
  return source.locate(0);
}

/** Rejects keys the format does not define, at the key. */
function checkKeys(doc: Document.Parsed, source: Source): void {
  const check = (node: unknown, allowed: readonly string[], where: string): void => {
    if (!isMap(node)) return;
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const key = isScalar(pair.key) ? pair.key.value : undefined;
      if (typeof key !== 'string' || !allowed.includes(key)) {
        throw new ParseError({
          kind: 'validation',
          loc: source.locate(nodeOffset(pair.key) ?? nodeOffset(node) ?? 0),
          detail: `unknown key ${typeof key === 'string' ? key : String(key)} in ${where} (expected ${allowed.join(', ')})`,
        });
      }
    }
  };
  const top = doc.contents;
  check(top, KNOWN_KEYS.top, 'init.yaml');
  if (!isMap(top)) return;
  const entities = top.get('entities', true);
  if (!isSeq(entities)) return;
  for (const entity of entities.items) {
    check(entity, KNOWN_KEYS.entity, 'an entity');
    if (!isMap(entity)) continue;
    const connections = entity.get('connections', true);
    if (!isSeq(connections)) continue;
    for (const c of connections.items) {
      check(c, KNOWN_KEYS.connection, 'a connection');
      if (isMap(c)) check(c.get('id', true), KNOWN_KEYS.id, 'a connection id');
    }
  }
}

/** The first io-ts failure as a ParseError in the format's words, at the offending node. */
function shapeError(errors: t.Errors, doc: Document.Parsed, source: Source): ParseError {
  const first = errors[0] as t.ValidationError;
  const path: (string | number)[] = [];
  let expected = first.context[first.context.length - 1]?.type.name ?? 'a value';
  let actual: unknown = first.value;
  for (let i = 1; i < first.context.length; i++) {
    const parent = first.context[i - 1] as t.ContextEntry;
    const entry = first.context[i] as t.ContextEntry;
    const tag = (parent.type as { _tag?: string })._tag;
    if (tag === 'UnionType') {
      expected = parent.type.name;
      actual = parent.actual;
      break;
    }
    if (tag === 'IntersectionType') continue;
    path.push(/^\d+$/.test(entry.key) ? Number(entry.key) : entry.key);
  }
  const missing = actual === undefined;
  return new ParseError({
    kind: 'validation',
    loc: locateNode(doc, path, source),
    detail: missing
      ? `${describePath(path.slice(0, -1))}: the key ${String(path[path.length - 1])} is missing (expected ${expected})`
      : `${describePath(path)}: expected ${expected}, found ${describeValue(actual)}`,
  });
}

function describePath(path: readonly (string | number)[]): string {
  if (path.length === 0) return 'init.yaml';
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

function describeValue(value: unknown): string {
  if (value === null) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  if (typeof value === 'string')
    return `the text ${JSON.stringify(value.length > 40 ? value.slice(0, 40) + '…' : value)}`;
  return `${typeof value} ${String(value)}`;
}
