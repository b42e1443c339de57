// Counterexamples drawn as Mermaid sequence diagrams: the committed leaky
// diode counterexample (a TLC trace replayed in the TS kernel) has every
// process it involves as a lifeline, one arrow per Call/Recv/Reply step and
// a note per decision, with the verdict and every rule; a failing PAL test is
// drawn with its cases; `cordon test` writes the diagram beside its JUnit file.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, cpSync, writeFileSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { readReplayFile, replayTrace } from '../src/check/counterexample.ts';
import { compileModel } from '../src/conformance/model.ts';
import { modelByName } from '../src/models/registry.ts';
import { COUNTEREXAMPLES_DIR } from '../src/models/models.ts';
import {
  counterexampleDiagram,
  diagramPath,
  mermaidSequence,
  mermaidText,
  palFailureDiagrams,
} from '../src/check/sequence-diagram.ts';
import { loadSolution } from '../src/solution/load.ts';
import { parsePal } from '../src/policy/pal/parser.ts';
import { runPalTests } from '../src/policy/pal/run.ts';
import { rulesKey } from '../src/monitor/types.ts';

const root = join(import.meta.dirname, '..');

/** The diagram's statements by kind. */
function parts(text: string) {
  const lines = text.trimEnd().split('\n');
  assert.equal(lines[0], 'sequenceDiagram');
  const body = lines.slice(1).map((l) => l.trim());
  return {
    title: body.filter((l) => l.startsWith('title ')),
    participants: body
      .filter((l) => l.startsWith('participant '))
      .map((l) => /^participant (\S+) as (.*)$/.exec(l)!.slice(1) as [string, string]),
    arrows: body
      .filter((l) => /^\w+(->>|-->>|-x|--x)\w+: /.test(l))
      .map((l) => /^(\w+)(->>|-->>|-x|--x)(\w+): (.*)$/.exec(l)!.slice(1) as [string, string, string, string]),
    notes: body
      .filter((l) => l.startsWith('Note over '))
      .map((l) => /^Note over ([\w,]+): (.*)$/.exec(l)!.slice(1) as [string, string]),
    other: body.filter((l) => !/^(title |participant |Note over )/.test(l) && !/^\w+(->>|-->>|-x|--x)\w+: /.test(l)),
  };
}

test('the leaky diode counterexample: lifelines, an arrow per Call/Recv/Reply, a note per decision', async () => {
  const m = compileModel(modelByName('DiodeLeaky'));
  const file = await readReplayFile(join(COUNTEREXAMPLES_DIR, 'DiodeLeaky.replay.json'));
  const trace = replayTrace(m, file);
  const d = parts(counterexampleDiagram(m.tables, trace, file.violation));
  assert.deepEqual(d.other, []);
  assert.deepEqual(d.title, [`title ${file.violation} (model DiodeLeaky)`]);
  // lifelines: the kernel and every process that acts or is decided about, by SID
  const names = trace.final.processes.map((p) => p.name);
  const sids = new Set([0]);
  for (const s of [...trace.boot, ...trace.steps.flatMap((x) => x.records)]) sids.add(s.event.src).add(s.event.dst);
  for (const s of trace.steps) if (s.actor !== null) sids.add(s.actor);
  assert.deepEqual(
    d.participants,
    [...sids]
      .sort((a, b) => a - b)
      .map((sid) => [`P${sid}`, names[sid] === undefined ? `sid ${sid}` : `${names[sid]} (sid ${sid})`]),
  );
  // one arrow per IPC syscall step, in order, labelled with the step; every other step a note over the kernel
  const ipc = trace.steps.filter((s) => s.event.kind === 'syscall');
  assert.ok(ipc.length >= 3, 'the trace has Call, Recv and Reply steps');
  assert.deepEqual(
    d.arrows.map(([from, , , text]) => [from, text.split('.')[0]]),
    ipc.map((s) => [`P${s.actor}`, String(s.number)]),
  );
  for (const [[from, arrow, to], s] of d.arrows.map((a, i) => [a, ipc[i]!] as const)) {
    const call = s.event.kind === 'syscall' ? s.event.call.op : '';
    const verdict = (k: string[]) => s.records.find((r) => k.includes(r.event.kind))?.decision.verdict;
    if (call === 'Call') {
      assert.equal(arrow, verdict(['request', 'security']) === 'deny' ? '-x' : '->>');
      assert.equal(to, `P${s.records.find((r) => r.event.kind === 'request')?.event.dst ?? 0}`);
    } else if (call === 'Reply') {
      assert.equal(arrow, verdict(['response', 'error']) === 'deny' ? '--x' : '-->>');
      assert.equal(to, `P${s.records.find((r) => r.event.kind === 'response' || r.event.kind === 'error')!.event.dst}`);
    } else assert.deepEqual([arrow, to, from], ['->>', 'P0', `P${s.actor}`]);
  }
  // a note per decision (boot's too) over its two parties, with its verdict and rules; plus the boot and step notes
  const decisions = [...trace.boot, ...trace.steps.flatMap((s) => s.records)];
  const decisionNotes = d.notes.filter(([, text]) => /^(GRANT|DENY) /.test(text));
  assert.equal(decisionNotes.length, decisions.length);
  decisionNotes.forEach(([over, text], i) => {
    const r = decisions[i]!;
    assert.equal(over, `P${r.event.src},P${r.event.dst}`);
    assert.ok(text.startsWith(r.decision.verdict.toUpperCase()));
    assert.ok(text.includes(`by ${rulesKey(r.decision)}`), text);
  });
  const otherSteps = trace.steps.filter((s) => s.event.kind !== 'syscall');
  assert.equal(d.notes.length, decisions.length + otherSteps.length + (trace.boot.length > 0 ? 1 : 0));
  // the violation itself: the leaky gateway's forward to the cloud is granted
  assert.ok(decisionNotes.some(([, t]) => /^GRANT request up\.Push by gateway forwards/.test(t)));
  // the committed diagram beside the committed replay file is this one (CORDON_UPDATE_GOLDEN=1 rewrites it)
  const committed = diagramPath(join(COUNTEREXAMPLES_DIR, 'DiodeLeaky.replay.json'));
  const text = counterexampleDiagram(m.tables, trace, file.violation);
  if (process.env.CORDON_UPDATE_GOLDEN === '1') writeFileSync(committed, text);
  assert.equal(readFileSync(committed, 'utf8'), text);
});

