// A solution described in KasperskyOS formats, loaded into Cordon:
//
//   <dir>/einit/src/init.yaml(.in)   processes and static channels
//   <dir>/einit/src/security.psl(.in) the policy (and PAL tests in it or in
//                                     the files it includes)
//   <dir>/resources/xdl/**.edl|cdl|idl formal specifications
//   <dir>/cordon.yaml                 optional: placeholders, macros and
//                                     the scripted programs (cordon-yaml.ts)
//
// (init.yaml and security.psl may also sit in <dir>/einit or <dir> itself;
// the EDL/CDL/IDL search path is <dir>/resources/xdl, <dir>/resources, <dir>,
// then Cordon's SDK stand-ins.)
//
// Loading: templates are expanded (CMake `@NAME@` from cordon.yaml's
// placeholders; `{% if %}` blocks from the board's template variables, then
// cordon.yaml's variables); init.yaml macros without a value are left out
// with a warning; every task class named by a `use EDL` or an init.yaml
// entity is resolved with its components and interfaces (RIID/MID from the
// declarations, resolve.ts); each interface method gets io-ts codecs of its
// in / out / error parameters (codecs.ts); init.yaml's processes and
// connections complete the SolutionDecl. The classes `kl.core.Core` and
// `Einit` are Cordon's own (kernel-api.ts): a `use EDL` of either names the
// built-in class, and no file is read for it.
//
// Every error is a ParseError naming file:line:col.

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve as resolvePath, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileSolution, type ConnectionDecl, type InterfaceDecl, type ProcessDecl, type SolutionDecl, type SolutionTables, type TaskClassDecl } from '../kernel/solution.ts';
import { EINIT_CLASS, KERNEL_CLASS, KERNEL_INTERFACES } from '../kernel/kernel-api.ts';
import type { CompiledPolicy } from '../monitor/types.ts';
import { interfaceDecl } from '../interfaces/codecs.ts';
import { resolveTaskClasses, type FormalSpecs } from '../interfaces/resolve.ts';
import { loadInitYaml, type InitDescription } from '../interfaces/init-yaml.ts';
import { loadPolicy, type ResolvedPolicy } from '../policy/psl/resolve.ts';
import type { PalAssert } from '../policy/pal/ast.ts';
import { checkPalSupported } from '../policy/pal/run.ts';
import { ParseError } from '../template/errors.ts';
import { formatLoc, type Loc } from '../template/source.ts';
import type { TemplateValue, TemplateVariables } from '../template/board.ts';
import { boardVariable, DEFAULT_BOARD, getBoard, templateVariables, type Board } from '../../boards/index.ts';
import { initFacts, placeholderValue, readSdkBuild, type SdkBuild } from './cmake/build.ts';
import { listPlaceholders } from '../template/cmake.ts';
import { sourceFromText } from '../template/source.ts';
import { parseCordonYaml, type CordonYaml } from './cordon-yaml.ts';
import type { ProgramOp } from './manifest.ts';
import { compilePsl } from '../policy/compile/compile.ts';

/** Cordon's stand-ins for SDK files solutions refer to (system-program policy fragments and their EDL/IDL). */
export const SDK_DIR = fileURLToPath(new URL('./sdk/', import.meta.url));

export const CORDON_YAML = 'cordon.yaml';

/** Where the files of a KasperskyOS solution are. */
export interface KosLayout {
  /** the solution: its root, or for one of several einit configurations, that configuration's directory */
  readonly dir: string;
  /** the solution's root (the directory holding einit/ and the programs' folders) */
  readonly root: string;
  /** the einit configuration's name when the tree holds it as einit/<name>/, else null */
  readonly config: string | null;
  readonly init: string;
  readonly policy: string;
  /** EDL/CDL/IDL search directories, the solution's first */
  readonly xdl: readonly string[];
  /** PSL module search directories */
  readonly psl: readonly string[];
  readonly cordonYaml: string | null;
}

const INIT_NAMES = ['init.yaml.in', 'init.yaml'];
const POLICY_NAMES = ['security.psl.in', 'security.psl'];
/** Directories never searched for einit configurations or formal specifications. */
const SKIP = new Set(['node_modules', 'build', 'out', '.git', 'coverage', 'CMakeFiles', '_headers_']);

function isDir(p: string): boolean {
  return existsSync(p) && statSync(p).isDirectory();
}

