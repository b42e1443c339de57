/**
 * Loading a whole policy: the top file and every PSL module it includes
 * with `use <dotted.path>._`, transitively.
 *
 * - `use a.b._` names the file `a/b.psl` under one of the search
 *   directories, tried in order (the solution's directory, then the SDK's).
 * - SDK security model modules (`nk.base`, `nk.basic`, `nk.flow`, …) that
 *   are not found on disk are *built in*: Cordon implements those models in
 *   TypeScript, so the module contributes no declarations.
 * - Each file is read once and each module loaded once, whatever the order
 *   of the `use` declarations: a `use` of a module already loaded adds
 *   nothing (diamonds are fine), and a `use` that leads back to a module
 *   still being loaded adds nothing either (a cycle: that module's
 *   declarations are already being included), as include guards would.
 * - A module that cannot be found is an error at the `use`, naming the
 *   files looked for and the closest module that does exist.
 * - Templates: a file whose name ends in `.in` first has its CMake
 *   `@NAME@` placeholders filled from `placeholders`; when `board` is
 *   given, every file is then rendered as a Jinja template with those
 *   variables (`{% include %}` finds files next to the including file,
 *   then on the search path).
 *
 * The combined declaration list is in inclusion order: a module's
 * declarations follow the `use` that first includes it, then the including
 * file continues. This is the order rules are evaluated in.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { expandBoardTemplate, includeFrom, type TemplateVariables } from '../../template/board.ts';
import { substitutePlaceholders, type PlaceholderValues } from '../../template/cmake.ts';
import { ParseError } from '../../syntax/errors.ts';
import { sourceFromText, type Loc, type Source } from '../../syntax/source.ts';
import type { Declaration, PslFile } from './ast.ts';
import { parsePsl } from './parser.ts';

/** The SDK's security model modules (toolchain/include/nk/*.psl). */
export const SDK_MODEL_MODULES: readonly string[] = [
  'nk.base',
  'nk.basic',
  'nk.regex',
  'nk.hashmap',
  'nk.staticmap',
  'nk.flow',
  'nk.mic',
];

export interface PolicyLoadOptions {
  /** Directories searched for `use` modules, in order. */
  readonly searchPath: readonly string[];
  /** Reads a file, or returns undefined when it does not exist. Default: the file system. */
  readonly readFile?: (path: string) => string | undefined;
  /** Modules provided by Cordon itself when no file is found. Default: `SDK_MODEL_MODULES`. */
  readonly builtinModules?: readonly string[];
  /** CMake placeholder values for `.in` files. */
  readonly placeholders?: PlaceholderValues;
  /** Board template variables (BOARD, USE_DYNLD, …); when absent, templates are not expanded. */
  readonly board?: TemplateVariables;
  /** Appended to the message of a module that no directory holds (how to make it resolve). */
  readonly notFoundHint?: string;
}

export interface PolicyModule {
  /** Dotted module name (`nk.base`, `dynld`); `null` for the top file. */
  readonly name: string | null;
  readonly kind: 'file' | 'builtin';
  /** The file read (`null` for a built-in module). */
  readonly file: string | null;
  readonly ast: PslFile | null;
  /** The `use` that first included the module (`null` for the top file). */
  readonly usedFrom: Loc | null;
}

export interface ResolvedPolicy {
  /** The modules, top file first, in the order they were included. */
  readonly modules: readonly PolicyModule[];
  /** All declarations of all files, in inclusion order (see the module comment). */
  readonly declarations: readonly Declaration[];
  /** Every task class named by a `use EDL`, once, at its first inclusion. */
  readonly edl: readonly { readonly taskClass: string; readonly loc: Loc }[];
}

/**
 * Loads `topFile` and everything it includes.
 *
 * @throws ParseError on a syntax error in any file, a module that cannot be
 *   found (at the `use`), a `use` cycle (at the `use` closing it), and
 *   template errors.
 */
