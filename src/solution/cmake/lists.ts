/**
 * A solution's CMakeLists.txt files, read the way CMake reads them far enough
 * to know what the SDK's build functions are given.
 *
 * Parsing is a peggy grammar of the CMake language (lists.peggy): command
 * invocations with bracket, quoted and unquoted arguments. Evaluation covers
 * what decides variables and the SDK calls: `set` (normal, CACHE,
 * PARENT_SCOPE), `unset`, `option`, `list(APPEND|PREPEND)`, `project`,
 * `if`/`elseif`/`else`/`endif` (constants, variables, NOT/AND/OR, DEFINED,
 * STREQUAL/EQUAL/LESS/GREATER/MATCHES, parentheses), `foreach` over known
 * items, `function`/`macro` definitions and their calls, `add_subdirectory`
 * and `include` of the solution's own files, and `set_target_properties`.
 * A variable is "known" when its value follows from literal text and known
 * variables; one that depends on the SDK (`${precompiled_vfsVfsNet}`), on
 * the environment or on an if() whose condition cannot be decided is
 * unknown, with the reason. Calls of the SDK functions (`nk_build_*_files`,
 * `generate_edl_file`, `build_kos_*_image`, `add_nk_*`) are recorded with
 * their evaluated arguments and the variables in scope at the call.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve as resolvePath } from 'node:path';
import { compileGrammar } from '../../syntax/grammar.ts';
import { ParseError } from '../../syntax/errors.ts';
import { asSource, formatLoc, type Loc, type SourceInput } from '../../syntax/source.ts';

export interface CmakeArg {
  readonly kind: 'bracket' | 'quoted' | 'unquoted' | 'paren';
  /** the argument's text inside its quotes or brackets, escapes not yet processed */
  readonly raw: string;
  readonly loc: Loc;
}

export interface CmakeCommand {
  /** lower case, as CMake command names are case-insensitive */
  readonly name: string;
  readonly args: readonly CmakeArg[];
  readonly loc: Loc;
  /** the invocation as written */
  readonly text: string;
}

interface RawArg {
  kind: CmakeArg['kind'];
  raw: string;
  start: number;
  end: number;
}
interface RawCommand {
  name: string;
  args: RawArg[];
  start: number;
  end: number;
}

const GRAMMAR = [new URL('./lists.peggy', import.meta.url)];

/** The command invocations of one CMake file. @throws ParseError with file:line:col on a syntax error */
export function parseCmakeLists(input: SourceInput): CmakeCommand[] {
  const source = asSource(input);
  const raw = compileGrammar({ files: GRAMMAR, startRules: ['File'] }).parse({
    source,
    startRule: 'File',
    hooks: { ignoredExpectations: ['whitespace', 'a line break', 'a comment'] },
  }) as RawCommand[];
  return raw.map((c) => ({
    name: c.name.toLowerCase(),
    args: c.args.map((a) => ({ kind: a.kind, raw: a.raw, loc: source.locate(a.start) })),
    loc: source.locate(c.start),
    text: source.text.slice(c.start, c.end),
  }));
}

/* ------------------------------------------------------------ evaluation */

/** A variable's value, or why it is not known. */
export interface VarValue {
  readonly value: string;
  readonly known: boolean;
  /** where it was set (null: CMake's or Cordon's built-in value) */
  readonly loc: Loc | null;
  /** for an unknown value: why */
  readonly why?: string;
}

/** One list element of an evaluated argument. */
export interface Element {
  readonly value: string;
  readonly known: boolean;
  readonly why?: string;
  readonly arg: CmakeArg;
  readonly quoted: boolean;
}

/** A call of an SDK build function, as evaluated. */
export interface SdkCall {
  readonly name: string;
  readonly elements: readonly Element[];
  readonly loc: Loc;
  readonly text: string;
  /** CMAKE_CURRENT_SOURCE_DIR of the call */
  readonly dir: string;
  /** the variables in scope at the call (what configure_file would see) */
  readonly scope: ReadonlyMap<string, VarValue>;
  /** false when the call sits in a branch of an if() that could not be decided */
  readonly certain: boolean;
}

export interface TargetProperty {
  readonly value: string;
  readonly known: boolean;
  readonly loc: Loc;
  readonly why?: string;
}