function fileIn(dir: string, names: readonly string[]): string | null {
  for (const place of ['src', '.'])
    for (const n of names) {
      const f = join(dir, place, n);
      if (existsSync(f) && statSync(f).isFile()) return f;
    }
  return null;
}

/** Whether `dir` holds an einit configuration (its init.yaml(.in) or security.psl(.in), in it or its src/). */
function isConfig(dir: string): boolean {
  return fileIn(dir, INIT_NAMES) !== null || fileIn(dir, POLICY_NAMES) !== null;
}

function subdirs(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((d) => d.isDirectory() && !d.name.startsWith('.') && !SKIP.has(d.name))
      .map((d) => d.name)
      .sort();
  } catch {
    return [];
  }
}

/**
 * Every einit configuration of a tree, as the directory to load it from:
 * the solution root for `<root>/einit/src` (or `<root>/einit`, or files at
 * the root itself), and `<root>/einit/<name>` for each configuration of a
 * tree that holds several (`einit/<name>/src`, also under `kos/`, at any
 * depth up to four levels).
 */
export function findKosSolutions(tree: string): string[] {
  const top = resolvePath(tree);
  const found: string[] = [];
  const visit = (dir: string, depth: number) => {
    if (basename(dir) === 'einit') {
      if (isConfig(dir)) found.push(dirname(dir));
      else for (const n of subdirs(dir)) if (isConfig(join(dir, n))) found.push(join(dir, n));
      return;
    }
    if (depth === 0 && fileIn(dir, INIT_NAMES) !== null && !isDir(join(dir, 'einit'))) {
      found.push(dir);
      return;
    }
    if (depth >= 4) return;
    for (const n of subdirs(dir)) visit(join(dir, n), depth + 1);
  };
  visit(top, 0);
  return [...new Set(found)].sort();
}

/** The einit configuration directory and the solution root for a path, or null. */
function locate(dir: string): { config: string; root: string; name: string | null } | null {
  // a configuration directory itself: <root>/einit, <root>/einit/<name>, their src/, or a flat solution
  const inside = (d: string): { config: string; root: string; name: string | null } | null => {
    const parts = d.split(sep);
    const e = parts.lastIndexOf('einit');
    if (e < 0) return null;
    const einit = parts.slice(0, e + 1).join(sep) || sep;
    const rest = parts.slice(e + 1).filter((x) => x !== 'src');
    const config = rest.length === 0 ? einit : join(einit, rest[0]!);
    if (!isConfig(config)) return null;
    return { config, root: dirname(einit), name: rest.length === 0 ? null : rest[0]! };
  };
  const direct = inside(dir);
  if (direct !== null) return direct;
  const classic = join(dir, 'einit');
  if (isConfig(classic)) return { config: classic, root: dir, name: null };
  if (isConfig(dir) && !isDir(join(dir, 'einit'))) return { config: dir, root: dir, name: null };
  const configs = findKosSolutions(dir);
  if (configs.length === 0) return null;
  if (configs.length > 1)
    throw new ParseError({
      kind: 'validation',
      loc: { file: dir, line: 1, column: 1 },
      detail: `this tree holds ${configs.length} einit configurations (${configs.map((c) => relative(dir, c) || '.').join(', ')}): load one of them, or run \`cordon verify\` on the tree to verify each`,
    });
  const only = configs[0]!;
  if (isConfig(join(only, 'einit'))) return { config: join(only, 'einit'), root: only, name: null };
  return inside(only) ?? { config: only, root: only, name: null };
}

/** The folders where a solution's EDL/CDL/IDL files sit: resources/{xdl,edl,idl,cdl}, per-program resources, the root. */
function specDirs(root: string): string[] {
  const kinds = ['xdl', 'edl', 'idl', 'cdl'];
  const dirs = [...kinds.map((k) => join(root, 'resources', k)), join(root, 'resources'), root];
  for (const d of subdirs(root)) {
    if (d === 'einit' || d === 'resources') continue;
    const c = join(root, d);
    dirs.push(...kinds.map((k) => join(c, 'resources', k)), join(c, 'resources'), ...kinds.map((k) => join(c, k)), join(c, 'res'));
  }
  return dirs.filter(isDir);
}

/**
 * The layout of a KasperskyOS solution directory, or null when it holds
 * neither an init.yaml(.in) nor a security.psl(.in) (in it, its einit/,
 * einit/src/, or one einit/<name>/(src/) of a tree, also below kos/). A
 * template (`.in`) is preferred to a generated file beside it.
 * @throws ParseError when the tree holds several einit configurations, or one lacks a file
 */
