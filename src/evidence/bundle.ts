// The evidence bundle: from the checks of one run (src/evidence/run.ts), the
// requirements catalogue and the security-mutant results, the files an
// assessor reads and `cordon evidence verify` checks:
//   manifest.json      inputs by sha256, tools, settings and seeds, every check's command and result,
//                      the bundle's own files by sha256; timestamps and durations only under `timing`
//   traceability.json  requirement -> formal statement -> checks -> results -> mutants
//   adv_spm.md         the ADV_SPM.1 structure filled in from the above
//   junit.xml          every check, one testsuite per kind (times are durations, as JUnit has them)
//   results.sarif      every failed check, with its counterexample
//   counterexamples/   one file per failed check: the counterexample and how to replay it
//   index.html         the requirement matrix, self-contained
// Everything but `timing` and junit.xml's time attributes is a function of
// the inputs: two bundles of the same inputs are otherwise byte-identical.

import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, platform, arch } from 'node:os';
import { dirname, join } from 'node:path';
import { BOARDS, weakenedGuarantees } from '../../boards/index.ts';
import { shellQuote } from '../properties/env.ts';
import { junitXml, type JUnitSuite } from '../output/junit.ts';
import { sarifLog, sarifText, type SarifFinding } from '../output/sarif.ts';
import { renderPage } from '../output/html.ts';
import { REQUIREMENTS, claimingChecks, locateOperator, type Requirement } from './requirements.ts';
import { formalInputs, policySha256, sha256Text, solutionInputs, type HashedFile } from './inputs.ts';
import { advSpm } from './adv-spm.ts';
import type { CheckResult } from './report.ts';
import type { EvidenceRun, EvidenceSettings } from './run.ts';

export const BUNDLE_FORMAT = 'cordon-evidence/1';

/** One security mutant's result (from the security-mutant suite). */
export interface MutantRun {
  readonly id: string;
  readonly requirement: string;
  readonly killed: boolean;
  readonly killedBy: string[];
  readonly durationMs: number;
}

/** The figures of a check that a re-run must reproduce exactly. */
export type Counts = Readonly<Record<string, number | boolean | string | null>>;

export interface BundleCheck {
  readonly id: string;
  readonly kind: string;
  readonly status: CheckResult['status'];
  readonly runs: number;
  readonly counts: Counts;
  readonly seed: number | null;
  /** the command that reproduces this check (among others) */
  readonly command: string;
  readonly counterexample?: string;
  readonly replay?: string;
  /** the counterexample file in the bundle */
  readonly file?: string;
  /** the replay file in the bundle (`npx cordon check --replay`'s format; replay it with the kernel) */
  readonly replayFile?: string;
}

export type Cell = 'green' | 'amber' | 'red';

export interface TraceRequirement {
  readonly id: string;
  readonly title: string;
  readonly statement: string;
  readonly formal: readonly {
    module: string;
    operator: string;
    kind: string;
    file: string;
    line: number | null;
  }[];
  readonly formalGap: string | null;
  readonly code: Requirement['code'];
  readonly suites: readonly string[];
  readonly checks: readonly (BundleCheck & {
    readonly mutants: readonly { id: string; killed: boolean; killedBy: string[] }[];
  })[];
  /** holds: every claiming check that ran passed; fails: one failed or could not run; unchecked: none ran */
  readonly verdict: 'holds' | 'fails' | 'unchecked';
  /** shown-to-fail: mutants of it exist and all were killed; mutant-survived; not-shown-to-fail: no mutant results */
  readonly adequacy: 'shown-to-fail' | 'mutant-survived' | 'not-shown-to-fail';
  readonly mutants: { readonly total: number; readonly killed: number; readonly survived: readonly string[] };
  readonly cell: Cell;
  readonly weakenedOn: readonly { board: string; guarantee: string; reason: string }[];
  readonly weakness: string;
}

export interface Traceability {
  readonly requirements: readonly TraceRequirement[];
}

/** Keys of a check's details that are durations or machine-dependent: never part of a result. */
const TIMING_KEYS = new Set(['tlcSeconds', 'wallSeconds', 'seconds', 'durationMs', 'ms']);
const COUNT_KEYS = [
  'steps',
  'distinct',
  'depth',
  'generated',
  'cases',
  'passed',
  'skipped',
  'traces',
  'initialStates',
  'equal',
  'explorerDistinct',
  'explorerDepth',
  'onlyTlc',
  'onlyExplorer',
  'grants',
  'denies',
  'verdict',
  'bounds',
] as const;

