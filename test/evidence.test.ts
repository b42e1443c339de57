// The evidence bundle: the requirements catalogue points at operators and
// functions that exist; two bundles of the same inputs are identical but for
// timing; the matrix is never green without mutant results; SARIF is valid;
// `cordon evidence verify` passes a fresh bundle and names each tampering;
// index.html renders the matrix offline. Small runs (no TLC, a few property
// runs) keep it fast; the TLC checks of a bundle are those of verify.

import { schemaErrors } from './helpers/schemas.ts';
import { runCli } from './helpers/run-cli.ts';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ROOT } from '../src/evidence/report.ts';
import { REQUIREMENTS, REQUIREMENT_IDS, claimingChecks, locateOperator } from '../src/evidence/requirements.ts';
import { runEvidence, type EvidenceOptions, type EvidenceRun } from '../src/evidence/run.ts';
import { bundleFiles, writeBundle, traceability, bundleChecks, type MutantRun } from '../src/evidence/bundle.ts';
import { BundleError, verifyBundle } from '../src/evidence/verify-bundle.ts';
import { sarifErrors } from './helpers/schemas.ts';
import { browserSkip, visitPage } from './helpers/browser.ts';

const SMALL: EvidenceOptions = {
  seed: 7,
  runs: 4,
  steps: 15,
  scenarioSteps: 300,
  tlc: false,
  conformance: false,
  reuse: null,
};

describe('the requirements catalogue', () => {
  it('has exactly the fourteen requirement ids, in order', () => {
    assert.deepEqual(
      REQUIREMENTS.map((r) => r.id),
      [...REQUIREMENT_IDS],
    );
    assert.equal(REQUIREMENTS.length, 14);
  });

  it('every TLA+ operator it names is defined in its module, at the line it reports', () => {
    for (const r of REQUIREMENTS) {
      assert.ok(
        r.formal.length > 0 || r.formalGap !== undefined,
        `${r.id}: a formal statement or the reason there is none`,
      );
      for (const f of r.formal) {
        const line = locateOperator(f.module, f.operator);
        assert.notEqual(line, null, `${r.id}: ${f.operator} is not defined in spec/${f.module}.tla`);
        const text = readFileSync(join(ROOT, 'spec', `${f.module}.tla`), 'utf8').split('\n')[line! - 1]!;
        assert.ok(text.startsWith(f.operator), `${r.id}: line ${line} is "${text}"`);
      }
    }
    assert.equal(locateOperator('Properties', 'NoSuchOperator'), null);
  });

  it('every TS statement it names is an exported function of its file', async () => {
    for (const r of REQUIREMENTS)
      for (const c of r.code) {
        const mod = (await import(join(ROOT, c.file))) as Record<string, unknown>;
        assert.equal(typeof mod[c.export], 'function', `${r.id}: ${c.file} exports no function ${c.export}`);
      }
  });

  it("claims match check ids by name or prefix, and every requirement is claimed by one of verify's checks", () => {
    const ids = ['boot', 'pal.a.b', 'kernel.default-deny', 'kernel.isolation', 'tlc.model.Ping', 'scenario.programs'];
    for (const r of REQUIREMENTS)
      assert.ok(claimingChecks(r, ids).length > 0, `${r.id} has no claiming check among ${ids}`);
    const dd = REQUIREMENTS.find((r) => r.id === 'default-deny')!;
    assert.deepEqual(claimingChecks(dd, ids), ['pal.a.b', 'kernel.default-deny', 'tlc.model.Ping']);
  });
});

