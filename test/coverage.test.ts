// Policy coverage (`cordon test --coverage`): what the PAL tests exercised of
// a PSL policy, counted by a recorder compiled into the policy only on
// request; the lcov it writes read back by an lcov parser; --threshold.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import lcovParse from 'lcov-parse';
import { getBoard, DEFAULT_BOARD } from '../boards/index.ts';
import { loadSolution } from '../src/solution/load.ts';
import { runPalTests } from '../src/policy/pal/run.ts';
import { compileWithCoverage, coverageLcov, coverageReport } from '../src/policy/compile/coverage.ts';
import { compilePsl } from '../src/policy/compile/index.ts';
import { testCommand } from '../src/cli/test.ts';

const root = join(import.meta.dirname, '..');
const example = (name: string) => join(root, 'examples', name);
const quiet = () => {};
const junit = () => join(mkdtempSync(join(tmpdir(), 'cordon-cov-')), 'junit.xml');

/** A copy of examples/ping with one more binding, which no PAL test reaches. */
function pingWithUnusedBinding(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cordon-cov-'));
  cpSync(example('ping'), dir, { recursive: true });
  // an error from the client to the server: the client serves no channel, so no test can send one
  appendFileSync(
    join(dir, 'einit', 'src', 'security.psl'),
    '\nerror src = ping.Client, dst = ping.Server { grant () }\n',
  );
  return dir;
}

const parseLcov = (text: string) =>
  new Promise<lcovParse.LcovFile[]>((ok, fail) => lcovParse(text, (err, data) => (err ? fail(err) : ok(data!))));

test('ping: the PAL tests reach every binding, match section, rule and Flow transition; counts are exact', () => {
  const r = testCommand({ solution: example('ping'), junit: junit(), coverage: true }, quiet);
  const c = r.coverage!;
  assert.deepEqual(c.bindings, { covered: 3, total: 3, percent: 100 });
  assert.deepEqual(c.matches, { covered: 8, total: 8, percent: 100 });
  assert.deepEqual(c.transitions, { covered: 2, total: 2, percent: 100 });
  const file = c.files.find((f) => f.file === 'einit/src/security.psl')!;
  assert.ok(file, 'files are named relative to the solution');
  // turns.init is never denied: every execute starts a process with a fresh sid (see README)
  const never = file.conditions.flatMap((k) =>
    k.outcomes.filter((o) => o.hits === 0).map((o) => `${k.label} ${o.outcome}`),
  );
  assert.deepEqual(never, ['turns.init denied']);
  // a transition's count is how often it was taken: idle → pinged once per Ping granted in the tests
  const ping = file.points.find((p) => p.label === 'turns: idle → pinged')!;
  const granted = r.result.tests
    .flatMap((t) => t.cases)
    .filter((k) => k.verdict === 'grant' && /^request .*method=Ping/.test(k.event ?? '')).length;
  assert.equal(ping.hits, granted);
});

test('a binding no test reaches is reported not exercised, in the text and the lcov', async () => {
  const dir = pingWithUnusedBinding();
  const lines: string[] = [];
  const r = testCommand({ solution: dir, junit: junit(), coverage: true }, (l) => lines.push(l));
  assert.equal(r.code, 0, 'no threshold: coverage alone does not fail the run');
  assert.deepEqual(r.coverage!.bindings, { covered: 3, total: 4, percent: 75 });
  const uncovered = r.coverage!.files[0]!.points.filter((p) => p.kind === 'binding' && p.hits === 0);
  const line = readFileSync(join(dir, 'einit', 'src', 'security.psl'), 'utf8')
    .trimEnd()
    .split('\n').length;
  assert.deepEqual(
    uncovered.map((p) => [p.label, p.line]),
    [['error src=ping.Client dst=ping.Server', line]],
  );
  assert.ok(
    lines.some((l) => l.includes(`einit/src/security.psl:${line}:1 not exercised: binding error`)),
    lines.join('\n'),
  );
  const [lcov] = await parseLcov(coverageLcov(r.coverage!));
  assert.equal(lcov!.file, 'einit/src/security.psl');
  assert.equal(lcov!.functions.found, 4);
  assert.equal(lcov!.functions.hit, 3);
  assert.equal(lcov!.lines.details.find((d) => d.line === line)!.hit, 0);
});

