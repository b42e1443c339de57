import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isRight } from 'fp-ts/lib/Either.js';
import {
  TlaValueC,
  TlaShapeError,
  TlaValueSyntaxError,
  applyFunction,
  asInt,
  asModelValue,
  asString,
  canonicalTla,
  formatTlaValue,
  functionEntries,
  parseTlaValue,
  recordFields,
  seqElements,
  setElements,
  tlaEquals,
  tlaKey,
  toJs,
  tryParseTlaValue,
  type TlaValue,
} from '../src/tlc/index.ts';

const int = (value: number): TlaValue => ({ kind: 'int', value });
const str = (value: string): TlaValue => ({ kind: 'string', value });
const mv = (name: string): TlaValue => ({ kind: 'modelValue', name });

describe('TLA+ value parser', () => {
  it('reads scalars', () => {
    assert.deepEqual(parseTlaValue('42'), int(42));
    assert.deepEqual(parseTlaValue('-5'), int(-5));
    assert.deepEqual(parseTlaValue('TRUE'), { kind: 'bool', value: true });
    assert.deepEqual(parseTlaValue('FALSE'), { kind: 'bool', value: false });
    assert.deepEqual(parseTlaValue('p1'), mv('p1'));
    assert.deepEqual(parseTlaValue('Nat'), mv('Nat'));
    assert.deepEqual(parseTlaValue('"a\\"b"'), str('a"b'));
    assert.deepEqual(parseTlaValue('"tab\\there\\nnl\\\\back"'), str('tab\there\nnl\\back'));
  });

  it('reads sets, sequences, records, functions and intervals as TLC prints them', () => {
    assert.deepEqual(parseTlaValue('{}'), { kind: 'set', elements: [] });
    assert.deepEqual(parseTlaValue('{{}, {<<>>}}'), {
      kind: 'set',
      elements: [
        { kind: 'set', elements: [] },
        { kind: 'set', elements: [{ kind: 'seq', elements: [] }] },
      ],
    });
    assert.deepEqual(parseTlaValue('<< >>'), { kind: 'seq', elements: [] });
    assert.deepEqual(parseTlaValue('<<1, "x">>'), { kind: 'seq', elements: [int(1), str('x')] });
    assert.deepEqual(parseTlaValue('[x |-> 1, y |-> <<[z |-> {}]>>]'), {
      kind: 'record',
      fields: [
        { name: 'x', value: int(1) },
        {
          name: 'y',
          value: {
            kind: 'seq',
            elements: [{ kind: 'record', fields: [{ name: 'z', value: { kind: 'set', elements: [] } }] }],
          },
        },
      ],
    });
    assert.deepEqual(parseTlaValue('("c" :> 2 @@ "a b" :> 1)'), {
      kind: 'function',
      entries: [
        { key: str('c'), value: int(2) },
        { key: str('a b'), value: int(1) },
      ],
    });
    assert.deepEqual(parseTlaValue('(<<1, "x">> :> 1 @@ <<2, "y">> :> 2)').kind, 'function');
    assert.deepEqual(parseTlaValue('(0 :> TRUE)'), {
      kind: 'function',
      entries: [{ key: int(0), value: { kind: 'bool', value: true } }],
    });
    assert.deepEqual(parseTlaValue('-3..-1'), { kind: 'interval', low: -3, high: -1 });
    assert.deepEqual(parseTlaValue('{1..3}'), { kind: 'set', elements: [{ kind: 'interval', low: 1, high: 3 }] });
  });

  it('ignores line breaks and indentation of wrapped values', () => {
    const wrapped = '<< [id |-> 1, name |-> "proc"],\n   [id |-> 2, name |-> "proc"] >>';
    assert.deepEqual(
      parseTlaValue(wrapped),
      parseTlaValue('<<[id |-> 1, name |-> "proc"], [id |-> 2, name |-> "proc"]>>'),
    );
  });

  it('reports where a malformed value stops', () => {
    for (const [text, at] of [
      ['{1, 2', 5],
      ['[a |-> ]', 7],
      ['(1 :> 2 @@ 3)', 12],
      ['<<1>> 2', 6],
      ['"open', 0],
      ['1..x', 3],
      ['{1 ; 2}', 3],
    ] as const) {
      const r = tryParseTlaValue(text);
      assert.equal(r.ok, false, text);
      if (!r.ok) {
        assert.ok(r.error instanceof TlaValueSyntaxError);
        assert.equal(r.error.offset, at, `${text}: ${r.error.message}`);
      }
    }
  });

  it('refuses integers beyond the safe range instead of rounding them', () => {
    assert.throws(() => parseTlaValue('123456789012345678901'), /out of range/);
  });
});

// Values as TLC can print them: functions need a non-empty domain (an empty one prints as <<>>).
const ident = fc.stringMatching(/^[a-z][A-Za-z0-9_]{0,6}$/).filter((s) => s !== 'TRUE' && s !== 'FALSE');
const tlaArb: fc.Arbitrary<TlaValue> = fc.letrec<{ v: TlaValue }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }).map(int),
    fc.boolean().map((value): TlaValue => ({ kind: 'bool', value })),
    fc.string({ unit: 'binary', maxLength: 8 }).map(str),
    ident.map(mv),
    fc
      .tuple(fc.integer({ min: -50, max: 50 }), fc.integer({ min: 0, max: 50 }))
      .map(([low, n]): TlaValue => ({ kind: 'interval', low, high: low + n })),
    fc.array(tie('v'), { maxLength: 4 }).map((elements): TlaValue => ({ kind: 'set', elements })),
    fc.array(tie('v'), { maxLength: 4 }).map((elements): TlaValue => ({ kind: 'seq', elements })),
    fc
      .uniqueArray(fc.record({ name: ident, value: tie('v') }), { maxLength: 4, selector: (f) => f.name })
      .map((fields): TlaValue => ({ kind: 'record', fields: fields.map(({ name, value }) => ({ name, value })) })),
    fc
      .array(fc.record({ key: tie('v'), value: tie('v') }), { minLength: 1, maxLength: 3 })
      .map((entries): TlaValue => ({ kind: 'function', entries: entries.map(({ key, value }) => ({ key, value })) })),
  ),
})).v;

