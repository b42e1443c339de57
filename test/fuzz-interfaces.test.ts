/**
 * Fuzzing the IDL, CDL and EDL parsers with random text and mutated
 * formal specifications.
 */
import { it } from 'node:test';
import { parseCdl, parseEdl, parseIdl } from '../src/interfaces/parser.ts';
import { readFixture } from './fixtures/formats/helpers.ts';
import { fuzz, type FuzzInput } from './fixtures/formats/fuzz-harness.ts';

const XDL = 'door/resources/xdl/demo/';
const seed = (file: string, relative: string): FuzzInput => ({ file, text: readFixture(relative) });

const COMMON = [
  '{',
  '}',
  '(',
  ')',
  '<',
  '>',
  ':',
  ';',
  ',',
  '.',
  '_',
  '//',
  '/*',
  '*/',
  '\n',
  'demo.Bolt',
  'x',
  '0x1F',
  '0o17',
  '8',
];

it('IDL parser: no crash, no hang, every error located inside the input', (t) => {
  fuzz(t, {
    name: 'idl',
    seeds: [
      seed('Bolt.idl', `${XDL}Bolt.idl`),
      seed('Log.idl', `${XDL}Log.idl`),
      seed('Status.idl', `${XDL}Status.idl`),
      seed('VMM.idl', 'sdk/kl/core/VMM.idl'),
      {
        file: 'All.idl',
        text:
          'package demo.All\nimport demo.Log\nconst SInt64 A = -2 ** 3 + 0x10 * (1 << 4 | 1) % 5;\ntypedef array<bytes<A>, 4> B;\n' +
          'interface { M(in handle<demo.All> h, in sequence<UInt8, A> s, out B b, error SInt32 rc); }\n',
      },
    ],
    vocabulary: [
      ...COMMON,
      'package',
      'import',
      'const',
      'typedef',
      'struct',
      'union',
      'interface',
      'in',
      'out',
      'error',
      'UInt8',
      'SInt64',
      'UIntSize',
      'Handle',
      'handle',
      'string',
      'bytes',
      'sequence',
      'array',
      'Boolean',
      '=',
      '+',
      '-',
      '*',
      '/',
      '%',
      '**',
      '<<',
      '>>',
      '|',
      '&',
      '^',
      '~',
    ],
    parse: parseIdl,
  });
});

const COMPONENT_WORDS = [
  ...COMMON,
  'component',
  'task',
  'class',
  'entity',
  'security',
  'endpoints',
  'components',
  'interfaces',
  'bolt',
  'demo.BoltUnit',
];

it('CDL parser: no crash, no hang, every error located inside the input', (t) => {
  fuzz(t, {
    name: 'cdl',
    seeds: [
      seed('BoltUnit.cdl', `${XDL}BoltUnit.cdl`),
      seed('Vmm.cdl', 'sdk/kl/core/Vmm.cdl'),
      {
        file: 'Full.cdl',
        text: 'component demo.Full\nsecurity demo.Audit\nendpoints { a : demo.A; b : demo.B, }\ncomponents {\n  u : demo.BoltUnit\n}\n',
      },
    ],
    vocabulary: COMPONENT_WORDS,
    parse: parseCdl,
  });
});

it('EDL parser: no crash, no hang, every error located inside the input', (t) => {
  fuzz(t, {
    name: 'edl',
    seeds: [
      seed('Lock.edl', `${XDL}Lock.edl`),
      seed('Logger.edl', `${XDL}Logger.edl`),
      seed('Core.edl', 'sdk/kl/core/Core.edl'),
      seed('BSP.edl', 'sdk/kl/drivers/BSP.edl'),
      {
        file: 'Full.edl',
        text: 'task class demo.Full\nsecurity demo.Audit\ncomponents { front : demo.BoltUnit }\nendpoints { status : demo.Status }\n',
      },
    ],
    vocabulary: COMPONENT_WORDS,
    parse: parseEdl,
  });
});
