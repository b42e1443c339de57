// The Stryker score table (scripts/mutation-score.mjs) is evidence (issue 11,
// part 4): it must score the code as it is. These check that a result on an
// older version is left out, or with --carry kept only for mutants on
// unchanged lines and moved with them, that a run on the current version wins
// over a carried one, and that changed lines no run covered are named.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const SCRIPT = resolve('scripts/mutation-score.mjs');

type Status = 'Killed' | 'Survived' | 'NoCoverage' | 'CompileError';
const mutant = (line: number, status: Status, replacement = 'false') => ({
  id: `${line}-${status}-${replacement}`,
  mutatorName: 'ConditionalExpression',
  replacement,
  status,
  location: { start: { line, column: 7 }, end: { line, column: 12 } },
});
function report(source: string, mutants: ReturnType<typeof mutant>[], mutate: string[] = ['src/a.ts']) {
  return JSON.stringify({
    schemaVersion: '1',
    thresholds: { high: 90, low: 80 },
    config: { mutate },
    files: { 'src/a.ts': { language: 'typescript', source, mutants } },
  });
}

function score(dir: string, ...args: string[]) {
  const r = spawnSync(process.execPath, [SCRIPT, ...args, '--json'], { cwd: dir, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return { out: JSON.parse(r.stdout), stderr: r.stderr };
}

const OLD = ['const a = 1;', 'if (a) f();', 'if (b) g();', 'if (c) h();', ''].join('\n');
// one line inserted above, line 3 changed: old 2 -> new 3, old 4 -> new 5
const NOW = ['const a = 1;', 'const z = 0;', 'if (a) f();', 'if (b && z) g();', 'if (c) h();', ''].join('\n');

function project(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cordon-mscore-'));
  mkdirSync(join(dir, 'src'));
  mkdirSync(join(dir, 'reports', 'mutation'), { recursive: true });
  writeFileSync(join(dir, 'src', 'a.ts'), NOW);
  return dir;
}
const write = (dir: string, name: string, text: string, age: number) => {
  const f = join(dir, 'reports', 'mutation', name);
  writeFileSync(f, text);
  const t = Date.now() / 1000 - age;
  utimesSync(f, t, t);
};

test('a report on an older version is left out and named; with --carry its unchanged lines carry over, moved', () => {
  const dir = project();
  try {
    write(dir, 'old.json', report(OLD, [mutant(2, 'Killed'), mutant(3, 'Survived'), mutant(4, 'Survived')]), 100);
    const plain = score(dir);
    assert.deepEqual(plain.out.files, []);
    assert.match(
      plain.stderr,
      /left out, mutated an older version of the file: src\/a\.ts \(reports\/mutation\/old\.json\)/,
    );

    const { out } = score(dir, '--carry');
    const [row] = out.files;
    // the mutant of the changed line 3 is gone; lines 2 and 4 moved to 3 and 5
    assert.deepEqual([row.mutants, row.killed, row.survived, row.carried], [2, 1, 1, 2]);
    assert.equal(row.score, 50);
    assert.deepEqual(row.unmeasured, ['2', '4'], 'the inserted and the changed line were never measured');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a run on the current version wins over a carried result, and its range counts as measured', () => {
  const dir = project();
  try {
    write(dir, 'old.json', report(OLD, [mutant(2, 'Killed'), mutant(4, 'Survived')]), 100);
    // an older run on the current file's line 5 only, yet newer results on old versions do not beat it
    write(dir, 'now.json', report(NOW, [mutant(5, 'Killed'), mutant(4, 'Survived', 'true')], ['src/a.ts:4-5']), 200);
    const { out } = score(dir, '--carry', '--survivors');
    const [row] = out.files;
    assert.deepEqual([row.mutants, row.killed, row.survived, row.carried], [3, 2, 1, 1]);
    assert.deepEqual(row.unmeasured, ['2']);
    assert.deepEqual(
      out.survivors.map((s: { line: number; replacement: string }) => `${s.line} ${s.replacement}`),
      ['4 true'],
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('two runs on the current version: the newer result of a mutant wins; compile errors do not count', () => {
  const dir = project();
  try {
    write(dir, 'a.json', report(NOW, [mutant(3, 'Survived'), mutant(5, 'CompileError')]), 200);
    write(dir, 'b.json', report(NOW, [mutant(3, 'Killed')], ['src/a.ts:3-3']), 100);
    const { out } = score(dir);
    const [row] = out.files;
    assert.deepEqual(
      [row.mutants, row.killed, row.survived, row.invalid, row.carried, row.score],
      [2, 1, 0, 1, 0, 100],
    );
    assert.deepEqual(row.unmeasured, []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
