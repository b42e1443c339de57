// The security mutants: small, plausible mistakes in the kernel, the monitor,
// the PSL compiler, the message codecs and the spec, each of which breaks one
// security requirement. Each names the checks that claim that requirement;
// `runSecurityMutants` (mutant-run.ts) applies each in a scratch copy of the
// project and runs those checks: a check that fails kills the mutant. A
// mutant no check kills is a check that cannot fail where it should, and is
// reported as such, never hidden.
//
// `find` is an exact snippet that occurs exactly once in `file`
// (test/security-mutants.test.ts checks every one, so a drifting source is
// caught); `replace` is put in its place. A check is a test file run with
// `node --import tsx --test`, or `tlc:<Model>`: the model of the catalog
// (src/conformance/catalog.ts) run under TLC, killed when TLC reports a
// violation.

import { spawn } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// The security requirements, by id: the evidence catalogue's own list.
import { REQUIREMENT_IDS, type RequirementId } from './requirements.ts';
export { REQUIREMENT_IDS, type RequirementId };

export interface SecurityMutant {
  readonly id: string;
  readonly requirement: RequirementId;
  readonly description: string;
  /** path from the project root */
  readonly file: string;
  /** an exact snippet of `file`, occurring exactly once */
  readonly find: string;
  readonly replace: string;
  /** test files (from the project root) or `tlc:<Model>` */
  readonly checks: readonly string[];
}

export const TLC_CHECK = 'tlc:';