describe('the bundle', () => {
  let dir: string;
  let run: EvidenceRun;
  let files: Map<string, string>;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cordon-evidence-'));
    run = await runEvidence(SMALL);
    files = bundleFiles(run, []);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('two bundles of the same inputs are identical except timestamps and durations', async () => {
    const again = bundleFiles(await runEvidence(SMALL), []);
    assert.deepEqual([...again.keys()].sort(), [...files.keys()].sort());
    const timeless = (path: string, text: string): string => {
      if (path === 'manifest.json') {
        const m = JSON.parse(text) as { timing?: unknown; files: { path: string }[] };
        delete m.timing;
        // junit.xml carries durations (its time attributes), so its hash does too
        m.files = m.files.filter((f) => f.path !== 'junit.xml');
        return JSON.stringify(m);
      }
      if (path === 'junit.xml') return text.replace(/ (time|timestamp)="[^"]*"/g, '');
      return text;
    };
    for (const [path, text] of files) assert.equal(timeless(path, again.get(path)!), timeless(path, text), path);
    const m1 = JSON.parse(files.get('manifest.json')!) as { timing: { checks: Record<string, number> } };
    assert.ok(Object.keys(m1.timing.checks).includes('kernel.isolation'), 'durations are kept, under timing');
  });

  it('the manifest hashes the inputs and the tools, and gives every check its command and seed', () => {
    const m = JSON.parse(files.get('manifest.json')!) as {
      inputs: { solution: { path: string }[]; formal: { path: string }[]; policy: { sha256: string } };
      tools: Record<string, string>;
      machine: { cpus: number };
      checks: { id: string; command: string; seed: number | null }[];
    };
    assert.ok(m.inputs.solution.some((f) => f.path === 'examples/ping/einit/src/security.psl'));
    assert.ok(m.inputs.formal.some((f) => f.path === 'spec/Properties.tla'));
    assert.match(m.inputs.policy.sha256, /^[0-9a-f]{64}$/);
    assert.match(m.tools['package-lock.json.sha256']!, /^[0-9a-f]{64}$/);
    assert.ok('tla2tools.sha256' in m.tools || m.tools.tlc!.startsWith('unavailable'));
    assert.ok(m.machine.cpus > 0);
    const iso = m.checks.find((c) => c.id === 'kernel.isolation')!;
    assert.equal(iso.seed, 7);
    assert.match(iso.command, /npx cordon verify examples\/ping --board qemu-x86_64 --seed 7 --runs 4 --steps 15/);
    for (const f of [...files.keys()])
      assert.doesNotMatch(files.get(f)!, new RegExp(ROOT.replace(/[/\\.]/g, '\\$&')), f);
  });

  it('the matrix has 14 rows; without mutant results no row is green; a killed mutant makes it green, a survivor red', () => {
    const checks = bundleChecks(run);
    const none = traceability(checks, []);
    assert.equal(none.requirements.length, REQUIREMENTS.length);
    assert.ok(none.requirements.every((r) => r.cell === 'amber' && r.adequacy === 'not-shown-to-fail'));
    const mutants: MutantRun[] = [
      {
        id: 'skip-mediate',
        requirement: 'complete-mediation',
        killed: true,
        killedBy: ['kernel.complete-mediation'],
        durationMs: 3,
      },
      { id: 'deny-delivers', requirement: 'default-deny', killed: false, killedBy: [], durationMs: 5 },
    ];
    const t = traceability(checks, mutants);
    const cm = t.requirements.find((r) => r.id === 'complete-mediation')!;
    assert.equal(cm.cell, 'green');
    assert.deepEqual(
      cm.checks.find((c) => c.id === 'kernel.complete-mediation')!.mutants.map((m) => m.id),
      ['skip-mediate'],
    );
    const dd = t.requirements.find((r) => r.id === 'default-deny')!;
    assert.equal(dd.cell, 'red');
    assert.deepEqual(dd.mutants.survived, ['deny-delivers']);
  });

  it('a failed check is a red row, a SARIF result (valid SARIF 2.1.0), a JUnit failure and a counterexample file', () => {
    const broken: EvidenceRun = {
      ...run,
      report: {
        ...run.report,
        checks: run.report.checks.map((c) =>
          c.id === 'kernel.isolation'
            ? { ...c, status: 'fail', counterexample: 'thread 3 received on channel 1', replay: 'npx cordon verify …' }
            : c,
        ),
      },
    };
    const f = bundleFiles(broken, []);
    const sarif = JSON.parse(f.get('results.sarif')!) as {
      runs: { results: { ruleId: string; message: { text: string } }[] }[];
    };
    assert.deepEqual(sarifErrors(sarif), []);
    assert.deepEqual(
      sarif.runs[0]!.results.map((r) => r.ruleId),
      ['kernel.isolation'],
    );
    assert.match(sarif.runs[0]!.results[0]!.message.text, /thread 3 received/);
    assert.match(f.get('counterexamples/kernel.isolation.txt')!, /thread 3 received on channel 1/);
    assert.match(f.get('junit.xml')!, /<failure[^>]*message="kernel.isolation failed"/);
    const t = JSON.parse(f.get('traceability.json')!) as {
      requirements: { id: string; cell: string; verdict: string }[];
    };
    assert.equal(t.requirements.find((r) => r.id === 'isolation')!.verdict, 'fails');
    assert.equal(t.requirements.find((r) => r.id === 'isolation')!.cell, 'red');
    // and a passing bundle has no SARIF results, still valid
    const ok = JSON.parse(files.get('results.sarif')!) as { runs: { results: unknown[] }[] };
    assert.deepEqual(sarifErrors(ok), []);
    assert.equal(ok.runs[0]!.results.length, 0);
  });

  it('junit.xml has one testsuite per check kind', () => {
    const suites = [...files.get('junit.xml')!.matchAll(/<testsuite name="([^"]+)"/g)].map((m) => m[1]);
    assert.deepEqual(suites.sort(), ['PAL tests', 'boot', 'property suites', 'scenario'].sort());
  });

  it('adv_spm.md states the bounds honestly and names every requirement', () => {
    const md = files.get('adv_spm.md')!;
    assert.match(md, /Nothing here is an unbounded proof/);
    for (const id of REQUIREMENT_IDS) assert.ok(md.includes(`| ${id} |`), id);
    assert.match(md, /fast-check with seed 7, 4 runs per property/);
  });

  it('index.html opens offline and renders the 14-row matrix', { skip: browserSkip() }, async () => {
    const b = join(dir, 'html');
    writeBundle(b, files);
    const visit = await visitPage(join(b, 'index.html'), join(dir, 'index.png'), async (page) =>
      page.evaluate(() => ({
        rows: document.querySelectorAll('#matrix tbody tr').length,
        cells: document.querySelectorAll('#matrix td.cell').length,
        amber: document.querySelectorAll('#matrix tr[data-cell="amber"]').length,
        links: [...document.querySelectorAll('#matrix td.cell a')].every((a) =>
          document.getElementById((a as HTMLAnchorElement).hash.slice(1)),
        ),
      })),
    );
    assert.deepEqual(visit.errors, []);
    assert.deepEqual(visit.blocked, []);
    assert.equal(visit.value.rows, REQUIREMENTS.length);
    assert.equal(visit.value.cells, REQUIREMENTS.length * 9);
    assert.equal(visit.value.amber, REQUIREMENTS.length);
    assert.ok(visit.value.links, 'every cell link leads to a check on the page');
  });
});