test('Mermaid text is escaped; diagrams sit beside their replay files', () => {
  assert.equal(mermaidText('a;b#c\nd'), 'a#59;b#35;c<br/>d');
  assert.equal(diagramPath('out/check.replay.json'), 'out/check.replay.mmd');
  assert.equal(
    mermaidSequence(
      't',
      [{ id: 'A', label: 'a (sid 1)' }],
      [
        { kind: 'arrow', from: 'A', to: 'A', text: 'x;y', denied: true },
        { kind: 'note', over: ['A', 'A'], text: 'n' },
      ],
    ),
    'sequenceDiagram\n  title t\n  participant A as a (sid 1)\n  A-xA: x#59;y\n  Note over A: n\n',
  );
});

test('a failing PAL test is drawn: its cases as arrows between task classes, the verdicts and rules as notes', () => {
  const loaded = loadSolution(join(root, 'examples', 'ping'));
  const pal = parsePal({
    file: 'tests.psl',
    text: `assert "drawn" {
    setup {
        core   <- execute dst = kl.core.Core
        einit  <- execute src = core dst = Einit
        client <- execute src = einit dst = ping.Client
        server <- execute src = einit dst = ping.Server
    }
    sequence "a pong first" {
        grant request src = client dst = server endpoint = pinger method = Ping { value : 1 }
        deny response src = server dst = client endpoint = pinger method = Ping { reply : 1 }
    }
    sequence "passes" { grant request src = client dst = server endpoint = pinger method = Ping { value : 1 } }
}`,
  }).asserts;
  const r = runPalTests(loaded.tables, loaded.policy, pal);
  assert.equal(r.failed, 1);
  const diagrams = palFailureDiagrams(r);
  assert.deepEqual([...diagrams.keys()], ['drawn / a pong first']);
  const d = parts(diagrams.get('drawn / a pong first')!);
  assert.deepEqual(d.other, []);
  assert.deepEqual(
    d.participants.map(([, label]) => label),
    ['kl.core.Core', 'Einit', 'ping.Client', 'ping.Server'],
  );
  const failed = r.tests[0]!;
  const decided = failed.cases.filter((c) => c.verdict !== null && c.status !== 'skipped');
  assert.equal(d.arrows.length, decided.length);
  const last = d.arrows[d.arrows.length - 1]!;
  // the response is dashed, from server to client, granted (so no cross)
  assert.deepEqual([last[1], d.participants.find(([id]) => id === last[0])![1]], ['-->>', 'ping.Server']);
  assert.match(last[3], /^expect deny: response Ping$/);
  const verdictNotes = d.notes.filter(([, t]) => /^(GRANT|DENY) by /.test(t));
  assert.deepEqual(
    verdictNotes.map(([, t]) => t.split(':')[0]!.trim()),
    decided.map((c) => `${c.verdict!.toUpperCase()} by ${rulesKey(c)}`.split(':')[0]!.trim()),
  );
  assert.equal(d.notes.filter(([, t]) => t.startsWith('FAIL: expected deny, got grant by ')).length, 1);
});

test('cordon test writes the diagram of a failing PAL test beside its JUnit file, and none when all pass', async () => {
  const { testCommand } = await import('../src/cli/test.ts');
  const dir = mkdtempSync(join(tmpdir(), 'cordon-diagram-'));
  try {
    const ok = testCommand({ solution: join(root, 'examples', 'ping'), junit: join(dir, 'ok', 'junit.xml') }, () => {});
    assert.equal(ok.code, 0);
    assert.deepEqual(ok.diagrams, []);
    // a copy of ping with one failing test added
    const sol = join(dir, 'ping');
    cpSync(join(root, 'examples', 'ping'), sol, { recursive: true });
    appendFileSync(
      join(sol, 'einit', 'src', 'tests.psl'),
      `
assert "added" {
    setup {
        core   <- execute dst = kl.core.Core
        einit  <- execute src = core dst = Einit
        client <- execute src = einit dst = ping.Client
        server <- execute src = einit dst = ping.Server
    }
    sequence "wrongly expected" { deny request src = client dst = server endpoint = pinger method = Ping { value : 1 } }
}
`,
    );
    const lines: string[] = [];
    const bad = testCommand({ solution: sol, junit: join(dir, 'bad', 'junit.xml') }, (l) => lines.push(l));
    assert.equal(bad.code, 1);
    assert.deepEqual(bad.diagrams, [join(dir, 'bad', 'pal-failure.added_wrongly_expected.mmd')]);
    assert.deepEqual(readdirSync(join(dir, 'bad')).sort(), ['junit.xml', 'pal-failure.added_wrongly_expected.mmd']);
    const d = parts(readFileSync(bad.diagrams[0]!, 'utf8'));
    assert.equal(d.arrows.length, 5, 'four setup executes and the request');
    assert.ok(
      lines.some((l) => l.startsWith('sequence diagram of the failing test added / wrongly expected written to')),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
