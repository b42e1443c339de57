// The security-mutant suite (src/evidence/mutants.ts): every mutant applies
// to the source as it is now (its snippet occurs exactly once, so a drifting
// source is caught here), names a catalogued requirement and existing checks;
// and the whole suite runs, each mutant in a scratch copy with the checks
// that claim its requirement, and every mutant is killed. A survivor fails
// this test with the checks that let it through.
// CORDON_MUTANTS=skip leaves the run out (reported as skipped, never as passed).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  REQUIREMENT_IDS,
  SECURITY_MUTANTS,
  TLC_CHECK,
  applyMutant,
  occurrences,
  runSecurityMutants,
} from '../src/evidence/mutants.ts';
import { CATALOG } from '../src/conformance/catalog.ts';
import { ROOT } from '../src/evidence/report.ts';

test('every security mutant applies exactly once, names a requirement and existing checks', () => {
  const ids = new Set<string>();
  for (const m of SECURITY_MUTANTS) {
    assert.ok(!ids.has(m.id), `mutant id ${m.id} is used twice`);
    ids.add(m.id);
    assert.ok(
      (REQUIREMENT_IDS as readonly string[]).includes(m.requirement),
      `${m.id}: unknown requirement ${m.requirement}`,
    );
    const text = readFileSync(join(ROOT, m.file), 'utf8');
    assert.equal(occurrences(text, m.find), 1, `${m.id}: its snippet must occur exactly once in ${m.file}`);
    const patched = applyMutant(text, m);
    assert.ok(patched.ok && patched.text !== text, `${m.id}: the patch changes nothing`);
    assert.ok(m.checks.length > 0, `${m.id} names no check`);
    for (const c of m.checks) {
      if (c.startsWith(TLC_CHECK))
        assert.ok(
          CATALOG.some((d) => d.name === c.slice(TLC_CHECK.length)),
          `${m.id}: ${c} is not a catalogued model`,
        );
      else assert.ok(existsSync(join(ROOT, c)) && /\.test\.ts$/.test(c), `${m.id}: check ${c} is not a test file`);
    }
  }
  // every requirement has at least one mutant, so every claim shows its check can fail
  for (const r of REQUIREMENT_IDS)
    assert.ok(
      SECURITY_MUTANTS.some((m) => m.requirement === r),
      `requirement ${r} has no security mutant`,
    );
});

test('applyMutant refuses a snippet that is missing or ambiguous', () => {
  const m = SECURITY_MUTANTS[0]!;
  assert.deepEqual(applyMutant('nothing here', m), {
    ok: false,
    why: `the snippet of ${m.id} occurs 0 times in ${m.file}, not once`,
  });
  assert.equal(applyMutant(`${m.find}\n${m.find}`, m).ok, false);
  assert.equal(occurrences('aaa', 'aa'), 2);
});

test(
  'every security mutant is killed by a check that claims its requirement',
  { timeout: 30 * 60_000, skip: process.env.CORDON_MUTANTS === 'skip' ? 'CORDON_MUTANTS=skip' : false },
  async () => {
    const runs = await runSecurityMutants({ checkTimeoutMs: 300_000 });
    assert.equal(runs.length, SECURITY_MUTANTS.length);
    console.log(
      runs
        .map(
          (r) =>
            `${r.id.padEnd(36)} ${r.requirement.padEnd(22)} ${(r.killed ? r.killedBy.join(', ') : 'SURVIVED').padEnd(60)} ${(r.durationMs / 1000).toFixed(1)} s`,
        )
        .join('\n'),
    );
    const survivors = runs.filter((r) => !r.killed);
    assert.deepEqual(
      survivors.map((s) => `${s.id} (${s.requirement}): ${s.details ?? ''}`),
      [],
      'security mutants survived',
    );
    for (const r of runs)
      assert.ok(
        r.killedBy.length > 0 &&
          r.killedBy.every((c) => SECURITY_MUTANTS.find((m) => m.id === r.id)!.checks.includes(c)),
      );
  },
);