export function countsOf(c: CheckResult): Counts {
  const d = (typeof c.details === 'object' && c.details !== null ? c.details : {}) as Record<string, unknown>;
  const out: Record<string, number | boolean | string | null> = { runs: c.runs };
  for (const k of COUNT_KEYS) {
    const v = d[k];
    if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'string' || v === null) out[k] = v;
  }
  return out;
}

const PROPERTY_KINDS = new Set(['property', 'scenario', 'board', 'boot', 'pal', 'policy']);

/** The command that reproduces a check, with the bundle's settings. */
export function commandOf(c: { id: string; kind: string }, s: EvidenceSettings): string {
  const sol = shellQuote(s.solution);
  const defines = Object.entries(s.defines)
    .map(([k, v]) => ` --define ${shellQuote(`${k}=${v}`)}`)
    .concat(s.imports.sdkRoot === null ? [] : [` --sdk ${shellQuote(s.imports.sdkRoot)}`])
    .concat(s.imports.includes.map((d) => ` --include ${shellQuote(d)}`))
    .join('');
  const scale = `--board ${s.board} --seed ${s.seed} --runs ${s.runs} --steps ${s.steps}${defines}`;
  if (PROPERTY_KINDS.has(c.kind)) return `npx cordon verify ${sol} ${scale} --no-tlc`;
  if (c.id.startsWith('tlc.solution.')) return `npx cordon check ${sol} --board ${s.board}${defines} --workers 1`;
  if (c.id.startsWith('tlc.model.')) return `npx cordon verify ${sol} ${scale}`;
  if (c.id.startsWith('conformance.traces.')) return `npx cordon evidence ${sol} ${scale} --traces ${s.traces}`;
  if (c.id.startsWith('conformance.reachable.')) return 'node --import tsx --test test/conformance-reachable.test.ts';
  if (c.id === 'proof.inductive') return 'node --import tsx --test test/spec-inductive.test.ts';
  return `npx cordon evidence ${sol} ${scale}`;
}

const fileSafe = (id: string) => id.replace(/[^A-Za-z0-9._-]/g, '_');

export function bundleChecks(run: EvidenceRun): BundleCheck[] {
  return [...run.report.checks, ...run.extra].map((c) => {
    const failed = c.status === 'fail' || c.status === 'error';
    const seeded =
      c.kind === 'property' || c.kind === 'scenario' || c.kind === 'board' || c.id.startsWith('conformance.traces.');
    return {
      id: c.id,
      kind: c.kind,
      status: c.status,
      runs: c.runs,
      counts: countsOf(c),
      seed: seeded ? run.settings.seed : null,
      command: commandOf(c, run.settings),
      ...(c.counterexample !== undefined ? { counterexample: c.counterexample } : {}),
      ...(c.replay !== undefined ? { replay: c.replay } : {}),
      ...(failed ? { file: `counterexamples/${fileSafe(c.id)}.txt` } : {}),
      ...(run.replays.has(c.id) ? { replayFile: `counterexamples/${fileSafe(c.id)}.replay.json` } : {}),
    };
  });
}

function cellOf(verdict: TraceRequirement['verdict'], adequacy: TraceRequirement['adequacy']): Cell {
  if (verdict === 'fails' || adequacy === 'mutant-survived') return 'red';
  if (verdict === 'holds' && adequacy === 'shown-to-fail') return 'green';
  return 'amber';
}

