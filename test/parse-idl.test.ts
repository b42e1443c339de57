/**
 * IDL, CDL and EDL parsers (items 18–22 of the format reference's section
 * 7) and the formal-spec resolver: flattened endpoints with RIIDs, methods
 * with MIDs and resolved parameter types.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { IdlFile } from '../src/interfaces/ast.ts';
import { parseCdl, parseEdl, parseIdl } from '../src/interfaces/parser.ts';
import { FormalSpecLoader, resolveTaskClasses } from '../src/interfaces/resolve.ts';
import type { ResolvedTaskClass, ResolvedType } from '../src/interfaces/types.ts';
import { expectParseError, fixturePath, lc, readFixture, withoutLocs } from './fixtures/formats/helpers.ts';

const XDL = 'door/resources/xdl/';
const searchPath = [fixturePath(XDL), fixturePath('sdk')];

const idl = (text: string) => parseIdl({ file: 'x.idl', text });

describe('IDL (items 21, 22)', () => {
  const log = parseIdl({ file: 'Log.idl', text: readFixture(`${XDL}demo/Log.idl`) });
  const bolt = parseIdl({ file: 'Bolt.idl', text: readFixture(`${XDL}demo/Bolt.idl`) });

  it('package, import, const with expressions, typedefs of string, sequence and integer types', () => {
    assert.equal(log.package, 'demo.Log');
    assert.deepEqual(withoutLocs(log.imports), [{ package: 'kl.core.Types' }]);
    assert.deepEqual(withoutLocs(log.definitions), [
      {
        kind: 'const',
        type: { kind: 'integer', name: 'UInt32' },
        name: 'MaxLines',
        value: { kind: 'int', value: 8n, text: '8' },
      },
      {
        kind: 'const',
        type: { kind: 'integer', name: 'UInt16' },
        name: 'MaxLine',
        value: {
          kind: 'binary',
          op: '<<',
          left: { kind: 'int', value: 1n, text: '1' },
          right: { kind: 'int', value: 7n, text: '7' },
        },
      },
      { kind: 'typedef', type: { kind: 'string', size: { kind: 'constant', name: 'MaxLine' } }, name: 'Line' },
      {
        kind: 'typedef',
        type: {
          kind: 'sequence',
          element: { kind: 'named', name: 'Line' },
          size: { kind: 'constant', name: 'MaxLines' },
        },
        name: 'Lines',
      },
      { kind: 'typedef', type: { kind: 'integer', name: 'SInt32' }, name: 'Retcode' },
    ]);
    assert.equal(lc(log.definitions[3]?.loc ?? log.loc), '9:1');
  });

  it('interface methods with in/out/error parameters, Boolean, parameterless methods', () => {
    assert.deepEqual(withoutLocs(log.interface?.methods), [
      {
        name: 'Write',
        params: [
          { direction: 'in', type: { kind: 'named', name: 'Lines' }, name: 'lines' },
          { direction: 'in', type: { kind: 'named', name: 'Boolean' }, name: 'urgent' },
          { direction: 'out', type: { kind: 'named', name: 'Retcode' }, name: 'rc' },
        ],
      },
      { name: 'Flush', params: [] },
    ]);
  });

  it('struct, union, Handle and inline string<256> parameters', () => {
    assert.deepEqual(
      bolt.definitions.map((d) => [d.kind, d.name]),
      [
        ['const', 'MaxRepeats'],
        ['struct', 'TurnRequest'],
        ['union', 'TurnResult'],
      ],
    );
    assert.deepEqual(withoutLocs(bolt.definitions[1]), {
      kind: 'struct',
      name: 'TurnRequest',
      fields: [
        { type: { kind: 'integer', name: 'UInt16' }, name: 'angle' },
        { type: { kind: 'integer', name: 'UInt8' }, name: 'repeats' },
      ],
    });
    assert.deepEqual(withoutLocs(bolt.interface?.methods[1]), {
      name: 'Hold',
      params: [
        { direction: 'in', type: { kind: 'handle' }, name: 'key' },
        { direction: 'in', type: { kind: 'string', size: { kind: 'int', value: 256n, text: '256' } }, name: 'reason' },
      ],
    });
  });

  it('every integer width, UIntSize/UIntPtr, bytes, array, handle<I>, hex/octal literals and operator precedence', () => {
    const f: IdlFile = idl(`package demo.All
const SInt64 A = -2 ** 3 ** 2 + 0x10 * 0o17 - (1 << 4 | 1) % 5;
typedef array<SInt8, 4> A8;
typedef bytes<A> B;
struct S { SInt16 a; SInt32 b; SInt64 c; UInt64 d; UIntSize e; UIntPtr f; }
interface { M(in handle<demo.All> h, in A8 x, out B y); }`);
    const value = (f.definitions[0] as Extract<IdlFile['definitions'][number], { kind: 'const' }>).value;
    const shape = (e: unknown): string => {
      const x = e as { kind: string; op?: string; left?: unknown; right?: unknown; operand?: unknown; text?: string };
      if (x.kind === 'int') return x.text as string;
      if (x.kind === 'unary') return `(${x.op}${shape(x.operand)})`;
      return `(${shape(x.left)} ${x.op} ${shape(x.right)})`;
    };
    assert.equal(shape(value), '(((-(2 ** (3 ** 2))) + (0x10 * 0o17)) - (((1 << 4) | 1) % 5))');
    assert.deepEqual(withoutLocs(f.interface?.methods[0]?.params[0]?.type), {
      kind: 'callableHandle',
      interface: 'demo.All',
    });
  });

  it('format rules: parameter order, method names, unique names, one interface', () => {
    expectParseError(() => idl('package x\ninterface { A(out UInt8 a, in UInt8 b); }'), {
      kind: 'validation',
      at: '2:28',
      message: /in parameter b comes after an out parameter/,
    });
    expectParseError(() => idl('package x\ninterface { Get_value(); }'), {
      kind: 'validation',
      at: '2:13',
      message: /method name Get_value must not contain _/,
    });
    expectParseError(() => idl('package x\ninterface {\n A();\n A(); }'), {
      kind: 'duplicate',
      at: '4:2',
      message: /the method A is declared twice \(first at line 3\)/,
    });
    expectParseError(() => idl('package x\ntypedef UInt8 T;\nstruct T { UInt8 a; }'), { kind: 'duplicate', at: '3:1' });
    expectParseError(() => idl('package x\nstruct S { UInt8 a; UInt16 a; }'), { kind: 'duplicate', at: '2:21' });
    expectParseError(() => idl('package x\ninterface { A(in UInt8 a, out UInt8 a); }'), {
      kind: 'duplicate',
      at: '2:27',
    });
    expectParseError(() => idl('package x\ninterface {}\ninterface {}'), { kind: 'duplicate', at: '3:1' });
  });

  it('syntax errors in the words of the format', () => {
    expectParseError(() => idl('interface {}'), { kind: 'syntax', at: '1:1', message: /expected "package"/ });
    expectParseError(() => idl('package x\nconst UInt8 X = ;'), {
      kind: 'syntax',
      at: '2:17',
      message: /expected a constant expression but found ";"/,
    });
    expectParseError(() => idl('package x\nstructure S {}'), {
      kind: 'syntax',
      at: '2:1',
      message: /expected a declaration \(const, typedef, struct, union or interface\)/,
    });
    expectParseError(() => idl('package x\ninterface { M(in a); }'), {
      kind: 'syntax',
      at: '2:19',
      message: /expected a name but found "\)"/,
    });
    expectParseError(() => idl('package x\ninterface { M(inout UInt8 a); }'), {
      kind: 'syntax',
      at: '2:15',
      message: /expected a parameter direction \(in, out or error\)/,
    });
    expectParseError(() => idl('package x\ninterface { M(in UInt8 a) }'), {
      kind: 'syntax',
      at: '2:27',
      message: /expected ";" but found "\}"/,
    });
  });

  it('rejects the pre-1.0 named interface', () => {
    expectParseError(() => idl('package x\ninterface IPing { Ping(); }'), {
      kind: 'unsupported',
      at: '2:1',
      message: /^unsupported construct named interface IPing .* at x\.idl:2:1$/,
    });
  });
});

describe('CDL and EDL (items 18–20)', () => {
  it('18: task class with endpoints', () => {
    const edl = parseEdl({ file: 'Logger.edl', text: readFixture(`${XDL}demo/Logger.edl`) });
    assert.deepEqual(withoutLocs(edl), {
      kind: 'edl',
      file: 'Logger.edl',
      name: 'demo.Logger',
      keyword: 'task class',
      security: null,
      endpoints: [{ name: 'log', interface: 'demo.Log' }],
      components: [],
    });
  });

  it('19: components with two instances of one component, sections in any order', () => {
    const edl = parseEdl({ file: 'Lock.edl', text: readFixture(`${XDL}demo/Lock.edl`) });
    assert.deepEqual(withoutLocs(edl.components), [
      { name: 'front', component: 'demo.BoltUnit' },
      { name: 'back', component: 'demo.BoltUnit' },
    ]);
    assert.deepEqual(withoutLocs(edl.endpoints), [{ name: 'status', interface: 'demo.Status' }]);
    assert.equal(lc(edl.components[1]?.loc ?? edl.loc), '6:5');
  });

  it('20: component with the same interface twice', () => {
    const cdl = parseCdl({ file: 'BoltUnit.cdl', text: readFixture(`${XDL}demo/BoltUnit.cdl`) });
    assert.equal(cdl.name, 'demo.BoltUnit');
    assert.deepEqual(withoutLocs(cdl.endpoints), [
      { name: 'bolt', interface: 'demo.Bolt' },
      { name: 'spare', interface: 'demo.Bolt' },
    ]);
  });

  it('security interface, the obsolete entity keyword, entries separated by ; or ,', () => {
    const edl = parseEdl({
      file: 'a.edl',
      text: 'entity demo.A\nsecurity demo.Audit\nendpoints { a : x.I; b : x.J, c : x.K }',
    });
    assert.equal(edl.keyword, 'entity');
    assert.deepEqual(withoutLocs(edl.security), { interface: 'demo.Audit' });
    assert.deepEqual(
      edl.endpoints.map((e) => e.name),
      ['a', 'b', 'c'],
    );
    assert.deepEqual(withoutLocs(parseCdl({ file: 'e.cdl', text: 'component x.Empty' })), {
      kind: 'cdl',
      file: 'e.cdl',
      name: 'x.Empty',
      security: null,
      endpoints: [],
      components: [],
    });
  });

  it('errors: duplicate names (also across endpoints and instances), _ in names, repeated sections, unknown sections', () => {
    expectParseError(
      () => parseCdl({ file: 'c.cdl', text: 'component a.B\nendpoints { x : a.I }\ncomponents { x : a.C }' }),
      {
        kind: 'duplicate',
        at: '3:14',
        message: /x is declared twice/,
      },
    );
    expectParseError(() => parseEdl({ file: 'c.edl', text: 'task class A\nendpoints { my_log : x.Y }' }), {
      kind: 'validation',
      at: '2:13',
      message: /must not contain _/,
    });
    expectParseError(() => parseEdl({ file: 'c.edl', text: 'task class A\nendpoints {}\nendpoints {}' }), {
      kind: 'duplicate',
      at: '3:1',
    });
    expectParseError(() => parseEdl({ file: 'c.edl', text: 'task class A\nservices {}' }), {
      kind: 'syntax',
      at: '2:1',
      message: /expected end of input, "components", "endpoints" or "security" but found "services"/,
    });
    expectParseError(() => parseEdl({ file: 'c.edl', text: 'task demo.A' }), {
      kind: 'syntax',
      at: '1:6',
      message: /expected "class"/,
    });
    expectParseError(() => parseEdl({ file: 'c.edl', text: 'entity A\ninterfaces { ping : IPing }' }), {
      kind: 'unsupported',
      at: '2:1',
      message: /interfaces section/,
    });
  });
});

/** A compact picture of a resolved type for assertions. */
function typeShape(t: ResolvedType): string {
  const alias = t.alias === undefined ? '' : `${t.alias}=`;
  switch (t.kind) {
    case 'integer':
      return alias + t.name;
    case 'boolean':
    case 'handle':
      return alias + t.kind;
    case 'callableHandle':
      return `${alias}handle<${t.interface}>`;
    case 'string':
    case 'bytes':
      return `${alias}${t.kind}<${t.maxLength}>`;
    case 'sequence':
      return `${alias}sequence<${typeShape(t.element)}, ${t.maxLength}>`;
    case 'array':
      return `${alias}array<${typeShape(t.element)}, ${t.length}>`;
    case 'struct':
      return `${alias}struct ${t.name} { ${t.fields.map((f) => `${typeShape(f.type)} ${f.name}`).join('; ')} }`;
    case 'union':
      return `${alias}union ${t.name} { ${t.members.map((f) => `${typeShape(f.type)} ${f.name}`).join('; ')} }`;
  }
}