test('lcov read back: SF relative to the solution, FN per binding, DA per line, BRDA per condition outcome', async () => {
  const r = testCommand({ solution: example('diode'), junit: junit(), coverage: true }, quiet);
  const c = r.coverage!;
  const files = await parseLcov(coverageLcov(c));
  assert.deepEqual(
    files.map((f) => f.file),
    c.files.map((f) => f.file),
  );
  for (const [i, f] of files.entries()) {
    const mine = c.files[i]!;
    assert.ok(!f.file.startsWith('/'), 'relative path');
    assert.equal(f.functions.found, mine.points.filter((p) => p.kind === 'binding').length);
    assert.equal(f.branches.found, mine.conditions.length * 2);
    assert.equal(f.branches.hit, mine.conditions.flatMap((k) => k.outcomes).filter((o) => o.hits > 0).length);
    assert.deepEqual(
      f.lines.details.map((d) => [d.line, d.hit > 0]),
      [...new Set(mine.points.map((p) => p.line))]
        .sort((x, y) => x - y)
        .map((l) => [l, mine.points.some((p) => p.line === l && p.hits > 0)]),
    );
  }
});

test('--threshold: exit 1 below it, 0 at or above it (the CLI)', () => {
  const dir = pingWithUnusedBinding();
  const out = mkdtempSync(join(tmpdir(), 'cordon-cov-'));
  const run = (...args: string[]) =>
    spawnSync(
      process.execPath,
      [join(root, 'bin', 'cordon.mjs'), 'test', dir, '--junit', join(out, 'j.xml'), ...args],
      {
        encoding: 'utf8',
        cwd: out,
      },
    );
  const pct = testCommand({ solution: dir, junit: junit(), coverage: true }, quiet).coverage!.total.percent;
  assert.ok(pct < 100 && pct > 50, String(pct));
  const below = run('--threshold', String(Math.ceil(pct + 1)), '--coverage-lcov', join(out, 'lcov.info'));
  assert.equal(below.status, 1, below.stdout + below.stderr);
  assert.match(below.stdout, /policy coverage [\d.]+% is below the threshold/);
  assert.match(readFileSync(join(out, 'lcov.info'), 'utf8'), /^SF:einit\/src\/security\.psl$/m);
  const at = run('--threshold', String(Math.floor(pct)));
  assert.equal(at.status, 0, at.stdout + at.stderr);
  const bad = run('--threshold', '120');
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /percentage from 0 to 100/);
  // lcov to stdout
  const toStdout = run('--coverage-lcov', '-', '--quiet');
  assert.equal(toStdout.status, 0);
  assert.match(toStdout.stdout, /^TN:/);
  assert.match(toStdout.stdout, /end_of_record\n$/);
});

test('the counting policy decides exactly as the plain one; the plain one has no recorder', () => {
  for (const name of ['ping', 'echo', 'diode', 'gateway']) {
    const loaded = loadSolution(example(name), getBoard(DEFAULT_BOARD));
    const plain = compilePsl(loaded.psl!, loaded.tables, { name });
    const { compiled, coverage } = compileWithCoverage(loaded.psl!, loaded.tables, { name });
    const a = runPalTests(loaded.tables, plain, loaded.pal);
    const b = runPalTests(loaded.tables, compiled, loaded.pal);
    const strip = (r: typeof a) => r.tests.map((t) => t.cases.map((k) => [k.status, k.verdict, k.rules, k.reason]));
    assert.deepEqual(strip(b), strip(a), name);
    assert.ok(
      coverage.pointHits.some((h) => h > 0),
      `${name}: the recorder counted`,
    );
    // the plain policy keeps no counters: running it again changes nothing recorded
    const before = Uint32Array.from(coverage.pointHits);
    runPalTests(loaded.tables, plain, loaded.pal);
    assert.deepEqual(coverage.pointHits, before);
    assert.ok(coverageReport(coverage, loaded.dir).total.total > 0);
  }
});