export const SECURITY_MUTANTS: readonly SecurityMutant[] = [
  // ------------------------------------------------------------ complete mediation
  {
    id: 'reply-skips-mediate',
    requirement: 'complete-mediation',
    description: 'Reply delivers the response or error without asking the monitor',
    file: 'src/kernel/ipc.ts',
    find: `  d.moveThread(tid, t.state, null);
  if (!d.mediate(event)) {`,
    replace: `  d.moveThread(tid, t.state, null);
  if (!true) {`,
    checks: ['property-tests/kernel.test.ts'],
  },
  {
    id: 'kernel-service-skips-mediate',
    requirement: 'complete-mediation',
    description: 'a Call on the kernel handle runs the service without a monitor decision',
    file: 'src/kernel/services.ts',
    find: "  if (!d.mediate(event)) return fail('rcSecurityDisallow', `${kind} denied`);",
    replace: '',
    checks: ['test/kernel-services.test.ts', 'property-tests/kernel.test.ts'],
  },
  {
    id: 'einit-execute-unmediated',
    requirement: 'complete-mediation',
    description: "Einit starts the solution's processes without a mediated execute event",
    file: 'src/kernel/boot.ts',
    find: `    if (!d.mediate(event)) {
      denied.push(proc.name);`,
    replace: `    if (!true) {
      denied.push(proc.name);`,
    checks: ['test/kernel-requirements.test.ts'],
  },
  {
    id: 'spec-call-skips-grant',
    requirement: 'complete-mediation',
    description: "the spec's call delivers a request whether or not the monitor granted it",
    file: 'spec/Kernel.tla',
    find: `       ELSE IF ~granted(s1) THEN s1
       ELSE IF ~receivable(s1, e.object) THEN s1`,
    replace: `       ELSE IF ~receivable(s1, e.object) THEN s1`,
    checks: [`${TLC_CHECK}Ping`],
  },
  // ------------------------------------------------------------ default deny
  {
    id: 'call-deny-delivers',
    requirement: 'default-deny',
    description: 'Call records the deny but delivers the request anyway',
    file: 'src/kernel/ipc.ts',
    find: "  if (!d.mediate(event)) return void d.result({ tid, rc: 'rcSecurityDisallow' });",
    replace: '  d.mediate(event);',
    checks: ['test/kernel-hangup.test.ts', 'property-tests/kernel.test.ts'],
  },
  {
    id: 'mediate-keeps-state-on-deny',
    requirement: 'default-deny',
    description: 'Draft.mediate advances the monitor state on a deny too',
    file: 'src/kernel/draft.ts',
    find: `    if (decision.verdict !== 'grant') return false;
    this.monitor = decision.next;`,
    replace: `    this.monitor = decision.next;
    if (decision.verdict !== 'grant') return false;`,
    checks: ['test/kernel-mediate.test.ts'],
  },
  {
    id: 'psl-deny-keeps-state',
    requirement: 'default-deny',
    description: 'a compiled PSL decision that ends in deny keeps the state changes its earlier rules made',
    file: 'src/policy/compile/compile.ts',
    find: '    reason: c.reason,\n    next: state,\n  };',
    replace: '    reason: c.reason,\n    next: c.state,\n  };',
    checks: ['test/psl-compile.test.ts'],
  },
  {
    id: 'psl-unmatched-grants',
    requirement: 'default-deny',
    description: 'a PSL cell no rule applies to is decided grant instead of default deny',
    file: 'src/policy/compile/compile.ts',
    find: 'granted.length === 0 ? defaultDeny :',
    replace: "granted.length === 0 ? Object.freeze({ verdict: 'grant' as const, rule: 'default', next: initial }) :",
    checks: ['test/psl-compile.test.ts'],
  },
  {
    id: 'rules-unmatched-grants',
    requirement: 'default-deny',
    description: 'the rule policy grants an event no rule names',
    file: 'src/monitor/rules.ts',
    find: '    if (v === 0) return defaultDeny(state);',
    replace: "    if (v === 0) return { verdict: 'grant', rules: [{ id: 'default' }], next: state };",
    checks: ['property-tests/kernel.test.ts', 'test/rules-table.test.ts'],
  },
  {
    id: 'monitor-undeclared-method-to-policy',
    requirement: 'typed-interfaces',
    description: 'a message naming no declared method falls through to the policy, which may grant it',
    file: 'src/monitor/monitor.ts',
    find: `      if (m === undefined) return undeclared(event, state);
      const check = kind === 'response' ? m.response : kind === 'error' ? m.error : m.request;`,
    replace: `      const check = m === undefined ? null : kind === 'response' ? m.response : kind === 'error' ? m.error : m.request;`,
    checks: ['test/codecs.test.ts', 'property-tests/kernel.test.ts'],
  },
  {
    id: 'flow-undeclared-transition',
    requirement: 'default-deny',
    description: 'Flow.enter grants a move into any declared state, whether or not the transition is listed',
    file: 'src/policy/models/flow.ts',
    find: '  if (!(o.transitions.get(from)?.has(to) ?? false)) return denied(',
    replace: '  if (!o.states.has(to)) return denied(',
    checks: ['test/models.test.ts'],
  },
  // ------------------------------------------------------------ typed interfaces
  {
    id: 'monitor-skips-codec',
    requirement: 'typed-interfaces',
    description: 'the monitor hands a message to the policy without checking it against its method',
    file: 'src/monitor/monitor.ts',
    find: '        if (!ok) return malformed(m, kind, event.message, true, state);',
    replace: '',
    checks: ['test/codecs.test.ts', 'test/pal-run.test.ts'],
  },
  {
    id: 'codec-sequence-unbounded',
    requirement: 'typed-interfaces',
    description: 'sequence<T, N> accepts more than N elements',
    file: 'src/interfaces/codecs.ts',
    find: '    if (!Array.isArray(u) || u.length < this.min || u.length > this.max) return false;',
    replace: '    if (!Array.isArray(u) || u.length < this.min) return false;',
    checks: ['test/codecs.test.ts'],
  },
  {
    id: 'codec-string-unbounded',
    requirement: 'typed-interfaces',
    description: 'string<N> accepts a text longer than N bytes',
    file: 'src/interfaces/codecs.ts',
    find: `    if (u.length > this.maxLength) return false;
    const n = utf8Length(u);
    return n >= 0 && n <= this.maxLength;`,
    replace: `    const n = utf8Length(u);
    return n >= 0;`,
    checks: ['test/codecs.test.ts'],
  },
  // ------------------------------------------------------------ isolation
  {
    id: 'futex-wake-any-object',
    requirement: 'isolation',
    description: "sync.Wake wakes waiters on the same offset of any memory object, another process's too",
    file: 'src/kernel/services.ts',
    find: "        return s.tag === 'futex' && s.object === o[0] && s.offset === a.offset;",
    replace: "        return s.tag === 'futex' && s.offset === a.offset;",
    checks: ['test/kernel-services.test.ts', 'test/kernel-requirements.test.ts'],
  },
  // ------------------------------------------------------------ static configuration
  {
    id: 'dangling-connection-boots',
    requirement: 'static-configuration',
    description: 'a connection naming a client process the solution does not declare is dropped silently',
    file: 'src/kernel/tables.ts',
    find: '    if (client === undefined) errors.push(`${at}: dangling: no process "${c.client}"`);',
    replace: '',
    checks: ['test/kernel-services.test.ts', 'test/kernel-requirements.test.ts'],
  },
  // ------------------------------------------------------------ the three system calls
  {
    id: 'unknown-syscall-is-reply',
    requirement: 'three-syscalls',
    description: 'a system call other than Call, Recv and Reply is taken as a Reply',
    file: 'src/kernel/step.ts',
    find: "      if (c.op !== 'Call' && c.op !== 'Recv' && c.op !== 'Reply')",
    replace: "      if (typeof c.op !== 'string')",
    checks: ['test/kernel-requirements.test.ts'],
  },
  // ------------------------------------------------------------ handles
  {
    id: 'transfer-without-rights-subset',
    requirement: 'unforgeable-handles',
    description: 'a transferred handle may carry rights its sender does not hold',
    file: 'src/kernel/ipc.ts',
    find: `    if (!rightsWithin(rights, e.rights))
      return { rc: 'rcNoRights', detail: \`handle \${handle}: cannot pass rights it does not hold\` };`,
    replace: '',
    checks: ['test/kernel-services.test.ts'],
  },
  {
    id: 'duplicate-without-rights-subset',
    requirement: 'unforgeable-handles',
    description: 'handle.Duplicate grants rights the original handle does not hold',
    file: 'src/kernel/services.ts',
    find: '    if ((e.rights & Rights.duplicate) === 0 || !rightsWithin(a.rights, e.rights))',
    replace: '    if ((e.rights & Rights.duplicate) === 0)',
    checks: ['test/kernel-services.test.ts'],
  },
  {
    id: 'closed-handle-usable',
    requirement: 'unforgeable-handles',
    description: 'handle.Close leaves the entry in the table: the closed handle still works',
    file: 'src/kernel/services.ts',
    find: '    handles[a.handle] = null;',
    replace: '',
    checks: ['test/kernel-services.test.ts'],
  },
  {
    id: 'spec-transfer-rights-unchecked',
    requirement: 'unforgeable-handles',
    description: "the spec's captureTransfers lets a transfer pass on rights the sender lacks",
    file: 'spec/Kernel.tla',
    find: `                 ELSE IF ~RightsWithin(hs[i].rights, e.rights) THEN "rcNoRights"
`,
    replace: '',
    checks: [`${TLC_CHECK}Gateway`],
  },
  // ------------------------------------------------------------ resource labels
  {
    id: 'handle-field-shows-object-id',
    requirement: 'resource-labels',
    description: "the monitor is shown a transferred handle as the object's id, not its label",
    file: 'src/kernel/ipc.ts',
    find: '    values.push(installed === null ? d.objects.get(transfers[fields[k]!]!.object)!.sid : installed[fields[k]!]!);',
    replace: '    values.push(installed === null ? transfers[fields[k]!]!.object : installed[fields[k]!]!);',
    checks: ['test/kernel-labels.test.ts'],
  },
  {
    id: 'object-label-reused',
    requirement: 'resource-labels',
    description: 'a new object is labelled with the label of the object created before it',
    file: 'src/kernel/draft.ts',
    find: '    return objectSid(this.objects.length);',
    replace: '    return objectSid(Math.max(1, this.objects.length - 1));',
    checks: ['test/kernel-labels.test.ts', 'property-tests/kernel.test.ts'],
  },
  {
    id: 'spec-object-label-reused',
    requirement: 'resource-labels',
    description: "the spec's give labels a new object with the label of the object before it",
    file: 'spec/Kernel.tla',
    find: 'Append(@, [sid |-> objectSid(id)] @@ o)',
    replace: 'Append(@, [sid |-> objectSid(id - 1)] @@ o)',
    checks: [`${TLC_CHECK}Services`],
  },
  // ------------------------------------------------------------ reply to caller
  {
    id: 'reply-any-server-end',
    requirement: 'reply-to-caller',
    description: 'a Reply is accepted through a server end the request did not come in on',
    file: 'src/kernel/ipc.ts',
    find: '  if (serving === null || serving.channel !== id)',
    replace: '  if (serving === null)',
    checks: ['test/kernel-reply.test.ts'],
  },
  {
    id: 'spec-reply-any-server-end',
    requirement: 'reply-to-caller',
    description: "the spec's reply accepts a Reply through a server end the request did not come in on",
    file: 'spec/Kernel.tla',
    find: `       ELSE IF sv.channel # id THEN s
`,
    replace: '',
    checks: [`${TLC_CHECK}Duo`],
  },
  // ------------------------------------------------------------ scheduling
  {
    id: 'schedule-keeps-current',
    requirement: 'one-thread-per-cpu',
    description: 'schedule runs the best ready thread without preempting the current one',
    file: 'src/kernel/sched.ts',
    find: '  if (current !== null && current !== undefined) d.moveThread(current, READY);',
    replace: '',
    checks: ['property-tests/kernel.test.ts'],
  },
  // ------------------------------------------------------------ board guarantees
  {
    id: 'irq-to-any-waiter',
    requirement: 'board-irq-holder',
    description: 'an interrupt wakes the first thread waiting on any line',
    file: 'src/kernel/services.ts',
    find: "  const waiter = d.threads.find((t) => t.state.tag === 'irq' && t.state.line === line);",
    replace: "  const waiter = d.threads.find((t) => t.state.tag === 'irq');",
    checks: ['test/kernel-services.test.ts', 'property-tests/boards.test.ts'],
  },
  {
    id: 'dma-buffers-overlap',
    requirement: 'board-dma-granted',
    description: 'dma.Allocate ignores the live buffers: a device may write into a buffer granted to someone else',
    file: 'src/kernel/services.ts',
    find: `    if (lo - at >= pages * page) break;
    at = Math.max(at, hi);`,
    replace: `    if (lo - at >= pages * page || hi > 0) break;
    at = Math.max(at, hi);`,
    checks: ['test/kernel-services.test.ts', 'property-tests/boards.test.ts'],
  },
  {
    id: 'port-io-off-x86',
    requirement: 'board-no-port-io',
    description: 'io.AttachPorts works on a board without port I/O',
    file: 'src/kernel/services.ts',
    find: "    if (!m.portIo) return fail('rcUnsupported', `port I/O exists only on the x86 family; ${m.name} is ${m.arch}`);",
    replace: '',
    checks: ['test/kernel-services.test.ts', 'property-tests/boards.test.ts'],
  },
  {
    id: 'rtc-moves-monotonic',
    requirement: 'board-monotonic-clock',
    description: 'setting the real-time clock moves the monotonic clock too (it can go backwards)',
    file: 'src/kernel/step.ts',
    find: '      d.clock = { ...d.clock, realtime: event.realtime };',
    replace: '      d.clock = { monotonic: event.realtime, realtime: event.realtime };',
    checks: ['property-tests/boards.test.ts'],
  },
];