describe('resolveTaskClasses: flattened endpoints, RIIDs, MIDs, resolved types', () => {
  const specs = resolveTaskClasses(['demo.Lock', 'demo.Logger', 'demo.Door', 'kl.core.Core', { name: 'Einit' }], {
    searchPath,
  });
  const lock = specs.taskClasses.get('demo.Lock') as ResolvedTaskClass;

  it('RIIDs: own endpoints first, then component instances depth-first in declaration order', () => {
    assert.deepEqual(
      lock.endpoints.map((e) => [e.riid, e.qualifiedName, e.interface.name, e.declaredIn]),
      [
        [0, 'status', 'demo.Status', 'demo.Lock'],
        [1, 'front.bolt', 'demo.Bolt', 'demo.BoltUnit'],
        [2, 'front.spare', 'demo.Bolt', 'demo.BoltUnit'],
        [3, 'back.bolt', 'demo.Bolt', 'demo.BoltUnit'],
        [4, 'back.spare', 'demo.Bolt', 'demo.BoltUnit'],
      ],
    );
    assert.deepEqual(lock.endpoints[3]?.path, ['back']);
    assert.ok(lock.endpoints[1]?.loc.file.endsWith('demo/BoltUnit.cdl'));
    const core = specs.taskClasses.get('kl.core.Core') as ResolvedTaskClass;
    assert.deepEqual(
      core.endpoints.map((e) => [e.riid, e.qualifiedName, e.interface.name]),
      [[0, 'vmm.VMM', 'kl.core.VMM']],
    );
    assert.deepEqual(specs.taskClasses.get('demo.Door')?.endpoints, []);
    assert.deepEqual(specs.taskClasses.get('Einit')?.endpoints, []);
  });

  it('MIDs in declaration order, with in/out/error parameter types resolved', () => {
    const bolt = lock.endpoints[1]?.interface;
    assert.deepEqual(
      bolt?.methods.map((m) => [m.mid, m.name]),
      [
        [0, 'Turn'],
        [1, 'Hold'],
        [2, 'Release'],
      ],
    );
    const turn = bolt?.methods[0];
    assert.deepEqual(
      turn?.in.map((p) => `${typeShape(p.type)} ${p.name}`),
      ['struct demo.Bolt.TurnRequest { UInt16 angle; UInt8 repeats } request'],
    );
    assert.deepEqual(
      turn?.out.map((p) => `${typeShape(p.type)} ${p.name}`),
      ['union demo.Bolt.TurnResult { UInt16 done; SInt32 code } result'],
    );
    assert.deepEqual(
      turn?.error.map((p) => `${typeShape(p.type)} ${p.name}`),
      ['SInt32 rc'],
    );
    assert.deepEqual(
      bolt?.methods[1]?.in.map((p) => typeShape(p.type)),
      ['handle', 'string<256>'],
    );
    assert.equal(lock.endpoints[1]?.interface, lock.endpoints[4]?.interface, 'one interface object per interface');
  });

  it('constants evaluated, typedefs expanded (keeping the alias), Boolean from kl.core.Types', () => {
    const write = specs.taskClasses.get('demo.Logger')?.endpoints[0]?.interface.methods[0];
    assert.deepEqual(
      write?.in.map((p) => typeShape(p.type)),
      ['demo.Log.Lines=sequence<demo.Log.Line=string<128>, 8>', 'boolean'],
    );
    assert.deepEqual(
      write?.out.map((p) => typeShape(p.type)),
      ['demo.Log.Retcode=SInt32'],
    );
    const vmm = specs.interfaces.get('kl.core.VMM');
    assert.deepEqual(
      vmm?.methods[0]?.in.map((p) => p.type.kind === 'integer' && [p.type.name, p.type.bits, p.type.signed]),
      [
        ['UIntPtr', 64, false],
        ['UIntSize', 64, false],
        ['UInt32', 32, false],
      ],
    );
  });

  it('lists every file read and every interface reached', () => {
    assert.deepEqual([...specs.interfaces.keys()].sort(), ['demo.Bolt', 'demo.Log', 'demo.Status', 'kl.core.VMM']);
    assert.ok(specs.files.some((f) => f.endsWith('demo/Lock.edl')));
    assert.ok(specs.files.some((f) => f.endsWith('kl/core/Vmm.cdl')));
  });

  it('the built-in kl.core.Execute interface and constant/type queries', () => {
    const loader = new FormalSpecLoader({ searchPath });
    assert.deepEqual(
      loader.interface('kl.core.Execute').methods.map((m) => [m.mid, m.name, m.in.length]),
      [[0, 'main', 0]],
    );
    assert.equal(loader.constantValue('demo.Log', 'MaxLine'), 128n);
    assert.equal(typeShape(loader.namedTypeOf('demo.Log', 'Line')), 'demo.Log.Line=string<128>');
  });
});

