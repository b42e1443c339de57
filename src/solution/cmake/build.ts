/**
 * The SDK's build inputs of a KasperskyOS solution, computed the way its
 * CMake build computes them:
 *
 * - the value of every `@VAR@` of `init.yaml.in` and `security.psl.in`:
 *   `--define NAME=VALUE` first; then the macros the SDK's
 *   `build_kos_qemu_image` / `build_kos_hw_image` define
 *   (`@INIT_EXTERNAL_ENTITIES@`, `@INIT_<program>_ENTITY_CONNECTIONS@` and
 *   its `+` form, `@INIT_<program>_ENTITY_ARGS@`, `@INIT_<program>_ENTITY_ENV@`),
 *   from the solution's processes, the SDK programs they connect to and the
 *   programs' `EXTRA_CONNECTIONS` / `EXTRA_ARGS` / `EXTRA_ENV` target
 *   properties; the image call's own arguments (`@EINIT_ENTITY@`,
 *   `@KLOG_ENTITY@` and `@KlogEntityTarget@`, …); then any variable the
 *   solution's CMake sets, in the scope of the image call;
 * - where the EDL/CDL/IDL files the build compiles are: `nk_build_edl_files`,
 *   `nk_build_cdl_files`, `nk_build_idl_files` and `add_nk_*` install a file
 *   as `<NK_MODULE>/<file name>`, so the call tells which dotted name a file
 *   has wherever it sits;
 * - the EDLs the build generates: `generate_edl_file(<name> PREFIX <module>
 *   EDL_COMPONENTS "<instance>: <component>" … SECURITY <interface>)` writes
 *   `task class <module>.<name>` with those components; an
 *   `nk_build_edl_files` whose EDL is neither in the tree nor generated is
 *   reported at its CMake line.
 */
import { existsSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve as resolvePath } from 'node:path';
import { isMap, isScalar, isSeq, parseDocument } from 'yaml';
import { ParseError } from '../../syntax/errors.ts';
import { formatLoc, type Loc, type Source } from '../../syntax/source.ts';
import { evaluateCmake, keywordArgs, type CmakeModel, type Element, type SdkCall, type VarValue } from './lists.ts';

/** The documented parameters of the SDK functions (KasperskyOS CE CMake library reference). */
export const SDK_SIGNATURES = {
  nk_build_edl_files: {
    single: ['CDL_TARGET', 'IDL_TARGET', 'NK_MODULE', 'WORKING_DIRECTORY', 'EDL'],
    multi: ['DEPENDS', 'NK_FLAGS'],
    options: ['NOINSTALL'],
    file: 'EDL',
    usage:
      'nk_build_edl_files(<target> [NOINSTALL] [CDL_TARGET <t>] [IDL_TARGET <t>] NK_MODULE <module> [WORKING_DIRECTORY <dir>] [DEPENDS <t>…] EDL <file.edl> [NK_FLAGS …])',
  },
  nk_build_cdl_files: {
    single: ['IDL_TARGET', 'NK_MODULE', 'WORKING_DIRECTORY', 'CDL'],
    multi: ['DEPENDS', 'NK_FLAGS'],
    options: ['NOINSTALL'],
    file: 'CDL',
    usage:
      'nk_build_cdl_files(<target> [NOINSTALL] [IDL_TARGET <t>] NK_MODULE <module> [WORKING_DIRECTORY <dir>] [DEPENDS <t>…] CDL <file.cdl> [NK_FLAGS …])',
  },
  nk_build_idl_files: {
    single: ['NK_MODULE', 'WORKING_DIRECTORY'],
    multi: ['IDL', 'DEPENDS', 'NK_FLAGS'],
    options: ['NOINSTALL'],
    file: 'IDL',
    usage:
      'nk_build_idl_files(<target> [NOINSTALL] NK_MODULE <module> [WORKING_DIRECTORY <dir>] [DEPENDS <t>…] IDL <file.idl> [NK_FLAGS …])',
  },
  generate_edl_file: {
    single: ['PREFIX', 'SECURITY', 'OUTPUT_DIR', 'OUTPUT_FILE'],
    multi: ['EDL_COMPONENTS'],
    options: [] as string[],
    file: '',
    usage:
      'generate_edl_file(<name> [PREFIX <module>] [EDL_COMPONENTS "<instance>: <component>"…] [SECURITY <interface>] [OUTPUT_DIR <dir>] [OUTPUT_FILE <file>])',
  },
  add_nk_edl: {
    single: ['NK_MODULE', 'LANG', 'WORKING_DIRECTORY'],
    multi: [],
    options: ['NOINSTALL'],
    file: '',
    usage: 'add_nk_edl(<target> <file.edl> NK_MODULE <module> [LANG CXX])',
  },
  add_nk_idl: {
    single: ['NK_MODULE', 'LANG', 'WORKING_DIRECTORY'],
    multi: [],
    options: ['NOINSTALL'],
    file: '',
    usage: 'add_nk_idl(<target> <file.idl> NK_MODULE <module> [LANG CXX])',
  },
  add_nk_cdl: {
    single: ['NK_MODULE', 'LANG', 'WORKING_DIRECTORY'],
    multi: [],
    options: ['NOINSTALL'],
    file: '',
    usage: 'add_nk_cdl(<target> <file.cdl> NK_MODULE <module> [LANG CXX])',
  },
  image: {
    single: [
      'EINIT_ENTITY',
      'CONNECTIONS_CFG',
      'SECURITY_PSL',
      'KLOG_ENTITY',
      'IMAGE_BINARY_DIR_BIN',
      'GINGER_ENABLE',
      'PACK_DEPS_COPY_ONLY',
      'PACK_DEPS_LIBS_PATH',
      'PACK_DEPS_COPY_TARGET',
      'QEMU_ENV',
    ],
    multi: [
      'EXTRA_XDL_DIR',
      'IMAGE_FILES',
      'QEMU_FLAGS',
      'QEMU_DEPENDENCIES',
      'GINGER_DEFINITIONS',
      'EDL_TARGETS',
      'PACK_DEPS_EXTRA_LIBRARIES',
    ],
    options: ['PERFCNT_KERNEL', 'GDBSTUB_KERNEL', 'NO_AUTO_BLOB_CONTAINER', 'PACK_DEPS'],
    file: '',
    usage:
      'build_kos_qemu_image(<target> EINIT_ENTITY <name> CONNECTIONS_CFG <init.yaml(.in)> SECURITY_PSL <security.psl(.in)> [KLOG_ENTITY <target>] … IMAGE_FILES <programs>…)',
  },
} as const;