// ------------------------------------------------------------------ the runner

/** One mutant's outcome: killed when at least one of its checks failed on it. */
export interface MutantRun {
  id: string;
  requirement: string;
  killed: boolean;
  /** the checks that failed on the mutant */
  killedBy: string[];
  /** wall time of all its checks */
  durationMs: number;
  details?: string;
  /** each check's verdict on the mutant: fail = it killed it, error = it could not run (not a kill) */
  checkRuns?: { check: string; verdict: 'pass' | 'fail' | 'error'; durationMs: number; why: string }[];
}

export interface MutantRunOptions {
  /** run only these mutant ids */
  readonly only?: readonly string[];
  readonly onProgress?: (line: string) => void;
  /** per check, in milliseconds (default 120 s) */
  readonly checkTimeoutMs?: number;
}

/** The seed and scale the property suites run with under a mutant (recorded, so that a run is reproducible). */
export const MUTANT_SEED = 20261207;
export const MUTANT_SCALE = 0.5;

/** What a scratch copy of the project holds: copied, or linked (node_modules, tools: read only). */
export const SCRATCH_COPIED = [
  'src',
  'spec',
  'models',
  'test',
  'property-tests',
  'boards',
  'proofs',
  'examples',
  'bin',
  'package.json',
  'tsconfig.json',
] as const;
export const SCRATCH_LINKED = ['node_modules', 'tools'] as const;

