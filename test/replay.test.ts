// Every printed replay command replays: a suite made to fail on purpose (a
// kernel bug planted by test/fixtures/replay/plant.mjs, selected with
// CORDON_PLANT) prints a replay command; run as a child process, that command
// reproduces the same counterexample directly (one run, no shrinking), for a
// model-based property suite (fc.commands) and for `cordon verify --seed --path`.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseSuiteEnv, EnvError } from '../src/properties/env.ts';
import type { Report } from '../src/evidence/report.ts';

const ROOT = resolve(dirname(import.meta.filename), '..');
const PLANT = pathToFileURL(join(ROOT, 'test/fixtures/replay/plant.mjs')).href;

/** The environment of a planted run: no suite variables of ours leak in, the bug is selected. */
function plantedEnv(bug: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_OPTIONS: `--import=${PLANT}`, CORDON_PLANT: bug, ...extra };
  for (const k of ['CORDON_SEED', 'CORDON_PATH', 'CORDON_SCALE', 'NODE_TEST_CONTEXT']) if (!(k in extra)) delete env[k];
  return env;
}

/** Runs a printed command line as a shell would. */
function sh(command: string, env: NodeJS.ProcessEnv): { status: number | null; out: string } {
  const r = spawnSync('sh', ['-c', command], { cwd: ROOT, env, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

const line = (out: string, re: RegExp, what: string): string => {
  const m = re.exec(out);
  assert.ok(m !== null, `no ${what} in the output:\n${out.slice(-3000)}`);
  return m[1]!;
};

test('a model-based suite (fc.commands) made to fail prints a replay command that reproduces its counterexample', () => {
  const first = sh(
    'node --import tsx --test property-tests/model.test.ts',
    plantedEnv('reply', { CORDON_SEED: '42', CORDON_SCALE: '0.1' }),
  );
  assert.equal(first.status, 1, first.out);
  const replay = line(first.out, /^\s*replay: (CORDON_SEED=.*)$/m, 'replay line');
  const counterexample = line(first.out, /^\s*counterexample: (.*)$/m, 'counterexample');
  // the planted bug, shrunk to its smallest case, and the commands' replay path is part of CORDON_PATH
  assert.match(counterexample, /CallPing\(299\).*ServerReply\(response\)/);
  assert.match(replay, /CORDON_PATH=\d+(:\d+)*@/);
  assert.ok(!/shrunk 0 times/.test(first.out), 'the first run shrank its counterexample');

  const again = sh(replay, plantedEnv('reply'));
  assert.equal(again.status, 1, again.out);
  assert.equal(line(again.out, /^\s*counterexample: (.*)$/m, 'counterexample'), counterexample);
  assert.match(
    again.out,
    /counterexample after 1 runs, shrunk 0 times/,
    'the replay went straight to the counterexample',
  );
  assert.equal(line(again.out, /^\s*replay: (CORDON_SEED=.*)$/m, 'replay line'), replay);
  // the same failure details (the kernel's wrong answer)
  assert.match(again.out, /value: 301/);
});

test('cordon verify made to fail prints replay commands (a property check, the determinism check) that reproduce their counterexamples', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cordon-replay-'));
  try {
    const report = (file: string): Report => JSON.parse(readFileSync(file, 'utf8')) as Report;
    const first = spawnSync(
      process.execPath,
      [
        'bin/cordon.mjs',
        'verify',
        'examples/ping',
        '--seed',
        '7',
        '--runs',
        '40',
        '--steps',
        '60',
        '--no-tlc',
        '--out',
        join(dir, 'first.json'),
      ],
      {
        cwd: ROOT,
        env: plantedEnv('forged'),
        encoding: 'utf8',
      },
    );
    assert.equal(first.status, 1, first.stdout + first.stderr);
    const failed = report(join(dir, 'first.json')).checks.filter((c) => c.status === 'fail');
    assert.deepEqual(failed.map((c) => c.id).sort(), ['kernel.determinism', 'kernel.isolation']);
    for (const c of failed) {
      assert.ok(c.replay !== undefined && c.counterexample !== undefined, c.id);
      assert.match(c.replay, /^npx cordon verify .* --seed 7 .*--path \d+(:\d+)* --no-tlc$/);
      assert.ok((c.details as { shrinks: number }).shrinks > 0, `${c.id} shrank its counterexample`);
      assert.match(c.counterexample, /handle \d{4,}\b/, 'the planted bug: a forged handle of 1000 or more');
      // the printed command, as printed; the report goes to a scratch file instead of out/verify.json
      const out = join(dir, `${c.id}.json`);
      const again = sh(`${c.replay} --out ${out}`, plantedEnv('forged'));
      assert.equal(again.status, 1, again.out);
      const r = report(out).checks.find((x) => x.id === c.id)!;
      assert.equal(r.status, 'fail', `${c.id} on replay`);
      assert.equal(r.counterexample, c.counterexample, `${c.id}: the replay found another counterexample`);
      assert.equal(r.replay, c.replay);
      assert.equal(r.runs, 1, `${c.id}: the replay ran only the counterexample`);
      assert.equal((r.details as { shrinks: number }).shrinks, 0, `${c.id}: the replay did not shrink again`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the suite variables: bad values are errors naming the variable and the value', () => {
  assert.deepEqual(
    { ...parseSuiteEnv({ CORDON_SEED: '-12', CORDON_SCALE: '0.5', CORDON_PATH: '3:0:1@AB:C' }), seedGiven: true },
    { seed: -12, seedGiven: true, scale: 0.5, path: '3:0:1', commandsPath: 'AB:C' },
  );
  assert.equal(parseSuiteEnv({}).scale, 1);
  assert.equal(parseSuiteEnv({}).seedGiven, false);
  assert.equal(parseSuiteEnv({ CORDON_SEED: '4294967295' }).seed, -1);
  for (const [env, message] of [
    [{ CORDON_SEED: 'abc' }, /CORDON_SEED .* not "abc"/],
    [{ CORDON_SEED: '1.5' }, /CORDON_SEED .* not "1.5"/],
    [{ CORDON_SEED: '99999999999' }, /CORDON_SEED .* not "99999999999"/],
    [{ CORDON_SCALE: 'lots' }, /CORDON_SCALE .* not "lots"/],
    [{ CORDON_SCALE: '0' }, /CORDON_SCALE .* not "0"/],
    [{ CORDON_SCALE: '-2' }, /CORDON_SCALE .* not "-2"/],
    [{ CORDON_SEED: '1', CORDON_PATH: '3:x' }, /CORDON_PATH .* not "3:x"/],
    [{ CORDON_SEED: '1', CORDON_PATH: '3:0@!!' }, /CORDON_PATH .* not "3:0@!!"/],
    [{ CORDON_PATH: '3:0' }, /CORDON_PATH=3:0 needs the CORDON_SEED/],
  ] as const)
    assert.throws(
      () => parseSuiteEnv(env),
      (e: unknown) => e instanceof EnvError && message.test(e.message),
      JSON.stringify(env),
    );
  // a suite given a bad value stops with that message instead of running NaN runs
  const env: NodeJS.ProcessEnv = { ...process.env, CORDON_SCALE: 'lots' };
  delete env.NODE_TEST_CONTEXT;
  const r = sh('node --import tsx --test property-tests/model.test.ts', env);
  assert.equal(r.status, 1, r.out);
  assert.match(r.out, /CORDON_SCALE must be a positive number, not "lots"/);
});