export interface CmakeModel {
  readonly root: string;
  /** every CMake file read, in order */
  readonly files: readonly string[];
  readonly calls: readonly SdkCall[];
  /** set_target_properties values, by target then property */
  readonly properties: ReadonlyMap<string, ReadonlyMap<string, TargetProperty>>;
  /** add_executable targets and where they are declared */
  readonly executables: ReadonlyMap<string, Loc>;
  /** the variables of the top-level directory when its file ends */
  readonly topScope: ReadonlyMap<string, VarValue>;
  readonly notes: readonly string[];
}

export interface EvaluateOptions {
  /** CMake variables given from outside (`--define NAME=VALUE`), like `cmake -D`: cache variables */
  readonly defines?: Readonly<Record<string, string>>;
  /** further variables CMake would know (CMAKE_SYSTEM_BOARD, …) */
  readonly builtins?: Readonly<Record<string, string>>;
}

/** The SDK functions whose calls are recorded. */
export const SDK_FUNCTIONS = new Set([
  'nk_build_edl_files',
  'nk_build_idl_files',
  'nk_build_cdl_files',
  'generate_edl_file',
  'build_kos_qemu_image',
  'build_kos_hw_image',
  'add_nk_edl',
  'add_nk_idl',
  'add_nk_cdl',
]);

const FALSE_CONSTANTS = new Set(['0', 'OFF', 'NO', 'FALSE', 'N', 'IGNORE', 'NOTFOUND', '']);
const TRUE_CONSTANTS = new Set(['1', 'ON', 'YES', 'TRUE', 'Y']);

type Tri = true | false | null;

class Scope {
  readonly vars: Map<string, VarValue>;
  constructor(
    readonly parent: Scope | null,
    readonly dir: string,
    vars?: Map<string, VarValue>,
  ) {
    this.vars = vars ?? new Map(parent?.vars ?? []);
  }
}

interface Block {
  readonly kind: 'command';
  readonly command: CmakeCommand;
}
interface IfBlock {
  readonly kind: 'if';
  readonly branches: { readonly condition: CmakeCommand | null; readonly body: Node[] }[];
  readonly command: CmakeCommand;
}
interface LoopBlock {
  readonly kind: 'foreach' | 'while' | 'function' | 'macro';
  readonly command: CmakeCommand;
  readonly body: Node[];
}
type Node = Block | IfBlock | LoopBlock;

function fail(loc: Loc, detail: string): never {
  throw new ParseError({ kind: 'syntax', loc, detail });
}

/** The flat command list of a file as a tree of blocks. */
function blocks(commands: readonly CmakeCommand[]): Node[] {
  let i = 0;
  const parse = (until: readonly string[]): { nodes: Node[]; end: CmakeCommand | null } => {
    const nodes: Node[] = [];
    while (i < commands.length) {
      const c = commands[i++]!;
      if (until.includes(c.name)) return { nodes, end: c };
      if (c.name === 'if') {
        const branches: IfBlock['branches'][number][] = [];
        let condition: CmakeCommand | null = c;
        for (;;) {
          const { nodes: body, end } = parse(['elseif', 'else', 'endif']);
          branches.push({ condition, body });
          if (end === null) fail(c.loc, 'if() without a matching endif()');
          if (end.name === 'endif') break;
          condition = end.name === 'elseif' ? end : null;
        }
        nodes.push({ kind: 'if', branches, command: c });
      } else if (c.name === 'foreach' || c.name === 'while' || c.name === 'function' || c.name === 'macro') {
        const closing = `end${c.name}`;
        const { nodes: body, end } = parse([closing]);
        if (end === null) fail(c.loc, `${c.name}() without a matching ${closing}()`);
        nodes.push({ kind: c.name, command: c, body });
      } else if (['elseif', 'else', 'endif', 'endforeach', 'endwhile', 'endfunction', 'endmacro'].includes(c.name)) {
        fail(c.loc, `${c.name}() without the command that opens its block`);
      } else nodes.push({ kind: 'command', command: c });
    }
    return { nodes, end: null };
  };
  return parse([]).nodes;
}