export function detectKosLayout(path: string, sdk: readonly string[] = [SDK_DIR]): KosLayout | null {
  const start = resolvePath(path);
  if (!isDir(start)) return null;
  const at = locate(start);
  if (at === null) return null;
  const init = fileIn(at.config, INIT_NAMES);
  const policy = fileIn(at.config, POLICY_NAMES);
  const missing = (what: string) =>
    new ParseError({ kind: 'io', loc: { file: join(at.config, 'src', what), line: 1, column: 1 }, detail: `a KasperskyOS solution needs ${what}(.in) (looked in ${at.config} and its src/)` });
  if (init === null) throw missing('init.yaml');
  if (policy === null) throw missing('security.psl');
  const cordon = [join(at.config, CORDON_YAML), join(at.root, CORDON_YAML)].find((f) => existsSync(f)) ?? null;
  return {
    dir: at.name === null ? at.root : at.config,
    root: at.root,
    config: at.name,
    init,
    policy,
    xdl: [...specDirs(at.root), ...sdk],
    psl: [...new Set([dirname(policy), at.config, at.root]), ...sdk],
    cordonYaml: cordon,
  };
}

/** What compiles a loaded PSL policy against the solution's tables (src/policy/compile). */
export type PolicyCompiler = (input: { readonly name: string; readonly policy: ResolvedPolicy; readonly tables: SolutionTables; readonly specs: FormalSpecs }) => CompiledPolicy;

export interface KosLoadOptions {
  /** The board the solution is built for: its template variables (BOARD, …) select `{% if %}` branches (default: Cordon's default board). */
  readonly board?: Board;
  /** More template variables; they override the board's and cordon.yaml's. */
  readonly variables?: TemplateVariables;
  /** More CMake placeholder values; they override cordon.yaml's. */
  readonly placeholders?: Readonly<Record<string, string>>;
  /** The policy compiler (default: the PSL compiler, src/policy/compile). */
  readonly compile?: PolicyCompiler;
  /** SDK stand-in directories (default: Cordon's own). */
  readonly sdk?: readonly string[];
  /**
   * Values of CMake variables and `@VAR@` placeholders (`--define NAME=VALUE`):
   * they win over cordon.yaml, the SDK's computed macros and the solution's
   * own set() calls, and seed the CMake evaluation like `cmake -D`.
   */
  readonly defines?: Readonly<Record<string, string>>;
}

/** A PAL test set and the file it is written in. */
export interface PalSuite {
  readonly assert: PalAssert;
  readonly file: string;
}

export interface KosSolution {
  readonly name: string;
  readonly description: string | null;
  readonly layout: KosLayout;
  /** every file read (solution files and SDK stand-ins), in the order read */
  readonly files: readonly string[];
  readonly decl: SolutionDecl;
  readonly tables: SolutionTables;
  readonly specs: FormalSpecs;
  readonly policyAst: ResolvedPolicy;
  readonly policy: CompiledPolicy;
  readonly init: InitDescription;
  readonly tests: readonly PalSuite[];
  /** scripted programs from cordon.yaml, null when there are none */
  readonly programs: Readonly<Record<string, readonly ProgramOp[]>> | null;
  readonly untrusted: readonly string[];
  /** solution properties from cordon.yaml */
  readonly properties: CordonYaml['properties'];
  /** non-fatal notes, each with its place (`file:line:col: …`) */
  readonly warnings: readonly string[];
  /** milliseconds spent reading and checking the files (parse) and compiling the policy */
  readonly timings: { readonly parseMs: number; readonly compileMs: number };
}

/** Loads a KasperskyOS solution directory. @throws ParseError (file:line:col) on any problem in its files. */
/** The PSL compiler, as the loader calls it. */
export const compileKosPolicy: PolicyCompiler = ({ name, policy, tables }) => compilePsl(policy, tables, { name });