/** SDK system programs whose start-up entry (`INIT_EXTERNAL_ENTITIES`) Cordon knows beyond the class name: from init.yaml files the SDK's build generated, as published. */
const EXTERNAL_ENTRY: Readonly<Record<string, string>> = {
  'kl.core.DCM': '  path: dcm\n  dynamic_connection_manager: true',
  'kl.EntropyEntity': '  path: Entropy',
};

export interface GeneratedEdl {
  readonly taskClass: string;
  readonly source: Source;
  readonly call: SdkCall;
}

export interface SdkBuild {
  readonly model: CmakeModel | null;
  /** the build_kos_*_image call that builds this einit configuration */
  readonly image: SdkCall | null;
  /** files named by nk_build_*_files / add_nk_* calls: `<dotted name><ext>` → path */
  readonly nkFiles: ReadonlyMap<string, { readonly path: string; readonly loc: Loc }>;
  /** EDLs generate_edl_file writes, by task class */
  readonly generated: ReadonlyMap<string, GeneratedEdl>;
  /** nk_build_edl_files calls whose EDL is neither in the tree nor generated, by task class */
  readonly missing: ReadonlyMap<string, { readonly path: string; readonly call: SdkCall }>;
  /** a CMake variable as configure_file would see it for this configuration */
  variable(name: string): VarValue | undefined;
  /** a target property (EXTRA_CONNECTIONS, EXTRA_ARGS, EXTRA_ENV, …) */
  property(target: string, name: string): { value: string; known: boolean; loc: Loc; why?: string } | undefined;
  /** the CMake targets that are programs (add_executable) */
  readonly executables: ReadonlySet<string>;
  readonly notes: readonly string[];
}

function elementsText(els: readonly Element[]): string {
  return els.map((e) => e.value).join(' ');
}

function wrongCall(call: SdkCall, e: Element, usage: string, allowed: readonly string[]): never {
  throw new ParseError({
    kind: 'validation',
    loc: e.arg.loc,
    detail: `${call.name}: unexpected argument "${e.value}" (expected ${usage}; keywords: ${allowed.join(', ')})`,
  });
}

function absolute(dir: string, p: string): string {
  return isAbsolute(p) ? p : join(dir, p);
}