/** Evaluates escapes and `${…}` references of one argument. */
function expand(
  text: string,
  lookup: (name: string) => VarValue | undefined,
  processEscapes: boolean,
): { value: string; known: boolean; why?: string } {
  let known = true;
  let why: string | undefined;
  const unknown = (w: string) => {
    if (known) why = w;
    known = false;
  };
  const scan = (s: string, from: number, stopAtBrace: boolean): { out: string; end: number } => {
    let out = '';
    let i = from;
    while (i < s.length) {
      const ch = s[i]!;
      if (stopAtBrace && ch === '}') return { out, end: i + 1 };
      if (ch === '\\' && processEscapes && i + 1 < s.length) {
        const n = s[i + 1]!;
        if (n === '\n') out += '';
        else if (n === 'n') out += '\n';
        else if (n === 't') out += '\t';
        else if (n === 'r') out += '\r';
        else if (n === ';') out += '\\;';
        else out += n;
        i += 2;
        continue;
      }
      const m = /^\$(ENV|CACHE)?\{/.exec(s.slice(i, i + 8));
      if (m !== null) {
        const inner = scan(s, i + m[0].length, true);
        const name = inner.out;
        if (m[1] === 'ENV') unknown(`it reads the environment variable ${name}`);
        else {
          const v = lookup(name);
          if (v === undefined) unknown(`\${${name}} is not set by the solution's CMake files`);
          else {
            if (!v.known) unknown(v.why ?? `\${${name}} is not known`);
            out += v.value;
          }
        }
        i = inner.end;
        continue;
      }
      out += ch;
      i++;
    }
    return { out, end: i };
  };
  const value = scan(text, 0, false).out;
  return known ? { value, known } : { value, known, why: why! };
}

/** Splits an unquoted argument's value on its unescaped semicolons. */
function splitList(value: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < value.length; i++) {
    if (value[i] === '\\' && value[i + 1] === ';') {
      cur += ';';
      i++;
    } else if (value[i] === ';') {
      out.push(cur);
      cur = '';
    } else cur += value[i];
  }
  out.push(cur);
  return out.filter((x) => x.length > 0);
}

function truthy(value: string): boolean {
  const u = value.toUpperCase();
  if (FALSE_CONSTANTS.has(u) || u.endsWith('-NOTFOUND')) return false;
  return true;
}

interface Fn {
  readonly kind: 'function' | 'macro';
  readonly params: readonly string[];
  readonly body: readonly Node[];
}

class Evaluator {
  readonly files: string[] = [];
  readonly calls: SdkCall[] = [];
  readonly properties = new Map<string, Map<string, TargetProperty>>();
  readonly executables = new Map<string, Loc>();
  readonly notes: string[] = [];
  private readonly functions = new Map<string, Fn>();
  private readonly cache = new Map<string, VarValue>();
  private depth = 0;

  constructor(
    readonly root: string,
    private readonly options: EvaluateOptions,
  ) {
    for (const [k, v] of Object.entries(options.defines ?? {})) this.cache.set(k, { value: v, known: true, loc: null });
  }

  private lookup(scope: Scope, name: string): VarValue | undefined {
    return scope.vars.get(name) ?? this.cache.get(name);
  }

  private binaryDir(dir: string): string {
    return join(this.root, 'build', relative(this.root, dir));
  }

