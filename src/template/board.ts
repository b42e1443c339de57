/**
 * Board templates: the Jinja blocks of policy sources, as nk-psl-gen-c's
 * preprocessor expands them (`--preprocessor-definition=BOARD=…`), rendered
 * with nunjucks (Mozilla's Jinja implementation for JavaScript) against the
 * variables of a build (BOARD, the board's facts, USE_DYNLD, …), with a map
 * back to the template's lines and columns.
 *
 *   {% if BOARD == "RPI4_BCM2711" %} … {% elif … %} … {% else %} … {% endif %}
 *   {% for dev in board.devices %} … {{ dev.name }} … {% endfor %}
 *   {% set CLIENT = "demo.Client" %} … {{ CLIENT }}
 *   {% include "parts/common.psl" %}
 *
 * What Cordon adds to nunjucks:
 *
 * - Locations. The template is parsed by nunjucks and every piece of
 *   output in its syntax tree is marked with where it comes from (a text
 *   run: its offset in the template or in an included file; a `{{ … }}`:
 *   the expression's position). The marks are taken out of the rendered
 *   text and become its source map, so a PSL error after templating still
 *   points into the file the author wrote, included files too.
 * - Undefined variables are errors where a mistake would otherwise pass
 *   silently: output (`{{ BORD }}`), comparisons (`BORD == "x"`, `x in
 *   LIST`), loops (`{% for x in LIST %}`) and calls. A variable tested for
 *   its truth alone (`{% if USE_DYNLD %}`) is false when undefined, as in
 *   Jinja (real builds define such options only when they are on), and
 *   `is defined` / `| default(…)` work as usual.
 * - A sandbox. Name look-ups and `.`/`[ ]` see only the own data
 *   properties of plain values (the variables, their lists and records), never
 *   prototypes or the properties of functions, so a template cannot reach
 *   JavaScript's constructors; `range` is bounded and includes nest at most
 *   `MAX_INCLUDE_DEPTH` deep.
 * - Whitespace: `trim_blocks` and `lstrip_blocks` are on, so a tag alone on
 *   its line takes the whole line with it; `{%-` / `-%}` work as in Jinja.
 */
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join } from 'node:path';
import nunjucks from 'nunjucks';
import { ParseError, type ParseErrorKind } from '../syntax/errors.ts';
import { describeFound } from '../syntax/grammar.ts';
import {
  asSource,
  composedSource,
  LineIndex,
  sourceFromText,
  type ComposedSegment,
  type Source,
  type SourceInput,
} from '../syntax/source.ts';

/** A template variable's value: text, numbers, booleans, and lists and records of them. */
export type TemplateValue =
  string | number | boolean | null | readonly TemplateValue[] | { readonly [key: string]: TemplateValue };
export type TemplateVariables = Readonly<Record<string, TemplateValue>>;

export interface BoardTemplateOptions {
  /**
   * Finds a file named by `{% include "name" %}` (also `import`, `from`,
   * `extends`): returns its path and text, or undefined when there is none.
   * `from` is the file that includes it. Without this hook an include is
   * an error at the include (`includeFrom` builds the usual hook).
   */
  readonly include?: (name: string, from: string) => { readonly path: string; readonly text: string } | undefined;
}

export const MAX_INCLUDE_DEPTH = 32;
export const MAX_RANGE = 100_000;

/* ------------------------------------------------ nunjucks internals */

// nunjucks exports its parser, compiler and node classes (nunjucks.parser, …)
// but @types/nunjucks does not describe them; these are the parts used here.
interface NjNode {
  readonly typename: string;
  lineno: number;
  colno: number;
  readonly fields: readonly string[];
  [field: string]: unknown;
}
type NodeClass = new (lineno: number, colno: number, ...args: unknown[]) => NjNode;
interface NjInternals {
  parser: { parse(src: string, extensions: unknown[], opts: object): NjNode };
  compiler: {
    Compiler: new (name: string, throwOnUndefined: boolean) => { compile(node: NjNode): void; getCode(): string };
  };
  nodes: Record<'TemplateData' | 'FunCall' | 'NodeList' | 'Literal' | 'Symbol' | 'LookupVal', NodeClass>;
  lexer: {
    lex(
      src: string,
      opts: object,
    ): { nextToken(): { type: string; value: string; lineno: number; colno: number } | null };
  };
  runtime: Record<string, unknown>;
}
const nj = nunjucks as unknown as NjInternals;
const transformer = createRequire(import.meta.url)('nunjucks/src/transformer.js') as {
  transform(ast: NjNode, asyncFilters: unknown[], name: string): NjNode;
};