/** A text whose every piece maps to the CMake argument it came from. */
function piecewiseSource(file: string, pieces: readonly { text: string; loc: Loc }[]): Source {
  const starts: number[] = [];
  let text = '';
  for (const p of pieces) {
    starts.push(text.length);
    text += p.text;
  }
  return {
    file,
    text,
    locate(offset: number): Loc {
      let k = 0;
      while (k + 1 < starts.length && starts[k + 1]! <= offset) k++;
      return pieces[k]?.loc ?? { file, line: 1, column: 1 };
    },
  };
}

export interface ReadBuildOptions {
  readonly defines?: Readonly<Record<string, string>>;
  /** CMake's view of the board: CMAKE_SYSTEM_BOARD, … */
  readonly builtins?: Readonly<Record<string, string>>;
  /** the board is a QEMU board: prefer build_kos_qemu_image over build_kos_hw_image */
  readonly qemu?: boolean;
  /** the einit configuration's files (to find its image call) */
  readonly init: string;
  readonly policy: string;
  /** CMake files of the einit configuration that add_subdirectory() may not reach */
  readonly extraFiles?: readonly string[];
}

/** Reads the solution's CMake build (null model when it has no CMakeLists.txt). @throws ParseError */
export function readSdkBuild(root: string, options: ReadBuildOptions): SdkBuild {
  const model = evaluateCmake(
    root,
    {
      ...(options.defines ? { defines: options.defines } : {}),
      ...(options.builtins ? { builtins: options.builtins } : {}),
    },
    options.extraFiles ?? [],
  );
  const calls = model?.calls ?? [];
  const nkFiles = new Map<string, { path: string; loc: Loc }>();
  const generated = new Map<string, GeneratedEdl>();
  const missing = new Map<string, { path: string; call: SdkCall }>();
  const generators = new Map<string, { call: SdkCall; kw: ReturnType<typeof keywordArgs> }>();

  // generate_edl_file: which files it writes
  for (const call of calls.filter((c) => c.name === 'generate_edl_file')) {
    const sig = SDK_SIGNATURES.generate_edl_file;
    const kw = keywordArgs(call.elements, sig);
    const name = kw.positional[0];
    if (name === undefined)
      throw new ParseError({
        kind: 'validation',
        loc: call.loc,
        detail: `generate_edl_file: the EDL name is missing (expected ${sig.usage})`,
      });
    if (kw.positional.length > 1) wrongCall(call, kw.positional[1]!, sig.usage, [...sig.single, ...sig.multi]);
    if (kw.unknownAfter[0] !== undefined) wrongCall(call, kw.unknownAfter[0], sig.usage, [...sig.single, ...sig.multi]);
    const out =
      kw.single.get('OUTPUT_FILE')?.value ??
      join(
        kw.single.get('OUTPUT_DIR')?.value ?? call.scope.get('CMAKE_CURRENT_BINARY_DIR')?.value ?? call.dir,
        `${name.value}.edl`,
      );
    generators.set(resolvePath(out), { call, kw });
  }

  const nkCall = (
    call: SdkCall,
    sig: (typeof SDK_SIGNATURES)['nk_build_edl_files' | 'nk_build_cdl_files' | 'nk_build_idl_files'],
    ext: string,
  ) => {
    const kw = keywordArgs(call.elements, sig);
    const allowed = [...sig.options, ...sig.single, ...sig.multi];
    if (kw.positional.length === 0)
      throw new ParseError({
        kind: 'validation',
        loc: call.loc,
        detail: `${call.name}: the target name is missing (expected ${sig.usage})`,
      });
    if (kw.positional.length > 1) wrongCall(call, kw.positional[1]!, sig.usage, allowed);
    if (kw.unknownAfter[0] !== undefined) wrongCall(call, kw.unknownAfter[0], sig.usage, allowed);
    const files =
      sig.file === 'IDL' ? (kw.multi.get('IDL') ?? []) : kw.single.has(sig.file) ? [kw.single.get(sig.file)!] : [];
    if (files.length === 0)
      throw new ParseError({
        kind: 'validation',
        loc: call.loc,
        detail: `${call.name}: no ${sig.file} argument naming the ${ext} file (expected ${sig.usage})`,
      });
    const module = kw.single.get('NK_MODULE');
    return { files, module, kw };
  };

  for (const call of calls) {
    const sigName = call.name as keyof typeof SDK_SIGNATURES;
    if (
      call.name === 'nk_build_edl_files' ||
      call.name === 'nk_build_cdl_files' ||
      call.name === 'nk_build_idl_files'
    ) {
      const ext = call.name === 'nk_build_edl_files' ? '.edl' : call.name === 'nk_build_cdl_files' ? '.cdl' : '.idl';
      const { files, module } = nkCall(call, SDK_SIGNATURES[call.name], ext);
      for (const f of files) {
        if (!f.known || (module !== undefined && !module.known)) continue;
        const path = resolvePath(absolute(call.dir, f.value));
        const stem = basename(path).replace(/\.(edl|cdl|idl)$/, '');
        const gen = generators.get(path);
        if (ext === '.edl' && gen !== undefined) {
          const prefix = gen.kw.single.get('PREFIX')?.value ?? module?.value;
          const n = gen.kw.positional[0]!.value;
          const taskClass = prefix === undefined || prefix === '' ? n : `${prefix}.${n}`;
          generated.set(taskClass, { taskClass, source: generatedEdl(taskClass, gen.call, gen.kw), call: gen.call });
          continue;
        }
        const dotted = module === undefined || module.value === '' ? null : `${module.value}.${stem}`;
        if (existsSync(path)) {
          if (dotted !== null) nkFiles.set(dotted + ext, { path, loc: f.arg.loc });
        } else if (ext === '.edl' && dotted !== null) missing.set(dotted, { path, call });
        else if (dotted !== null) nkFiles.set(dotted + ext, { path, loc: f.arg.loc });
      }
    } else if (call.name === 'add_nk_edl' || call.name === 'add_nk_idl' || call.name === 'add_nk_cdl') {
      const sig = SDK_SIGNATURES[sigName as 'add_nk_edl'];
      const kw = keywordArgs(call.elements, sig);
      const file = kw.positional[1];
      const module = kw.single.get('NK_MODULE');
      if (file === undefined)
        throw new ParseError({
          kind: 'validation',
          loc: call.loc,
          detail: `${call.name}: the file argument is missing (expected ${sig.usage})`,
        });
      if (!file.known || module === undefined || !module.known) continue;
      const path = resolvePath(absolute(call.dir, file.value));
      const ext = `.${call.name.slice(-3)}`;
      nkFiles.set(`${module.value}.${basename(path).replace(/\.(edl|cdl|idl)$/, '')}${ext}`, {
        path,
        loc: file.arg.loc,
      });
    }
  }
  // generate_edl_file outputs that no nk_build_edl_files compiles still exist for the policy compiler
  for (const gen of generators.values()) {
    const prefix = gen.kw.single.get('PREFIX')?.value;
    const n = gen.kw.positional[0]!.value;
    const taskClass = prefix === undefined || prefix === '' ? n : `${prefix}.${n}`;
    if (!generated.has(taskClass) && ![...generated.values()].some((g) => g.call === gen.call))
      generated.set(taskClass, { taskClass, source: generatedEdl(taskClass, gen.call, gen.kw), call: gen.call });
  }

  // the image call of this einit configuration
  const images = calls.filter((c) => c.name === 'build_kos_qemu_image' || c.name === 'build_kos_hw_image');
  const same = (a: string, b: string) => a === b || a === `${b}.in` || `${a}.in` === b;
  const forThis = images.filter((c) => {
    const kw = keywordArgs(c.elements, SDK_SIGNATURES.image);
    const cfg = kw.single.get('CONNECTIONS_CFG');
    const psl = kw.single.get('SECURITY_PSL');
    const hits = (e: Element | undefined, file: string) =>
      e !== undefined && e.known && same(resolvePath(absolute(c.dir, e.value)), file);
    return hits(cfg, options.init) || hits(psl, options.policy);
  });
  const candidates = forThis.length > 0 ? forThis : images.filter((c) => dirname(options.init).startsWith(c.dir));
  const pick = (list: SdkCall[]) =>
    list.find(
      (c) => c.name === (options.qemu === false ? 'build_kos_hw_image' : 'build_kos_qemu_image') && c.certain,
    ) ??
    list.find((c) => c.certain) ??
    list[0] ??
    null;
  const image = pick(candidates.length > 0 ? candidates : images.length === 1 ? images : []);

  const scope = image?.scope ?? model?.topScope ?? new Map<string, VarValue>();
  return {
    model,
    image,
    nkFiles,
    generated,
    missing,
    variable: (name) => scope.get(name),
    property: (target, name) => model?.properties.get(target)?.get(name),
    executables: new Set(model?.executables.keys() ?? []),
    notes: model?.notes ?? [],
  };
}