describe('TLA+ value printing and canonical form', () => {
  it('parse(format(v)) gives v back', () => {
    fc.assert(
      fc.property(tlaArb, (v) => {
        assert.deepEqual(parseTlaValue(formatTlaValue(v)), v);
      }),
      { numRuns: 500 },
    );
  });

  it('every parsed value passes the io-ts codec', () => {
    fc.assert(
      fc.property(tlaArb, (v) => {
        assert.ok(isRight(TlaValueC.decode(parseTlaValue(formatTlaValue(v)))));
      }),
      { numRuns: 200 },
    );
  });

  it('canonical form ignores set order, duplicates, record field order and printing shape', () => {
    fc.assert(
      fc.property(fc.array(tlaArb, { maxLength: 5 }), (elements) => {
        const reversed: TlaValue = { kind: 'set', elements: [...elements].reverse() };
        const doubled: TlaValue = { kind: 'set', elements: [...elements, ...elements] };
        assert.ok(tlaEquals({ kind: 'set', elements }, reversed));
        assert.ok(tlaEquals({ kind: 'set', elements }, doubled));
      }),
      { numRuns: 200 },
    );
    assert.ok(tlaEquals(parseTlaValue('[a |-> 1, b |-> 2]'), parseTlaValue('[b |-> 2, a |-> 1]')));
    assert.ok(tlaEquals(parseTlaValue('<<"x", "y">>'), parseTlaValue('(2 :> "y" @@ 1 :> "x")')));
    assert.ok(tlaEquals(parseTlaValue('[a |-> 1]'), parseTlaValue('("a" :> 1)')));
    assert.ok(tlaEquals(parseTlaValue('1..3'), parseTlaValue('{3, 1, 2}')));
    assert.ok(tlaEquals(parseTlaValue('<<>>'), parseTlaValue('[]')));
    assert.ok(!tlaEquals(parseTlaValue('"p1"'), parseTlaValue('p1')), 'a string is not a model value');
    assert.ok(!tlaEquals(parseTlaValue('{1, 2}'), parseTlaValue('{1, 3}')));
    assert.equal(tlaKey(parseTlaValue('{2, 1, 2}')), '{1, 2}');
  });

  it('canonical form is idempotent', () => {
    fc.assert(
      fc.property(tlaArb, (v) => {
        assert.deepEqual(canonicalTla(canonicalTla(v)), canonicalTla(v));
      }),
      { numRuns: 200 },
    );
  });
});

describe('TLA+ values to JavaScript', () => {
  it('converts each kind', () => {
    const v = parseTlaValue(
      '[n |-> 3, who |-> p1, tags |-> {"a", "b"}, log |-> <<1, 2>>, range |-> 2..4, owner |-> (p1 :> TRUE @@ p2 :> FALSE)]',
    );
    const js = toJs(v) as Record<string, unknown>;
    assert.equal(js.n, 3);
    assert.equal(js.who, 'p1');
    assert.deepEqual(js.tags, ['a', 'b']);
    assert.deepEqual(js.log, [1, 2]);
    assert.deepEqual(js.range, [2, 3, 4]);
    assert.ok(js.owner instanceof Map);
    assert.equal((js.owner as Map<unknown, unknown>).get('p1'), true);
    assert.deepEqual((toJs(v, { modelValues: 'tagged' }) as Record<string, unknown>).who, { modelValue: 'p1' });
    assert.throws(() => toJs(parseTlaValue('1..2000000')), /more than 1000000 elements/);
  });

  it("reads values against the expected shape, accepting TLC's ambiguous printings", () => {
    assert.deepEqual(seqElements(parseTlaValue('(2 :> "b" @@ 1 :> "a")')).map(asString), ['a', 'b']);
    assert.deepEqual(seqElements(parseTlaValue('<<>>')), []);
    assert.throws(() => seqElements(parseTlaValue('(1 :> "a" @@ 3 :> "c")')), TlaShapeError);
    assert.deepEqual([...recordFields(parseTlaValue('("a b" :> 1)')).keys()], ['a b']);
    assert.deepEqual(setElements(parseTlaValue('1..3')).map(asInt), [1, 2, 3]);
    assert.equal(functionEntries(parseTlaValue('<<"x">>'))[0]!.key.kind, 'int');
    assert.equal(asModelValue(parseTlaValue('p2')), 'p2');
    assert.throws(() => asInt(parseTlaValue('"3"')), /expected an integer, got string "3"/);
    const fn = parseTlaValue('(<<1, "x">> :> 10 @@ <<2, "y">> :> 20)');
    assert.deepEqual(applyFunction(fn, parseTlaValue('<<2, "y">>')), int(20));
    assert.equal(applyFunction(fn, parseTlaValue('<<3, "z">>')), undefined);
  });
});
