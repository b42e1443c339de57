/**
 * The SDK as users have it (src/solution/sdk-path.ts, kos.ts): imports
 * resolved from the solution, then `--include` folders, then an installed
 * SDK (`--sdk`, CORDON_SDK), then Cordon's stand-ins (src/solution/sdk);
 * SDK system programs named as connection targets added as the SDK's build
 * adds them; one error, with both fixes, for an import nothing resolves;
 * (the fixtures of test/fixtures/kos are checked by test/kos-corpus.test.ts).
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadKosSolution, SDK_DIR, type KosLoadOptions } from '../src/solution/kos.ts';
import { loadSolution, SolutionError } from '../src/solution/load.ts';
import { bootWith } from '../src/kernel/boot.ts';
import { createMonitor } from '../src/monitor/monitor.ts';
import { runPalTests, formatPalResults } from '../src/policy/pal/run.ts';
import { getBoard } from '../boards/index.ts';
import { ParseError } from '../src/syntax/errors.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const FAKE_SDK = join(ROOT, 'test', 'fixtures', 'sdk', 'ce-fake');
const FAKE_INCLUDE = join(FAKE_SDK, 'sysroot-aarch64-kos', 'include');
const FIXTURES = join(ROOT, 'test', 'fixtures', 'kos');

const scratch = mkdtempSync(join(tmpdir(), 'cordon-sdk-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
let counter = 0;

/** A directory with these files (paths relative to it). */
function tree(files: Record<string, string>, base?: string): string {
  const dir = join(scratch, `t${++counter}`);
  if (base !== undefined) cpSync(base, dir, { recursive: true });
  mkdirSync(dir, { recursive: true });
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

/** The ParseError that loading throws. */
function loadError(dir: string, options: KosLoadOptions = {}): ParseError {
  try {
    loadKosSolution(dir, options);
  } catch (e) {
    assert.ok(e instanceof ParseError, `expected a ParseError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected the load to fail');
}
const where = (dir: string, e: ParseError) => `${relative(dir, e.loc.file)}:${e.loc.line}:${e.loc.column}`;

/** A client connecting to `targets` (each by its class name), with a policy that starts everything and lets the client call them. */
function client(
  targets: readonly string[],
  extra: { psl?: string; uses?: readonly string[]; files?: Record<string, string> } = {},
): string {
  const connections = targets.map((t) => `  - target: ${t}\n    id: ${t}\n`).join('');
  return tree({
    'einit/src/init.yaml': `entities:\n- name: app.Client\n${targets.length > 0 ? `  connections:\n${connections}` : ''}`,
    'einit/src/security.psl': [
      'use nk.base._',
      'use EDL Einit',
      'use EDL kl.core.Core',
      'use EDL app.Client',
      ...(extra.uses ?? []).map((u) => `use ${u}._`),
      'execute src = kl.core.Core { grant () }',
      'execute src = Einit, dst = app.Client { grant () }',
      'request src = app.Client { grant () }',
      'response { grant () }',
      'error { grant () }',
      extra.psl ?? '',
    ].join('\n'),
    'resources/xdl/app/Client.edl': 'task class app.Client\n',
    ...(extra.files ?? {}),
  });
}

const boots = (s: ReturnType<typeof loadKosSolution>, board = 'qemu-x86_64') =>
  bootWith(s.tables, createMonitor(s.tables, s.policy), getBoard(board).toMachine());

/** Every stand-in task class, from the EDL files of src/solution/sdk. */
function standInFiles(dir = SDK_DIR): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? standInFiles(p) : [p];
  });
}
const standInClasses = standInFiles()
  .filter((f) => f.endsWith('.edl'))
  .map((f) =>
    relative(SDK_DIR, f)
      .replace(/\.edl$/, '')
      .split(/[\\/]/)
      .join('.'),
  )
  .sort();

describe("Cordon's SDK stand-ins", () => {
  it('cover the commonly used SDK programs and components', () => {
    for (const c of [
      'kl.VfsNet',
      'kl.VfsRamFs',
      'kl.VfsSdCardFs',
      'kl.VfsEntity',
      'kl.core.NameServer',
      'kl.core.DCM',
      'kl.rump.Dhcpcd',
      'kl.Ntpd',
      'kl.EntropyEntity',
      'kl.drivers.GPIO',
      'kl.drivers.UART',
      'kl.drivers.I2C',
      'kl.drivers.SPI',
      'kl.drivers.BSP',
      'kl.drivers.PinCtrl',
      'kl.drivers.SDCard',
      'kl.drivers.RAMDisk',
      'kl.drivers.DNetSrv',
      'env.Env',
      'execution_manager.ExecMgrEntity',
      'package_manager.PkgMgrEntity',
      'kl.bc.BlobContainer',
      'logrr.Server',
      'python.Python3',
    ])
      assert.ok(standInClasses.includes(c), `no stand-in for ${c}`);
  });

  it('every file says it is a Cordon stand-in, every PSL fragment names its class with use EDL', () => {
    for (const f of standInFiles().filter((f) => /\.(edl|idl|psl)$/.test(f))) {
      const text = readFileSync(f, 'utf8');
      assert.match(text, /Cordon stand-in/, `${relative(SDK_DIR, f)} does not say what it stands for`);
      if (f.endsWith('.psl'))
        assert.match(
          text,
          new RegExp(
            `use EDL ${relative(SDK_DIR, f)
              .replace(/\.psl$/, '')
              .split(/[\\/]/)
              .join('\\.')}\\b`,
          ),
        );
    }
  });

  it('every server among them is added as a connection target, with its fragment, and Einit starts them all', () => {
    const servers = standInClasses.filter((c) => !['kl.rump.Dhcpcd', 'kl.Ntpd', 'python.Python3'].includes(c));
    const s = loadKosSolution(client(servers, { uses: standInClasses }));
    assert.deepEqual(
      s.added.map((a) => a.name),
      servers,
    );
    assert.ok(s.added.every((a) => a.taskClass === a.name));
    assert.deepEqual(
      s.decl.processes.map((p) => p.name),
      ['app.Client', ...servers],
    );
    // endpoints come from the stand-in EDLs
    assert.deepEqual(s.decl.classes.find((c) => c.name === 'kl.VfsNet')?.endpoints, [
      { name: 'vfs', interface: 'kl.Vfs' },
      { name: 'net', interface: 'kl.Sockets' },
    ]);
    assert.deepEqual(s.decl.classes.find((c) => c.name === 'kl.drivers.GPIO')?.endpoints, [
      { name: 'gpio', interface: 'kl.drivers.Gpio' },
    ]);
    const b = boots(s);
    assert.deepEqual(b.denied, []);
    assert.deepEqual(Object.keys(b.sids).sort(), ['app.Client', ...servers].sort());
    assert.equal(b.connections.length, servers.length);
  });

  it('the client-only programs (dhcpcd, ntpd, Python) load as init.yaml entities', () => {
    const dir = client(['kl.VfsNet'], { uses: ['kl.VfsNet', 'kl.rump.Dhcpcd', 'kl.Ntpd', 'python.Python3'] });
    writeFileSync(
      join(dir, 'einit/src/init.yaml'),
      readFileSync(join(dir, 'einit/src/init.yaml'), 'utf8') +
        '- name: kl.rump.Dhcpcd\n  path: dhcpcd\n- name: kl.Ntpd\n  path: ntpd\n- name: python.Python3\n  path: python3\n',
    );
    const s = loadKosSolution(dir);
    assert.deepEqual(
      s.added.map((a) => a.name),
      ['kl.VfsNet'],
    );
    assert.deepEqual(boots(s).denied, []);
  });
});

describe('SDK system programs named as connection targets', () => {
  it('are added with the reason, at the connection that names them', () => {
    const dir = client(['kl.VfsNet', 'kl.core.NameServer'], { uses: ['kl.VfsNet', 'kl.core.NameServer'] });
    const s = loadKosSolution(dir);
    assert.deepEqual(s.added, [
      {
        name: 'kl.VfsNet',
        taskClass: 'kl.VfsNet',
        reason:
          "connection target of app.Client (einit/src/init.yaml:4:13), started by Einit as the SDK's build adds it",
      },
      {
        name: 'kl.core.NameServer',
        taskClass: 'kl.core.NameServer',
        reason:
          "connection target of app.Client (einit/src/init.yaml:6:13), started by Einit as the SDK's build adds it",
      },
    ]);
    assert.deepEqual(s.decl.connections, [
      { client: 'app.Client', server: 'kl.VfsNet', id: 'kl.VfsNet' },
      { client: 'app.Client', server: 'kl.core.NameServer', id: 'kl.core.NameServer' },
    ]);
    assert.deepEqual(
      s.init.processes.map((p) => p.name),
      ['app.Client', 'kl.VfsNet', 'kl.core.NameServer'],
    );
  });

  it('a program init.yaml starts itself is not added again', () => {
    const dir = client(['kl.VfsNet'], { uses: ['kl.VfsNet'] });
    writeFileSync(
      join(dir, 'einit/src/init.yaml'),
      readFileSync(join(dir, 'einit/src/init.yaml'), 'utf8') + '- name: kl.VfsNet\n  path: VfsNet\n',
    );
    const s = loadKosSolution(dir);
    assert.deepEqual(s.added, []);
    assert.deepEqual(
      s.decl.processes.map((p) => p.name),
      ['app.Client', 'kl.VfsNet'],
    );
  });

  it('a target that is no process and no SDK program is one error at the target, with both fixes', () => {
    const dir = client(['kl.VfsNett']);
    const e = loadError(dir);
    assert.equal(e.kind, 'reference');
    assert.equal(where(dir, e), 'einit/src/init.yaml:4:13');
    assert.match(
      e.message,
      /connection target kl\.VfsNett is not a process of this solution \(processes: app\.Client\) nor an SDK system program \(looked for kl\/VfsNett\.edl in .*resources\/xdl, .*\); with the KasperskyOS SDK installed, give it with --sdk <dir> \(or CORDON_SDK=<dir>\); or write a stand-in and give its folder with --include <dir>$/,
    );
    assert.ok(e.message.includes(SDK_DIR.replace(/[\\/]$/, '')), 'names the stand-ins among the places searched');
  });

  it("a target whose class is the solution's own is not added: the message says to list it", () => {
    const dir = client(['app.Server'], {
      files: {
        'resources/xdl/app/Server.edl': 'task class app.Server\nendpoints { api : app.Api }\n',
        'resources/xdl/app/Api.idl': 'package app.Api\ninterface { Get(out UInt8 v); }\n',
      },
    });
    const e = loadError(dir);
    assert.equal(where(dir, e), 'einit/src/init.yaml:4:13');
    assert.match(
      e.message,
      /connection target app\.Server is not a process of this solution \(processes: app\.Client\); its task class is the solution's own \(.*resources\/xdl\/app\/Server\.edl\), which the build does not add: list it in init\.yaml/,
    );
  });

  it('a program that serves nothing cannot be a target', () => {
    const dir = client(['kl.Ntpd'], { uses: ['kl.Ntpd'] });
    const e = loadError(dir);
    assert.equal(where(dir, e), 'einit/src/init.yaml:4:5');
    assert.match(e.message, /connection kl\.Ntpd to kl\.Ntpd: its task class kl\.Ntpd declares no endpoints/);
  });
});

describe('--sdk, --include and the search order', () => {
  const vfsNet = (s: ReturnType<typeof loadKosSolution>) =>
    s.decl.classes.find((c) => c.name === 'kl.VfsNet')?.endpoints.map((e) => e.name);
  const fileOf = (s: ReturnType<typeof loadKosSolution>, tail: string) => s.files.find((f) => f.endsWith(tail));

  it("without --sdk the stand-ins answer; with it the SDK's sysroot does, before the stand-ins", () => {
    const dir = client(['kl.VfsNet'], { uses: ['kl.VfsNet'] });
    const plain = loadKosSolution(dir);
    assert.deepEqual(vfsNet(plain), ['vfs', 'net']);
    assert.equal(fileOf(plain, 'VfsNet.edl'), join(SDK_DIR, 'kl', 'VfsNet.edl'));
    const withSdk = loadKosSolution(dir, { sdkRoot: FAKE_SDK, board: getBoard('rpi4b') });
    assert.deepEqual(vfsNet(withSdk), ['files', 'sockets']);
    assert.equal(fileOf(withSdk, 'VfsNet.edl'), join(FAKE_INCLUDE, 'kl', 'VfsNet.edl'));
    assert.equal(fileOf(withSdk, 'VfsNet.psl'), join(FAKE_INCLUDE, 'kl', 'VfsNet.psl'));
    assert.deepEqual(withSdk.warnings, []);
    // the SDK's security models are not read: its nk/base.psl is not even PSL
    assert.equal(
      withSdk.files.some((f) => f.includes(join('toolchain', 'include'))),
      false,
    );
    assert.equal(withSdk.policyAst.modules.find((m) => m.name === 'nk.base')?.kind, 'builtin');
  });

  it('an --include folder comes before the SDK, the solution before both, and includes in their order', () => {
    const inc1 = tree({ 'kl/VfsNet.edl': 'task class kl.VfsNet\nendpoints { first : kl.VfsFiles }\n' });
    const inc2 = tree({
      'kl/VfsNet.edl': 'task class kl.VfsNet\nendpoints { second : kl.VfsFiles }\n',
      'kl/VfsNet.psl': 'use EDL kl.VfsNet\nresponse src = kl.VfsNet { grant () }\n',
    });
    const dir = client(['kl.VfsNet'], { uses: ['kl.VfsNet'] });
    const s = loadKosSolution(dir, { sdkRoot: FAKE_SDK, includes: [inc1, inc2], board: getBoard('rpi4b') });
    assert.deepEqual(vfsNet(s), ['first']);
    assert.equal(fileOf(s, 'VfsNet.psl'), join(inc2, 'kl', 'VfsNet.psl'));
    // kl.VfsFiles is in neither include: the SDK's
    assert.equal(fileOf(s, 'VfsFiles.idl'), join(FAKE_INCLUDE, 'kl', 'VfsFiles.idl'));
    const own = client(['kl.VfsNet'], {
      uses: ['kl.VfsNet'],
      files: { 'resources/xdl/kl/VfsNet.edl': 'task class kl.VfsNet\nendpoints { own : kl.Vfs }\n' },
    });
    const o = loadKosSolution(own, { sdkRoot: FAKE_SDK, includes: [inc1], board: getBoard('rpi4b') });
    assert.deepEqual(vfsNet(o), ['own']);
    // still an SDK program: the build adds it
    assert.deepEqual(
      o.added.map((a) => a.name),
      ['kl.VfsNet'],
    );
  });

  it('a program only the SDK has resolves with --sdk, and without it is one error naming both fixes', () => {
    const dir = client(['vendor.Modem'], { uses: ['vendor.Modem'] });
    const e = loadError(dir);
    assert.equal(where(dir, e), 'einit/src/security.psl:5:1');
    assert.match(
      e.message,
      /cannot find PSL module vendor\.Modem \(looked for vendor\/Modem\.psl in .*\); with the KasperskyOS SDK installed, give it with --sdk <dir> \(or CORDON_SDK=<dir>\); or write a stand-in and give its folder with --include <dir>$/,
    );
    const s = loadKosSolution(dir, { sdkRoot: FAKE_SDK, board: getBoard('rpi4b') });
    assert.deepEqual(
      s.added.map((a) => a.name),
      ['vendor.Modem'],
    );
    assert.deepEqual(boots(s, 'rpi4b').denied, []);
  });

  it('the sysroot follows the board: its own arch, the only one there with a warning, or an error when there are several', () => {
    const dir = client(['kl.VfsNet'], { uses: ['kl.VfsNet'] });
    const fallback = loadKosSolution(dir, { sdkRoot: FAKE_SDK });
    assert.deepEqual(vfsNet(fallback), ['files', 'sockets']);
    assert.match(
      fallback.warnings[0] ?? '',
      /the SDK has no sysroot-x86_64-kos for board qemu-x86_64; its formal specifications and policy fragments are read from sysroot-aarch64-kos/,
    );
    const two = tree(
      {
        'sysroot-arm-kos/include/kl/VfsNet.edl': 'task class kl.VfsNet\nendpoints { arm : kl.VfsFiles }\n',
        'sysroot-arm-kos/include/kl/VfsFiles.idl': 'package kl.VfsFiles\ninterface { Close(in UInt32 fd); }\n',
      },
      FAKE_SDK,
    );
    assert.deepEqual(vfsNet(loadKosSolution(dir, { sdkRoot: two, board: getBoard('imx6') })), ['arm']);
    assert.deepEqual(vfsNet(loadKosSolution(dir, { sdkRoot: two, board: getBoard('rock3a') })), ['files', 'sockets']);
    const e = loadError(dir, { sdkRoot: two });
    assert.equal(e.kind, 'io');
    assert.match(
      e.message,
      /--sdk: .* has no sysroot-x86_64-kos for board qemu-x86_64 \(x86_64\); it has sysroot-aarch64-kos, sysroot-arm-kos: choose the board with --board/,
    );
  });

  it('a wrong --sdk or --include is one error naming it', () => {
    const dir = client([]);
    assert.match(
      loadError(dir, { sdkRoot: join(scratch, 'nowhere') }).message,
      /--sdk: no directory .*nowhere \(give the KasperskyOS SDK's root/,
    );
    assert.match(
      loadError(dir, { sdkRoot: tree({ 'include/x.h': '' }) }).message,
      /--sdk: .* is not a KasperskyOS SDK: it holds no sysroot-<arch>-kos\/include directory/,
    );
    assert.match(loadError(dir, { includes: [join(scratch, 'nothing')] }).message, /--include: no directory .*nothing/);
  });

  it('CORDON_SDK stands for --sdk in every command that loads a solution', () => {
    const dir = join(FIXTURES, 'modem-sdk');
    const before = process.env.CORDON_SDK;
    try {
      delete process.env.CORDON_SDK;
      assert.throws(
        () => loadSolution(dir),
        (e: unknown) => e instanceof SolutionError && /cannot find PSL module vendor\.Modem/.test(e.message),
      );
      process.env.CORDON_SDK = FAKE_SDK;
      assert.deepEqual(
        loadSolution(dir).added.map((a) => a.name),
        ['kl.VfsNet', 'vendor.Modem'],
      );
      // --sdk wins over the variable
      process.env.CORDON_SDK = join(scratch, 'nowhere');
      assert.deepEqual(
        loadSolution(dir, undefined, { sdkRoot: FAKE_SDK }).added.map((a) => a.name),
        ['kl.VfsNet', 'vendor.Modem'],
      );
    } finally {
      if (before === undefined) delete process.env.CORDON_SDK;
      else process.env.CORDON_SDK = before;
    }
  });
});

describe('an import that nothing resolves', () => {
  const FIXES =
    /; with the KasperskyOS SDK installed, give it with --sdk <dir> \(or CORDON_SDK=<dir>\); or write a stand-in and give its folder with --include <dir>$/;

  it('a typo in a PSL use, in a use EDL, in an EDL endpoint, in a CDL component: one error at the import with the places searched', () => {
    const cases: [Record<string, string>, string, RegExp][] = [
      [
        { 'einit/src/security.psl': 'use nk.base._\nuse EDL app.Client\n\nuse kl.VfsNett._\n' },
        'einit/src/security.psl:4:1',
        /cannot find PSL module kl\.VfsNett \(looked for kl\/VfsNett\.psl in .*einit\/src, /,
      ],
      [
        { 'einit/src/security.psl': 'use nk.base._\nuse EDL app.Client\nuse EDL kl.drivers.GPIOO\n' },
        'einit/src/security.psl:3:1',
        /cannot find the task class kl\.drivers\.GPIOO \(looked for kl\/drivers\/GPIOO\.edl in .*resources\/xdl, /,
      ],
      [
        { 'resources/xdl/app/Client.edl': 'task class app.Client\nendpoints {\n    api : app.Apii\n}\n' },
        'resources/xdl/app/Client.edl:3:5',
        /cannot find the IDL package app\.Apii \(looked for app\/Apii\.idl in /,
      ],
      [
        { 'resources/xdl/app/Client.edl': 'task class app.Client\ncomponents {\n    unit : app.Unitt\n}\n' },
        'resources/xdl/app/Client.edl:3:5',
        /cannot find the component app\.Unitt \(looked for app\/Unitt\.cdl in /,
      ],
      [
        {
          'resources/xdl/app/Client.edl': 'task class app.Client\nendpoints { api : app.Api }\n',
          'resources/xdl/app/Api.idl':
            'package app.Api\n\nimport kl.drivers.Gpioo\n\ninterface { Get(out UInt8 v); }\n',
        },
        'resources/xdl/app/Api.idl:3:1',
        /cannot find the IDL package kl\.drivers\.Gpioo \(looked for kl\/drivers\/Gpioo\.idl in /,
      ],
    ];
    for (const [files, at, message] of cases) {
      const dir = client([]);
      for (const [p, text] of Object.entries(files)) writeFileSync(join(dir, p), text);
      const e = loadError(dir, { sdkRoot: FAKE_SDK, includes: [FAKE_INCLUDE] });
      assert.equal(e.kind, 'reference', e.message);
      assert.equal(where(dir, e), at, e.message);
      assert.match(e.message, message);
      assert.match(e.message, FIXES);
      // the places searched: the include, the SDK's sysroot, the stand-ins
      assert.ok(e.message.includes(FAKE_INCLUDE) && e.message.includes(SDK_DIR.replace(/[\\/]$/, '')), e.message);
      assert.equal(e.message.split('\n').length, 1, 'one line');
    }
  });

  it('cordon test on a policy whose test file has a typo: that message and exit 2, never a stack trace; cordon test --sdk prints the programs added', () => {
    const dir = client([], {
      uses: ['tests'],
      files: {
        'einit/src/tests.psl':
          'use kl.drivers.UARTT._\nassert { sequence { deny execute src = kl.core.Core dst = app.Client } }\n',
      },
    });
    const cordon = (...args: string[]) =>
      spawnSync(process.execPath, [join(ROOT, 'bin', 'cordon.mjs'), ...args], {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: 120_000,
      });
    const junit = join(scratch, 'junit.xml');
    const bad = cordon('test', dir, '--junit', junit);
    assert.equal(bad.status, 2, bad.stdout + bad.stderr);
    assert.equal(bad.stderr.trim().split('\n').length, 1, bad.stderr);
    assert.match(
      bad.stderr,
      /^cordon: .*einit\/src\/tests\.psl:1:1: cannot find PSL module kl\.drivers\.UARTT \(looked for kl\/drivers\/UARTT\.psl in .*\); did you mean use kl\.drivers\.UART\._\?; with the KasperskyOS SDK installed, give it with --sdk <dir> \(or CORDON_SDK=<dir>\); or write a stand-in and give its folder with --include <dir>\n$/,
    );
    const good = cordon(
      'test',
      join(FIXTURES, 'modem-sdk'),
      '--sdk',
      FAKE_SDK,
      '--include',
      join(FIXTURES, 'modem-sdk', 'resources'),
      '--include',
      FAKE_INCLUDE,
      '--junit',
      junit,
    );
    assert.equal(good.status, 0, good.stdout + good.stderr);
    assert.match(
      good.stdout,
      /added 2 SDK system programs:\n {2}kl\.VfsNet \(task class kl\.VfsNet\): connection target of telemetry\.Sender \(einit\/src\/init\.yaml\.in:7:5\), started by Einit through @INIT_EXTERNAL_ENTITIES@ \(einit\/src\/init\.yaml\.in:12:1\) as the SDK's build adds it\n {2}vendor\.Modem \(task class vendor\.Modem\): connection target of telemetry\.Sender/,
    );
    assert.match(good.stdout, /all 2 PAL tests passed/);
    // verify and check take the same options (both stop at the load here, before any check runs)
    for (const [command, flag] of [
      ['verify', '--sdk'],
      ['check', '--include'],
    ] as const) {
      const r = cordon(command, join(FIXTURES, 'modem-sdk'), flag, join(scratch, 'missing'));
      assert.equal(r.status, 2, r.stdout + r.stderr);
      assert.match(r.stderr, new RegExp(`^cordon: .*missing:1:1: ${flag}: no directory .*missing`));
      assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    }
  });
});