/** Requirement -> formal statement -> checks -> results -> mutants. */
export function traceability(checks: readonly BundleCheck[], mutants: readonly MutantRun[]): Traceability {
  const ids = checks.map((c) => c.id);
  const byId = new Map(checks.map((c) => [c.id, c]));
  return {
    requirements: REQUIREMENTS.map((r) => {
      const mine = mutants.filter((m) => m.requirement === r.id);
      const claiming = claimingChecks(r, ids).map((id) => {
        const c = byId.get(id)!;
        return {
          ...c,
          mutants: mine
            .filter((m) => m.killedBy.includes(id))
            .map((m) => ({ id: m.id, killed: m.killed, killedBy: [...m.killedBy] })),
        };
      });
      const ran = claiming.filter((c) => c.status !== 'skipped');
      const verdict: TraceRequirement['verdict'] = ran.some((c) => c.status === 'fail' || c.status === 'error')
        ? 'fails'
        : ran.length === 0
          ? 'unchecked'
          : 'holds';
      const survived = mine.filter((m) => !m.killed).map((m) => m.id);
      const adequacy: TraceRequirement['adequacy'] =
        mine.length === 0 ? 'not-shown-to-fail' : survived.length > 0 ? 'mutant-survived' : 'shown-to-fail';
      return {
        id: r.id,
        title: r.title,
        statement: r.statement,
        formal: r.formal.map((f) => ({
          ...f,
          file: `spec/${f.module}.tla`,
          line: locateOperator(f.module, f.operator),
        })),
        formalGap: r.formalGap ?? null,
        code: r.code,
        suites: r.suites,
        checks: claiming,
        verdict,
        adequacy,
        mutants: { total: mine.length, killed: mine.length - survived.length, survived },
        cell: cellOf(verdict, adequacy),
        weakenedOn: BOARDS.flatMap((b) =>
          weakenedGuarantees(b)
            .filter((w) => r.weakenedBy.includes(w.guarantee))
            .map((w) => ({ board: b.id, guarantee: w.guarantee, reason: w.reason })),
        ),
        weakness: r.weakness,
      };
    }),
  };
}

export interface Manifest {
  readonly format: string;
  readonly command: string;
  readonly settings: EvidenceSettings;
  readonly reused: string | null;
  readonly inputs: {
    readonly solution: readonly HashedFile[];
    readonly formal: readonly HashedFile[];
    readonly policy: { readonly name: string; readonly sha256: string };
  };
  readonly tools: Readonly<Record<string, string>>;
  readonly machine: { readonly cpus: number; readonly platform: string; readonly arch: string };
  readonly checks: readonly BundleCheck[];
  readonly mutants: readonly { id: string; requirement: string; killed: boolean; killedBy: string[] }[];
  /** the bundle's other files, by sha256 */
  readonly files: readonly HashedFile[];
  /** the only fields that differ between two bundles of the same inputs */
  readonly timing: {
    readonly startedAt: string;
    readonly finishedAt: string;
    readonly checks: Readonly<Record<string, number>>;
    readonly mutants: Readonly<Record<string, number>>;
  };
}

/** The command that makes this bundle again. */
export function evidenceCommand(s: EvidenceSettings): string {
  const defines = Object.entries(s.defines)
    .map(([k, v]) => ` --define ${shellQuote(`${k}=${v}`)}`)
    .join('');
  return [
    `npx cordon evidence ${shellQuote(s.solution)} --board ${s.board} --seed ${s.seed} --runs ${s.runs} --steps ${s.steps}`,
    s.scenarioSteps === 5_000 ? '' : ` --scenario-steps ${s.scenarioSteps}`,
    s.tlc ? '' : ' --no-tlc',
    s.models === null ? '' : ` --models ${s.models.join(',')}`,
    s.conformance ? ` --traces ${s.traces}` : ' --no-conformance',
    defines,
    s.imports.sdkRoot === null ? '' : ` --sdk ${shellQuote(s.imports.sdkRoot)}`,
    s.imports.includes.map((d) => ` --include ${shellQuote(d)}`).join(''),
  ].join('');
}

const KIND_TITLES: Record<string, string> = {
  boot: 'boot',
  policy: 'policy',
  pal: 'PAL tests',
  scenario: 'scenario',
  board: 'board checks',
  property: 'property suites',
  tlc: 'TLC models',
  conformance: 'conformance',
  proof: 'proofs',
};

