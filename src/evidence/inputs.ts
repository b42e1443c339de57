// The inputs of an evidence bundle, by sha256: the formal model (spec
// modules, TLC models, proofs), the lockfile, and the compiled policy's
// canonical form. Paths are relative to the project root (or as given when
// outside it), never of the machine beyond that.

import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Loaded } from '../solution/load.ts';
import { ROOT, reportPath, sha256File } from './report.ts';

export interface HashedFile {
  readonly path: string;
  readonly sha256: string;
}

function filesIn(dir: string, ext: RegExp): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => ext.test(f))
    .sort()
    .map((f) => join(dir, f));
}

/** spec/*.tla, models/*.tla and *.cfg, proofs/*.tla: what every TLC check of the bundle reads. */
export function formalInputs(root = ROOT): HashedFile[] {
  return [
    ...filesIn(join(root, 'spec'), /\.tla$/),
    ...filesIn(join(root, 'models'), /\.(tla|cfg)$/),
    ...filesIn(join(root, 'proofs'), /\.tla$/),
  ].map((f) => ({ path: relative(root, f), sha256: sha256File(f) }));
}

export function lockfileSha256(root = ROOT): string {
  const f = join(root, 'package-lock.json');
  return existsSync(f) ? sha256File(f) : 'missing';
}

/**
 * The compiled policy in a canonical form: the solution's tables (task
 * classes, endpoints, method codecs' declarations, processes, channels) and
 * its policy (the rule form, or the checked PSL syntax trees), with source
 * locations and the solution's directory left out, so that the same policy
 * hashes the same wherever the solution lies.
 */
export function policyCanonical(loaded: Loaded): string {
  const dir = loaded.dir;
  return JSON.stringify(
    { name: loaded.policy.name, tables: loaded.tables, rules: loaded.rules, psl: loaded.psl },
    (k, v) => {
      if (k === 'loc' || k === 'file') return undefined;
      if (typeof v === 'bigint') return `${v}n`;
      if (typeof v === 'function') return undefined;
      if (typeof v === 'string' && v.startsWith(dir)) return relative(dir, v);
      return v;
    },
  );
}

export function policySha256(loaded: Loaded): string {
  return createHash('sha256').update(policyCanonical(loaded)).digest('hex');
}

export function solutionInputs(loaded: Loaded): HashedFile[] {
  return loaded.files.map((f) => ({ path: reportPath(f), sha256: sha256File(f) }));
}

export const sha256Text = (s: string | Buffer): string => createHash('sha256').update(s).digest('hex');