export function loadKosSolution(path: string, options: KosLoadOptions = {}): KosSolution {
  const t0 = performance.now();
  const layout = detectKosLayout(path, options.sdk ?? [SDK_DIR]);
  if (layout === null)
    throw new ParseError({ kind: 'io', loc: { file: resolvePath(path), line: 1, column: 1 }, detail: 'not a KasperskyOS solution: no init.yaml(.in) or security.psl(.in) in it, its einit/ or einit/src/' });
  const read: string[] = [];
  const readText = (file: string): string => {
    try {
      const text = readFileSync(file, 'utf8');
      read.push(file);
      return text;
    } catch (e) {
      throw new ParseError({ kind: 'io', loc: { file, line: 1, column: 1 }, detail: `cannot read it (${(e as NodeJS.ErrnoException).code ?? 'error'})` });
    }
  };
  const readIfExists = (file: string): string | undefined => (existsSync(file) && statSync(file).isFile() ? readText(file) : undefined);

  const cordon: CordonYaml | null = layout.cordonYaml === null ? null : parseCordonYaml(layout.cordonYaml, readText(layout.cordonYaml));
  const defines = options.defines ?? {};
  const placeholders = { ...(cordon?.placeholders ?? {}), ...(options.placeholders ?? {}), ...defines };
  const board = options.board ?? getBoard(DEFAULT_BOARD);
  const variables: Record<string, TemplateValue> = { ...templateVariables(board), ...(cordon?.variables ?? {}), ...(options.variables ?? {}) };

  // the SDK's build inputs: the CMake files, the image call, the files nk_build_* names, generated EDLs
  const configCmake: string[] = [];
  for (let d = dirname(layout.init); d.startsWith(layout.root) && d !== dirname(layout.root); d = dirname(d)) configCmake.push(join(d, 'CMakeLists.txt'));
  const build = readSdkBuild(layout.root, { defines, builtins: { CMAKE_SYSTEM_BOARD: boardVariable(board) }, qemu: board.id.startsWith('qemu'), init: layout.init, policy: layout.policy, extraFiles: configCmake.reverse() });
  const initText = readText(layout.init);
  const facts = initFacts(blankPlaceholders(layout.init, initText));
  // placeholders outside the INIT_ family may name connection targets (`target: @ROOTFS_ENTITY@`)
  const plain = (n: string): string | undefined => {
    if (n.startsWith('INIT_')) return undefined;
    if (Object.hasOwn(placeholders, n)) return placeholders[n];
    try {
      return placeholderValue(n, { file: layout.init, line: 1, column: 1 }, 'init', { build, defines, init: facts, external: [] });
    } catch {
      return undefined;
    }
  };
  const external = externalPrograms(initText, build, cordon?.macros ?? {}, plain);
  const computed: string[] = [];
  const sdkValue = (file: 'init' | 'psl') => (name: string, _offset: number, loc: Loc): string => {
    const v = placeholderValue(name, loc, file, { build, defines, init: facts, external });
    if (v === '' && name.startsWith('INIT_')) computed.push(`${formatLoc(loc)}: macro @${name}@ is empty in this build (${emptyReason(name)})`);
    return v;
  };
  const initResolve = sdkValue('init');

  // init.yaml: processes and static channels
  const macros = Object.fromEntries(Object.entries(cordon?.macros ?? {}).filter(([k]) => !Object.hasOwn(defines, k)));
  const init = loadInitYaml({ file: layout.init, text: initText }, { macros, variables: placeholders, onUndefinedMacro: 'strip', resolve: (n, loc) => initResolve(n, 0, loc) });
  const warnings = [...init.warnings.map((w) => `${formatLoc(w.loc)}: ${w.message}`), ...computed.splice(0)];

  // the policy and everything it includes
  const pslResolve = sdkValue('psl');
  const policyAst = loadPolicy(layout.policy, {
    searchPath: layout.psl,
    readFile: readIfExists,
    placeholders: (n, o, loc) => (Object.hasOwn(placeholders, n) ? placeholders[n] : pslResolve(n, o, loc)),
    board: variables,
  });
  warnings.push(...computed);

  // task classes: every `use EDL` and every init.yaml entity; the kernel and Einit are built in
  const builtin = new Set([KERNEL_CLASS, EINIT_CLASS]);
  const requests: { name: string; loc: Loc }[] = [];
  const requested = new Set<string>();
  const request = (name: string, loc: Loc) => {
    if (requested.has(name)) return;
    requested.add(name);
    requests.push({ name, loc });
  };
  for (const e of policyAst.edl) if (!builtin.has(e.taskClass)) request(e.taskClass, e.loc);
  for (const p of init.processes) {
    if (builtin.has(p.taskClass))
      throw new ParseError({ kind: 'validation', loc: p.loc, detail: `entity ${p.name}: task class ${p.taskClass} is the ${p.taskClass === EINIT_CLASS ? 'initializing program' : 'kernel'}; it is started by the system, not listed in init.yaml` });
    if (builtin.has(p.name)) throw new ParseError({ kind: 'validation', loc: p.loc, detail: `process name ${p.name} is reserved (give the entity another task name)` });
    request(p.taskClass, p.loc);
  }
  const specs = resolveTaskClasses(requests, { searchPath: layout.xdl, readFile: readIfExists, candidates: specCandidates(layout, build) });

  const classes: TaskClassDecl[] = [];
  for (const r of requests) {
    const c = specs.taskClasses.get(r.name)!;
    const [security, second] = c.securityInterfaces;
    if (second !== undefined)
      throw new ParseError({ kind: 'unsupported', loc: second.loc, detail: `a second security interface in task class ${c.name} (Cordon gives a class one security interface; the first is at ${formatLoc(security!.loc)})` });
    classes.push({ name: c.name, endpoints: c.endpoints.map((e) => ({ name: e.qualifiedName, interface: e.interface.name })), ...(security === undefined ? {} : { security: security.interface.name }) });
  }
  const kernelInterfaces = new Set(KERNEL_INTERFACES.map((i) => i.name));
  for (const i of specs.interfaces.values())
    if (kernelInterfaces.has(i.name))
      throw new ParseError({ kind: 'validation', loc: i.loc, detail: `interface ${i.name} has the name of an interface of Cordon's kernel (${[...kernelInterfaces].join(', ')}); the kernel class ${KERNEL_CLASS} is built in, rename the package` });
  const interfaces: InterfaceDecl[] = [...specs.interfaces.values()].map(interfaceDecl);

  const byProcess = new Map(init.processes.map((p) => [p.name, p]));
  for (const c of init.connections) {
    const server = byProcess.get(c.server)!;
    const cls = specs.taskClasses.get(server.taskClass)!;
    if (cls.endpoints.length === 0)
      throw new ParseError({ kind: 'validation', loc: c.loc, detail: `connection ${c.id} to ${c.server}: its task class ${cls.name} declares no endpoints (${formatLoc(cls.loc)}), so it cannot serve a channel` });
    if (c.client === c.server) throw new ParseError({ kind: 'validation', loc: c.loc, detail: `connection ${c.id}: process ${c.client} cannot connect to itself` });
  }
  const processes: ProcessDecl[] = init.processes.map((p) => ({ name: p.name, taskClass: p.taskClass }));
  const connections: ConnectionDecl[] = init.connections.map((c) => ({ client: c.client, server: c.server, id: c.id }));
  const name = cordon?.name ?? (layout.config === null ? basename(layout.root) : `${basename(layout.root)}-${layout.config}`);
  const decl: SolutionDecl = { name, interfaces, classes, processes, connections };
  const compiled = compileSolution(decl);
  if (!compiled.ok) throw new ParseError({ kind: 'validation', loc: { file: layout.init, line: 1, column: 1 }, detail: compiled.errors.join('; ') });

  // cordon.yaml programs and untrusted processes must name processes of init.yaml
  if (cordon !== null) {
    for (const p of Object.keys(cordon.programs ?? {}))
      if (!byProcess.has(p)) throw new ParseError({ kind: 'reference', loc: cordon.at(['programs', p]), detail: `programs: ${p} is not a process that ${layout.init} starts (processes: ${[...byProcess.keys()].join(', ')})` });
    cordon.untrusted.forEach((u, i) => {
      if (!byProcess.has(u)) throw new ParseError({ kind: 'reference', loc: cordon.at(['untrusted', i]), detail: `untrusted: ${u} is not a process that ${layout.init} starts (processes: ${[...byProcess.keys()].join(', ')})` });
    });
  }

  const tests: PalSuite[] = policyAst.declarations.filter((d): d is PalAssert => d.kind === 'palAssert').map((a) => ({ assert: a, file: a.loc.file }));
  checkPalSupported(tests.map((x) => x.assert));
  const t1 = performance.now();
  const policy = (options.compile ?? compileKosPolicy)({ name, policy: policyAst, tables: compiled.value, specs });
  const t2 = performance.now();

  const files = [...new Set([...read, ...(build.model?.files ?? []), ...specs.files])];
  return {
    name,
    description: cordon?.description ?? null,
    layout,
    files,
    decl,
    tables: compiled.value,
    specs,
    policyAst,
    policy,
    init,
    tests,
    programs: cordon?.programs ?? null,
    untrusted: cordon?.untrusted ?? [],
    properties: cordon?.properties ?? [],
    warnings,
    timings: { parseMs: t1 - t0, compileMs: t2 - t1 },
  };
}

