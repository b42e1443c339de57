/**
 * Running TLC once, in its own JVM:
 *
 *   java -XX:+UseParallelGC [-Xmx…] -Djava.io.tmpdir=<run>/java-tmp -cp <jar> tlc2.TLC
 *        -tool -metadir <run>/meta -workers N -config <cfg> [options] <Spec>
 *
 * with the spec's folder as working directory. `<run>` is a fresh folder
 * under the OS temp dir, removed afterwards: TLC's working files (metadir) and
 * the standard modules it extracts from the jar (into java.io.tmpdir) go there,
 * so nothing is written beside the spec and concurrent runs do not share
 * files. `-tool` also keeps TLC from writing trace-spec (TE) files (this TLC
 * writes them only with -generateSpecTE, which the bridge never passes).
 */
import { availableParallelism } from 'node:os';
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import type { TlcProgress, TlcResult, SetupReason } from './codecs.ts';
import { parseCfgSummary, type CfgSummary } from './cfg.ts';
import { TlcRunCollector, type TlcMode } from './interpret.ts';
import { findTlc, type TlcInstallation } from './locate.ts';
import { killAndWait, makeRunDir, removeDir, spawnJava, TextCap } from './process.ts';

export interface CommonRunOptions {
  /** Path of the spec module (`Name.tla`). */
  readonly spec: string;
  /** Path of the model; default: `Name.cfg` beside the spec. */
  readonly config?: string;
  /** Check for deadlock (default true); false passes -deadlock. */
  readonly checkDeadlock?: boolean;
  /** Fingerprint polynomial index (-fp). */
  readonly fp?: number;
  /** JVM heap limit, e.g. "2g" (becomes -Xmx2g). */
  readonly maxHeap?: string;
  /** Further JVM options, e.g. ["-XX:MaxDirectMemorySize=1g"]. */
  readonly javaOptions?: readonly string[];
  /** Wall-clock limit; TLC is killed when it is exceeded and the result is `timeout`. */
  readonly timeoutMs?: number;
  /** Called with each statistics report as TLC prints it. */
  readonly onProgress?: (progress: TlcProgress) => void;
  /** Environment for locating Java/the jar and for the JVM (default: process.env). */
  readonly env?: NodeJS.ProcessEnv;
  /** An installation from `findTlc` (located anew when absent). */
  readonly tlc?: TlcInstallation;
  /** Cap on the raw log kept in the result (default 16 MiB). */
  readonly maxLogBytes?: number;
  /** Called when a Java process starts (for logs and evidence: the exact command line). */
  readonly onStart?: (info: TlcProcessInfo) => void;
}

export interface TlcProcessInfo {
  /** `tlc` for a single-process run; `server`/`worker` in distributed mode. */
  readonly role: 'tlc' | 'server' | 'worker';
  readonly pid: number | undefined;
  /** The program and its arguments. */
  readonly command: readonly string[];
  readonly cwd: string;
  /** The run's scratch folder (removed when the run ends). */
  readonly runDir: string;
}

/** Calls `onStart` without letting a failing callback break the run. */
export function notifyStart(o: CommonRunOptions, info: TlcProcessInfo): void {
  try {
    o.onStart?.(info);
  } catch {
    // A failing observer must not break the run.
  }
}

export interface RunTlcOptions extends CommonRunOptions {
  /** Worker threads (default: os.availableParallelism()). */
  readonly workers?: number;
  /**
   * Write every distinct state to this file (-dump). `.dump` is appended when
   * the path does not end with it, as TLC does; read it with `readStateDump`.
   */
  readonly dump?: string;
  /** Random seed (-seed; simulation, and the seed BFS reports). */
  readonly seed?: number | bigint;
  /** Trace depth in simulation (-depth). */
  readonly depth?: number;
  /** Random simulation instead of BFS; `traces` caps the number of behaviours (num=N). */
  readonly simulate?: boolean | { readonly traces?: number };
  /** Further TLC options, e.g. ["-continue"] or ["-maxSetSize", "2000000"]; the options the bridge manages are refused. */
  readonly extraTlcArgs?: readonly string[];
}

