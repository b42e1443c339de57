// The hand-written models (catalog.ts) as TLC files in models/, and running
// them: per model the distinct-state count, the depth (diameter) and TLC's
// time, for the verify report.

import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CATALOG, Ping } from '../conformance/catalog.ts';
import { Diode } from './registry.ts';
import { compileModel, renderModel, type ModelDef, type ModelFiles } from '../conformance/model.ts';
import { MODELS_DIR, describeResult, runStaged, type RunOptions } from '../conformance/run.ts';
import type { TlcResult } from '../tlc/index.ts';
import type { ProgressSink } from '../tlc/progress-lines.ts';

export interface ModelResult {
  readonly model: string;
  readonly description: string;
  /** `success` when TLC found no violation and explored everything */
  readonly verdict: TlcResult['kind'];
  readonly distinct: number | null;
  readonly generated: number | null;
  /** the depth of the complete state graph search (TLC 2194), i.e. the diameter of the model */
  readonly depth: number | null;
  /** TLC's own duration (2186) */
  readonly tlcSeconds: number | null;
  /** wall-clock time including the JVM start */
  readonly wallSeconds: number;
  /** the distinct count and depth this model is expected to have (the regression baseline) */
  readonly expected: { readonly distinct: number; readonly depth: number };
  /** TLC's words when the verdict is not success */
  readonly problem: string | null;
  readonly result: TlcResult;
}

export function modelFiles(def: ModelDef): ModelFiles {
  return renderModel(compileModel(def));
}

/** Regenerates models/MC<name>.tla and models/<name>.cfg for every catalogued model, and the table of models/README.md. */
export async function writeModels(defs: readonly ModelDef[] = [...CATALOG, Diode]): Promise<string[]> {
  const written: string[] = [];
  for (const def of defs) {
    const f = modelFiles(def);
    await writeFile(join(MODELS_DIR, `${f.module}.tla`), f.tla);
    await writeFile(join(MODELS_DIR, `${def.name}.cfg`), f.cfg);
    written.push(f.module);
  }
  await writeFile(join(MODELS_DIR, `${MEDIATION.config}.cfg`), mediationCfg());
  const readme = join(MODELS_DIR, 'README.md');
  await writeFile(readme, withModelsTable(await readFile(readme, 'utf8'), defs));
  written.push('README.md');
  return written;
}

// The refinement check (spec/Mediation.tla): models/MCPingMediation.tla, written by hand, holds the
// refinement mapping and extends MCPing; its cfg is Ping's with the refinement as the property (and
// TypeOK as the one invariant, so that a violation is the refinement's).
export const MEDIATION = { module: 'MCPingMediation', config: 'PingMediation', model: Ping } as const;

export function mediationCfg(): string {
  return modelFiles(MEDIATION.model).cfg.replace(/^INVARIANTS .*$/m, 'INVARIANTS TypeOK').replace(/^PROPERTIES .*$/m, 'PROPERTIES RefinesMediation');
}

/** The refinement check's files (the committed module and the generated cfg) and the module it extends. */
export async function mediationFiles(): Promise<{ files: ModelFiles; extends: string }> {
  const tla = await readFile(join(MODELS_DIR, `${MEDIATION.module}.tla`), 'utf8');
  return { files: { module: MEDIATION.module, tla, cfg: mediationCfg() }, extends: join(MODELS_DIR, `MC${MEDIATION.model.name}.tla`) };
}

// The table of models/README.md: generated from the catalog, so that the expected counts live only
// in catalog.ts (ModelDef.expected) and the README cannot drift from them.
export const TABLE_BEGIN = '<!-- BEGIN models table: generated from src/conformance/catalog.ts by writeModels(); do not edit -->';
export const TABLE_END = '<!-- END models table -->';

const cell = (s: string): string => s.replace(/\s*\n\s*/g, ' ').replace(/\|/g, '\\|').trim();

/** The markdown table of the models: name, description, the expected distinct-state count and depth. */
export function modelsTable(defs: readonly ModelDef[] = [...CATALOG, Diode]): string {
  const rows = defs.map((d) => {
    const what = cell(d.description.startsWith(`${d.name}: `) ? d.description.slice(d.name.length + 2) : d.description);
    const distinct = d.expected === undefined ? 'not fixed' : d.expected.distinct.toLocaleString('en-US');
    const depth = d.expected === undefined ? '' : String(d.expected.depth);
    return `| ${d.name} | ${what} | ${distinct} | ${depth} |`;
  });
  return ['| model | what | distinct states | depth |', '|---|---|---:|---:|', ...rows].join('\n');
}