/** The text with every `@VAR@` blanked out (same offsets), for reading its structure before values are known. */
function blankPlaceholders(file: string, text: string): string {
  let out = text;
  for (const p of listPlaceholders(sourceFromText(file, text))) out = out.slice(0, p.start) + ' '.repeat(p.end - p.start) + out.slice(p.end);
  return out;
}

function emptyReason(name: string): string {
  if (name === 'INIT_EXTERNAL_ENTITIES') return 'no connection target is an SDK program outside init.yaml';
  const m = /^INIT_(.+)_ENTITY_(CONNECTIONS\+?|ARGS|ENV)$/.exec(name);
  const prop = m?.[2]?.startsWith('CONNECTIONS') ? 'EXTRA_CONNECTIONS' : m?.[2] === 'ARGS' ? 'EXTRA_ARGS' : 'EXTRA_ENV';
  return `the CMake files give ${m?.[1] ?? 'the program'} no ${prop}; Cordon does not infer the system programs a program links with`;
}

/**
 * The SDK programs INIT_EXTERNAL_ENTITIES starts: connection targets (in
 * init.yaml, in the programs' EXTRA_CONNECTIONS and in cordon.yaml's
 * macros) that no entity of init.yaml starts, in order of appearance.
 */
function externalPrograms(initText: string, build: SdkBuild, macros: Readonly<Record<string, string>>, plain: (name: string) => string | undefined): string[] {
  let filled = initText;
  for (const p of listPlaceholders(sourceFromText('init.yaml', initText)).reverse()) filled = filled.slice(0, p.start) + (plain(p.name) ?? ' '.repeat(p.end - p.start)) + filled.slice(p.end);
  const facts = initFacts(filled);
  const targets = [...facts.targets];
  const more = (yamlItems: string) => {
    for (const t of initFacts(`entities:\n- name: x\n  connections:\n${yamlItems.replace(/^\s*connections:\s*\n/, '').split('\n').map((l) => `  ${l}`).join('\n')}\n`).targets) if (!targets.includes(t)) targets.push(t);
  };
  for (const p of listPlaceholders(sourceFromText('init.yaml', initText))) {
    const m = /^INIT_(.+)_ENTITY_CONNECTIONS\+?$/.exec(p.name);
    if (m === null) continue;
    const prop = build.property(m[1]!, 'EXTRA_CONNECTIONS');
    if (prop?.known) more(prop.value);
    const macro = macros[p.name] ?? macros[p.name.replace(/\+$/, '')];
    if (macro !== undefined) more(macro);
  }
  return targets.filter((t) => !facts.processes.includes(t) && t.trim() !== '');
}

