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

import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve as resolvePath } from 'node:path';
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
import { DEFAULT_BOARD, getBoard, templateContext, type Board } from '../../boards/index.ts';
import { parseCordonYaml, type CordonYaml } from './cordon-yaml.ts';
import type { ProgramOp } from './manifest.ts';
import { compilePsl } from '../policy/compile/compile.ts';

/** Cordon's stand-ins for SDK files solutions refer to (system-program policy fragments and their EDL/IDL). */
export const SDK_DIR = fileURLToPath(new URL('./sdk/', import.meta.url));

export const CORDON_YAML = 'cordon.yaml';

/** Where the files of a KasperskyOS solution are. */
export interface KosLayout {
  readonly dir: string;
  readonly init: string;
  readonly policy: string;
  /** EDL/CDL/IDL search directories, the solution's first */
  readonly xdl: readonly string[];
  /** PSL module search directories */
  readonly psl: readonly string[];
  readonly cordonYaml: string | null;
}

const PLACES = ['einit/src', 'einit', '.'];

function firstFile(dir: string, names: readonly string[]): string | null {
  for (const place of PLACES)
    for (const n of names) {
      const f = join(dir, place, n);
      if (existsSync(f) && statSync(f).isFile()) return f;
    }
  return null;
}

/**
 * The layout of a KasperskyOS solution directory, or null when it holds
 * neither an init.yaml(.in) nor a security.psl(.in). A template (`.in`) is
 * preferred to a generated file beside it.
 */
export function detectKosLayout(path: string, sdk: readonly string[] = [SDK_DIR]): KosLayout | null {
  const dir = resolvePath(path);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return null;
  const init = firstFile(dir, ['init.yaml.in', 'init.yaml']);
  const policy = firstFile(dir, ['security.psl.in', 'security.psl']);
  if (init === null && policy === null) return null;
  const missing = (what: string) =>
    new ParseError({ kind: 'io', loc: { file: join(dir, 'einit/src', what), line: 1, column: 1 }, detail: `a KasperskyOS solution needs ${what}(.in) (looked in ${PLACES.join(', ')} of ${dir})` });
  if (init === null) throw missing('init.yaml');
  if (policy === null) throw missing('security.psl');
  const xdl = [join(dir, 'resources', 'xdl'), join(dir, 'resources'), dir].filter((d) => existsSync(d));
  const cordon = join(dir, CORDON_YAML);
  return {
    dir,
    init,
    policy,
    xdl: [...xdl, ...sdk],
    psl: [...new Set([dirname(policy), dir]), ...sdk],
    cordonYaml: existsSync(cordon) ? cordon : null,
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
  /** constructs the policy uses that Cordon cannot model ("unsupported construct X at file:line:col"); the rules using them deny */
  readonly notModelled: readonly string[];
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
  const placeholders = { ...(cordon?.placeholders ?? {}), ...(options.placeholders ?? {}) };
  const variables: Record<string, TemplateValue> = { ...templateContext(options.board ?? getBoard(DEFAULT_BOARD)), ...(cordon?.variables ?? {}), ...(options.variables ?? {}) };

  // init.yaml: processes and static channels
  const init = loadInitYaml({ file: layout.init, text: readText(layout.init) }, { macros: cordon?.macros ?? {}, variables: placeholders, onUndefinedMacro: 'strip' });
  const warnings = init.warnings.map((w) => `${formatLoc(w.loc)}: ${w.message}`);

  // the policy and everything it includes
  const policyAst = loadPolicy(layout.policy, { searchPath: layout.psl, readFile: readIfExists, placeholders, board: variables });

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
  const specs = resolveTaskClasses(requests, { searchPath: layout.xdl, readFile: readIfExists });

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
  const name = cordon?.name ?? basename(layout.dir);
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

  const files = [...new Set([...read, ...specs.files])];
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
    notModelled: (policy as { readonly notModelled?: readonly string[] }).notModelled ?? [],
    timings: { parseMs: t1 - t0, compileMs: t2 - t1 },
  };
}