const LEX_OPTIONS = { trimBlocks: true, lstripBlocks: true };

/* ------------------------------------------------------------ marks */

// A mark is MARK_VERBATIM or MARK_GENERATED, the id of a position, MARK_END.
const MARK_VERBATIM = '\uE000';
const MARK_GENERATED = '\uE001';
const MARK_END = '\uE002';
const MARKS = /[\uE000-\uE002]/;

interface Position {
  readonly source: Source;
  readonly offset: number;
}

/** A problem found while rendering, located by Cordon (nunjucks's own run-time positions are unreliable). */
class Located {
  constructor(
    readonly kind: ParseErrorKind,
    readonly at: Position,
    readonly detail: string,
  ) {}
}

/** One expansion: the positions marks refer to, and the first located problem. */
class Expansion {
  readonly positions: Position[] = [];
  failure: Located | null = null;
  depth = 0;

  constructor(
    readonly variables: TemplateVariables,
    readonly options: BoardTemplateOptions,
  ) {}

  position(source: Source, offset: number): number {
    return this.positions.push({ source, offset }) - 1;
  }

  fail(kind: ParseErrorKind, id: number, detail: string): never {
    const at = this.positions[id]!;
    this.failure ??= new Located(kind, at, detail);
    throw new Error(detail);
  }

  known(): string {
    return Object.keys(this.variables).sort().join(', ') || 'none';
  }
}

/**
 * Expands the Jinja blocks of a source against `variables`.
 *
 * @throws ParseError (file:line:col in the template or an included file) on
 *   malformed template syntax, an undefined variable where it must be
 *   defined, an include that cannot be found, and any other failure while
 *   rendering.
 */