/** Where a dotted name's file may be besides package paths: the files nk_build_* names, generated EDLs, flat resource folders. */
function specCandidates(layout: KosLayout, build: SdkBuild): (name: string, ext: '.edl' | '.cdl' | '.idl') => { path: string; source?: import('../template/source.ts').Source }[] {
  const flat = layout.xdl.filter((d) => d.startsWith(layout.root));
  return (name, ext) => {
    const out: { path: string; source?: import('../template/source.ts').Source }[] = [];
    const nk = build.nkFiles.get(name + ext);
    if (nk !== undefined) out.push({ path: nk.path });
    if (ext === '.edl') {
      const g = build.generated.get(name);
      if (g !== undefined) out.push({ path: g.call.loc.file, source: g.source });
    }
    const short = `${name.split('.').pop()}${ext}`;
    for (const d of flat) {
      const f = join(d, short);
      if (existsSync(f) && statSync(f).isFile()) out.push({ path: f });
    }
    if (out.length === 0 && ext === '.edl') {
      const m = build.missing.get(name);
      const packaged = layout.xdl.some((d) => existsSync(join(d, name.split('.').join('/') + ext)));
      if (m !== undefined && !packaged)
        throw new ParseError({
          kind: 'reference',
          loc: m.call.loc,
          detail: `task class ${name}: its EDL ${relative(layout.root, m.path)} is made by the build (${m.call.text.replace(/\s+/g, ' ')}), but it is not in the tree and no generate_edl_file() call writes it; generate it with generate_edl_file(${name.split('.').pop()} PREFIX ${name.split('.').slice(0, -1).join('.')} …) or add the file`,
        });
    }
    return out;
  };
}
