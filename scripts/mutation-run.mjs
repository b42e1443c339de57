#!/usr/bin/env node
// One Stryker run on some source files, with the committed configuration
// (stryker.config.json) and, optionally, a subset of its test files:
//
//   node scripts/mutation-run.mjs <name> <file[,file...]> [test-file ...]
//
// writes reports/mutation/<name>.json (aggregate several with
// scripts/mutation-score.mjs). A test subset can only kill fewer mutants than
// the committed test set, so the score of such a run is a lower bound of the
// committed configuration's. Runs with concurrency 1 unless
// STRYKER_CONCURRENCY says otherwise; seed and scale as `npm run mutation`.
// STRYKER_CHECKERS=none runs without the TypeScript checker: a mutant that
// does not type-check then runs like any other (killed or survived) instead
// of being counted invalid; say so beside any score measured that way.

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const [name, files, ...tests] = process.argv.slice(2);
if (name === undefined || files === undefined || !/^[\w.-]+$/.test(name)) {
  console.error('usage: node scripts/mutation-run.mjs <name> <file[,file...]> [test-file ...]');
  process.exit(2);
}
let config;
try {
  config = JSON.parse(readFileSync('stryker.config.json', 'utf8'));
} catch (e) {
  console.error(`mutation-run: cannot read stryker.config.json: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(2);
}
delete config.$schema;
config.mutate = files.split(',');
config.concurrency = Number(process.env.STRYKER_CONCURRENCY ?? 1);
if (process.env.STRYKER_CHECKERS === 'none') config.checkers = [];
config.jsonReporter = { fileName: join('reports', 'mutation', `${name}.json`) };
config.reporters = ['json', 'clear-text', 'progress-append-only'];
if (tests.length > 0) config.tap = { ...config.tap, testFiles: tests };
mkdirSync('.stryker-tmp', { recursive: true });
const path = join('.stryker-tmp', `${name}.config.json`);
writeFileSync(path, JSON.stringify(config, null, 2));
const started = Date.now();
const r = spawnSync('npx', ['stryker', 'run', path], {
  stdio: 'inherit',
  env: { CORDON_SEED: '20261207', CORDON_SCALE: '0.3', ...process.env },
});
console.log(`mutation-run: ${name}: ${Math.round((Date.now() - started) / 1000)} s`);
process.exit(r.status ?? 2);
