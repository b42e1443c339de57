/**
 * Child-process plumbing shared by single-process and distributed runs:
 * spawning Java, the per-run scratch directory, and bounded cleanup.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // If the Node process exits while TLC runs, do not leave a JVM behind.
  process.on('exit', () => {
    for (const child of live) {
      try {
        child.kill('SIGKILL');
      } catch {
        // already gone
      }
    }
  });
}

export interface Spawned {
  readonly child: ChildProcess;
  /** Resolves when the process has exited and its output streams are closed. */
  readonly closed: Promise<{ code: number | null; signal: string | null; error: Error | null }>;
  /** True once the process has exited (or failed to start). */
  exited(): boolean;
}

export function spawnJava(
  java: string,
  args: readonly string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; onStdout: (s: string) => void; onStderr: (s: string) => void },
): Spawned {
  installExitHook();
  const child = spawn(java, [...args], { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  let done = false;
  const closed = new Promise<{ code: number | null; signal: string | null; error: Error | null }>((resolve) => {
    let error: Error | null = null;
    child.on('error', (e) => {
      error = e;
      // A process that never started emits no 'close' on some platforms.
      if (child.pid === undefined) {
        done = true;
        live.delete(child);
        resolve({ code: null, signal: null, error });
      }
    });
    child.on('exit', () => {
      done = true;
    });
    child.on('close', (code, signal) => {
      done = true;
      live.delete(child);
      resolve({ code, signal, error });
    });
  });
  child.stdout?.setEncoding('utf8').on('data', options.onStdout);
  child.stderr?.setEncoding('utf8').on('data', options.onStderr);
  return { child, closed, exited: () => done };
}

/** Kills a process (SIGKILL) and waits for it to close, at most `boundMs`. */
export async function killAndWait(p: Spawned, boundMs = 5000): Promise<void> {
  if (!p.exited()) {
    try {
      p.child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
  await Promise.race([p.closed, delay(boundMs)]);
}

export function delay(ms: number): Promise<void> {
  return new Promise((r) => {
    const t = setTimeout(r, ms);
    t.unref?.();
  });
}

/** A fresh scratch directory for one run: `meta/` for TLC's -metadir, `java-tmp/` for java.io.tmpdir. */
export async function makeRunDir(): Promise<
  { ok: true; root: string; meta: string; javaTmp: string } | { ok: false; message: string }
> {
  let root: string;
  try {
    root = await mkdtemp(join(tmpdir(), 'cordon-tlc-'));
  } catch (e) {
    return { ok: false, message: `cannot create a scratch folder in ${tmpdir()}: ${(e as Error).message}` };
  }
  const meta = join(root, 'meta');
  const javaTmp = join(root, 'java-tmp');
  try {
    await mkdir(javaTmp);
  } catch (e) {
    await removeDir(root);
    return { ok: false, message: `cannot create ${javaTmp}: ${(e as Error).message}` };
  }
  return { ok: true, root, meta, javaTmp };
}

export async function removeDir(path: string): Promise<void> {
  await rm(path, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 }).catch(() => undefined);
}

/** Keeps at most `max` characters of a stream (the beginning, where Java prints the cause). */
export class TextCap {
  private text = '';
  private truncated = false;
  constructor(private readonly max: number) {}
  push(s: string): void {
    if (this.truncated) return;
    if (this.text.length + s.length <= this.max) this.text += s;
    else {
      this.text += s.slice(0, this.max - this.text.length);
      this.text += '\n[truncated by the Cordon TLC bridge]\n';
      this.truncated = true;
    }
  }
  value(): string {
    return this.text;
  }
}