function generatedEdl(taskClass: string, call: SdkCall, kw: ReturnType<typeof keywordArgs>): Source {
  const pieces: { text: string; loc: Loc }[] = [{ text: `task class ${taskClass}\n`, loc: kw.positional[0]!.arg.loc }];
  const security = kw.single.get('SECURITY');
  if (security !== undefined) pieces.push({ text: `security ${security.value}\n`, loc: security.arg.loc });
  const components = kw.multi.get('EDL_COMPONENTS') ?? [];
  if (components.length > 0) {
    pieces.push({ text: 'components {\n', loc: call.loc });
    for (const c of components) {
      const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*:\s*([A-Za-z_][A-Za-z0-9_.]*)\s*$/.exec(c.value);
      if (m === null)
        throw new ParseError({
          kind: 'validation',
          loc: c.arg.loc,
          detail: `generate_edl_file: EDL_COMPONENTS "${c.value}" is not "<instance>: <component>" (e.g. "env: kl.Env")`,
        });
      pieces.push({ text: `    ${m[1]} : ${m[2]}\n`, loc: c.arg.loc });
    }
    pieces.push({ text: '}\n', loc: call.loc });
  }
  return piecewiseSource(call.loc.file, pieces);
}

/* ------------------------------------------------------- placeholders */

