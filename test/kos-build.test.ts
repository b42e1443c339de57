/**
 * The SDK's build inputs of a KasperskyOS solution (src/solution/cmake):
 * CMakeLists.txt read with a CMake-language parser and evaluator, the
 * SDK's `@VAR@` macros computed, `--define`, the EDL/IDL/CDL files
 * nk_build_*_files names and the EDLs generate_edl_file writes, init.yaml
 * keys, einit configurations deeper in a tree, and broken variants of each
 * with one message at file:line:col.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { detectKosLayout, findKosSolutions, loadKosSolution, type KosLoadOptions } from '../src/solution/kos.ts';
import { evaluateCmake, parseCmakeLists } from '../src/solution/cmake/lists.ts';
import { loadInitYaml } from '../src/interfaces/init-yaml.ts';
import { runPalTests } from '../src/policy/pal/run.ts';
import { ParseError, type ParseErrorKind } from '../src/syntax/errors.ts';
import { runCli } from './helpers/run-cli.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const FIXTURES = join(ROOT, 'test', 'fixtures', 'kos');
const fixture = (...p: string[]) => join(FIXTURES, ...p);

const scratch = mkdtempSync(join(tmpdir(), 'cordon-build-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
let counter = 0;

/** A copy of a fixture with some files replaced or edited. */
function variant(base: string, edits: Record<string, string | ((old: string) => string)>): string {
  const dir = join(scratch, `v${++counter}`);
  cpSync(base, dir, { recursive: true });
  for (const [path, edit] of Object.entries(edits)) {
    const file = join(dir, path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, typeof edit === 'string' ? edit : edit(readFileSync(file, 'utf8')));
  }
  return dir;
}

/** Loading must fail with one ParseError of this kind at `file:line:col` (relative to the solution), its message matching. */
function fails(
  dir: string,
  kind: ParseErrorKind,
  at: string,
  message: RegExp,
  options: KosLoadOptions = {},
): ParseError {
  let caught: unknown;
  try {
    loadKosSolution(dir, options);
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof ParseError, `expected a ParseError, got ${String(caught)}`);
  assert.equal(caught.kind, kind, caught.message);
  assert.equal(`${relative(dir, caught.loc.file)}:${caught.loc.line}:${caught.loc.column}`, at, caught.message);
  assert.match(caught.message, message);
  assert.doesNotMatch(caught.message, /\n\s+at /, 'no stack trace in the message');
  return caught;
}