function junitOf(run: EvidenceRun, checks: readonly BundleCheck[]): string {
  const durations = new Map([...run.report.checks, ...run.extra].map((c) => [c.id, c.durationMs]));
  const kinds = [...new Set(checks.map((c) => c.kind))];
  const suites: JUnitSuite[] = kinds.map((k) => ({
    name: KIND_TITLES[k] ?? k,
    cases: checks
      .filter((c) => c.kind === k)
      .map((c) => ({
        name: c.id,
        classname: `cordon.evidence.${k}`,
        timeSeconds: (durations.get(c.id) ?? 0) / 1000,
        systemOut: [`command: ${c.command}`, ...Object.entries(c.counts).map(([n, v]) => `${n}: ${v}`)].join('\n'),
        ...(c.status === 'fail'
          ? { failure: { message: `${c.id} failed`, type: k, details: c.counterexample ?? '' } }
          : c.status === 'error'
            ? { error: { message: `${c.id} could not run`, type: k, details: c.counterexample ?? '' } }
            : c.status === 'skipped'
              ? { skipped: 'skipped' }
              : {}),
      })),
  }));
  return junitXml('cordon evidence', suites);
}

function sarifOf(run: EvidenceRun, checks: readonly BundleCheck[], trace: Traceability): string {
  const failed = checks.filter((c) => c.status === 'fail' || c.status === 'error');
  const findings: SarifFinding[] = failed.map((c) => {
    const reqs = trace.requirements.filter((r) => r.checks.some((x) => x.id === c.id)).map((r) => r.id);
    return {
      ruleId: c.id,
      level: 'error',
      message: `${c.status === 'fail' ? 'failed' : 'could not run'}: ${c.id}${reqs.length ? ` (claims ${reqs.join(', ')})` : ''}\n${c.counterexample ?? ''}`,
      properties: {
        kind: c.kind,
        command: c.command,
        counts: c.counts,
        requirements: reqs,
        ...(c.replay !== undefined ? { replay: c.replay } : {}),
        ...(c.file !== undefined ? { counterexampleFile: c.file } : {}),
      },
    };
  });
  return sarifText(
    sarifLog(
      { name: 'cordon', version: run.tools.cordon ?? 'unknown' },
      failed.map((c) => ({ id: c.id, short: `the ${KIND_TITLES[c.kind] ?? c.kind} check ${c.id}` })),
      findings,
    ),
  );
}

const KIND_COLUMNS = ['property', 'pal', 'tlc', 'conformance', 'proof', 'board', 'boot'] as const;
const COLUMN_KINDS: Record<(typeof KIND_COLUMNS)[number], readonly string[]> = {
  property: ['property'],
  pal: ['pal'],
  tlc: ['tlc'],
  conformance: ['conformance'],
  proof: ['proof'],
  board: ['scenario', 'board'],
  boot: ['boot'],
};

/** A matrix cell: the claiming checks of one column kind. */
function matrixCell(r: TraceRequirement, column: (typeof KIND_COLUMNS)[number]) {
  const cs = r.checks.filter((c) => COLUMN_KINDS[column].includes(c.kind));
  if (cs.length === 0) return { cell: 'none', text: '—', checks: [] as string[] };
  const failed = cs.filter((c) => c.status === 'fail' || c.status === 'error').length;
  const passed = cs.filter((c) => c.status === 'pass').length;
  return {
    cell: failed > 0 ? 'red' : passed > 0 ? 'green' : 'amber',
    text: failed > 0 ? `${failed} of ${cs.length} failed` : `${passed} of ${cs.length} pass`,
    checks: cs.map((c) => c.id),
  };
}

function htmlOf(manifest: Omit<Manifest, 'files' | 'timing'>, trace: Traceability): string {
  const rows = trace.requirements.map((r) => ({
    ...r,
    cells: KIND_COLUMNS.map((k) => ({ column: k, ...matrixCell(r, k) })),
    mutantText:
      r.adequacy === 'not-shown-to-fail'
        ? 'not shown to fail'
        : r.adequacy === 'mutant-survived'
          ? `${r.mutants.survived.length} of ${r.mutants.total} survived`
          : `${r.mutants.killed} of ${r.mutants.total} killed`,
    mutantCell: r.adequacy === 'shown-to-fail' ? 'green' : r.adequacy === 'mutant-survived' ? 'red' : 'amber',
  }));
  return renderPage('evidence.njk', {
    title: `Cordon evidence: ${manifest.settings.solution} on ${manifest.settings.board}`,
    manifest,
    rows,
    columns: KIND_COLUMNS.map((k) => KIND_TITLES[k === 'board' ? 'board' : k] ?? k),
    checks: manifest.checks.map((c) => ({
      ...c,
      anchor: `check-${fileSafe(c.id)}`,
      seedText: c.seed === null ? '—' : String(c.seed),
      countsText: Object.entries(c.counts)
        .map(([k, v]) => `${k} ${v}`)
        .join(', '),
    })),
    anchorOf: (id: string) => `check-${fileSafe(id)}`,
    summary: {
      green: trace.requirements.filter((r) => r.cell === 'green').length,
      amber: trace.requirements.filter((r) => r.cell === 'amber').length,
      red: trace.requirements.filter((r) => r.cell === 'red').length,
    },
  });
}