const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** How often `find` occurs in `text` (overlapping occurrences counted). */
export function occurrences(text: string, find: string): number {
  if (find === '') return 0;
  let n = 0;
  for (let at = text.indexOf(find); at >= 0; at = text.indexOf(find, at + 1)) n++;
  return n;
}

/** The mutated text of a file, or why the mutant does not apply. */
export function applyMutant(text: string, m: SecurityMutant): { ok: true; text: string } | { ok: false; why: string } {
  const n = occurrences(text, m.find);
  if (n !== 1) return { ok: false, why: `the snippet of ${m.id} occurs ${n} times in ${m.file}, not once` };
  const at = text.indexOf(m.find);
  return { ok: true, text: text.slice(0, at) + m.replace + text.slice(at + m.find.length) };
}

/** A scratch copy of the project under the system's temporary directory. */
export async function makeScratch(root: string = PROJECT_ROOT): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'cordon-mutant-'));
  for (const entry of SCRATCH_COPIED) await cp(join(root, entry), join(dir, entry), { recursive: true });
  for (const entry of SCRATCH_LINKED) await symlink(join(root, entry), join(dir, entry), 'dir');
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

interface CheckOutcome {
  readonly check: string;
  /** 'pass' | 'fail' (a kill) | 'error' (the check could not run: not a kill) */
  readonly verdict: 'pass' | 'fail' | 'error';
  readonly ms: number;
  readonly why: string;
}