describe('cordon evidence verify', () => {
  let work: string;
  let solution: string;
  let pristine: Map<string, string>;
  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'cordon-evidence-verify-'));
    solution = join(work, 'ping');
    cpSync(join(ROOT, 'examples', 'ping'), solution, { recursive: true });
    pristine = bundleFiles(await runEvidence({ ...SMALL, solution }), []);
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  let n = 0;
  const fresh = (): string => {
    const b = join(work, `bundle-${n++}`);
    writeBundle(b, pristine);
    return b;
  };
  const editJson = (file: string, edit: (x: Record<string, unknown>) => void) => {
    const x = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    edit(x);
    writeFileSync(file, `${JSON.stringify(x, null, 2)}\n`);
  };

  it('a fresh bundle matches, with every check re-run', async () => {
    const v = await verifyBundle(fresh());
    assert.deepEqual(v.mismatches, []);
    assert.ok(v.compared.rerun && v.compared.checks > 10);
  });

  it('a red cell made green in traceability.json is caught', async () => {
    const b = fresh();
    editJson(join(b, 'traceability.json'), (t) => {
      const r = (t.requirements as { id: string; cell: string }[]).find((x) => x.id === 'isolation')!;
      r.cell = 'green';
    });
    const v = await verifyBundle(b, { rerun: false });
    assert.ok(
      v.mismatches.some((m) => /bundle file traceability\.json was changed/.test(m)),
      v.mismatches.join('\n'),
    );
    assert.ok(
      v.mismatches.some((m) =>
        /requirement isolation shows holds\/green, its checks' results give holds\/amber/.test(m),
      ),
    );
  });

  it('a tampered result in the manifest is caught by the traceability and by the re-run', async () => {
    const b = fresh();
    editJson(join(b, 'manifest.json'), (m) => {
      const c = (m.checks as { id: string; counts: { steps: number } }[]).find((x) => x.id === 'kernel.isolation')!;
      c.counts.steps += 1;
      (m.checks as { id: string; status: string }[]).find((x) => x.id === 'boot')!.status = 'fail';
    });
    const v = await verifyBundle(b);
    assert.ok(
      v.mismatches.some((m) =>
        /check kernel\.isolation: the re-run gives runs 4, steps \d+; the bundle records/.test(m),
      ),
      v.mismatches.join('\n'),
    );
    assert.ok(v.mismatches.some((m) => /check boot: the re-run gives pass, the bundle records fail/.test(m)));
    assert.ok(
      v.mismatches.some((m) =>
        /traceability\.json: check boot of static-configuration shows pass, the manifest records fail/.test(m),
      ),
    );
  });

  it('a bundle file edited or added is caught', async () => {
    const b = fresh();
    writeFileSync(join(b, 'adv_spm.md'), `${readFileSync(join(b, 'adv_spm.md'), 'utf8')}\nAll proofs are unbounded.\n`);
    writeFileSync(join(b, 'extra.json'), '{}');
    const v = await verifyBundle(b, { rerun: false });
    assert.ok(v.mismatches.some((m) => m.startsWith('bundle file adv_spm.md was changed')));
    assert.ok(v.mismatches.some((m) => m === 'bundle file extra.json: not in the manifest (added)'));
  });

  it('a different TLC jar is named', async () => {
    const b = fresh();
    editJson(join(b, 'manifest.json'), (m) => {
      (m.tools as Record<string, string>)['tla2tools.sha256'] = '0'.repeat(64);
    });
    const v = await verifyBundle(b, { rerun: false });
    assert.ok(
      v.mismatches.some((m) => m.startsWith('a different TLC jar')),
      v.mismatches.join('\n'),
    );
  });

  it('an input changed after the run, and a changed policy, are named; the re-run sees the policy allow more', async () => {
    const b = fresh();
    const psl = join(solution, 'einit', 'src', 'security.psl');
    const text = readFileSync(psl, 'utf8');
    try {
      writeFileSync(psl, text.replace('"pinged" : ["idle"]', '"pinged" : ["idle", "pinged"]'));
      const v = await verifyBundle(b);
      assert.ok(
        v.mismatches.some((m) => /^input file .*security\.psl changed/.test(m)),
        v.mismatches.join('\n'),
      );
      assert.ok(v.mismatches.some((m) => /^the compiled policy ping changed/.test(m)));
      assert.ok(
        v.mismatches.some((m) =>
          /^check pal\..*two-pings-in-a-row-are-refused: the re-run gives fail, the bundle records pass/.test(m),
        ),
      );
    } finally {
      writeFileSync(psl, text);
    }
    // a comment changes the file, not the policy
    try {
      writeFileSync(psl, `${text}\n/* reviewed */\n`);
      const v = await verifyBundle(b, { rerun: false });
      assert.ok(v.mismatches.some((m) => /^input file .*security\.psl changed/.test(m)));
      assert.ok(!v.mismatches.some((m) => /compiled policy/.test(m)), v.mismatches.join('\n'));
    } finally {
      writeFileSync(psl, text);
    }
  });

  it('the command exits 0 on a match, 1 naming a mismatch, 2 when the bundle cannot be read', async () => {
    const b = fresh();
    const lines: string[] = [];
    const main = async (argv: string[]) => {
      const r = runCli(argv.slice(2));
      lines.push(r.stdout, r.stderr);
      return r.code;
    };
    assert.equal(await main(['node', 'cordon', 'evidence', 'verify', b, '--no-rerun']), 0);
    const asJson = runCli(['evidence', 'verify', b, '--no-rerun', '--json']);
    assert.equal(asJson.code, 0, asJson.stderr);
    assert.deepEqual(schemaErrors(join(ROOT, 'schemas', 'evidence-verify.schema.json'), JSON.parse(asJson.stdout)), []);
    writeFileSync(join(b, 'junit.xml'), '<testsuites/>');
    assert.equal(await main(['node', 'cordon', 'evidence', 'verify', b, '--no-rerun']), 1);
    writeFileSync(join(b, 'manifest.json'), '{"format": "something else"}');
    assert.equal(await main(['node', 'cordon', 'evidence', 'verify', b]), 2);
    assert.ok(
      lines.some((l) => /MISMATCH  bundle file junit\.xml was changed/.test(l)),
      lines.join(''),
    );
    assert.ok(
      lines.some((l) => /manifest\.json of the bundle is not a Cordon evidence manifest/.test(l)),
      lines.join(''),
    );
    await assert.rejects(verifyBundle(join(work, 'no-such-bundle')), BundleError);
  });
});