function counterexampleText(c: BundleCheck): string {
  return [
    `check: ${c.id} (${c.kind}) ${c.status}`,
    `reproduce: ${c.command}`,
    ...(c.replay !== undefined ? [`replay: ${c.replay}`] : []),
    ...(c.replayFile !== undefined ? [`replay file: ${c.replayFile}`] : []),
    '',
    c.counterexample ?? '(no counterexample text)',
    '',
  ].join('\n');
}

export const json = (v: unknown): string => `${JSON.stringify(v, null, 2)}\n`;

/** Every file of the bundle, by its path in the bundle. */
export function bundleFiles(run: EvidenceRun, mutants: readonly MutantRun[]): Map<string, string> {
  const checks = bundleChecks(run);
  const trace = traceability(checks, mutants);
  const base: Omit<Manifest, 'files' | 'timing'> = {
    format: BUNDLE_FORMAT,
    command: evidenceCommand(run.settings),
    settings: run.settings,
    reused: run.reused,
    inputs: {
      solution: solutionInputs(run.loaded),
      formal: formalInputs(),
      policy: { name: run.loaded.policy.name, sha256: policySha256(run.loaded) },
    },
    tools: run.tools,
    machine: { cpus: cpus().length, platform: platform(), arch: arch() },
    checks,
    mutants: mutants.map((m) => ({
      id: m.id,
      requirement: m.requirement,
      killed: m.killed,
      killedBy: [...m.killedBy],
    })),
  };
  const files = new Map<string, string>();
  files.set('traceability.json', json(trace));
  files.set('adv_spm.md', advSpm(base, trace));
  files.set('junit.xml', junitOf(run, checks));
  files.set('results.sarif', sarifOf(run, checks, trace));
  for (const c of checks) if (c.file !== undefined) files.set(c.file, counterexampleText(c));
  for (const [id, replay] of run.replays) files.set(`counterexamples/${fileSafe(id)}.replay.json`, json(replay));
  files.set('index.html', htmlOf(base, trace));
  const manifest: Manifest = {
    ...base,
    files: [...files.entries()]
      .map(([path, text]) => ({ path, sha256: sha256Text(text) }))
      .sort((a, b) => a.path.localeCompare(b.path)),
    timing: {
      startedAt: run.startedAt,
      finishedAt: run.finishedAt,
      checks: Object.fromEntries([...run.report.checks, ...run.extra].map((c) => [c.id, c.durationMs])),
      mutants: Object.fromEntries(mutants.map((m) => [m.id, m.durationMs])),
    },
  };
  files.set('manifest.json', json(manifest));
  return files;
}

/** Writes the bundle into `dir` (emptied first of an earlier bundle's files). */
export function writeBundle(dir: string, files: ReadonlyMap<string, string>): string[] {
  mkdirSync(dir, { recursive: true });
  for (const f of ['manifest.json', 'traceability.json', 'adv_spm.md', 'junit.xml', 'results.sarif', 'index.html'])
    rmSync(join(dir, f), { force: true });
  rmSync(join(dir, 'counterexamples'), { recursive: true, force: true });
  for (const [path, text] of files) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return [...files.keys()];
}

/** The files of a bundle directory, relative, '/'-separated (for the check that nothing was added). */
export function listBundle(dir: string, sub = ''): string[] {
  const out: string[] = [];
  for (const e of readdirSync(join(dir, sub), { withFileTypes: true })) {
    const rel = sub === '' ? e.name : `${sub}/${e.name}`;
    if (e.isDirectory()) out.push(...listBundle(dir, rel));
    else out.push(rel);
  }
  return out.sort();
}