export function loadPolicy(topFile: string, options: PolicyLoadOptions): ResolvedPolicy {
  const read = options.readFile ?? ((path: string) => (existsSync(path) ? readFileSync(path, 'utf8') : undefined));
  const texts = new Map<string, string | undefined>();
  const readFile = (path: string): string | undefined => {
    const key = resolve(path);
    if (!texts.has(key)) texts.set(key, read(path));
    return texts.get(key);
  };
  const builtins = new Set(options.builtinModules ?? SDK_MODEL_MODULES);
  const modules: PolicyModule[] = [];
  const declarations: Declaration[] = [];
  const loaded = new Set<string>();

  const prepare = (file: string, text: string): Source => {
    let source = sourceFromText(file, text);
    if (file.endsWith('.in')) source = substitutePlaceholders(source, options.placeholders ?? {});
    if (options.board !== undefined)
      source = expandBoardTemplate(source, options.board, { include: includeFrom(options.searchPath, readFile) });
    return source;
  };

  /** Module key → the `use` chain that is currently loading it. */
  const stack: { key: string; label: string }[] = [];

  const include = (key: string, label: string, ast: PslFile): void => {
    stack.push({ key, label });
    for (const d of ast.declarations) {
      declarations.push(d);
      if (d.kind === 'useModule') use(d.module, d.loc);
    }
    stack.pop();
    loaded.add(key);
  };

  const use = (name: string, at: Loc): void => {
    const relativePath = name.split('.').join('/') + '.psl';
    let path: string | undefined;
    let text: string | undefined;
    for (const dir of options.searchPath) {
      const candidate = join(dir, relativePath);
      const content = readFile(candidate);
      if (content !== undefined) {
        path = candidate;
        text = content;
        break;
      }
    }
    const key = path === undefined ? `builtin:${name}` : resolve(path);
    if (loaded.has(key) || stack.some((s) => s.key === key)) return;
    if (path === undefined || text === undefined) {
      if (!builtins.has(name)) {
        const near = closestModule(name, options.searchPath);
        throw new ParseError({
          kind: 'reference',
          loc: at,
          detail: `cannot find PSL module ${name} (looked for ${relativePath} in ${options.searchPath.join(', ') || 'no directory'})${near === null ? '' : `; did you mean use ${near}._?`}${options.notFoundHint === undefined ? '' : `; ${options.notFoundHint}`}`,
        });
      }
      loaded.add(key);
      modules.push({ name, kind: 'builtin', file: null, ast: null, usedFrom: at });
      return;
    }
    const ast = parsePsl(prepare(path, text));
    modules.push({ name, kind: 'file', file: path, ast, usedFrom: at });
    include(key, name, ast);
  };

  const topText = readFile(topFile);
  if (topText === undefined) {
    throw new ParseError({
      kind: 'io',
      loc: { file: topFile, line: 1, column: 1 },
      detail: `cannot read the policy file ${topFile}`,
    });
  }
  const top = parsePsl(prepare(topFile, topText));
  modules.push({ name: null, kind: 'file', file: topFile, ast: top, usedFrom: null });
  include(resolve(topFile), topFile, top);

  const edl: { taskClass: string; loc: Loc }[] = [];
  const seenEdl = new Set<string>();
  for (const d of declarations) {
    if (d.kind === 'useEdl' && !seenEdl.has(d.taskClass)) {
      seenEdl.add(d.taskClass);
      edl.push({ taskClass: d.taskClass, loc: d.loc });
    }
  }
  return { modules, declarations, edl };
}

/** The module on the search path (or an SDK model) whose name is closest to `name`, if one is close enough to be a typo. */
function closestModule(name: string, searchPath: readonly string[]): string | null {
  const names = new Set<string>(SDK_MODEL_MODULES);
  for (const dir of searchPath) {
    let seen = 0;
    const walk = (d: string, depth: number) => {
      let entries: string[];
      try {
        entries = readdirSync(d);
      } catch {
        return;
      }
      for (const e of entries) {
        if (++seen > 2000) return;
        const full = join(d, e);
        if (e.endsWith('.psl')) names.add(relative(dir, full).slice(0, -4).split(/[\\/]/).join('.'));
        else if (depth < 4 && !e.startsWith('.') && e !== 'node_modules') {
          try {
            if (statSync(full).isDirectory()) walk(full, depth + 1);
          } catch {
            /* unreadable: not a candidate */
          }
        }
      }
    };
    walk(dir, 0);
  }
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const n of names) {
    const d = editDistance(name, n);
    if (d < bestDistance) [best, bestDistance] = [n, d];
  }
  return best !== null && bestDistance <= Math.max(2, Math.floor(name.length / 4)) ? best : null;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++)
      row.push(Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1)));
    prev = row;
  }
  return prev[b.length]!;
}
