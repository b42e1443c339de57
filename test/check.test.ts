// `cordon check`: a solution's model under TLC; the one-way property of a
// diode holds, and a leaky policy yields a counterexample replayed in the
// kernel and written as a replay file; a policy that is not a finite
// relation is refused with the reason.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isRight } from 'fp-ts/lib/Either.js';
import { ReplayFileC } from '../src/conformance/counterexample.ts';
import { loadSolution } from '../src/verify/verify.ts';
import { allowRelation, CheckError } from '../src/check/check.ts';

const root = join(import.meta.dirname, '..');
const cordon = (...args: string[]) => spawnSync(process.execPath, [join(root, 'bin', 'cordon.mjs'), ...args], { cwd: root, encoding: 'utf8', timeout: 300_000 });

test('the diode keeps its one-way property under TLC', () => {
  const r = cordon('check', 'examples/diode-rules', '--workers', '1');
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /DiodeRules of examples\/diode-rules: success, \d+ distinct states/);
});

test('a leaky diode policy: the counterexample is printed in the kernel vocabulary and written as a replay file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cordon-check-'));
  const text = readFileSync(join(root, 'examples', 'diode-rules', 'solution.yaml'), 'utf8').replace('properties:\n', '  - { id: cloud acks, kind: response, src: Cloud, dst: Gateway }\nproperties:\n');
  writeFileSync(join(dir, 'solution.yaml'), text);
  const replay = join(dir, 'leak.replay.json');
  const r = cordon('check', dir, '--workers', '1', '--replay', replay);
  assert.equal(r.status, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /invariant OneWay is violated/);
  assert.match(r.stdout, /GRANT response src=Cloud\(sid \d\) dst=Gateway\(sid \d\) endpoint=up method=Push by cloud acks/);
  assert.ok(existsSync(replay));
  assert.ok(isRight(ReplayFileC.decode(JSON.parse(readFileSync(replay, 'utf8')))));
});

test('a policy whose decisions depend on message contents or policy state is refused, with the reason', () => {
  const loaded = loadSolution(join(root, 'examples', 'ping'));
  assert.throws(() => allowRelation(loaded), (e: unknown) => e instanceof CheckError && /depend on message contents or policy-object state/.test(e.message));
  const rules = allowRelation(loadSolution(join(root, 'examples', 'ping-rules')));
  assert.ok(rules.rules.some((x) => x.id === 'ping'));
});
