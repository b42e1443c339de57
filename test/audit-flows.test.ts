// `cordon audit flows` on the examples: in diode-rules nothing from Cloud
// reaches Plc and Plc reaches Cloud, with a shortest witness written as a
// replay file that the kernel and `audit explain --after` replay; in the
// KasperskyOS diode only signals (empty acknowledgements) go back; a search
// cut by a bound never says "no flow"; the text, DOT and Mermaid output on the
// examples is as committed (test/fixtures/audit/).

import { testContext } from './helpers/cli-context.ts';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { tmpdir } from 'node:os';
import { loadSolution, type Loaded } from '../src/solution/load.ts';
import { flowGraph, flows, flowsDot, flowsMermaid, flowsText, reach } from '../src/audit/flows.ts';
import { modelOptions, modelPolicy, solutionModel } from '../src/check/check.ts';
import { solutionModelDef } from '../src/check/solution-model.ts';
import { compileModel } from '../src/conformance/model.ts';
import { KERNEL_ENDPOINTS, KERNEL_INTERFACES } from '../src/kernel/kernel-api.ts';
import { readReplayFile, replay } from '../src/check/counterexample.ts';
import { audited, explain, situation } from '../src/audit/explain.ts';
import { Command, CommanderError } from 'commander';
import { registerAudit } from '../src/cli/audit.ts';

const root = join(import.meta.dirname, '..');
const fixtures = join(root, 'test', 'fixtures', 'audit');
const cache = new Map<string, Loaded>();
const example = (name: string) => {
  let l = cache.get(name);
  if (l === undefined) cache.set(name, (l = loadSolution(join(root, 'examples', name))));
  return l;
};

/** `cordon audit …` with its own output (standard output is the test runner's: it is never captured). */
async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  let code = 0;
  const program = new Command().exitOverride();
  registerAudit(
    program,
    testContext(
      (s) => void (out += `${s}\n`),
      (c) => void (code = c),
    ),
  );
  const writeErr = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((s: string) => ((err += s), true)) as typeof process.stderr.write;
  try {
    await program.parseAsync(['node', 'cordon', 'audit', ...args]);
  } catch (e) {
    if (!(e instanceof CommanderError)) throw e;
    code = 2;
  } finally {
    process.stderr.write = writeErr;
  }
  return { code, out, err };
}

test('diode-rules: nothing from Cloud reaches Plc (every reachable state exhausted); Plc reaches Cloud', () => {
  const m = solutionModel(example('diode-rules'));
  const back = reach(m, 'Cloud', 'Plc');
  assert.equal(back.answer, 'none');
  assert.equal(back.exploration.complete, true);
  assert.deepEqual(back.exploration.bounds, []);
  assert.ok(back.exploration.states > 100, `${back.exploration.states} states`);
  // handle transfers grow gw's table without end: the search is finite only because the slots no event
  // names are left out of a state's identity (without that, the model's maxHandles bound would cut it)
  assert.ok((back.exploration.unnamed?.states ?? 0) > 0);
  const forth = reach(m, 'Plc', 'Cloud', { path: 'examples/diode-rules' });
  assert.equal(forth.answer, 'flows');
  const w = forth.witness!;
  // plc's call to gw is granted, then gw's call to cloud: the information reaches gw, then cloud
  assert.deepEqual(
    w.filter((s) => s.reached.length > 0).map((s) => s.reached.join()),
    ['gw', 'cloud'],
  );
  assert.equal(w.length, 4);
  assert.ok(replay(m, forth.replay!).ok, 'the witness replays in the kernel');
  // the graph: the gateway's forward is one-way, and a handle transfer is an edge
  const g = flowGraph(m);
  assert.ok(g.exploration.complete);
  const names = new Map(g.nodes.map((n) => [n.sid, n.name]));
  const edges = g.edges.map((e) => `${names.get(e.from)}>${names.get(e.to)} ${e.kind}`);
  assert.ok(edges.includes('gw>cloud request'));
  assert.ok(edges.includes('plc>gw transfer'));
  assert.ok(!edges.some((e) => e.startsWith('cloud>')), 'nothing leaves the cloud');
});

test('diode (KasperskyOS): data flows only forward; the empty acknowledgements back are signals', () => {
  const m = solutionModel(example('diode'));
  const g = flowGraph(m);
  const names = new Map(g.nodes.map((n) => [n.sid, n.name]));
  const back = g.edges.filter((e) => names.get(e.from) === 'diode.Writer');
  assert.deepEqual(
    back.map((e) => `${e.kind} ${e.data}`),
    ['response false'],
  );
  assert.equal(reach(m, 'diode.Writer', 'diode.Reader', { dataOnly: true }).answer, 'none');
  // counting signals, the writer's acknowledgement can be timed by the reader
  assert.equal(reach(m, 'diode.Writer', 'diode.Reader').answer, 'flows');
  assert.equal(reach(m, 'diode.Reader', 'diode.Writer', { dataOnly: true }).answer, 'flows');
});

test('a model whose calls can name any handle slot (handle.Close) is searched without the unnamed-slot identity', () => {
  const loaded = example('diode-rules');
  const def = solutionModelDef(loaded.tables, modelPolicy(loaded), modelOptions(loaded));
  const close = KERNEL_ENDPOINTS.indexOf('handle');
  const mid = KERNEL_INTERFACES[close]!.methods.findIndex((x) => x.name === 'Close');
  const m = compileModel({
    ...def,
    alphabet: { ...def.alphabet, calls: [...def.alphabet.calls, { riid: close, mid, payload: { handle: 9 } }] },
  });
  const g = flowGraph(m, { maxStates: 400 });
  assert.equal(g.exploration.unnamed, null);
  assert.equal(g.exploration.complete, false);
  assert.ok(g.exploration.bounds.length > 0);
  assert.equal(flowGraph(solutionModel(loaded)).exploration.unnamed?.beyond, 3);
});