  evaluateFile(file: string, scope: Scope, certain: boolean): void {
    if (this.depth > 50)
      fail({ file, line: 1, column: 1 }, 'add_subdirectory()/include() nest more than 50 levels (a cycle?)');
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      throw new ParseError({
        kind: 'io',
        loc: { file, line: 1, column: 1 },
        detail: `cannot read it (${(e as NodeJS.ErrnoException).code ?? 'error'})`,
      });
    }
    this.files.push(file);
    const dir = scope.dir;
    scope.vars.set('CMAKE_CURRENT_SOURCE_DIR', { value: dir, known: true, loc: null });
    scope.vars.set('CMAKE_CURRENT_LIST_DIR', { value: dirname(file), known: true, loc: null });
    scope.vars.set('CMAKE_CURRENT_BINARY_DIR', { value: this.binaryDir(dir), known: true, loc: null });
    this.depth++;
    this.run(blocks(parseCmakeLists({ file, text })), scope, certain);
    this.depth--;
  }

  private elements(command: CmakeCommand, scope: Scope): Element[] {
    const out: Element[] = [];
    for (const arg of command.args) {
      if (arg.kind === 'paren') {
        out.push({ value: arg.raw, known: true, arg, quoted: false });
        continue;
      }
      if (arg.kind === 'bracket') {
        out.push({ value: arg.raw, known: true, arg, quoted: true });
        continue;
      }
      const e = expand(arg.raw, (n) => this.lookup(scope, n), true);
      const base = e.known ? { known: true as const } : { known: false as const, why: e.why! };
      if (arg.kind === 'quoted') out.push({ value: e.value, ...base, arg, quoted: true });
      else {
        const items = splitList(e.value);
        // an unknown value that expands to nothing still stands for something the build knows
        if (items.length === 0 && !e.known) out.push({ value: '', ...base, arg, quoted: false });
        for (const v of items) out.push({ value: v, ...base, arg, quoted: false });
      }
    }
    return out;
  }

  private set(scope: Scope, name: string, value: VarValue, parent: boolean): void {
    if (parent) scope.parent?.vars.set(name, value);
    else scope.vars.set(name, value);
  }

  private run(nodes: readonly Node[], scope: Scope, certain: boolean): void {
    for (const node of nodes) {
      if (node.kind === 'if') this.runIf(node, scope, certain);
      else if (node.kind === 'function' || node.kind === 'macro') {
        const [name, ...params] = this.elements(node.command, scope).map((e) => e.value);
        if (name !== undefined) this.functions.set(name.toLowerCase(), { kind: node.kind, params, body: node.body });
      } else if (node.kind === 'foreach') this.runForeach(node, scope, certain);
      else if (node.kind === 'while')
        this.notes.push(`${formatLoc(node.command.loc)}: while() loops are not evaluated; what they set is not known`);
      else this.command(node.command, scope, certain);
    }
  }

  private runForeach(node: LoopBlock, scope: Scope, certain: boolean): void {
    const el = this.elements(node.command, scope);
    const [v, ...rest] = el;
    if (v === undefined) return;
    let items: Element[] = rest;
    if (rest[0]?.value === 'RANGE') {
      this.notes.push(`${formatLoc(node.command.loc)}: foreach(RANGE) is not evaluated`);
      return;
    }
    if (rest[0]?.value === 'IN') {
      items = [];
      let mode = '';
      for (const e of rest.slice(1)) {
        if (e.value === 'LISTS' || e.value === 'ITEMS' || e.value === 'ZIP_LISTS') mode = e.value;
        else if (mode === 'ITEMS') items.push(e);
        else if (mode === 'LISTS') {
          const l = this.lookup(scope, e.value);
          if (l !== undefined)
            for (const x of splitList(l.value))
              items.push({ ...e, value: x, known: l.known, ...(l.why ? { why: l.why } : {}) });
        }
      }
    }
    if (items.some((i) => !i.known)) {
      this.notes.push(
        `${formatLoc(node.command.loc)}: foreach() over values Cordon does not know; its body is not evaluated`,
      );
      return;
    }
    for (const item of items) {
      scope.vars.set(v.value, { value: item.value, known: true, loc: node.command.loc });
      this.run(node.body, scope, certain);
    }
  }

  private runIf(node: IfBlock, scope: Scope, certain: boolean): void {
    const undecided: Node[][] = [];
    let someBranchRuns = false;
    for (const b of node.branches) {
      const c: Tri = b.condition === null ? true : this.condition(b.condition, scope);
      if (c === false) continue;
      if (c === true && undecided.length === 0) {
        this.run(b.body, scope, certain);
        return;
      }
      undecided.push(b.body);
      if (c === true) {
        someBranchRuns = true;
        break;
      }
    }
    if (undecided.length === 0) return;
    // Undecided: every branch that may run, each on a copy (and, when none may run, the scope as it is); variables they disagree on are unknown.
    const forks = undecided.map((body) => {
      const fork = new Scope(scope.parent, scope.dir, new Map(scope.vars));
      this.run(body, fork, false);
      return fork;
    });
    if (!someBranchRuns) forks.push(new Scope(scope.parent, scope.dir, new Map(scope.vars)));
    const names = new Set(forks.flatMap((f) => [...f.vars.keys()]));
    for (const name of names) {
      const values = forks.map((f) => f.vars.get(name));
      const first = values[0];
      const same = values.every(
        (v) => v !== undefined && first !== undefined && v.value === first.value && v.known === first.known,
      );
      if (same && first !== undefined) scope.vars.set(name, first);
      else {
        const where = values.find((v) => v?.loc !== null && v !== undefined)?.loc ?? node.command.loc;
        scope.vars.set(name, {
          value: first?.value ?? '',
          known: false,
          loc: where,
          why: `${name} is set differently by the branches of the if() at ${formatLoc(node.command.loc)}, whose condition Cordon cannot decide`,
        });
      }
    }
  }

  /** An if()/elseif() condition: true, false, or null when it depends on what Cordon does not know. */
  private condition(command: CmakeCommand, scope: Scope): Tri {
    const toks = this.elements(command, scope);
    let i = 0;
    const peek = () => toks[i];
    const atom = (t: Element): { value: string; known: boolean } => {
      if (!t.quoted && !t.arg.raw.includes('$')) {
        const v = this.lookup(scope, t.value);
        if (v !== undefined) return { value: v.value, known: v.known };
      }
      return { value: t.value, known: t.known };
    };
    const truth = (t: Element): Tri => {
      if (!t.known) return null;
      const u = t.value.toUpperCase();
      if (TRUE_CONSTANTS.has(u) || (/^-?\d+(\.\d+)?$/.test(u) && Number(u) !== 0)) return true;
      if (FALSE_CONSTANTS.has(u) || u.endsWith('-NOTFOUND')) return false;
      if (t.quoted) return false;
      const v = this.lookup(scope, t.value);
      if (v === undefined) return BUILTIN_FALSE.has(t.value) ? false : null;
      return v.known ? truthy(v.value) : null;
    };
    const not = (x: Tri): Tri => (x === null ? null : !x);
    const primary = (): Tri => {
      const t = toks[i++];
      if (t === undefined) return null;
      if (t.arg.kind === 'paren' && t.value === '(') {
        const r = or();
        if (peek()?.value === ')') i++;
        return r;
      }
      const u = t.quoted ? '' : t.value;
      if (u === 'DEFINED') {
        const n = toks[i++];
        if (n === undefined) return null;
        return this.lookup(scope, n.value) !== undefined ? true : BUILTIN_FALSE.has(n.value) ? false : null;
      }
      if (
        u === 'EXISTS' ||
        u === 'TARGET' ||
        u === 'COMMAND' ||
        u === 'POLICY' ||
        u === 'IS_DIRECTORY' ||
        u === 'IS_ABSOLUTE'
      ) {
        i++;
        return null;
      }
      const op = peek();
      const binary = op !== undefined && !op.quoted ? op.value : '';
      if (
        ['STREQUAL', 'EQUAL', 'LESS', 'GREATER', 'LESS_EQUAL', 'GREATER_EQUAL', 'MATCHES', 'IN_LIST'].includes(binary)
      ) {
        i++;
        const r = toks[i++];
        if (r === undefined) return null;
        const a = atom(t);
        const b = binary === 'MATCHES' || binary === 'IN_LIST' ? { value: r.value, known: r.known } : atom(r);
        if (binary === 'IN_LIST') {
          const l = this.lookup(scope, r.value);
          if (!a.known || l === undefined || !l.known) return null;
          return splitList(l.value).includes(a.value);
        }
        if (!a.known || !b.known) return null;
        if (binary === 'STREQUAL') return a.value === b.value;
        if (binary === 'MATCHES') {
          try {
            return new RegExp(b.value).test(a.value);
          } catch {
            return null;
          }
        }
        const x = Number(a.value);
        const y = Number(b.value);
        if (Number.isNaN(x) || Number.isNaN(y)) return false;
        return binary === 'EQUAL'
          ? x === y
          : binary === 'LESS'
            ? x < y
            : binary === 'GREATER'
              ? x > y
              : binary === 'LESS_EQUAL'
                ? x <= y
                : x >= y;
      }
      if (binary.startsWith('VERSION_') || binary.startsWith('STR') || binary === 'PATH_EQUAL') {
        i += 2;
        return null;
      }
      return truth(t);
    };
    const unary = (): Tri => {
      const t = peek();
      if (t !== undefined && !t.quoted && t.value === 'NOT') {
        i++;
        return not(unary());
      }
      return primary();
    };
    const and = (): Tri => {
      let l = unary();
      while (peek() !== undefined && !peek()!.quoted && peek()!.value === 'AND') {
        i++;
        const r = unary();
        l = l === false || r === false ? false : l === null || r === null ? null : true;
      }
      return l;
    };
    const or = (): Tri => {
      let l = and();
      while (peek() !== undefined && !peek()!.quoted && peek()!.value === 'OR') {
        i++;
        const r = and();
        l = l === true || r === true ? true : l === null || r === null ? null : false;
      }
      return l;
    };
    return or();
  }

  private command(c: CmakeCommand, scope: Scope, certain: boolean): void {
    const name = c.name;
    if (name === 'set' || name === 'unset' || name === 'option' || name === 'list') {
      const el = this.elements(c, scope);
      const [n, ...rest] = el;
      if (n === undefined) return;
      if (name === 'unset') {
        scope.vars.delete(n.value);
        return;
      }
      if (name === 'option') {
        if (this.lookup(scope, n.value) === undefined)
          scope.vars.set(n.value, { value: rest[1]?.value ?? 'OFF', known: rest[1]?.known ?? true, loc: c.loc });
        return;
      }
      if (name === 'list') {
        const [v, ...items] = rest;
        if (v === undefined || (n.value !== 'APPEND' && n.value !== 'PREPEND')) {
          if (
            v !== undefined &&
            [
              'REMOVE_ITEM',
              'REMOVE_AT',
              'INSERT',
              'TRANSFORM',
              'REMOVE_DUPLICATES',
              'FILTER',
              'SORT',
              'REVERSE',
              'POP_BACK',
              'POP_FRONT',
            ].includes(n.value)
          ) {
            const old = this.lookup(scope, v.value);
            scope.vars.set(v.value, {
              value: old?.value ?? '',
              known: false,
              loc: c.loc,
              why: `${v.value} is changed by list(${n.value}) at ${formatLoc(c.loc)}, which Cordon does not evaluate`,
            });
          }
          return;
        }
        const old = this.lookup(scope, v.value);
        const parts = [...(old === undefined || old.value === '' ? [] : [old.value])];
        const add = items.map((x) => x.value);
        const value = (n.value === 'APPEND' ? [...parts, ...add] : [...add, ...parts]).join(';');
        const unknown = [old, ...items].find((x) => x !== undefined && !x.known);
        scope.vars.set(
          v.value,
          unknown === undefined
            ? { value, known: true, loc: c.loc }
            : { value, known: false, loc: c.loc, why: unknown.why ?? 'a part is not known' },
        );
        return;
      }
      // set(NAME values… [PARENT_SCOPE] | [CACHE TYPE DOC [FORCE]])
      let values = rest;
      let parent = false;
      let cache = false;
      const ci = values.findIndex((e) => !e.quoted && e.value === 'CACHE');
      if (ci >= 0) {
        cache = true;
        values = values.slice(0, ci);
      } else if (
        values.length > 0 &&
        !values[values.length - 1]!.quoted &&
        values[values.length - 1]!.value === 'PARENT_SCOPE'
      ) {
        parent = true;
        values = values.slice(0, -1);
      }
      if (cache && this.lookup(scope, n.value) !== undefined) return;
      if (values.length === 0 && !cache) {
        if (parent) scope.parent?.vars.delete(n.value);
        else scope.vars.delete(n.value);
        return;
      }
      const value = values.map((e) => e.value).join(';');
      const unknown = values.find((e) => !e.known);
      // inside an undecided if() branch the value is kept: runIf() compares the branches afterwards
      const v: VarValue =
        unknown === undefined
          ? { value, known: true, loc: c.loc }
          : { value, known: false, loc: c.loc, why: unknown.why ?? 'a part of it is not known' };
      if (cache) this.cache.set(n.value, v);
      else this.set(scope, n.value, v, parent);
      return;
    }
    if (name === 'project') {
      const [n] = this.elements(c, scope);
      if (n === undefined) return;
      for (const k of [
        'PROJECT_NAME',
        ...(this.lookup(scope, 'CMAKE_PROJECT_NAME') === undefined ? ['CMAKE_PROJECT_NAME'] : []),
      ])
        scope.vars.set(k, { value: n.value, known: n.known, loc: c.loc });
      scope.vars.set(`${n.value}_SOURCE_DIR`, { value: scope.dir, known: true, loc: c.loc });
      scope.vars.set('PROJECT_SOURCE_DIR', { value: scope.dir, known: true, loc: c.loc });
      return;
    }
    if (name === 'add_subdirectory') {
      const [d] = this.elements(c, scope);
      if (d === undefined || !d.known) {
        this.notes.push(`${formatLoc(c.loc)}: add_subdirectory() of a directory Cordon does not know`);
        return;
      }
      const dir = isAbsolute(d.value) ? d.value : join(scope.dir, d.value);
      const file = join(dir, 'CMakeLists.txt');
      if (!existsSync(file)) {
        this.notes.push(`${formatLoc(c.loc)}: add_subdirectory(${d.value}): no CMakeLists.txt there`);
        return;
      }
      this.evaluateFile(file, new Scope(scope, dir), certain);
      return;
    }
    if (name === 'include') {
      const [f] = this.elements(c, scope);
      if (f === undefined || !f.known) return;
      const file = isAbsolute(f.value) ? f.value : join(scope.dir, f.value);
      // SDK modules (platform/image, …) are not files of the solution; the solution's own .cmake files are read.
      if (file.startsWith(this.root) && existsSync(file) && statSync(file).isFile()) {
        const saved = [scope.vars.get('CMAKE_CURRENT_LIST_DIR')];
        this.evaluateIncluded(file, scope, certain);
        if (saved[0] !== undefined) scope.vars.set('CMAKE_CURRENT_LIST_DIR', saved[0]);
      }
      return;
    }
    if (name === 'add_executable') {
      const [n] = this.elements(c, scope);
      if (n !== undefined && n.known) this.executables.set(n.value, c.loc);
      return;
    }
    if (name === 'set_target_properties') {
      const el = this.elements(c, scope);
      const p = el.findIndex((e) => !e.quoted && e.value === 'PROPERTIES');
      if (p < 0) return;
      const targets = el.slice(0, p);
      const pairs = el.slice(p + 1);
      for (let k = 0; k + 1 < pairs.length; k += 2) {
        const key = pairs[k]!;
        const val = pairs[k + 1]!;
        for (const t of targets) {
          const m = this.properties.get(t.value) ?? new Map<string, TargetProperty>();
          m.set(key.value, {
            value: val.value,
            known: val.known && t.known,
            loc: val.arg.loc,
            ...(val.why ? { why: val.why } : {}),
          });
          this.properties.set(t.value, m);
        }
      }
      return;
    }
    if (SDK_FUNCTIONS.has(name)) {
      const elements = this.elements(c, scope);
      this.calls.push({
        name,
        elements,
        loc: c.loc,
        text: c.text,
        dir: scope.dir,
        scope: new Map(scope.vars),
        certain,
      });
      if (name === 'generate_edl_file') {
        // generate_edl_file exports EDL_FILE: OUTPUT_FILE, or OUTPUT_DIR (default the binary dir) / NAME.edl
        const kw = keywordArgs(elements, GENERATE_EDL_KEYWORDS);
        const n = kw.positional[0];
        const out = kw.single.get('OUTPUT_FILE') ?? null;
        const dir = kw.single.get('OUTPUT_DIR')?.value ?? this.binaryDir(scope.dir);
        if (n !== undefined)
          scope.vars.set('EDL_FILE', { value: out?.value ?? join(dir, `${n.value}.edl`), known: n.known, loc: c.loc });
      }
      return;
    }
    const fn = this.functions.get(name);
    if (fn !== undefined) {
      if (this.depth > 50) return;
      const el = this.elements(c, scope);
      const inner = fn.kind === 'function' ? new Scope(scope, scope.dir) : scope;
      fn.params.forEach((p, k) => {
        const e = el[k];
        inner.vars.set(
          p,
          e === undefined
            ? { value: '', known: true, loc: c.loc }
            : { value: e.value, known: e.known, loc: c.loc, ...(e.why ? { why: e.why } : {}) },
        );
      });
      const argn = el.slice(fn.params.length);
      inner.vars.set('ARGN', {
        value: argn.map((e) => e.value).join(';'),
        known: argn.every((e) => e.known),
        loc: c.loc,
      });
      inner.vars.set('ARGC', { value: String(el.length), known: true, loc: c.loc });
      this.depth++;
      this.run(fn.body, inner, certain);
      this.depth--;
    }
  }

  private evaluateIncluded(file: string, scope: Scope, certain: boolean): void {
    const text = readFileSync(file, 'utf8');
    this.files.push(file);
    scope.vars.set('CMAKE_CURRENT_LIST_DIR', { value: dirname(file), known: true, loc: null });
    this.depth++;
    this.run(blocks(parseCmakeLists({ file, text })), scope, certain);
    this.depth--;
  }
}