export function expandBoardTemplate(
  input: SourceInput,
  variables: TemplateVariables,
  options: BoardTemplateOptions = {},
): Source {
  const source = asSource(input);
  if (!/\{[%{#]/.test(source.text)) return source; // nothing to expand (the common case for a plain .psl)
  const x = new Expansion(variables, options);
  const env = environment(x);
  const template = new nunjucks.Template(
    { type: 'code', obj: compileTemplate(x, source) } as unknown as string,
    env,
    source.file,
    true,
  );
  let rendered: string;
  try {
    rendered = template.render(plainContext(variables));
  } catch (e) {
    throw renderError(x, source, e);
  }
  return unmark(x, source, rendered);
}

/** The environment of one expansion: no autoescape, Cordon's globals, the include hook. */
function environment(x: Expansion): nunjucks.Environment {
  // `__cordon.include` finds the file at the include (where an error can be located) and names it by its path; the loader then compiles it.
  const found = new Map<string, { readonly path: string; readonly text: string }>();
  const loader = {
    getSource(name: string) {
      const file = found.get(name);
      if (file === undefined) return null;
      if (x.depth >= MAX_INCLUDE_DEPTH)
        throw new Error(`includes nest deeper than ${MAX_INCLUDE_DEPTH} levels (at ${name})`);
      return {
        src: { type: 'code', obj: compileTemplate(x, sourceFromText(file.path, file.text)) },
        path: file.path,
        noCache: true,
      };
    },
  };
  const env = new nunjucks.Environment(loader as unknown as nunjucks.ILoader, {
    autoescape: false,
    throwOnUndefined: false,
    ...LEX_OPTIONS,
  });
  env.addGlobal('range', (start: number, stop?: number, step = 1) => {
    const [a, b] = stop === undefined ? [0, start] : [start, stop];
    if (![a, b, step].every((n) => typeof n === 'number' && Number.isFinite(n)) || step === 0)
      throw new Error('range() takes numbers and a step other than 0');
    if (Math.abs((b - a) / step) > MAX_RANGE) throw new Error(`range() is limited to ${MAX_RANGE} numbers`);
    const out: number[] = [];
    for (let i = a; step > 0 ? i < b : i > b; i += step) out.push(i);
    return out;
  });
  // Jinja's spellings of the constants, which nunjucks reads as names
  env.addGlobal('True', true);
  env.addGlobal('False', false);
  env.addGlobal('None', null);
  env.addGlobal('__cordon', {
    out: (value: unknown, id: number, what: string | null) => {
      if (value === undefined)
        x.fail(
          'template',
          id,
          what === null ? 'the template expression {{ … }} is undefined' : undefinedMessage(x, what, 'in {{ … }}'),
        );
      return `${MARK_GENERATED}${id}${MARK_END}${value === null ? '' : String(value)}`;
    },
    defined: (value: unknown, id: number, what: string, where: string) => {
      if (value === undefined) x.fail('template', id, undefinedMessage(x, what, where));
      return value;
    },
    callee: (value: unknown, id: number, what: string) => {
      if (typeof value !== 'function')
        x.fail(
          'template',
          id,
          `${what} is not a template function or macro${value === undefined ? ' (it is undefined)' : ''}`,
        );
      return value;
    },
    include: (name: unknown, id: number, from: string) => {
      if (typeof name !== 'string') x.fail('template', id, 'an include names its file with a text');
      if (x.depth >= MAX_INCLUDE_DEPTH)
        x.fail('limit', id, `includes nest deeper than ${MAX_INCLUDE_DEPTH} levels (does ${name} include itself?)`);
      const file = x.options.include?.(name, from);
      if (file === undefined)
        x.fail(
          'reference',
          id,
          `cannot find the included template ${name} (${x.options.include === undefined ? 'no include path is set' : `looked next to ${from} and on the policy search path`})`,
        );
      found.set(file.path, file);
      return file.path;
    },
  });
  return env;
}

function undefinedMessage(x: Expansion, what: string, where: string): string {
  const root = /^[A-Za-z_][A-Za-z0-9_]*/.exec(what)?.[0] ?? what;
  if (root !== what && Object.hasOwn(x.variables, root))
    return `${what} is undefined ${where} (${root} has no such attribute)`;
  return `undefined template variable ${what} ${where} (known: ${x.known()})`;
}

/** The variables as a context without a prototype. */
function plainContext(variables: TemplateVariables): Record<string, unknown> {
  const ctx = Object.create(null) as Record<string, unknown>;
  for (const [k, v] of Object.entries(variables)) ctx[k] = v;
  return ctx;
}

/* ------------------------------------------------------ compilation */

/**
 * Parses a template with nunjucks, marks its output with positions, and
 * compiles it to the object nunjucks's Template takes (`{ root, b_… }`),
 * running with Cordon's sandboxed run-time helpers.
 */
function compileTemplate(x: Expansion, source: Source): Record<string, unknown> {
  const text = source.text;
  if (MARKS.test(text)) {
    const at = text.search(MARKS);
    throw new ParseError({
      kind: 'validation',
      loc: source.locate(at),
      detail: 'the characters U+E000 … U+E002 are reserved for the template source map',
    });
  }
  const lines = new LineIndex(text);
  const offsetOf = (n: NjNode) => Math.min(text.length, lines.lineStart(n.lineno + 1) + n.colno);
  let ast: NjNode;
  try {
    ast = nj.parser.parse(text, [], LEX_OPTIONS);
  } catch (e) {
    checkBlocks(source); // a located message for unbalanced blocks, which nunjucks reports without a position
    throw syntaxError(source, lines, e);
  }
  const N = nj.nodes;
  const lit = (n: NjNode, v: unknown) => new N.Literal(n.lineno, n.colno, v);
  // a call of a Cordon helper: `__cordon.<name>(args…)`
  const call = (n: NjNode, name: string, args: NjNode[]) =>
    new N.FunCall(
      n.lineno,
      n.colno,
      new N.LookupVal(n.lineno, n.colno, new N.Symbol(n.lineno, n.colno, '__cordon'), lit(n, name)),
      new N.NodeList(n.lineno, n.colno, args),
    );
  const guard = (e: NjNode, where: string): NjNode => {
    if (!isNode(e)) return e; // nunjucks leaves a null in some malformed expressions; its compiler reports them
    const what = pathText(e);
    if (what === null) return e;
    return call(e, 'defined', [e, lit(e, x.position(source, offsetOf(e))), lit(e, what), lit(e, where)]);
  };

  let last: NjNode = ast;
  const visit = (n: NjNode): NjNode => {
    if (!isNode(n)) return n;
    last = n;
    switch (n.typename) {
      case 'Symbol':
        if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(String(n.value)))
          throw new ParseError({
            kind: 'syntax',
            loc: source.locate(offsetOf(n)),
            detail: `template: expected a name but found ${describeFound(text, offsetOf(n))}`,
          });
        return n;
      case 'Output': {
        const children = (n.children as NjNode[] | null) ?? [];
        n.children = children.map((c) => {
          if (!isNode(c)) return c;
          if (c.typename === 'TemplateData') {
            const value = String(c.value ?? '');
            if (value === '') return c;
            const from = offsetOf(c);
            const found = text.indexOf(value, from);
            const id = x.position(source, found < 0 ? from : found);
            return new N.TemplateData(c.lineno, c.colno, `${MARK_VERBATIM}${id}${MARK_END}${value}`);
          }
          const at = x.position(source, offsetOf(n));
          return call(c, 'out', [visit(c), lit(c, at), lit(c, pathText(c))]);
        });
        return n;
      }
      case 'Compare': {
        n.expr = guard(visit(n.expr as NjNode), 'in a comparison');
        for (const op of (n.ops as NjNode[] | null) ?? [])
          if (isNode(op)) op.expr = guard(visit(op.expr as NjNode), 'in a comparison');
        return n;
      }
      case 'In':
        n.left = guard(visit(n.left as NjNode), 'in an "in" test');
        n.right = guard(visit(n.right as NjNode), 'in an "in" test');
        return n;
      case 'For':
      case 'AsyncEach':
      case 'AsyncAll':
        n.arr = guard(visit(n.arr as NjNode), 'in {% for %}');
        n.body = visit(n.body as NjNode);
        if (n.else_ !== null && n.else_ !== undefined) n.else_ = visit(n.else_ as NjNode);
        return n;
      case 'Filter': {
        const name = n.name as NjNode;
        if (isNode(name) && name.typename === 'Symbol' && !FILTERS.has(String(name.value)))
          throw new ParseError({
            kind: 'reference',
            loc: source.locate(offsetOf(name)),
            detail: `unknown template filter ${String(name.value)} (known: ${[...FILTERS].sort().join(', ')})`,
          });
        for (const f of n.fields) if (f !== 'name') visitField(n, f);
        return n;
      }
      case 'FunCall': {
        const name = n.name as NjNode;
        const what = pathText(name) ?? 'the called value';
        n.name = call(name, 'callee', [visit(name), lit(name, x.position(source, offsetOf(name))), lit(name, what)]);
        n.args = visit(n.args as NjNode);
        return n;
      }
      case 'Include':
      case 'Import':
      case 'FromImport':
      case 'Extends': {
        const t = n.template as NjNode;
        n.template = call(t, 'include', [visit(t), lit(t, x.position(source, offsetOf(t))), lit(t, source.file)]);
        for (const f of n.fields) if (f !== 'template') visitField(n, f);
        return n;
      }
      default:
        for (const f of n.fields) visitField(n, f);
        return n;
    }
  };
  const visitField = (n: NjNode, f: string) => {
    const v = n[f];
    if (Array.isArray(v)) n[f] = v.map((c) => (isNode(c) ? visit(c) : c));
    else if (isNode(v)) n[f] = visit(v);
  };
  try {
    visit(ast);
  } catch (e) {
    if (e instanceof ParseError) throw e;
    // nunjucks leaves nulls in the tree of some malformed expressions
    throw new ParseError({
      kind: 'syntax',
      loc: source.locate(offsetOf(last)),
      detail: `template: malformed expression at ${describeFound(text, offsetOf(last))}`,
    });
  }

  let props: Record<string, (...args: unknown[]) => unknown>;
  try {
    const compiler = new nj.compiler.Compiler(source.file, false);
    compiler.compile(transformer.transform(ast, [], source.file));
    props = new Function(compiler.getCode())() as typeof props;
  } catch (e) {
    throw syntaxError(source, lines, e);
  }
  const runtime = sandboxRuntime();
  const wrapped: Record<string, unknown> = {};
  for (const [k, f] of Object.entries(props)) {
    wrapped[k] =
      typeof f === 'function'
        ? (env: unknown, context: unknown, frame: unknown, _runtime: unknown, cb: unknown) => {
            x.depth++;
            try {
              return f(env, context, frame, runtime, cb);
            } finally {
              x.depth--;
            }
          }
        : f;
  }
  return wrapped;
}

/** The filters nunjucks provides (Cordon adds none). */
const FILTERS: ReadonlySet<string> = new Set(
  Object.keys((new nunjucks.Environment() as unknown as { filters: Record<string, unknown> }).filters),
);

const isNode = (v: unknown): v is NjNode =>
  typeof v === 'object' && v !== null && typeof (v as { typename?: unknown }).typename === 'string';

/** `NAME` or `a.b.c` as written, for messages; null for anything else. */
function pathText(n: NjNode): string | null {
  if (!isNode(n)) return null;
  if (n.typename === 'Symbol') return String(n.value);
  if (n.typename === 'LookupVal') {
    const target = pathText(n.target as NjNode);
    const val = n.val as NjNode;
    if (target === null || !isNode(val) || val.typename !== 'Literal') return null;
    return typeof val.value === 'number' ? `${target}[${val.value}]` : `${target}.${String(val.value)}`;
  }
  return null;
}

/** Plain data: what a template may look into. */
function isPlain(v: unknown): v is Record<string | number, unknown> {
  if (typeof v !== 'object' || v === null) return false;
  if (Array.isArray(v)) return true;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** nunjucks's run-time helpers, with look-ups limited to own data properties of plain values. */
function sandboxRuntime(): Record<string, unknown> {
  const base = nj.runtime;
  const own = (obj: unknown, key: unknown): unknown => {
    if (typeof key !== 'string' && typeof key !== 'number') return undefined;
    if (typeof obj === 'string')
      return typeof key === 'number' || /^\d+$/.test(key)
        ? obj[Number(key)]
        : key === 'length'
          ? obj.length
          : undefined;
    if (!isPlain(obj) || !Object.hasOwn(obj, key)) return undefined;
    return obj[key];
  };
  return {
    ...base,
    memberLookup: own,
    contextOrFrameLookup: (
      context: { ctx: Record<string, unknown>; env: { globals: Record<string, unknown> } },
      frame: { lookup(name: string): unknown },
      name: string,
    ) => {
      const v = frame.lookup(name);
      if (v !== undefined) return v;
      if (Object.hasOwn(context.ctx, name)) return context.ctx[name];
      return Object.hasOwn(context.env.globals, name) ? context.env.globals[name] : undefined;
    },
  };
}

/* ------------------------------------------------------- block check */

const OPENERS: Readonly<Record<string, string>> = {
  if: 'endif',
  for: 'endfor',
  macro: 'endmacro',
  call: 'endcall',
  filter: 'endfilter',
  block: 'endblock',
  raw: 'endraw',
  verbatim: 'endverbatim',
};
const MIDDLE: Readonly<Record<string, readonly string[]>> = { elif: ['if'], elseif: ['if'], else: ['if', 'for'] };

/**
 * Checks that block tags pair up, when nunjucks could not parse (its
 * messages for an unclosed block carry no position): `{% if %}` without `{% endif %}`,
 * `{% endif %}` without `{% if %}`, `{% elif %}` after `{% else %}`.
 */
function checkBlocks(source: Source): void {
  const text = source.text;
  const lines = new LineIndex(text);
  const stack: { tag: string; offset: number; sawElse: boolean }[] = [];
  const fail = (offset: number, detail: string): never => {
    throw new ParseError({ kind: 'template', loc: source.locate(offset), detail });
  };
  let tokens;
  try {
    tokens = nj.lexer.lex(text, LEX_OPTIONS);
  } catch (e) {
    throw syntaxError(source, lines, e);
  }
  for (;;) {
    let tok;
    try {
      tok = tokens.nextToken();
    } catch (e) {
      throw syntaxError(source, lines, e);
    }
    if (tok === null) break;
    if (tok.type !== 'block-start') continue;
    const start = lines.lineStart(tok.lineno + 1) + tok.colno;
    let name = tokens.nextToken();
    while (name !== null && name.type === 'whitespace') name = tokens.nextToken();
    if (name === null || name.type !== 'symbol') continue;
    const tag = name.value;
    const tagText = () =>
      `{% ${text
        .slice(start, text.indexOf('%}', start) < 0 ? text.length : text.indexOf('%}', start))
        .replace(/^\{%-?\s*/, '')
        .replace(/\s+/g, ' ')
        .trim()} %}`;
    if (tag === 'raw' || tag === 'verbatim') {
      const end = text.indexOf(`end${tag}`, start);
      if (end < 0) fail(start, `{% ${tag} %} has no matching {% end${tag} %}`);
      continue; // nunjucks reads the raw body itself
    }
    if (tag === 'set') {
      // `{% set x %}…{% endset %}` (no "=") is a block
      const close = text.indexOf('%}', start);
      const body = text.slice(start, close < 0 ? text.length : close);
      if (!body.includes('=')) stack.push({ tag: 'set', offset: start, sawElse: false });
      continue;
    }
    if (Object.hasOwn(OPENERS, tag)) stack.push({ tag, offset: start, sawElse: false });
    else if (Object.hasOwn(MIDDLE, tag)) {
      const top = stack.at(-1);
      if (top === undefined || !MIDDLE[tag]!.includes(top.tag))
        fail(start, `${tagText()} without a matching {% ${MIDDLE[tag]!.join(' %} or {% ')} %}`);
      if (top!.sawElse) fail(start, `${tagText()} after the {% else %} of its {% ${top!.tag} %} block`);
      if (tag === 'else') top!.sawElse = true;
    } else if (tag.startsWith('end')) {
      const opener = tag.slice(3);
      const top = stack.at(-1);
      if (top === undefined || top.tag !== opener) {
        if (top !== undefined && (Object.hasOwn(OPENERS, opener) || opener === 'set'))
          fail(
            start,
            `{% ${tag} %} closes {% ${opener} %}, but the open block is the {% ${top.tag} %} at ${lineCol(source, top.offset)}`,
          );
        fail(start, `{% ${tag} %} without a matching {% ${opener} %}`);
      }
      stack.pop();
    }
  }
  const open = stack.at(-1);
  if (open !== undefined)
    fail(open.offset, `{% ${open.tag} %} has no matching {% ${open.tag === 'set' ? 'endset' : OPENERS[open.tag]} %}`);
}

function lineCol(source: Source, offset: number): string {
  const l = source.locate(offset);
  return `${l.line}:${l.column}`;
}

/* ------------------------------------------------------------ errors */

interface NjError {
  readonly message?: string;
  readonly lineno?: number;
  readonly colno?: number;
}

/** A nunjucks parse error (1-based line and column of the template text) as a ParseError. */
function syntaxError(source: Source, lines: LineIndex, e: unknown): ParseError {
  if (e instanceof ParseError) return e;
  const err = e as NjError;
  const raw = String(err.message ?? e);
  const at = /\[Line (\d+), Column (\d+)\]/.exec(raw);
  const line = err.lineno ?? (at === null ? undefined : Number(at[1]));
  const col = err.colno ?? (at === null ? undefined : Number(at[2]));
  const offset =
    line === undefined
      ? source.text.length
      : Math.min(source.text.length, lines.lineStart(line) + Math.max(0, (col ?? 1) - 1));
  const message = cleanMessage(raw);
  const found = /unexpected|got /.test(message) ? '' : ` but found ${describeFound(source.text, offset)}`;
  return new ParseError({ kind: 'syntax', loc: source.locate(offset), detail: `template: ${message}${found}` });
}

/** nunjucks's message without its path/position prefix and internal function names. */
function cleanMessage(raw: string): string {
  return raw
    .replace(/^\([^)]*\)(?: \[Line \d+, Column \d+\])?\s*/s, '')
    .replace(/^Template render error:\s*/, '')
    .replace(/^\([^)]*\)(?: \[Line \d+, Column \d+\])?\s*/s, '')
    .replace(/^(?:Error: )?(?:parse[A-Za-z]*|_[A-Za-z]+): /, '')
    .trim();
}

function renderError(x: Expansion, source: Source, e: unknown): ParseError {
  if (e instanceof ParseError) return e;
  const f = x.failure;
  if (f !== null) return new ParseError({ kind: f.kind, loc: f.at.source.locate(f.at.offset), detail: f.detail });
  // nunjucks wraps a failure once per template it passes through: keep the innermost message
  const lines = String((e as NjError).message ?? e)
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !/^(?:Template render error: )?\([^)]*\)(?: \[Line \d+, Column \d+\])?$/.test(l));
  const raw = cleanMessage(lines.at(-1) ?? 'unknown failure').replace(/^Error: /, '');
  if (e instanceof RangeError || /call stack/i.test(raw))
    return new ParseError({
      kind: 'limit',
      loc: source.locate(0),
      detail: 'the template recurses too deeply (a macro or include that calls itself?)',
    });
  return new ParseError({ kind: 'template', loc: source.locate(0), detail: `the template failed: ${raw}` });
}