/** The README text with the generated table between the markers (an error when a marker is missing). */
export function withModelsTable(readme: string, defs: readonly ModelDef[] = [...CATALOG, Diode]): string {
  const begin = readme.indexOf(TABLE_BEGIN);
  const end = readme.indexOf(TABLE_END);
  if (begin < 0 || end < begin) throw new Error(`models/README.md: the markers ${TABLE_BEGIN} and ${TABLE_END} are missing or out of order`);
  return `${readme.slice(0, begin + TABLE_BEGIN.length)}\n${modelsTable(defs)}\n${readme.slice(end)}`;
}

/** The committed files of a model, or null when missing. */
export async function committedModel(def: ModelDef): Promise<{ tla: string; cfg: string } | null> {
  try {
    return { tla: await readFile(join(MODELS_DIR, `MC${def.name}.tla`), 'utf8'), cfg: await readFile(join(MODELS_DIR, `${def.name}.cfg`), 'utf8') };
  } catch {
    return null;
  }
}

/** Runs one model under TLC (one worker, so that counts and depth are reproducible). */
export async function runModel(def: ModelDef, options: RunOptions = {}): Promise<ModelResult> {
  const t0 = performance.now();
  const files = modelFiles(def);
  const { result } = await runStaged(files, { timeoutMs: 15 * 60_000, ...options });
  return {
    model: def.name,
    description: def.description,
    verdict: result.kind,
    distinct: result.stats?.distinct ?? null,
    generated: result.stats?.generated ?? null,
    depth: result.stats?.depth ?? null,
    tlcSeconds: result.tlcDurationMs === null ? null : result.tlcDurationMs / 1000,
    wallSeconds: (performance.now() - t0) / 1000,
    expected: def.expected ?? { distinct: -1, depth: -1 },
    problem: result.kind === 'success' ? null : describeResult(result),
    result,
  };
}

/** Runs every catalogued model, one after the other; `progress` gives each run a reporter (see progress-lines.ts). */
export async function runModels(
  defs: readonly ModelDef[] = CATALOG,
  options: RunOptions & { readonly progress?: (model: string) => ProgressSink } = {},
): Promise<ModelResult[]> {
  const { progress, ...run } = options;
  const out: ModelResult[] = [];
  for (const def of defs) {
    const sink = progress?.(def.name);
    out.push(
      await (sink ? runModel(def, { ...run, onProgress: sink.update }).finally(sink.finish) : runModel(def, run)),
    );
  }
  return out;
}

/** The committed counterexamples: models/counterexamples/<model>.replay.json, from the faulty example solutions. */
export const COUNTEREXAMPLES_DIR = join(MODELS_DIR, 'counterexamples');

/** Regenerates the replay file of the leaky diode's one-way violation (TLC finds it; the TS kernel replays it). */
export async function writeCounterexamples(): Promise<string[]> {
  const { checkSolution } = await import('../check/solution-model.ts');
  const { DIODE_OPTIONS, LEAKY_DIODE_RULES, diodeTables } = await import('./registry.ts');
  const { writeReplayFile } = await import('../check/counterexample.ts');
  const { mkdir } = await import('node:fs/promises');
  const r = await checkSolution(diodeTables(), { name: 'leaky-diode', rules: LEAKY_DIODE_RULES }, { ...DIODE_OPTIONS, name: 'DiodeLeaky', reference: { kind: 'model', name: 'DiodeLeaky' } });
  if (r.counterexample?.replay == null) throw new Error(`the leaky diode did not yield a replayable counterexample: ${r.problem ?? r.verdict} ${r.counterexample?.mappingError ?? ''}`);
  await mkdir(COUNTEREXAMPLES_DIR, { recursive: true });
  const path = join(COUNTEREXAMPLES_DIR, 'DiodeLeaky.replay.json');
  await writeReplayFile(path, r.counterexample.replay);
  if (r.counterexample.diagram === null) return [path];
  const { writeCounterexampleDiagram } = await import('../check/sequence-diagram.ts');
  return [path, await writeCounterexampleDiagram(path, r.counterexample.diagram)];
}