/** Options the bridge sets itself; passing them through `extraTlcArgs` is refused. */
const MANAGED = new Set([
  '-tool',
  '-metadir',
  '-workers',
  '-config',
  '-deadlock',
  '-dump',
  '-seed',
  '-fp',
  '-depth',
  '-simulate',
  '-cleanup',
  '-generateSpecTE',
  '-userFile',
  '-recover',
]);

export interface ResolvedModel {
  readonly specPath: string;
  readonly specDir: string;
  readonly specName: string;
  readonly configPath: string;
  readonly cfg: CfgSummary;
}

export type Checked<T> = { ok: true; value: T } | { ok: false; reason: SetupReason; message: string };

/** Resolves and checks the spec and model paths. */
export async function resolveModel(spec: string, config: string | undefined): Promise<Checked<ResolvedModel>> {
  const specPath = resolve(spec);
  if (extname(specPath) !== '.tla') {
    return { ok: false, reason: 'invalid-option', message: `the spec must be a .tla file, got ${spec}` };
  }
  if (!(await isFile(specPath)))
    return { ok: false, reason: 'spec-not-found', message: `the spec ${spec} does not exist` };
  const specName = basename(specPath, '.tla');
  const configPath = config !== undefined ? resolve(config) : join(dirname(specPath), `${specName}.cfg`);
  let cfgText: string;
  try {
    cfgText = await readFile(configPath, 'utf8');
  } catch {
    return {
      ok: false,
      reason: 'config-not-found',
      message: `the model ${config ?? `${specName}.cfg beside the spec`} does not exist (resolved to ${configPath})`,
    };
  }
  return {
    ok: true,
    value: { specPath, specDir: dirname(specPath), specName, configPath, cfg: parseCfgSummary(cfgText) },
  };
}

async function isDirectory(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isDirectory();
  } catch {
    return false;
  }
}

async function isFile(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isFile();
  } catch {
    return false;
  }
}

const isNonNegInt = (n: unknown): boolean => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;

export function checkCommonOptions(o: CommonRunOptions): string | null {
  if (o.fp !== undefined && !isNonNegInt(o.fp)) return `fp must be a non-negative integer, got ${String(o.fp)}`;
  if (o.maxHeap !== undefined && !/^\d+[kKmMgG]?$/.test(o.maxHeap))
    return `maxHeap must look like "2g" or "512m", got ${JSON.stringify(o.maxHeap)}`;
  if (o.timeoutMs !== undefined && !(Number.isFinite(o.timeoutMs) && o.timeoutMs > 0))
    return `timeoutMs must be a positive number, got ${String(o.timeoutMs)}`;
  return null;
}

/** JVM options common to every TLC process. */
export function jvmArgs(o: CommonRunOptions, javaTmp: string): string[] {
  return [
    '-XX:+UseParallelGC',
    ...(o.maxHeap ? [`-Xmx${o.maxHeap}`] : []),
    `-Djava.io.tmpdir=${javaTmp}`,
    ...(o.javaOptions ?? []),
  ];
}

/** A result for a failure before TLC ran. */
export function setupResult(reason: SetupReason, message: string, wallTimeMs = 0): TlcResult {
  return {
    kind: 'setup-error',
    reason,
    message,
    exitCode: null,
    signal: null,
    wallTimeMs,
    banner: null,
    tlcDurationMs: null,
    stats: null,
    warnings: [],
    output: [],
    log: '',
    stderr: '',
  };
}

/** The path TLC writes for `-dump p`. */
export function dumpPath(p: string): string {
  const abs = resolve(p);
  return abs.endsWith('.dump') ? abs : `${abs}.dump`;
}