/** Variables that CMake leaves undefined unless a project sets them: an if() on them is false. */
const BUILTIN_FALSE = new Set<string>(['WIN32', 'APPLE', 'MSVC', 'UNIX_NOT_KOS']);

const GENERATE_EDL_KEYWORDS = {
  single: ['PREFIX', 'SECURITY', 'OUTPUT_DIR', 'OUTPUT_FILE'],
  multi: ['EDL_COMPONENTS'],
  options: [] as string[],
};

/** Keyword arguments of an SDK function call, like cmake_parse_arguments: positional ones before the first keyword. */
export function keywordArgs(
  elements: readonly Element[],
  spec: { readonly single: readonly string[]; readonly multi: readonly string[]; readonly options: readonly string[] },
): {
  positional: Element[];
  single: Map<string, Element>;
  multi: Map<string, Element[]>;
  options: Set<string>;
  unknownAfter: Element[];
} {
  const positional: Element[] = [];
  const single = new Map<string, Element>();
  const multi = new Map<string, Element[]>();
  const options = new Set<string>();
  let current: { kind: 'single' | 'multi'; name: string; filled: boolean } | null = null;
  const isKeyword = (e: Element) =>
    !e.quoted && (spec.single.includes(e.value) || spec.multi.includes(e.value) || spec.options.includes(e.value));
  const unknownAfter: Element[] = [];
  for (const e of elements) {
    if (isKeyword(e)) {
      if (spec.options.includes(e.value)) {
        options.add(e.value);
        current = null;
      } else current = { kind: spec.single.includes(e.value) ? 'single' : 'multi', name: e.value, filled: false };
      if (current?.kind === 'multi' && !multi.has(current.name)) multi.set(current.name, []);
      continue;
    }
    if (current === null) {
      if (single.size === 0 && multi.size === 0 && options.size === 0) positional.push(e);
      else unknownAfter.push(e);
    } else if (current.kind === 'single') {
      if (!current.filled) {
        single.set(current.name, e);
        current.filled = true;
      } else unknownAfter.push(e);
    } else multi.get(current.name)!.push(e);
  }
  return { positional, single, multi, options, unknownAfter };
}