/** The environment of a check: the recorded seed and scale, and nothing of a test runner this runs under. */
function checkEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    CORDON_SEED: String(MUTANT_SEED),
    CORDON_SCALE: String(MUTANT_SCALE),
  };
  delete env.CORDON_PATH;
  delete env.NODE_TEST_CONTEXT;
  delete env.NODE_OPTIONS;
  delete env.NODE_V8_COVERAGE;
  return env;
}

/** Runs one check in `dir`. */
function runCheck(dir: string, check: string, timeoutMs: number): Promise<CheckOutcome> {
  const tlc = check.startsWith(TLC_CHECK);
  const args = tlc
    ? ['--import', 'tsx', 'src/evidence/mutant-tlc.ts', check.slice(TLC_CHECK.length)]
    : ['--import', 'tsx', '--test', '--test-reporter=tap', check];
  const t0 = performance.now();
  return new Promise((done) => {
    const child = spawn(process.execPath, args, {
      cwd: dir,
      env: checkEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (b: Buffer) => (out = (out + b.toString()).slice(-200_000)));
    child.stderr.on('data', (b: Buffer) => (err = (err + b.toString()).slice(-20_000)));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      const ms = performance.now() - t0;
      if (timedOut) return done({ check, verdict: 'fail', ms, why: `timed out after ${timeoutMs / 1000} s` });
      if (code === 0) return done({ check, verdict: 'pass', ms, why: '' });
      if (tlc)
        return done({
          check,
          verdict: code === 1 ? 'fail' : 'error',
          ms,
          why: (out.trim().split('\n').pop() ?? '') || err.trim().split('\n').slice(-3).join(' '),
        });
      const failed = [...out.matchAll(/^\s*not ok \d+ - (.*)$/gm)].map((x) => x[1]!.trim());
      // the innermost failing test first: node's runner also reports the suites around it
      const named = failed.length > 0 ? failed.slice(0, 2).join('; ') : err.trim().split('\n').slice(-2).join(' ');
      done({ check, verdict: 'fail', ms, why: named.slice(0, 300) });
    });
  });
}