/** Runs TLC on one model and returns its typed result. Setup problems are results too (`setup-error`); it does not throw for them. */
export async function runTlc(options: RunTlcOptions): Promise<TlcResult> {
  const started = Date.now();
  const elapsed = () => Date.now() - started;
  const env = options.env ?? process.env;

  const bad = checkCommonOptions(options) ?? checkRunOptions(options);
  if (bad) return setupResult('invalid-option', bad);

  let tlc = options.tlc;
  if (!tlc) {
    const found = await findTlc({ env });
    if (!found.ok) return setupResult(found.error.reason, found.error.message, elapsed());
    tlc = found.tlc;
  }
  const model = await resolveModel(options.spec, options.config);
  if (!model.ok) return setupResult(model.reason, model.message, elapsed());
  const m = model.value;
  if (options.dump !== undefined && !(await isDirectory(dirname(dumpPath(options.dump))))) {
    return setupResult('invalid-option', `the folder of the dump file ${options.dump} does not exist`, elapsed());
  }

  const simulate = options.simulate !== undefined && options.simulate !== false;
  const mode: TlcMode = simulate ? 'simulation' : 'bfs';
  const run = await makeRunDir();
  if (!run.ok) return setupResult('io-error', run.message, elapsed());
  try {
    const tlcArgs = [
      '-tool',
      '-metadir',
      run.meta,
      '-workers',
      String(options.workers ?? availableParallelism()),
      '-config',
      m.configPath,
    ];
    if (options.checkDeadlock === false) tlcArgs.push('-deadlock');
    if (options.dump !== undefined) tlcArgs.push('-dump', dumpPath(options.dump));
    if (options.seed !== undefined) tlcArgs.push('-seed', String(options.seed));
    if (options.fp !== undefined) tlcArgs.push('-fp', String(options.fp));
    if (options.depth !== undefined) tlcArgs.push('-depth', String(options.depth));
    if (simulate) {
      tlcArgs.push('-simulate');
      const traces = typeof options.simulate === 'object' ? options.simulate.traces : undefined;
      if (traces !== undefined) tlcArgs.push(`num=${traces}`);
    }
    tlcArgs.push(...(options.extraTlcArgs ?? []), m.specName);

    const collector = new TlcRunCollector({
      mode,
      properties: m.cfg.properties,
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(options.maxLogBytes !== undefined ? { maxLogBytes: options.maxLogBytes } : {}),
    });
    const stderr = new TextCap(1024 * 1024);
    const args = [...jvmArgs(options, run.javaTmp), '-cp', tlc.jar, 'tlc2.TLC', ...tlcArgs];
    const proc = spawnJava(tlc.java, args, {
      cwd: m.specDir,
      env,
      onStdout: (s) => collector.push(s),
      onStderr: (s) => stderr.push(s),
    });
    notifyStart(options, {
      role: 'tlc',
      pid: proc.child.pid,
      command: [tlc.java, ...args],
      cwd: m.specDir,
      runDir: run.root,
    });

    let timedOut = false;
    const timer =
      options.timeoutMs !== undefined
        ? setTimeout(() => {
            timedOut = true;
            void killAndWait(proc);
          }, options.timeoutMs)
        : null;
    let exit: Awaited<typeof proc.closed>;
    try {
      exit = await proc.closed;
    } finally {
      if (timer) clearTimeout(timer);
      await killAndWait(proc);
    }
    if (exit.error && exit.code === null && exit.signal === null) {
      return setupResult('spawn-failed', `cannot start ${tlc.java}: ${exit.error.message}`, elapsed());
    }
    return collector.finish({
      exitCode: exit.code,
      signal: exit.signal,
      stderr: stderr.value(),
      wallTimeMs: elapsed(),
      ...(timedOut && options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    });
  } finally {
    await removeDir(run.root);
  }
}

function checkRunOptions(o: RunTlcOptions): string | null {
  if (o.workers !== undefined && !(Number.isSafeInteger(o.workers) && o.workers >= 1))
    return `workers must be a positive integer, got ${String(o.workers)}`;
  if (o.depth !== undefined && !(Number.isSafeInteger(o.depth) && o.depth >= 1))
    return `depth must be a positive integer, got ${String(o.depth)}`;
  if (o.seed !== undefined && !(typeof o.seed === 'bigint' || Number.isSafeInteger(o.seed)))
    return `seed must be an integer, got ${String(o.seed)}`;
  if (
    typeof o.simulate === 'object' &&
    o.simulate.traces !== undefined &&
    !(Number.isSafeInteger(o.simulate.traces) && o.simulate.traces >= 1)
  ) {
    return `simulate.traces must be a positive integer, got ${String(o.simulate.traces)}`;
  }
  for (const a of o.extraTlcArgs ?? []) {
    if (MANAGED.has(a)) return `extraTlcArgs must not contain ${a}: the bridge sets it (use the matching option)`;
  }
  return null;
}