describe('resolveTaskClasses: errors name the place that refers to the missing thing', () => {
  const memory = (files: Record<string, string>) => ({ searchPath: ['x'], readFile: (p: string) => files[p] });

  it('a missing task class at the use EDL location', () => {
    const loc = { file: 'security.psl', line: 4, column: 1 };
    expectParseError(() => resolveTaskClasses([{ name: 'demo.Nope', loc }], { searchPath }), {
      kind: 'reference',
      at: '4:1',
      file: 'security.psl',
      message: /cannot find the task class demo\.Nope \(looked for demo\/Nope\.edl in /,
    });
  });

  it('unknown interface, component and type, at their references', () => {
    expectParseError(
      () => resolveTaskClasses(['a.T'], memory({ 'x/a/T.edl': 'task class a.T\nendpoints {\n  p : a.Missing\n}' })),
      {
        kind: 'reference',
        at: '3:3',
        file: 'x/a/T.edl',
        message: /cannot find the IDL package a\.Missing/,
      },
    );
    expectParseError(
      () => resolveTaskClasses(['a.T'], memory({ 'x/a/T.edl': 'task class a.T\ncomponents { c : a.C }' })),
      {
        kind: 'reference',
        at: '2:14',
        message: /cannot find the component a\.C/,
      },
    );
    expectParseError(
      () =>
        resolveTaskClasses(
          ['a.T'],
          memory({
            'x/a/T.edl': 'task class a.T\nendpoints { p : a.I }',
            'x/a/I.idl': 'package a.I\ninterface {\n  M(in Nope n);\n}',
          }),
        ),
      { kind: 'reference', at: '3:8', file: 'x/a/I.idl', message: /unknown type Nope in package a\.I/ },
    );
    expectParseError(
      () =>
        resolveTaskClasses(
          ['a.T'],
          memory({
            'x/a/T.edl': 'task class a.T\nendpoints { p : a.I }',
            'x/a/I.idl': 'package a.I\ninterface { M(in Boolean b); }',
          }),
        ),
      { kind: 'reference', at: '2:18', message: /add import kl\.core\.Types/ },
    );
    expectParseError(
      () =>
        resolveTaskClasses(
          ['a.T'],
          memory({
            'x/a/T.edl': 'task class a.T\nendpoints { p : a.I }',
            'x/a/I.idl': 'package a.I\ntypedef UInt8 X;',
          }),
        ),
      { kind: 'reference', at: '2:13', message: /package a\.I declares no interface/ },
    );
  });

  it('constants: out of range, cycles, division by zero, non-integer types; bounds must be positive', () => {
    const withIdl = (text: string) => () =>
      resolveTaskClasses(
        ['a.T'],
        memory({
          'x/a/T.edl': 'task class a.T\nendpoints { p : a.I }',
          'x/a/I.idl': `package a.I\n${text}\ninterface { M(); }`,
        }),
      );
    expectParseError(withIdl('const UInt8 X = 256;'), {
      kind: 'validation',
      at: '2:17',
      message: /value 256 of constant X is out of range for UInt8 \(0\.\.255\)/,
    });
    expectParseError(withIdl('const SInt8 X = -129;'), {
      kind: 'validation',
      message: /out of range for SInt8 \(-128\.\.127\)/,
    });
    expectParseError(withIdl('const UInt8 X = Y;\nconst UInt8 Y = X + 1;'), {
      kind: 'validation',
      message: /constant a\.I\.X is defined in terms of itself/,
    });
    expectParseError(withIdl('const UInt8 X = 1 / (2 - 2);'), {
      kind: 'validation',
      at: '2:22',
      message: /division by zero/,
    });
    expectParseError(withIdl('const string<4> X = 1;'), { kind: 'validation', message: /must have an integer type/ });
    expectParseError(withIdl('typedef string<0> S;'), {
      kind: 'validation',
      at: '2:16',
      message: /the bound of string<N> must be a positive integer, not 0/,
    });
    expectParseError(withIdl('typedef sequence<UInt8, Nope> S;'), {
      kind: 'reference',
      message: /unknown constant Nope/,
    });
    expectParseError(withIdl('struct S { S inner; }'), { kind: 'validation', message: /type a\.I\.S contains itself/ });
    expectParseError(withIdl('const UInt8 N = 3;\ntypedef N T;'), {
      kind: 'validation',
      message: /N is a constant, not a type/,
    });
  });

  it('names declared in files must match their paths; components may not contain themselves', () => {
    expectParseError(() => resolveTaskClasses(['a.T'], memory({ 'x/a/T.edl': 'task class a.U' })), {
      kind: 'validation',
      at: '1:1',
      message: /declares a\.U/,
    });
    expectParseError(
      () =>
        resolveTaskClasses(
          ['a.T'],
          memory({
            'x/a/T.edl': 'task class a.T\ncomponents { c : a.C }',
            'x/a/C.cdl': 'component a.C\ncomponents { d : a.C }',
          }),
        ),
      {
        kind: 'validation',
        at: '2:14',
        file: 'x/a/C.cdl',
        message: /component a\.C contains itself \(a\.T → a\.C → a\.C\)/,
      },
    );
  });

  it('security interfaces may only have in parameters', () => {
    expectParseError(
      () =>
        resolveTaskClasses(
          ['a.T'],
          memory({
            'x/a/T.edl': 'task class a.T\nsecurity a.S',
            'x/a/S.idl': 'package a.S\ninterface { Check(in UInt8 a, out UInt8 b); }',
          }),
        ),
      {
        kind: 'validation',
        at: '2:13',
        message: /method Check of security interface a\.S may only have in parameters/,
      },
    );
    const ok = resolveTaskClasses(
      ['a.T'],
      memory({
        'x/a/T.edl': 'task class a.T\nsecurity a.S',
        'x/a/S.idl': 'package a.S\ninterface { Check(in UInt8 a); }',
      }),
    );
    assert.deepEqual(
      ok.taskClasses.get('a.T')?.securityInterfaces.map((s) => [s.path, s.interface.name]),
      [[[], 'a.S']],
    );
  });

  it('qualified and imported names; imports must be declared', () => {
    const files = {
      'x/a/T.edl': 'task class a.T\nendpoints { p : a.I }',
      'x/a/Types.idl': 'package a.Types\nconst UInt16 N = 4;\ntypedef string<N> Name;',
      'x/a/I.idl':
        'package a.I\nimport a.Types\ninterface { M(in Name n, in a.Types.Name m, in sequence<UInt8, a.Types.N * 2> s); }',
    };
    const specs = resolveTaskClasses(['a.T'], memory(files));
    assert.deepEqual(
      specs.interfaces.get('a.I')?.methods[0]?.in.map((p) => typeShape(p.type)),
      ['a.Types.Name=string<4>', 'a.Types.Name=string<4>', 'sequence<UInt8, 8>'],
    );
    expectParseError(
      () =>
        resolveTaskClasses(
          ['a.T'],
          memory({ ...files, 'x/a/I.idl': 'package a.I\ninterface { M(in a.Types.Name n); }' }),
        ),
      {
        kind: 'reference',
        at: '2:18',
        message: /package a\.Types is not imported by a\.I/,
      },
    );
  });
});