/** The checks of a set of mutants, each once, in first-use order. */
function checksOf(mutants: readonly SecurityMutant[]): string[] {
  return [...new Set(mutants.flatMap((m) => m.checks))];
}

/**
 * Applies each mutant in a scratch copy of the project and runs the checks
 * that claim its requirement; first, every check once on the unmutated copy
 * (a check that fails there could not tell a mutant from the original: the
 * run is refused). The copy is restored after each mutant and removed at the end.
 */
export async function runSecurityMutants(options: MutantRunOptions = {}): Promise<MutantRun[]> {
  const log = options.onProgress ?? (() => {});
  const timeout = options.checkTimeoutMs ?? 120_000;
  const only = options.only;
  const unknown = (only ?? []).filter((id) => !SECURITY_MUTANTS.some((m) => m.id === id));
  if (unknown.length > 0) throw new Error(`no security mutant ${unknown.map((u) => `"${u}"`).join(', ')}`);
  const mutants = SECURITY_MUTANTS.filter((m) => only === undefined || only.includes(m.id));
  const scratch = await makeScratch();
  try {
    for (const check of checksOf(mutants)) {
      const b = await runCheck(scratch.dir, check, timeout);
      log(`baseline ${check}: ${b.verdict} (${(b.ms / 1000).toFixed(1)} s)`);
      if (b.verdict !== 'pass')
        throw new Error(`check ${check} does not pass on the unmutated project (${b.why}): it cannot judge a mutant`);
    }
    const runs: MutantRun[] = [];
    for (const m of mutants) {
      const path = join(scratch.dir, m.file);
      const original = await readFile(path, 'utf8');
      const patched = applyMutant(original, m);
      if (!patched.ok) {
        runs.push({
          id: m.id,
          requirement: m.requirement,
          killed: false,
          killedBy: [],
          durationMs: 0,
          details: patched.why,
        });
        log(`${m.id}: NOT APPLIED (${patched.why})`);
        continue;
      }
      await writeFile(path, patched.text);
      const t0 = performance.now();
      const outcomes: CheckOutcome[] = [];
      try {
        for (const check of m.checks) outcomes.push(await runCheck(scratch.dir, check, timeout));
      } finally {
        await writeFile(path, original);
      }
      const killedBy = outcomes.filter((o) => o.verdict === 'fail').map((o) => o.check);
      const details = outcomes
        .map((o) => `${o.check}: ${o.verdict} in ${(o.ms / 1000).toFixed(1)} s${o.why === '' ? '' : ` (${o.why})`}`)
        .join('\n');
      const run: MutantRun = {
        id: m.id,
        requirement: m.requirement,
        killed: killedBy.length > 0,
        killedBy,
        durationMs: Math.round(performance.now() - t0),
        details,
        checkRuns: outcomes.map((o) => ({
          check: o.check,
          verdict: o.verdict,
          durationMs: Math.round(o.ms),
          why: o.why,
        })),
      };
      runs.push(run);
      log(
        `${m.id}: ${run.killed ? `killed by ${killedBy.join(', ')}` : 'SURVIVED'} (${(run.durationMs / 1000).toFixed(1)} s)`,
      );
    }
    return runs;
  } finally {
    await scratch.cleanup();
  }
}
