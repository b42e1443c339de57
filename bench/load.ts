// Loading the corpus: every solution under test/fixtures/kos (its
// cordon-fixture.json's `load` options), warm, five times each; the median,
// min and max in milliseconds, with the files and bytes read. The first load
// in a process also compiles the grammars; it is reported on its own.
// `node --import tsx bench/load.ts`

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { loadKosSolution, type KosLoadOptions } from '../src/solution/kos.ts';
import { ROOT } from '../src/evidence/report.ts';

const CORPUS = join(ROOT, 'test', 'fixtures', 'kos');

function fixtures(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    if (existsSync(join(d, 'cordon-fixture.json'))) out.push(d);
    for (const e of readdirSync(d, { withFileTypes: true })) if (e.isDirectory()) walk(join(d, e.name));
  };
  walk(dir);
  return out.sort();
}

function options(dir: string): KosLoadOptions {
  const l =
    (
      JSON.parse(readFileSync(join(dir, 'cordon-fixture.json'), 'utf8')) as {
        load?: { sdk?: string; includes?: string[]; defines?: Record<string, string> };
      }
    ).load ?? {};
  return {
    ...(l.sdk === undefined ? {} : { sdkRoot: resolve(dir, l.sdk) }),
    ...(l.includes === undefined ? {} : { includes: l.includes.map((i) => resolve(dir, i)) }),
    ...(l.defines === undefined ? {} : { defines: l.defines }),
  };
}

const dirs = fixtures(CORPUS);
const t0 = performance.now();
loadKosSolution(dirs[0]!, options(dirs[0]!));
const first = performance.now() - t0;
const rows = dirs.map((d) => {
  const o = options(d);
  loadKosSolution(d, o);
  const times: number[] = [];
  let files: readonly string[] = [];
  for (let i = 0; i < 5; i++) {
    const s = performance.now();
    files = loadKosSolution(d, o).files;
    times.push(performance.now() - s);
  }
  times.sort((a, b) => a - b);
  const kb = files.reduce((a, f) => a + statSync(f).size, 0) / 1024;
  return {
    solution: relative(CORPUS, d),
    files: files.length,
    kb: +kb.toFixed(1),
    medianMs: +times[2]!.toFixed(1),
    minMs: +times[0]!.toFixed(1),
    maxMs: +times[4]!.toFixed(1),
  };
});
rows.sort((a, b) => b.kb - a.kb);
console.log(`first load in the process (grammars compiled): ${first.toFixed(0)} ms`);
console.table(rows);