test('a search cut by a bound says which bound and never says "no flow"', () => {
  const m = solutionModel(example('diode-rules'));
  const r = reach(m, 'Cloud', 'Plc', { maxStates: 20 });
  assert.equal(r.answer, 'unknown');
  assert.equal(r.exploration.complete, false);
  assert.deepEqual(
    r.exploration.bounds.map((b) => `${b.bound} ${b.limit}`),
    ['maxStates 20'],
  );
  const text = flowsText({ graph: flowGraph(m, { maxStates: 20 }), reach: r });
  assert.match(text, /NOT ANSWERED/);
  assert.match(text, /bound maxStates = 20 was crossed/);
  assert.doesNotMatch(text, /no flow/);
});

test('cli: exit codes 0 no flow, 1 flow, 2 error; the replay file replays with audit explain --after', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cordon-flows-'));
  try {
    const diode = join(root, 'examples', 'diode-rules');
    assert.equal((await cli(['flows', diode, '--from', 'Cloud', '--to', 'Plc'])).code, 0);
    const file = join(dir, 'w.replay.json');
    const dot = join(dir, 'g.dot');
    const r = await cli(['flows', diode, '--from', 'Plc', '--to', 'Cloud', '--replay', file, '--dot', dot]);
    assert.equal(r.code, 1);
    assert.match(r.out, /Plc -> Cloud: information flows\. Shortest witness, 4 kernel steps/);
    assert.equal(readFileSync(dot, 'utf8'), flowsDot(flowGraph(solutionModel(example('diode-rules')))));
    const f = await readReplayFile(file);
    assert.equal(f.reference.kind, 'solution');
    assert.ok(replay(solutionModel(example('diode-rules')), f).ok);
    const a = audited(example('diode-rules'));
    const where = situation(a, file);
    assert.match(where.reached, /4 kernel steps from boot/);
    // after the witness, gw's call to the cloud is waiting: the policy state is the one the replay reached
    assert.equal(
      explain(a, where, 'request src=Plc dst=Gateway endpoint=in method=Push message={"value":7}').verdict,
      'grant',
    );
    const ex = await cli([
      'explain',
      diode,
      '--after',
      file,
      '--event',
      'request src=Plc dst=Gateway endpoint=in method=Push message={"value":7}',
    ]);
    assert.equal(ex.code, 0);
    const bad = await cli(['flows', diode, '--from', 'Nobody', '--to', 'Plc']);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /--from Nobody: no process or task class of that name/);
    assert.equal((await cli(['flows', diode, '--from', 'Plc'])).code, 2);
    assert.equal((await cli(['flows', diode, '--from', 'Cloud', '--to', 'Plc', '--max-states', '20'])).code, 2);
    const js = await cli(['flows', diode, '--json']);
    assert.equal(js.code, 0);
    const parsed = JSON.parse(js.out) as { graph: { edges: unknown[] }; reach: null };
    assert.equal(parsed.reach, null);
    assert.equal(parsed.graph.edges.length, flowGraph(solutionModel(example('diode-rules'))).edges.length);
    const mer = await cli(['flows', join(root, 'examples', 'ping-rules'), '--mermaid', '-']);
    assert.equal(`${mer.out}`, flowsMermaid(flowGraph(solutionModel(example('ping-rules')))));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** The golden outputs: text (with a --from/--to question where it says something) and DOT. */
const GOLDEN: readonly { file: string; solution: string; run: (l: Loaded) => string }[] = [
  { file: 'ping.flows.txt', solution: 'ping', run: (l) => flowsText(flows(l)) },
  { file: 'ping.flows.dot', solution: 'ping', run: (l) => flowsDot(flows(l).graph) },
  { file: 'ping-rules.flows.mmd', solution: 'ping-rules', run: (l) => flowsMermaid(flows(l).graph) },
  { file: 'echo.flows.txt', solution: 'echo', run: (l) => flowsText(flows(l)) },
  {
    file: 'diode.flows.txt',
    solution: 'diode',
    run: (l) => flowsText(flows(l, { from: 'diode.Writer', to: 'diode.Reader', dataOnly: true })),
  },
  { file: 'diode.flows.dot', solution: 'diode', run: (l) => flowsDot(flows(l).graph) },
  {
    file: 'diode-rules.flows-back.txt',
    solution: 'diode-rules',
    run: (l) => flowsText(flows(l, { from: 'Cloud', to: 'Plc' })),
  },
  {
    file: 'diode-rules.flows-forth.txt',
    solution: 'diode-rules',
    run: (l) => flowsText(flows(l, { from: 'Plc', to: 'Cloud' })),
  },
  { file: 'diode-rules.flows.dot', solution: 'diode-rules', run: (l) => flowsDot(flows(l).graph) },
];

test('golden: flows prints what test/fixtures/audit/ holds', () => {
  for (const g of GOLDEN) {
    const got = g.run(example(g.solution)).replace(/\n?$/, '\n');
    const path = join(fixtures, g.file);
    if (process.env.CORDON_UPDATE_GOLDEN === '1') writeFileSync(path, got);
    assert.equal(got, readFileSync(path, 'utf8'), relative(root, path));
  }
});
