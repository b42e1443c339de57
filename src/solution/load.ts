// Loading a solution, whatever its source format: a directory in KasperskyOS
// layout (src/solution/kos.ts) or Cordon's own manifest (solution.yaml,
// src/solution/manifest.ts), compiled to the kernel's tables and a policy.
// Every command that takes a solution (verify, check, test, audit) loads it here.

import { resolve } from 'node:path';
import { existsSync, statSync } from 'node:fs';
import { compileSolution, type SolutionTables } from '../kernel/tables.ts';
import { compileRules, type RulePolicy } from '../monitor/rules.ts';
import type { CompiledPolicy } from '../monitor/types.ts';
import { loadManifest, type LoadedManifest } from './manifest.ts';
import { detectKosLayout, loadKosSolution, type KosLoadOptions, type PalSuite } from './kos.ts';
import { ParseError } from '../syntax/errors.ts';
import { interpretPsl } from '../policy/compile/interpret.ts';
import type { Board } from '../../boards/index.ts';
import type { ResolvedPolicy } from '../policy/psl/resolve.ts';

/** How a KasperskyOS solution is loaded (`--define`, `--sdk`, `--include`); the board is given on its own. Without `sdkRoot`, CORDON_SDK gives it. */
export type LoadOptions = Omit<KosLoadOptions, 'board' | 'compile'>;

/** `--sdk <dir>` and `--include <dir>…`. */
export type ImportOptions = Pick<LoadOptions, 'sdkRoot' | 'includes'>;

/** The SDK system programs a loaded solution was given, as lines to print (none: no lines). */
export function addedLines(loaded: Pick<Loaded, 'added'>): string[] {
  if (loaded.added.length === 0) return [];
  return [
    `added ${loaded.added.length} SDK system program${loaded.added.length === 1 ? '' : 's'}:`,
    ...loaded.added.map((a) => `  ${a.name} (task class ${a.taskClass}): ${a.reason}`),
  ];
}

/** A loaded solution, whatever its source format. */
export interface Loaded {
  readonly name: string;
  readonly dir: string;
  readonly files: readonly string[];
  readonly tables: SolutionTables;
  readonly policy: CompiledPolicy;
  readonly rules: RulePolicy | null;
  /** the policy's reference interpreter, when it is PSL (src/policy/compile/interpret.ts): the oracle of default deny */
  readonly oracle: CompiledPolicy | null;
  /** the loaded PSL policy (syntax trees), when it is PSL: what `cordon audit` explains */
  readonly psl: ResolvedPolicy | null;
  /** scripted programs and untrusted processes: solution.yaml's, or a KasperskyOS solution's cordon.yaml (null: none) */
  readonly manifest: Pick<LoadedManifest, 'programs' | 'untrusted'> | null;
  /** the file that gives the scripted programs, if the solution has one (solution.yaml, cordon.yaml); null for a KasperskyOS solution without cordon.yaml */
  readonly manifestFile: string | null;
  /** PAL tests (a KasperskyOS solution's assert blocks) */
  readonly pal: readonly PalSuite[];
  /** extra properties for `cordon check` (solution.yaml `properties`) */
  readonly properties: LoadedManifest['properties'];
  /** SDK system programs added as the SDK's build adds them (a KasperskyOS solution's connection targets that init.yaml does not list) */
  readonly added: readonly { readonly name: string; readonly taskClass: string; readonly reason: string }[];
  /** constructs of the policy Cordon cannot model ("unsupported construct X at file:line:col"); the rules using them deny */
  readonly notModelled: readonly string[];
}

/** A solution that cannot be loaded: the message names what and where (file:line:col for KasperskyOS files). */
export class SolutionError extends Error {}

/**
 * Finds the solution's files: a directory with solution.yaml, or the manifest
 * itself; otherwise a directory in KasperskyOS layout (init.yaml, EDL/CDL/IDL,
 * security.psl; src/solution/kos.ts), its templates expanded for `board`.
 */
export function loadSolution(path: string, board?: Board, options: LoadOptions = {}): Loaded {
  const abs = resolve(path);
  if (!existsSync(abs)) throw new SolutionError(`no solution at ${path}`);
  if (statSync(abs).isDirectory() && !existsSync(resolve(abs, 'solution.yaml'))) {
    try {
      if (detectKosLayout(abs) === null)
        throw new SolutionError(
          `${path}: neither a solution.yaml nor KasperskyOS files (init.yaml, security.psl) in this directory`,
        );
      const sdkRoot = options.sdkRoot ?? (process.env.CORDON_SDK || undefined);
      const k = loadKosSolution(abs, {
        ...options,
        ...(sdkRoot === undefined ? {} : { sdkRoot }),
        ...(board === undefined ? {} : { board }),
      });
      const manifest =
        k.programs === null && k.untrusted.length === 0 ? null : { programs: k.programs ?? {}, untrusted: k.untrusted };
      return {
        name: k.name,
        dir: k.layout.dir,
        files: k.files,
        tables: k.tables,
        policy: k.policy,
        rules: null,
        oracle: interpretPsl(k.policyAst, k.tables, { name: k.name }),
        psl: k.policyAst,
        manifest,
        manifestFile: k.layout.cordonYaml,
        pal: k.tests,
        properties: k.properties,
        added: k.added,
        notModelled: k.notModelled,
      };
    } catch (e) {
      if (e instanceof ParseError) throw new SolutionError(e.message);
      throw e;
    }
  }
  const file = statSync(abs).isDirectory() ? resolve(abs, 'solution.yaml') : abs;
  const m = loadManifest(file);
  const tables = compileSolution(m.solution);
  if (!tables.ok) throw new SolutionError(tables.errors.join('\n'));
  const policy = compileRules(tables.value, m.policy);
  if (!policy.ok) throw new SolutionError(policy.errors.join('\n'));
  return {
    name: m.solution.name,
    dir: resolve(file, '..'),
    files: [file],
    tables: tables.value,
    policy: policy.value,
    rules: m.policy,
    oracle: null,
    psl: null,
    manifest: m,
    manifestFile: file,
    pal: [],
    properties: m.properties,
    added: [],
    notModelled: [],
  };
}