describe('cordon verify and the bundle', () => {
  it('verify ends by naming the bundle command; the bundle reuses its report while the inputs are the same', async () => {
    const work = mkdtempSync(join(tmpdir(), 'cordon-evidence-reuse-'));
    try {
      const solution = join(work, 'ping');
      cpSync(join(ROOT, 'examples', 'ping'), solution, { recursive: true });
      const report = join(work, 'verify.json');
      const args = ['verify', solution, '--no-tlc', '--seed', '9', '--runs', '4', '--steps', '15', '--out', report];
      const r = runCli(args);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      const lines = [r.stdout];
      const last = lines.join('').trimEnd().split('\n').at(-1)!;
      assert.match(
        last,
        /^evidence bundle: npx cordon evidence \S+ --reuse \S+verify\.json \(reuses this report's checks/,
      );
      const opts = { ...SMALL, seed: undefined, scenarioSteps: 5_000, solution, reuse: report };
      const reused = await runEvidence(opts);
      assert.equal(reused.reused, report);
      assert.equal(reused.settings.seed, 9, "the report's seed");
      const other = await runEvidence({ ...opts, runs: 5 });
      assert.equal(other.reused, null, 'another scale is not reused');
      assert.match(other.notReused ?? '', /its scale is 4 runs of 15 steps/);
      // a report whose solution model failed lacks the counterexample's replay file the bundle must carry
      const failed = join(work, 'failed-verify.json');
      const raw = JSON.parse(readFileSync(report, 'utf8')) as { checks: unknown[] };
      raw.checks.push({ id: 'tlc.solution.ping', kind: 'tlc', status: 'fail', runs: 1, durationMs: 1, details: {} });
      writeFileSync(failed, JSON.stringify(raw));
      const rerun = await runEvidence({ ...opts, reuse: failed });
      assert.equal(rerun.reused, null, 'a report with a failed solution model is not reused');
      assert.match(rerun.notReused ?? '', /tlc\.solution\.ping failed .*replay file/);
      const edl = join(solution, 'resources', 'xdl', 'ping', 'Client.edl');
      writeFileSync(edl, `${readFileSync(edl, 'utf8')}\n`);
      assert.equal((await runEvidence(opts)).reused, null, 'a changed input is not reused');
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});

describe('a bundle with TLC checks', () => {
  it(
    'records distinct states and depth; the re-run reproduces them and catches an edited count',
    { timeout: 5 * 60_000 },
    async () => {
      const work = mkdtempSync(join(tmpdir(), 'cordon-evidence-tlc-'));
      try {
        const run = await runEvidence({ ...SMALL, tlc: true, models: ['Ping'] });
        const files = bundleFiles(run, []);
        const m = JSON.parse(files.get('manifest.json')!) as {
          checks: { id: string; status: string; counts: { distinct: number; depth: number } }[];
        };
        const ping = m.checks.find((c) => c.id === 'tlc.model.Ping')!;
        assert.equal(ping.status, 'pass');
        assert.deepEqual([ping.counts.distinct, ping.counts.depth], [60, 7]);
        assert.ok(m.checks.some((c) => c.id.startsWith('tlc.solution.') && c.status === 'pass'));
        assert.match(files.get('adv_spm.md')!, /\| tlc\.model\.Ping \| holds \| 60 \| 7 \|/);
        const b = join(work, 'bundle');
        writeBundle(b, files);
        const manifest = join(b, 'manifest.json');
        const edited = JSON.parse(readFileSync(manifest, 'utf8')) as typeof m;
        edited.checks.find((c) => c.id === 'tlc.model.Ping')!.counts.distinct = 61;
        writeFileSync(manifest, JSON.stringify(edited));
        const v = await verifyBundle(b);
        assert.equal(v.mismatches.length, 1, v.mismatches.join('\n'));
        assert.match(
          v.mismatches[0]!,
          /re-run gives runs 1, distinct 60, depth 7.*the bundle records runs 1, distinct 61, depth 7/,
        );
      } finally {
        rmSync(work, { recursive: true, force: true });
      }
    },
  );
});

describe('the conformance and proof checks of a bundle', () => {
  const skip =
    process.env.CORDON_EVIDENCE_CONFORMANCE === '1'
      ? false
      : 'set CORDON_EVIDENCE_CONFORMANCE=1 (about 1 min: 5 TLC runs)';
  it(
    'trace validation, equal reachable sets and the inductive proof pass, with their figures',
    { skip, timeout: 10 * 60_000 },
    async () => {
      const { conformanceChecks, settingsOf } = await import('../src/evidence/run.ts');
      const checks = await conformanceChecks(settingsOf({ ...SMALL, traces: 5 }));
      assert.deepEqual(
        checks.map((c) => [c.id, c.status]),
        [
          ['conformance.traces.TraceWorld', 'pass'],
          ['conformance.reachable.Ping', 'pass'],
          ['conformance.reachable.Hangup', 'pass'],
          ['conformance.reachable.Duo', 'pass'],
          ['proof.inductive', 'pass'],
        ],
      );
      const ping = checks.find((c) => c.id === 'conformance.reachable.Ping')!.details as Record<string, unknown>;
      assert.deepEqual([ping.distinct, ping.explorerDistinct, ping.equal], [60, 60, true]);
      assert.equal((checks[0]!.details as { traces: number }).traces, 5);
      assert.equal((checks[4]!.details as { initialStates: number }).initialStates, 1080);
    },
  );
});

describe('a bundle of a solution whose model fails', () => {
  it(
    "carries the solution model's counterexample as a replay file, a SARIF result and red rows",
    { timeout: 5 * 60_000 },
    async () => {
      const run = await runEvidence({
        ...SMALL,
        solution: join(ROOT, 'test', 'fixtures', 'ack-window-leaky'),
        tlc: true,
        models: [],
      });
      const files = bundleFiles(run, []);
      const m = JSON.parse(files.get('manifest.json')!) as {
        checks: { id: string; status: string; file?: string; replayFile?: string }[];
      };
      const failed = m.checks.find((c) => c.id.startsWith('tlc.solution.'))!;
      assert.equal(failed.status, 'fail');
      assert.ok(!m.checks.some((c) => c.id.startsWith('tlc.model.')), 'no kernel model was asked for');
      const replay = JSON.parse(files.get(failed.replayFile!)!) as { format: string; reference: { path: string } };
      assert.equal(replay.format, 'cordon-replay/1');
      assert.equal(replay.reference.path, 'test/fixtures/ack-window-leaky');
      assert.match(files.get(failed.file!)!, /replay file: counterexamples\/tlc\.solution\.[A-Za-z]+\.replay\.json/);
      const sarif = JSON.parse(files.get('results.sarif')!) as { runs: { results: { ruleId: string }[] }[] };
      assert.deepEqual(sarifErrors(sarif), []);
      assert.ok(sarif.runs[0]!.results.some((r) => r.ruleId === failed.id));
      const t = JSON.parse(files.get('traceability.json')!) as { requirements: { id: string; cell: string }[] };
      assert.equal(t.requirements.find((r) => r.id === 'default-deny')!.cell, 'red');
    },
  );
});