/**
 * Reads the CMake files of a solution tree from `root`/CMakeLists.txt,
 * following add_subdirectory(). Returns null when there is no CMakeLists.txt.
 * @throws ParseError on a syntax error in a CMake file
 */
export function evaluateCmake(
  root: string,
  options: EvaluateOptions = {},
  extraFiles: readonly string[] = [],
): CmakeModel | null {
  const top = join(root, 'CMakeLists.txt');
  const ev = new Evaluator(resolvePath(root), options);
  const scope = new Scope(null, resolvePath(root));
  const builtins: Record<string, string> = {
    CMAKE_SOURCE_DIR: resolvePath(root),
    CMAKE_BINARY_DIR: join(resolvePath(root), 'build'),
    PROJECT_BINARY_DIR: join(resolvePath(root), 'build'),
    CMAKE_SYSTEM_NAME: 'KOS',
    ...(options.builtins ?? {}),
  };
  for (const [k, v] of Object.entries(builtins)) scope.vars.set(k, { value: v, known: true, loc: null });
  const hasTop = existsSync(top);
  if (hasTop) ev.evaluateFile(top, scope, true);
  // einit directories not reached by add_subdirectory() are read in a child scope of the top level
  for (const f of extraFiles)
    if (!ev.files.includes(f) && existsSync(f)) ev.evaluateFile(f, new Scope(scope, dirname(f)), true);
  if (!hasTop && ev.files.length === 0) return null;
  return {
    root: resolvePath(root),
    files: ev.files,
    calls: ev.calls,
    properties: ev.properties,
    executables: ev.executables,
    topScope: scope.vars,
    notes: ev.notes,
  };
}