export interface InitFacts {
  /** process names started by init.yaml (task, or class name) */
  readonly processes: readonly string[];
  /** task classes and executables of init.yaml's entities */
  readonly classes: readonly string[];
  readonly paths: readonly string[];
  /** connection targets, in order of first appearance */
  readonly targets: readonly string[];
}

/** Names, classes, paths and connection targets of an init.yaml text (for placeholder values; errors are left to the real load). */
export function initFacts(text: string): InitFacts {
  const doc = parseDocument(text, { prettyErrors: false, strict: false, uniqueKeys: false });
  const processes: string[] = [];
  const classes: string[] = [];
  const paths: string[] = [];
  const targets: string[] = [];
  const top = doc.contents;
  const entities = isMap(top) ? top.get('entities', true) : null;
  if (isSeq(entities))
    for (const e of entities.items) {
      if (!isMap(e)) continue;
      const s = (k: string) => {
        const v = e.get(k, true);
        return isScalar(v) && v.value !== null && v.value !== undefined ? String(v.value) : undefined;
      };
      const n = s('name');
      if (n !== undefined) classes.push(n);
      const task = s('task') ?? n;
      if (task !== undefined) processes.push(task);
      paths.push(s('path') ?? n?.split('.').pop() ?? '');
      const conns = e.get('connections', true);
      if (isSeq(conns))
        for (const c of conns.items) {
          if (!isMap(c)) continue;
          const t = c.get('target', true);
          if (isScalar(t) && typeof t.value === 'string' && t.value.length > 0 && !targets.includes(t.value))
            targets.push(t.value);
        }
    }
  return { processes, classes, paths, targets };
}

function dedent(text: string): string {
  const lines = text.replace(/^\n+/, '').replace(/\s+$/, '').split('\n');
  const indents = lines.filter((l) => l.trim().length > 0).map((l) => /^ */.exec(l)![0].length);
  const common = indents.length === 0 ? 0 : Math.min(...indents);
  return lines.map((l) => l.slice(common)).join('\n');
}

const indent = (text: string, by: number) =>
  text
    .split('\n')
    .map((l) => (l.length === 0 ? l : ' '.repeat(by) + l))
    .join('\n');

export type PlaceholderFile = 'init' | 'psl';

/**
 * EXTRA_ARGS and EXTRA_ENV the solution sets on an SDK program's imported
 * target (`set_target_properties(precompiled_vfs::VfsSdCardFs PROPERTIES
 * EXTRA_ARGS …)`), as its INIT_EXTERNAL_ENTITIES entry carries them. Only
 * literal target names are known: `${precompiled_vfsVfsSdCardFs}` is the
 * SDK's variable and its value is not.
 */
function sdkProgramProperties(build: SdkBuild, taskClass: string): string {
  const short = taskClass.split('.').pop()!;
  const targets = [`precompiled_vfs::${short}`, short];
  let out = '';
  for (const [prop, key] of [
    ['EXTRA_ARGS', 'args'],
    ['EXTRA_ENV', 'env'],
  ] as const) {
    const p = targets
      .map((t) => build.property(t, prop))
      .find((x) => x !== undefined && x.known && x.value.trim() !== '');
    if (p !== undefined) out += `\n  ${key}:\n${indent(dedent(p.value), 4)}`;
  }
  return out;
}

const INIT_MACRO = /^INIT_(.+)_ENTITY_(CONNECTIONS\+?|ARGS|ENV)$/;

