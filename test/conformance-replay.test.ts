// Counterexamples: the committed replay files replay in the TS kernel to the
// state TLC reported; a fresh TLC counterexample (the leaky diode's one-way
// violation) maps back to TS events, prints in DESIGN.md's vocabulary and
// replays; the sound diode passes.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { compileModel } from '../src/conformance/model.ts';
import { readReplayFile, replay } from '../src/check/counterexample.ts';
import { COUNTEREXAMPLES_DIR } from '../src/models/models.ts';
import { DIODE_OPTIONS, DIODE_RULES, LEAKY_DIODE_RULES, diodeTables, modelByName } from '../src/models/registry.ts';
import { checkSolution } from '../src/check/solution-model.ts';
import { solutionModel } from '../src/check/check.ts';
import { loadSolution } from '../src/solution/load.ts';

const ROOT = join(import.meta.dirname, '..');

test('every committed replay file replays in the TS kernel to the state TLC reported', async () => {
  const files = (await readdir(COUNTEREXAMPLES_DIR)).filter((f) => f.endsWith('.replay.json'));
  assert.ok(files.length > 0);
  for (const f of files) {
    const file = await readReplayFile(join(COUNTEREXAMPLES_DIR, f));
    const ref = file.reference;
    // a catalogued model, or a solution `cordon check` wrote it for (its path from the project root)
    const m =
      ref.kind === 'model' ? compileModel(modelByName(ref.name)) : solutionModel(loadSolution(join(ROOT, ref.path)));
    if (ref.kind === 'solution') assert.equal(m.def.name, ref.model);
    const out = replay(m, file);
    assert.ok(out.ok, `${f}: ${out.problem}`);
    assert.equal(file.steps.length, file.events.length);
  }
});

test('a replay that no longer reaches the recorded state fails', async () => {
  const file = await readReplayFile(join(COUNTEREXAMPLES_DIR, 'DiodeLeaky.replay.json'));
  const m = compileModel(modelByName('DiodeLeaky'));
  const out = replay(m, { ...file, events: file.events.slice(0, -1) });
  assert.equal(out.ok, false);
  assert.match(out.problem ?? '', /after the replay/);
});

test(
  'the leaky diode: TLC finds the flow back, mapped to TS events and printed as numbered steps',
  { timeout: 5 * 60_000 },
  async () => {
    const r = await checkSolution(
      diodeTables(),
      { name: 'leaky-diode', rules: LEAKY_DIODE_RULES },
      { ...DIODE_OPTIONS, name: 'DiodeLeaky', reference: { kind: 'model', name: 'DiodeLeaky' } },
    );
    assert.equal(r.verdict, 'invariant-violation', r.problem ?? '');
    assert.ok(r.counterexample !== null);
    assert.equal(r.counterexample.mappingError, null);
    assert.match(r.counterexample.what, /OneWay/);
    assert.match(r.counterexample.printed, /^1\. /m);
    assert.match(r.counterexample.printed, /GRANT response src=Cloud/);
    const replayed = replay(compileModel(modelByName('DiodeLeaky')), r.counterexample.replay!);
    assert.ok(replayed.ok, replayed.problem ?? '');
    console.log(r.counterexample.printed);
  },
);

test('the sound diode keeps the one-way property on every reachable state', { timeout: 5 * 60_000 }, async () => {
  const r = await checkSolution(
    diodeTables(),
    { name: 'diode', rules: DIODE_RULES },
    { ...DIODE_OPTIONS, name: 'Diode' },
  );
  assert.equal(r.verdict, 'success', r.problem ?? '');
  assert.ok(r.distinct !== null && r.distinct > 100);
  assert.match(r.files.cfg, /INVARIANTS .*OneWay/);
});