/* ------------------------------------------------------- source map */

/** Takes the marks out of a rendered text: the text, and its map back to the template and included files. */
function unmark(x: Expansion, source: Source, rendered: string): Source {
  const segments: ComposedSegment[] = [];
  const parts: string[] = [];
  let length = 0;
  let current: { position: Position; verbatim: boolean; start: number } = {
    position: { source, offset: 0 },
    verbatim: false,
    start: 0,
  };
  const close = () => {
    if (length > current.start)
      segments.push({
        outputStart: current.start,
        length: length - current.start,
        input: current.position.source,
        inputStart: current.position.offset,
        verbatim: current.verbatim,
      });
  };
  const mark = /[\uE000\uE001](\d+)\uE002/g;
  let copied = 0;
  for (let m = mark.exec(rendered); m !== null; m = mark.exec(rendered)) {
    const position = x.positions[Number(m[1])];
    if (position === undefined) continue;
    parts.push(rendered.slice(copied, m.index));
    length += m.index - copied;
    close();
    current = { position, verbatim: m[0][0] === MARK_VERBATIM, start: length };
    copied = m.index + m[0].length;
  }
  parts.push(rendered.slice(copied));
  length += rendered.length - copied;
  close();
  return composedSource(source, parts.join(''), segments);
}

/** The default include hook: `name` relative to the including file, then each directory of `path`. */
export function includeFrom(
  path: readonly string[],
  read: (file: string) => string | undefined,
): NonNullable<BoardTemplateOptions['include']> {
  return (name, from) => {
    const candidates = isAbsolute(name) ? [name] : [join(dirname(from), name), ...path.map((d) => join(d, name))];
    for (const c of candidates) {
      const text = read(c);
      if (text !== undefined) return { path: c, text };
    }
    return undefined;
  };
}