/**
 * The value the build gives `@name@`, or a ParseError at `at` naming why it
 * has none and the `--define` fix.
 */
export function placeholderValue(
  name: string,
  at: Loc,
  file: PlaceholderFile,
  ctx: {
    readonly build: SdkBuild;
    readonly defines: Readonly<Record<string, string>>;
    readonly init: InitFacts;
    readonly external: readonly string[];
  },
): string {
  const { build, defines } = ctx;
  if (Object.hasOwn(defines, name)) return defines[name]!;
  const fix = `give it with --define ${name}=<value>`;
  if (name === 'INIT_EXTERNAL_ENTITIES') {
    if (file === 'psl') return ctx.external.map((c) => `use EDL ${c}`).join('\n');
    return ctx.external
      .map(
        (c) =>
          `- name: ${c}${EXTERNAL_ENTRY[c] === undefined ? '' : `\n${EXTERNAL_ENTRY[c]}`}${sdkProgramProperties(build, c)}`,
      )
      .join('\n');
  }
  const m = INIT_MACRO.exec(name);
  if (m !== null) {
    const program = m[1]!;
    const kind = m[2]!;
    const programs = new Set([
      ...build.executables,
      ...ctx.init.paths,
      ...ctx.init.classes.map((c) => c.split('.').pop()!),
      ...ctx.init.processes.map((c) => c.split('.').pop()!),
    ]);
    if (!programs.has(program))
      throw new ParseError({
        kind: 'template',
        loc: at,
        detail: `unknown placeholder @${name}@: ${program} is not a program of this solution (programs: ${[...programs].filter((p) => p !== '').join(', ') || 'none'}); ${fix}`,
      });
    const prop = build.property(
      program,
      kind.startsWith('CONNECTIONS') ? 'EXTRA_CONNECTIONS' : kind === 'ARGS' ? 'EXTRA_ARGS' : 'EXTRA_ENV',
    );
    if (prop === undefined || prop.value.trim() === '') return '';
    if (!prop.known)
      throw new ParseError({
        kind: 'template',
        loc: at,
        detail: `@${name}@ comes from a target property set at ${formatLoc(prop.loc)} that Cordon cannot evaluate (${prop.why ?? 'unknown value'}); ${fix}`,
      });
    const body = dedent(prop.value);
    if (kind === 'CONNECTIONS+') return body;
    if (kind === 'CONNECTIONS') return `connections:\n${body}`;
    return `${kind === 'ARGS' ? 'args' : 'env'}:\n${indent(body, 2)}`;
  }
  const image = build.image;
  if (image !== null) {
    const kw = keywordArgs(image.elements, SDK_SIGNATURES.image);
    const arg = name === 'KlogEntityTarget' ? 'KLOG_ENTITY' : name;
    if (kw.single.has(arg) || kw.multi.has(arg)) {
      const els = kw.single.has(arg) ? [kw.single.get(arg)!] : kw.multi.get(arg)!;
      const unknown = els.find((e) => !e.known);
      if (unknown !== undefined)
        throw new ParseError({
          kind: 'template',
          loc: at,
          detail: `@${name}@ is the ${arg} argument of ${image.name} at ${formatLoc(image.loc)}, which Cordon cannot evaluate (${unknown.why}); ${fix}`,
        });
      return elementsText(els);
    }
    if (name === 'KlogEntityTarget')
      throw new ParseError({
        kind: 'template',
        loc: at,
        detail: `unknown placeholder @${name}@: ${image.name} at ${formatLoc(image.loc)} has no KLOG_ENTITY argument; ${fix}`,
      });
  }
  const v = build.variable(name);
  if (v !== undefined) {
    if (v.known) return v.value;
    throw new ParseError({
      kind: 'template',
      loc: at,
      detail: `@${name}@: the variable ${name}${v.loc === null ? '' : ` (set at ${formatLoc(v.loc)})`} has a value Cordon cannot compute: ${v.why ?? 'unknown'}; ${fix}`,
    });
  }
  const looked =
    build.model === null
      ? 'the solution has no CMakeLists.txt'
      : `no set(${name} …) in ${build.model.files.length} CMake file(s) of the solution reaches ${image === null ? 'the top level' : `the ${image.name} call at ${formatLoc(image.loc)}`}`;
  throw new ParseError({
    kind: 'template',
    loc: at,
    detail: `unknown placeholder @${name}@: the SDK's build does not define it and ${looked}; ${fix}`,
  });
}
