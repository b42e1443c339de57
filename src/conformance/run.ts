// Running the spec's models through the TLC bridge (src/tlc). Every run gets
// its own folder holding a copy of the spec modules and the model's files, so
// that generated models need no files in the tree and runs do not share files.

import { copyFile, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  runDistributed,
  runTlc,
  type RunDistributedOptions,
  type RunTlcOptions,
  type TlcResult,
} from '../tlc/index.ts';
import { PROJECT_ROOT } from '../tlc/index.ts';

export const SPEC_DIR = resolve(PROJECT_ROOT, 'spec');
export const MODELS_DIR = resolve(PROJECT_ROOT, 'models');
export const PROOFS_DIR = resolve(PROJECT_ROOT, 'proofs');

export interface StagedModel {
  readonly dir: string;
  readonly spec: string;
  readonly config: string;
  cleanup(): Promise<void>;
}

/** Copies the spec modules (and any extra modules) and writes the model files into a fresh folder. */
export async function stageModel(
  files: { readonly module: string; readonly tla: string; readonly cfg: string },
  extraModules: readonly string[] = [],
): Promise<StagedModel> {
  const dir = await mkdtemp(join(tmpdir(), 'cordon-model-'));
  for (const f of await readdir(SPEC_DIR)) if (f.endsWith('.tla')) await copyFile(join(SPEC_DIR, f), join(dir, f));
  for (const m of extraModules) await copyFile(m, join(dir, m.split(/[\\/]/).pop()!));
  const spec = join(dir, `${files.module}.tla`);
  const config = join(dir, `${files.module}.cfg`);
  await writeFile(spec, files.tla);
  await writeFile(config, files.cfg);
  return { dir, spec, config, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export type RunOptions = Omit<RunTlcOptions, 'spec' | 'config'>;

/** TLC on a staged model; the folder is removed afterwards (after `keep` has read what it needs). */
export async function runStaged<T = void>(
  files: { readonly module: string; readonly tla: string; readonly cfg: string },
  options: RunOptions = {},
  extraModules: readonly string[] = [],
  keep?: (staged: StagedModel, result: TlcResult) => Promise<T>,
): Promise<{ result: TlcResult; kept: T | undefined }> {
  const staged = await stageModel(files, extraModules);
  try {
    const result = await runTlc({ workers: 1, maxHeap: '4g', ...options, spec: staged.spec, config: staged.config });
    const kept = keep === undefined ? undefined : await keep(staged, result);
    return { result, kept };
  } finally {
    await staged.cleanup();
  }
}

export async function runStagedDistributed(
  files: { readonly module: string; readonly tla: string; readonly cfg: string },
  options: Omit<RunDistributedOptions, 'spec' | 'config'> = {},
): Promise<TlcResult> {
  const staged = await stageModel(files);
  try {
    return await runDistributed({ maxHeap: '4g', ...options, spec: staged.spec, config: staged.config });
  } finally {
    await staged.cleanup();
  }
}

/** A one-line account of a result that is not a success, for error messages. */
export function describeResult(r: TlcResult): string {
  switch (r.kind) {
    case 'success':
      return `success: ${r.stats.distinct} distinct states, depth ${r.stats.depth}`;
    case 'invariant-violation':
      return `invariant ${r.invariant} violated after ${r.trace.length} states`;
    case 'deadlock':
      return `deadlock after ${r.trace.length} states`;
    case 'liveness-violation':
      return `liveness violated (${r.property ?? r.properties.join(', ')}): ${r.message}`;
    case 'assumption-failure':
      return `assumption failed: ${r.message}`;
    case 'parse-error':
      return `parse error: ${r.message}\n${r.sanyOutput}`;
    case 'tlc-error':
      return `TLC error ${r.code}: ${r.message}`;
    case 'crash':
      return `crash: ${r.reason}: ${r.message}\n${r.stderr}`;
    case 'timeout':
      return `timeout after ${r.timeoutMs} ms`;
    case 'setup-error':
      return `setup error (${r.reason}): ${r.message}`;
  }
}