describe('CMakeLists.txt: the CMake language', () => {
  it('bracket, quoted and unquoted arguments, continuations, comments, nested parentheses', () => {
    const cmds = parseCmakeLists({
      file: 'CMakeLists.txt',
      text: 'set(A [==[x ]] y]==] "q \\"w\\"" u;v) # c\nif((A AND B) OR NOT C)\nendif()\n#[[ block\ncomment ]]\nset(B "one\\\ntwo")\n',
    });
    assert.deepEqual(
      cmds.map((c) => c.name),
      ['set', 'if', 'endif', 'set'],
    );
    assert.deepEqual(
      cmds[0]!.args.map((a) => [a.kind, a.raw]),
      [
        ['unquoted', 'A'],
        ['bracket', 'x ]] y'],
        ['quoted', 'q \\"w\\"'],
        ['unquoted', 'u;v'],
      ],
    );
    assert.deepEqual(cmds[1]!.args.map((a) => [a.kind, a.raw]).slice(0, 2), [
      ['paren', '('],
      ['unquoted', 'A'],
    ]);
    assert.deepEqual(
      cmds[1]!.args.map((a) => a.raw),
      ['(', 'A', 'AND', 'B', ')', 'OR', 'NOT', 'C'],
    );
    assert.deepEqual([cmds[3]!.loc.line, cmds[3]!.loc.column], [6, 1]);
  });

  it('a syntax error names file:line:col and what was expected', () => {
    assert.throws(
      () => parseCmakeLists({ file: 'CMakeLists.txt', text: 'project(x)\nset(A "unclosed)\n' }),
      (e: unknown) => e instanceof ParseError && e.kind === 'syntax' && /^CMakeLists\.txt:2:/.test(e.message),
    );
  });

  it('evaluation: option() defaults and if(), functions, foreach, PARENT_SCOPE, SDK variables unknown with the reason', () => {
    const dir = join(scratch, 'cmake-eval');
    mkdirSync(join(dir, 'sub'), { recursive: true });
    writeFileSync(
      join(dir, 'CMakeLists.txt'),
      [
        'project(demo)',
        'option(FAST "fast" OFF)',
        'if(FAST)\n  set(MODE fast)\nelseif("${CMAKE_SYSTEM_BOARD}" STREQUAL "QEMU")\n  set(MODE emulated)\nelse()\n  set(MODE slow)\nendif()',
        'function(twice OUT V)\n  set(${OUT} "${V}${V}" PARENT_SCOPE)\nendfunction()',
        'foreach(x a b)\n  twice(T_${x} ${x})\nendforeach()',
        'set(NET ${precompiled_vfsVfsNet})',
        'if(blob_container_ENTITY_FOUND)\n  set(BLOB yes)\nendif()',
        'list(APPEND L one two)',
        'add_subdirectory(sub)',
      ].join('\n'),
    );
    writeFileSync(join(dir, 'sub', 'CMakeLists.txt'), 'set(INNER 1)\nset(OUTER from_sub PARENT_SCOPE)\n');
    const m = evaluateCmake(dir, { builtins: { CMAKE_SYSTEM_BOARD: 'QEMU' } })!;
    const v = (n: string) => m.topScope.get(n);
    assert.equal(v('MODE')?.value, 'emulated');
    assert.equal(v('T_a')?.value, 'aa');
    assert.equal(v('T_b')?.value, 'bb');
    assert.equal(v('L')?.value, 'one;two');
    assert.equal(v('OUTER')?.value, 'from_sub');
    assert.equal(v('INNER'), undefined);
    assert.equal(v('NET')?.known, false);
    assert.match(v('NET')!.why!, /\$\{precompiled_vfsVfsNet\} is not set by the solution's CMake files/);
    assert.equal(v('BLOB')?.known, false);
    assert.match(
      v('BLOB')!.why!,
      /branches of the if\(\) at .*CMakeLists\.txt:\d+:1, whose condition Cordon cannot decide/,
    );
    // like cmake -D: a define decides the option
    assert.equal(evaluateCmake(dir, { defines: { FAST: 'ON' } })!.topScope.get('MODE')?.value, 'fast');
  });
});

describe("the SDK macros and the solution's variables in init.yaml.in and security.psl.in", () => {
  it('mqtt_publisher: ROOTFS_ENTITY from option()/if(), EXTRA_CONNECTIONS/EXTRA_ARGS, INIT_EXTERNAL_ENTITIES from the connection targets', () => {
    const s = loadKosSolution(fixture('mqtt_publisher'));
    const byName = new Map(s.init.processes.map((p) => [p.name, p]));
    assert.deepEqual([...byName.keys()], ['mqtt.Publisher', 'kl.VfsSdCardFs', 'kl.core.DCM']);
    const pub = byName.get('mqtt.Publisher')!;
    assert.deepEqual(pub.env, { VFS_FILESYSTEM_BACKEND: 'client:kl.VfsSdCardFs', MQTT_BROKER_PORT: '1883' });
    assert.deepEqual(pub.args, ['--topic', 'telemetry']);
    assert.deepEqual(
      byName.get('kl.VfsSdCardFs')!.args,
      ['-l', 'devfs /dev devfs 0'],
      "EXTRA_ARGS of the SDK program's target",
    );
    assert.equal(byName.get('kl.core.DCM')!.path, 'dcm');
    assert.equal(byName.get('kl.core.DCM')!.dynamicConnectionManager, true);
    assert.deepEqual(
      s.init.connections.map((c) => [c.client, c.server, c.id]),
      [
        ['mqtt.Publisher', 'kl.VfsSdCardFs', 'kl.VfsSdCardFs'],
        ['mqtt.Publisher', 'kl.core.DCM', 'kl.core.DCM'],
      ],
    );
    // security.psl.in's @INIT_EXTERNAL_ENTITIES@ named the same programs
    assert.deepEqual(
      s.policyAst.edl
        .map((e) => e.taskClass)
        .filter((c) => c.startsWith('kl.'))
        .slice(0, 3),
      ['kl.core.Core', 'kl.VfsSdCardFs', 'kl.core.DCM'],
    );
    assert.ok(
      s.files.some((f) => f.endsWith(join('publisher', 'CMakeLists.txt'))),
      'the CMake files are inputs',
    );
  });

  it('--define wins over the CMake files and decides their options', () => {
    const s = loadKosSolution(fixture('mqtt_publisher'), { defines: { MQTT_BROKER_PORT: '8883' } });
    assert.equal(s.init.processes[0]!.env.MQTT_BROKER_PORT, '8883');
    // ROOTFS_SDCARD=OFF selects the RAM file system (from its SDK stand-in) instead of the SD card's
    const ram = loadKosSolution(fixture('mqtt_publisher'), { defines: { ROOTFS_SDCARD: 'OFF' } });
    assert.ok(
      ram.added.some((a) => a.name === 'kl.VfsRamFs'),
      'kl.VfsRamFs is started',
    );
    assert.ok(!ram.added.some((a) => a.name === 'kl.VfsSdCardFs'), 'kl.VfsSdCardFs is not');
  });

  it('an unknown placeholder: file:line:col, the name, and the --define fix', () => {
    const dir = variant(fixture('hello'), {
      'einit/src/init.yaml.in': (t) => t.replace('- name: hello.Hello', '- name: hello.Hello\n  path: @HELLO_PATH@'),
    });
    fails(
      dir,
      'template',
      'einit/src/init.yaml.in:5:9',
      /unknown placeholder @HELLO_PATH@: the SDK's build does not define it and no set\(HELLO_PATH …\) in 3 CMake file\(s\) of the solution reaches the build_kos_qemu_image call at .*einit\/CMakeLists\.txt:8:1; give it with --define HELLO_PATH=<value>/,
    );
    assert.equal(loadKosSolution(dir, { defines: { HELLO_PATH: 'hello_app' } }).init.processes[0]!.path, 'hello_app');
  });

  it("the same in security.psl.in: the placeholder's place and the fix", () => {
    const dir = variant(fixture('hello'), {
      'einit/src/security.psl.in': (t) => t.replace('use EDL hello.Hello', 'use EDL hello.@MAIN_TASK@'),
    });
    fails(
      dir,
      'template',
      'einit/src/security.psl.in:8:15',
      /unknown placeholder @MAIN_TASK@: .*give it with --define MAIN_TASK=<value>/,
    );
    assert.ok(loadKosSolution(dir, { defines: { MAIN_TASK: 'Hello' } }).tables.classByName.has('hello.Hello'));
  });

  it('a variable the CMake files set from what Cordon cannot know names the set() and the fix', () => {
    const dir = variant(fixture('hello'), {
      'CMakeLists.txt': (t) =>
        t.replace(
          'add_subdirectory (hello)',
          'set (HELLO_PATH ${KL_SDK_ROOT_PATH}/bin/hello)\nadd_subdirectory (hello)',
        ),
      'einit/src/init.yaml.in': (t) => t.replace('- name: hello.Hello', '- name: hello.Hello\n  path: @HELLO_PATH@'),
    });
    fails(
      dir,
      'template',
      'einit/src/init.yaml.in:5:9',
      /@HELLO_PATH@: the variable HELLO_PATH \(set at .*CMakeLists\.txt:13:1\) has a value Cordon cannot compute: \$\{KL_SDK_ROOT_PATH\} is not set by the solution's CMake files; give it with --define HELLO_PATH=<value>/,
    );
  });

  it('an INIT_<program> macro of a program the solution does not have', () => {
    const dir = variant(fixture('hello'), {
      'einit/src/init.yaml.in': (t) => t.replace('@INIT_Hello_ENTITY_CONNECTIONS@', '@INIT_Helo_ENTITY_CONNECTIONS@'),
    });
    fails(
      dir,
      'template',
      'einit/src/init.yaml.in:5:1',
      /unknown placeholder @INIT_Helo_ENTITY_CONNECTIONS@: Helo is not a program of this solution \(programs: Hello\); give it with --define/,
    );
  });

  it("the image call's own arguments: @EINIT_ENTITY@, @KlogEntityTarget@ (KLOG_ENTITY), refused with the call's place when absent", () => {
    const edit = (t: string) =>
      t.replace(
        '- name: hello.Hello',
        '- name: hello.Hello\n  env:\n    EINIT: "@EINIT_ENTITY@"\n    KLOG: "@KlogEntityTarget@"',
      );
    const dir = variant(fixture('hello'), { 'einit/src/init.yaml.in': edit });
    fails(
      dir,
      'template',
      'einit/src/init.yaml.in:7:12',
      /unknown placeholder @KlogEntityTarget@: build_kos_qemu_image at .*einit\/CMakeLists\.txt:8:1 has no KLOG_ENTITY argument; give it with --define KlogEntityTarget=<value>/,
    );
    const klog = variant(dir, {
      'einit/CMakeLists.txt': (t) =>
        t.replace('EINIT_ENTITY EinitQemu', 'EINIT_ENTITY EinitQemu\n                      KLOG_ENTITY KlogEntityQemu'),
    });
    assert.deepEqual(loadKosSolution(klog).init.processes[0]!.env, { EINIT: 'EinitQemu', KLOG: 'KlogEntityQemu' });
  });

  it('macros at column 0 take the indentation of what they belong to; indented ones keep theirs', () => {
    const text =
      'entities:\n  - name: a.A\n    connections:\n      - target: a.B\n        id: b\n@INIT_A_ENTITY_CONNECTIONS+@\n@INIT_A_ENTITY_ENV@\n  - name: a.B\n@INIT_EXTERNAL_ENTITIES@\n';
    const values: Record<string, string> = {
      'INIT_A_ENTITY_CONNECTIONS+': '- target: a.C\n  id: c',
      INIT_A_ENTITY_ENV: 'env:\n  K: v',
      INIT_EXTERNAL_ENTITIES: '- name: a.C',
    };
    const init = loadInitYaml({ file: 'init.yaml.in', text }, { resolve: (n) => values[n] });
    assert.deepEqual(
      init.processes.map((p) => [p.name, p.env]),
      [
        ['a.A', { K: 'v' }],
        ['a.B', {}],
        ['a.C', {}],
      ],
    );
    assert.deepEqual(
      init.connections.map((c) => c.server),
      ['a.B', 'a.C'],
    );
  });
});

describe('EDL, CDL and IDL files where projects keep them', () => {
  it('hello: the EDL generate_edl_file writes (not in the tree), located at the CMake call', () => {
    const s = loadKosSolution(fixture('hello'));
    const c = s.specs.taskClasses.get('hello.Hello')!;
    assert.equal(relative(fixture('hello'), c.file), join('hello', 'CMakeLists.txt'));
    assert.equal(c.endpoints.length, 0);
  });

  it('generate_edl_file with EDL_COMPONENTS: the components resolve; a malformed one is refused at its argument', () => {
    const withComponent = variant(fixture('echo'), {
      'server/CMakeLists.txt': (t) =>
        t.replace(
          /nk_build_edl_files \(echo_server_edl_files.*\n/,
          'generate_edl_file (Server PREFIX echo EDL_COMPONENTS "ping: echo.Ping")\nnk_build_edl_files (echo_server_edl_files CDL_TARGET echo_cdl_files NK_MODULE "echo" EDL ${EDL_FILE})\n',
        ),
      'resources/edl/Server.edl': 'entity echo.Other\n',
    });
    const s = loadKosSolution(withComponent);
    assert.deepEqual(
      s.specs.taskClasses.get('echo.Server')!.endpoints.map((e) => e.qualifiedName),
      ['ping.ping'],
    );
    const broken = variant(withComponent, {
      'server/CMakeLists.txt': (t) => t.replace('"ping: echo.Ping"', '"ping echo.Ping"'),
    });
    fails(
      broken,
      'validation',
      'server/CMakeLists.txt:6:54',
      /generate_edl_file: EDL_COMPONENTS "ping echo\.Ping" is not "<instance>: <component>" \(e\.g\. "env: kl\.Env"\)/,
    );
  });

  it('echo: files in resources/edl, resources/cdl and resources/idl get their names from nk_build_*_files', () => {
    const s = loadKosSolution(fixture('echo'));
    const rel = (f: string) => relative(fixture('echo'), f);
    assert.equal(rel(s.specs.taskClasses.get('echo.Server')!.file), join('resources', 'edl', 'Server.edl'));
    assert.ok(s.specs.files.map(rel).includes(join('resources', 'idl', 'Ping.idl')));
    assert.ok(s.specs.files.map(rel).includes(join('resources', 'cdl', 'Ping.cdl')));
  });

  it('per-program resources folders without any CMake (flat lookup checks the declared name)', () => {
    const dir = variant(fixture('drone', 'kos'), {
      'flight_controller/CMakeLists.txt': 'project (flight_controller)\n',
    });
    const s = loadKosSolution(join(dir, 'einit', 'qemu'));
    assert.equal(
      relative(dir, s.specs.taskClasses.get('drone.FlightController')!.file),
      join('flight_controller', 'resources', 'FlightController.edl'),
    );
  });

  it('a wrong nk_build_edl_files call: the offending argument and the signature', () => {
    const dir = variant(fixture('echo'), {
      'client/CMakeLists.txt': (t) =>
        t.replace('EDL "${RESOURCES}/edl/Client.edl"', 'EDL "${RESOURCES}/edl/Client.edl" SOURCES client.c'),
    });
    fails(
      dir,
      'validation',
      'client/CMakeLists.txt:4:94',
      /nk_build_edl_files: unexpected argument "SOURCES" \(expected nk_build_edl_files\(<target> \[NOINSTALL\].* EDL <file\.edl> \[NK_FLAGS …\]\); keywords: NOINSTALL, CDL_TARGET/,
    );
    const noEdl = variant(fixture('echo'), {
      'client/CMakeLists.txt': (t) => t.replace(' EDL "${RESOURCES}/edl/Client.edl"', ''),
    });
    fails(
      noEdl,
      'validation',
      'client/CMakeLists.txt:4:1',
      /nk_build_edl_files: no EDL argument naming the \.edl file/,
    );
  });

  it('an EDL the build makes but nothing generates: reported at the nk_build_edl_files line', () => {
    const dir = variant(fixture('hello'), {
      'hello/CMakeLists.txt': (t) =>
        t.replace(/generate_edl_file .*\n/, '').replace('${EDL_FILE}', '${CMAKE_CURRENT_BINARY_DIR}/Hello.edl'),
    });
    fails(
      dir,
      'reference',
      'hello/CMakeLists.txt:10:1',
      /task class hello\.Hello: its EDL build\/hello\/Hello\.edl is made by the build \(nk_build_edl_files \(hello_edl_files NK_MODULE "hello" EDL \$\{CMAKE_CURRENT_BINARY_DIR\}\/Hello\.edl\)\), but it is not in the tree and no generate_edl_file\(\) call writes it/,
    );
  });
});

describe("init.yaml keys the SDK's einit reads", () => {
  it('dynamic_connection_manager and entities without path; a misspelt key names the ones allowed', () => {
    const ok = loadInitYaml({
      file: 'init.yaml',
      text: 'entities:\n- name: kl.core.DCM\n  dynamic_connection_manager: true\n- name: a.B\n',
    });
    assert.deepEqual(
      ok.processes.map((p) => [p.name, p.path, p.dynamicConnectionManager ?? false]),
      [
        ['kl.core.DCM', 'DCM', true],
        ['a.B', 'B', false],
      ],
    );
    const dir = variant(fixture('mqtt_publisher'), {
      'einit/src/init.yaml.in': (t) => t.replace('  env:', '  dynamic_conection_manager: false\n  env:'),
    });
    fails(
      dir,
      'validation',
      'einit/src/init.yaml.in:5:3',
      /unknown key dynamic_conection_manager in an entity \(expected name, task, path, args, env, connections, dynamic_connection_manager\)/,
    );
    assert.throws(
      () =>
        loadInitYaml({ file: 'init.yaml', text: 'entities:\n- name: a.B\n  dynamic_connection_manager: yes please\n' }),
      (e: unknown) =>
        e instanceof ParseError &&
        /init\.yaml:3:31: entities\[0\]\.dynamic_connection_manager: expected true or false, found the text "yes please"/.test(
          e.message,
        ),
    );
  });
});

describe('einit configurations deeper in a tree, and several of them', () => {
  it('findKosSolutions lists each configuration; loading the tree asks for one', () => {
    assert.deepEqual(
      findKosSolutions(fixture('drone')).map((d) => relative(FIXTURES, d)),
      [join('drone', 'kos', 'einit', 'hw'), join('drone', 'kos', 'einit', 'qemu')],
    );
    assert.deepEqual(findKosSolutions(fixture('echo')), [fixture('echo')]);
    assert.throws(
      () => detectKosLayout(fixture('drone')),
      (e: unknown) =>
        e instanceof ParseError &&
        /this tree holds 2 einit configurations \(kos\/einit\/hw, kos\/einit\/qemu\)/.test(e.message),
    );
    const hw = loadKosSolution(fixture('drone', 'kos', 'einit', 'hw', 'src'));
    assert.equal(hw.name, 'drone-hw');
    assert.equal(hw.layout.root, fixture('drone', 'kos'));
    assert.ok(hw.tables.classByName.has('kl.drivers.BSP'));
  });

  it('every fixture loads and its PAL tests pass, as its cordon-fixture.json says', () => {
    const dirs = [
      ...['hello', 'echo', 'mqtt_publisher', 'errors_via_ipc'].map((n) => fixture(n)),
      ...findKosSolutions(fixture('drone')),
    ];
    for (const dir of dirs) {
      const meta = JSON.parse(readFileSync(join(dir, 'cordon-fixture.json'), 'utf8')) as {
        imitates: string;
        load: { defines?: Record<string, string> };
        expect: { palCases: number };
      };
      assert.ok(meta.imitates.length > 0);
      const s = loadKosSolution(dir, meta.load.defines ? { defines: meta.load.defines } : {});
      const r = runPalTests(s.tables, s.policy, s.tests);
      assert.equal(r.tests.length, meta.expect.palCases, dir);
      assert.equal(r.failed, 0, dir);
    }
  });

  it('cordon verify <tree> verifies each configuration and says which; one failing makes it exit 1', async () => {
    const dir = variant(fixture('drone'), {
      'kos/einit/qemu/src/security.psl.in': (t) =>
        t.replace(
          'grant request src = ap dst = fc endpoint = control method = Arm {}',
          'deny request src = ap dst = fc endpoint = control method = Arm {}',
        ),
    });
    const r = runCli([
      'verify',
      dir,
      '--no-tlc',
      '--runs',
      '2',
      '--steps',
      '20',
      '--seed',
      '1',
      '--out',
      join(dir, 'out', 'verify.json'),
    ]);
    const code = r.code;
    const lines = [r.stdout];
    const text = lines.join('');
    assert.equal(code, 1, text);
    assert.match(text, /: 2 einit configurations\n/);
    assert.match(
      text,
      /\n {2}PASS {2}kos\/einit\/hw: \d+ of \d+ checks passed, report .*verify\.kos\.einit\.hw\.json\n/,
    );
    assert.match(text, /\n {2}FAIL {2}kos\/einit\/qemu: \d+ of \d+ checks passed/);
  });
});
