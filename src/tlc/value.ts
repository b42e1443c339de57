/**
 * TLA+ values as TLC prints them (in traces, `-dump` files and `Print` output),
 * parsed into a small typed AST.
 *
 *   integer       42, -5                     IntValue is 32-bit in TLC
 *   boolean       TRUE, FALSE
 *   string        "a\"b"                     escapes \" \\ \t \n \f \r
 *   model value   p1                         any bare identifier (also `Nat`, or
 *                                            `null` for an unassigned variable)
 *   set           {1, 2}, {}                 TLC's normalised element order
 *   sequence      <<1, 2>>, <<>>, << >>      also every function on 1..n
 *   record        [a |-> 1, b |-> 2], []     also every function on identifier strings
 *   function      (1 :> "x" @@ 3 :> "y")
 *   interval      1..3, -3..-1               kept symbolic when TLC stores it so
 *
 * TLC's printing loses type information (a sequence and a function on 1..n
 * print the same way), so the AST records what was printed; the `as…`
 * helpers below read a value against the shape the caller expects.
 */

export type TlaValue =
  | { readonly kind: 'int'; readonly value: number }
  | { readonly kind: 'bool'; readonly value: boolean }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'modelValue'; readonly name: string }
  | { readonly kind: 'set'; readonly elements: readonly TlaValue[] }
  | { readonly kind: 'seq'; readonly elements: readonly TlaValue[] }
  | { readonly kind: 'record'; readonly fields: readonly TlaField[] }
  | { readonly kind: 'function'; readonly entries: readonly TlaEntry[] }
  | { readonly kind: 'interval'; readonly low: number; readonly high: number };

export interface TlaField {
  readonly name: string;
  readonly value: TlaValue;
}

export interface TlaEntry {
  readonly key: TlaValue;
  readonly value: TlaValue;
}

/** A value that is not in TLC's printed syntax; `offset` is where reading stopped. */
export class TlaValueSyntaxError extends Error {
  readonly offset: number;
  readonly input: string;
  constructor(message: string, input: string, offset: number) {
    const excerpt = input.length > 60 ? `${input.slice(Math.max(0, offset - 20), offset + 40)}` : input;
    super(`${message} at offset ${offset} in TLA+ value ${JSON.stringify(excerpt)}`);
    this.name = 'TlaValueSyntaxError';
    this.offset = offset;
    this.input = input;
  }
}

// ---------------------------------------------------------------------------
// Tokenizer

type Token =
  | { readonly t: 'punct'; readonly v: string; readonly at: number }
  | { readonly t: 'int'; readonly v: number; readonly at: number }
  | { readonly t: 'string'; readonly v: string; readonly at: number }
  | { readonly t: 'ident'; readonly v: string; readonly at: number }
  | { readonly t: 'eof'; readonly at: number };

const PUNCT = ['|->', '<<', '>>', ':>', '@@', '..', '{', '}', '[', ']', '(', ')', ','] as const;

function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const n = input.length;
  while (i < n) {
    const c = input[i]!;
    if (c === ' ' || c === '\n' || c === '\r' || c === '\t' || c === '\f') {
      i++;
      continue;
    }
    if (c === '"') {
      const start = i;
      i++;
      let s = '';
      for (;;) {
        if (i >= n) throw new TlaValueSyntaxError('unterminated string', input, start);
        const d = input[i]!;
        if (d === '"') {
          i++;
          break;
        }
        if (d === '\\') {
          const e = input[i + 1];
          if (e === undefined) throw new TlaValueSyntaxError('unterminated string', input, start);
          s += e === 'n' ? '\n' : e === 't' ? '\t' : e === 'r' ? '\r' : e === 'f' ? '\f' : e;
          i += 2;
          continue;
        }
        s += d;
        i++;
      }
      tokens.push({ t: 'string', v: s, at: start });
      continue;
    }
    if (c === '-' && i + 1 < n && isDigit(input[i + 1]!)) {
      const start = i;
      i++;
      while (i < n && isDigit(input[i]!)) i++;
      tokens.push({ t: 'int', v: toInt(input.slice(start, i), input, start), at: start });
      continue;
    }
    if (isWordChar(c)) {
      const start = i;
      while (i < n && isWordChar(input[i]!)) i++;
      const word = input.slice(start, i);
      if (/^\d+$/.test(word)) tokens.push({ t: 'int', v: toInt(word, input, start), at: start });
      else tokens.push({ t: 'ident', v: word, at: start });
      continue;
    }
    const p = PUNCT.find((q) => input.startsWith(q, i));
    if (p === undefined) throw new TlaValueSyntaxError(`unexpected character ${JSON.stringify(c)}`, input, i);
    tokens.push({ t: 'punct', v: p, at: i });
    i += p.length;
  }
  tokens.push({ t: 'eof', at: n });
  return tokens;
}

function isDigit(c: string): boolean {
  return c >= '0' && c <= '9';
}

function isWordChar(c: string): boolean {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_';
}

function toInt(text: string, input: string, at: number): number {
  const v = Number(text);
  if (!Number.isSafeInteger(v)) throw new TlaValueSyntaxError(`integer ${text} is out of range`, input, at);
  return v;
}

// ---------------------------------------------------------------------------
// Parser (recursive descent)

class Parser {
  private pos = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly input: string,
  ) {}

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.pos + offset, this.tokens.length - 1)]!;
  }

  private next(): Token {
    const tok = this.peek();
    if (this.pos < this.tokens.length - 1) this.pos++;
    return tok;
  }

  private isPunct(v: string, offset = 0): boolean {
    const tok = this.peek(offset);
    return tok.t === 'punct' && tok.v === v;
  }

  private expect(v: string): void {
    const tok = this.next();
    if (tok.t !== 'punct' || tok.v !== v) throw this.error(`expected "${v}" but found ${describe(tok)}`, tok);
  }

  private error(message: string, tok: Token = this.peek()): TlaValueSyntaxError {
    return new TlaValueSyntaxError(message, this.input, tok.at);
  }

  parseAll(): TlaValue {
    const v = this.value();
    const tok = this.peek();
    if (tok.t !== 'eof') throw this.error(`unexpected ${describe(tok)} after the value`, tok);
    return v;
  }

  private value(): TlaValue {
    const tok = this.next();
    switch (tok.t) {
      case 'int':
        if (this.isPunct('..')) {
          this.next();
          const hi = this.next();
          if (hi.t !== 'int') throw this.error(`expected an integer after ".." but found ${describe(hi)}`, hi);
          return { kind: 'interval', low: tok.v, high: hi.v };
        }
        return { kind: 'int', value: tok.v };
      case 'string':
        return { kind: 'string', value: tok.v };
      case 'ident':
        if (tok.v === 'TRUE') return { kind: 'bool', value: true };
        if (tok.v === 'FALSE') return { kind: 'bool', value: false };
        return { kind: 'modelValue', name: tok.v };
      case 'eof':
        throw this.error('unexpected end of value', tok);
      case 'punct':
        switch (tok.v) {
          case '{':
            return { kind: 'set', elements: this.list('}') };
          case '<<':
            return { kind: 'seq', elements: this.list('>>') };
          case '[':
            return this.record();
          case '(':
            return this.fn();
          default:
            throw this.error(`unexpected ${describe(tok)}`, tok);
        }
    }
  }

  private list(close: string): TlaValue[] {
    const out: TlaValue[] = [];
    if (this.isPunct(close)) {
      this.next();
      return out;
    }
    for (;;) {
      out.push(this.value());
      if (this.isPunct(',')) {
        this.next();
        continue;
      }
      this.expect(close);
      return out;
    }
  }

  private record(): TlaValue {
    const fields: TlaField[] = [];
    if (this.isPunct(']')) {
      this.next();
      return { kind: 'record', fields };
    }
    for (;;) {
      const name = this.next();
      // Field names are identifiers; a name made only of digits is a valid TLA+ identifier too.
      if (name.t !== 'ident' && name.t !== 'int')
        throw this.error(`expected a record field name but found ${describe(name)}`, name);
      if (name.t === 'int' && name.v < 0) throw this.error('a record field name cannot be negative', name);
      this.expect('|->');
      fields.push({ name: String(name.v), value: this.value() });
      if (this.isPunct(',')) {
        this.next();
        continue;
      }
      this.expect(']');
      return { kind: 'record', fields };
    }
  }

  private fn(): TlaValue {
    const first = this.value();
    if (this.isPunct(')')) {
      // A parenthesised value; TLC does not print these, but they are harmless.
      this.next();
      return first;
    }
    const entries: TlaEntry[] = [];
    let key = first;
    for (;;) {
      this.expect(':>');
      entries.push({ key, value: this.value() });
      if (this.isPunct('@@')) {
        this.next();
        key = this.value();
        continue;
      }
      this.expect(')');
      return { kind: 'function', entries };
    }
  }
}

function describe(tok: Token): string {
  switch (tok.t) {
    case 'eof':
      return 'the end of the value';
    case 'string':
      return `string ${JSON.stringify(tok.v)}`;
    case 'int':
      return `integer ${tok.v}`;
    default:
      return `"${tok.v}"`;
  }
}

/** Parses one value in TLC's printed syntax (whitespace and line breaks are insignificant). */
export function parseTlaValue(text: string): TlaValue {
  return new Parser(tokenize(text), text).parseAll();
}

/** Like `parseTlaValue`, but returns the error instead of throwing it. */
export function tryParseTlaValue(
  text: string,
): { ok: true; value: TlaValue } | { ok: false; error: TlaValueSyntaxError } {
  try {
    return { ok: true, value: parseTlaValue(text) };
  } catch (e) {
    if (e instanceof TlaValueSyntaxError) return { ok: false, error: e };
    throw e;
  }
}

// ---------------------------------------------------------------------------
// Printing, equality, canonical form

function quote(s: string): string {
  let out = '"';
  for (const c of s) {
    if (c === '"') out += '\\"';
    else if (c === '\\') out += '\\\\';
    else if (c === '\n') out += '\\n';
    else if (c === '\t') out += '\\t';
    else if (c === '\r') out += '\\r';
    else if (c === '\f') out += '\\f';
    else out += c;
  }
  return `${out}"`;
}

/** Prints a value in TLC's syntax, on one line (`parseTlaValue(formatTlaValue(v))` gives `v` back). */
export function formatTlaValue(v: TlaValue): string {
  switch (v.kind) {
    case 'int':
      return String(v.value);
    case 'bool':
      return v.value ? 'TRUE' : 'FALSE';
    case 'string':
      return quote(v.value);
    case 'modelValue':
      return v.name;
    case 'set':
      return `{${v.elements.map(formatTlaValue).join(', ')}}`;
    case 'seq':
      return `<<${v.elements.map(formatTlaValue).join(', ')}>>`;
    case 'record':
      return `[${v.fields.map((f) => `${f.name} |-> ${formatTlaValue(f.value)}`).join(', ')}]`;
    case 'function':
      // TLC prints a function with an empty domain as <<>>.
      if (v.entries.length === 0) return '<<>>';
      return `(${v.entries.map((e) => `${formatTlaValue(e.key)} :> ${formatTlaValue(e.value)}`).join(' @@ ')})`;
    case 'interval':
      return `${v.low}..${v.high}`;
  }
}

/**
 * A canonical form that makes printing-order differences disappear: set
 * elements and function entries sorted, record fields sorted by name,
 * intervals expanded into sets, and functions on 1..n, sequences, records and
 * functions on strings unified (all become functions). Two values that denote
 * the same TLA+ value have the same canonical form (model values are compared
 * by name, strings by content).
 */
export function canonicalTla(v: TlaValue): TlaValue {
  switch (v.kind) {
    case 'int':
    case 'bool':
    case 'string':
    case 'modelValue':
      return v;
    case 'interval': {
      const elements: TlaValue[] = [];
      for (let i = v.low; i <= v.high; i++) elements.push({ kind: 'int', value: i });
      return canonicalSet(elements);
    }
    case 'set':
      return canonicalSet(v.elements.map(canonicalTla));
    case 'seq':
      return canonicalFn(v.elements.map((e, i) => ({ key: { kind: 'int', value: i + 1 }, value: canonicalTla(e) })));
    case 'record':
      return canonicalFn(
        v.fields.map((f) => ({ key: { kind: 'string', value: f.name }, value: canonicalTla(f.value) })),
      );
    case 'function':
      return canonicalFn(v.entries.map((e) => ({ key: canonicalTla(e.key), value: canonicalTla(e.value) })));
  }
}

function canonicalSet(elements: TlaValue[]): TlaValue {
  const byKey = new Map<string, TlaValue>();
  for (const e of elements) byKey.set(formatTlaValue(e), e);
  const keys = [...byKey.keys()].sort();
  return { kind: 'set', elements: keys.map((k) => byKey.get(k)!) };
}

function canonicalFn(entries: TlaEntry[]): TlaValue {
  const sorted = entries
    .map((e) => ({ k: formatTlaValue(e.key), e }))
    .sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0))
    .map((x) => x.e);
  return { kind: 'function', entries: sorted };
}

/** A string key that is equal for two values iff they denote the same TLA+ value (see `canonicalTla`). */
export function tlaKey(v: TlaValue): string {
  return formatTlaValue(canonicalTla(v));
}

/** Semantic equality of two printed values (see `canonicalTla`). */
export function tlaEquals(a: TlaValue, b: TlaValue): boolean {
  return tlaKey(a) === tlaKey(b);
}

// ---------------------------------------------------------------------------
// Conversion to plain JavaScript

export type JsValue =
  | number
  | boolean
  | string
  | { readonly modelValue: string }
  | readonly JsValue[]
  | ReadonlyMap<JsValue, JsValue>
  | { readonly [field: string]: JsValue };

export interface ToJsOptions {
  /** `string` (default): a model value becomes its name; `tagged`: `{ modelValue: name }`. */
  readonly modelValues?: 'string' | 'tagged';
  /** Intervals with more elements than this are refused (default 1,000,000). */
  readonly maxIntervalSize?: number;
}

/**
 * Converts a value to plain JavaScript: integers to numbers, sets, sequences
 * and intervals to arrays (in printed order), records to objects, other
 * functions to `Map`s (keys that are not primitives are fresh objects, so look
 * those up with `functionEntries` instead).
 */
export function toJs(v: TlaValue, options: ToJsOptions = {}): JsValue {
  const tagged = options.modelValues === 'tagged';
  const maxInterval = options.maxIntervalSize ?? 1_000_000;
  const go = (x: TlaValue): JsValue => {
    switch (x.kind) {
      case 'int':
      case 'bool':
      case 'string':
        return x.value;
      case 'modelValue':
        return tagged ? { modelValue: x.name } : x.name;
      case 'set':
      case 'seq':
        return x.elements.map(go);
      case 'interval': {
        const size = x.high - x.low + 1;
        if (size > maxInterval)
          throw new RangeError(`interval ${x.low}..${x.high} has more than ${maxInterval} elements`);
        const out: number[] = [];
        for (let i = x.low; i <= x.high; i++) out.push(i);
        return out;
      }
      case 'record':
        return Object.fromEntries(x.fields.map((f) => [f.name, go(f.value)]));
      case 'function':
        return new Map(x.entries.map((e) => [go(e.key), go(e.value)]));
    }
  };
  return go(v);
}

// ---------------------------------------------------------------------------
// Reading a value against an expected shape

/** A value that does not have the shape the caller expected. */
export class TlaShapeError extends Error {
  constructor(expected: string, got: TlaValue) {
    const text = formatTlaValue(got);
    super(`expected ${expected}, got ${got.kind} ${text.length > 80 ? `${text.slice(0, 77)}...` : text}`);
    this.name = 'TlaShapeError';
  }
}

export function asInt(v: TlaValue): number {
  if (v.kind !== 'int') throw new TlaShapeError('an integer', v);
  return v.value;
}

export function asBool(v: TlaValue): boolean {
  if (v.kind !== 'bool') throw new TlaShapeError('a boolean', v);
  return v.value;
}

export function asString(v: TlaValue): string {
  if (v.kind !== 'string') throw new TlaShapeError('a string', v);
  return v.value;
}

export function asModelValue(v: TlaValue): string {
  if (v.kind !== 'modelValue') throw new TlaShapeError('a model value', v);
  return v.name;
}

/** Elements of a set (an interval is expanded). */
export function setElements(v: TlaValue): readonly TlaValue[] {
  if (v.kind === 'set') return v.elements;
  if (v.kind === 'interval') {
    const out: TlaValue[] = [];
    for (let i = v.low; i <= v.high; i++) out.push({ kind: 'int', value: i });
    return out;
  }
  throw new TlaShapeError('a set', v);
}

/** Elements of a sequence; also accepts a function on 1..n and the empty function/record. */
export function seqElements(v: TlaValue): readonly TlaValue[] {
  if (v.kind === 'seq') return v.elements;
  if (v.kind === 'record' && v.fields.length === 0) return [];
  if (v.kind === 'function') {
    const byIndex = new Map<number, TlaValue>();
    for (const e of v.entries) {
      if (e.key.kind !== 'int') throw new TlaShapeError('a sequence', v);
      byIndex.set(e.key.value, e.value);
    }
    const out: TlaValue[] = [];
    for (let i = 1; i <= byIndex.size; i++) {
      const x = byIndex.get(i);
      if (x === undefined) throw new TlaShapeError('a sequence', v);
      out.push(x);
    }
    return out;
  }
  throw new TlaShapeError('a sequence', v);
}

/** Fields of a record; also accepts a function on strings and the empty sequence. */
export function recordFields(v: TlaValue): ReadonlyMap<string, TlaValue> {
  if (v.kind === 'record') return new Map(v.fields.map((f) => [f.name, f.value]));
  if (v.kind === 'seq' && v.elements.length === 0) return new Map();
  if (v.kind === 'function') {
    return new Map(
      v.entries.map((e) => {
        if (e.key.kind !== 'string') throw new TlaShapeError('a record', v);
        return [e.key.value, e.value];
      }),
    );
  }
  throw new TlaShapeError('a record', v);
}

/** Entries of any function: a function, a sequence (keys 1..n) or a record (string keys). */
export function functionEntries(v: TlaValue): readonly TlaEntry[] {
  switch (v.kind) {
    case 'function':
      return v.entries;
    case 'seq':
      return v.elements.map((value, i) => ({ key: { kind: 'int', value: i + 1 }, value }));
    case 'record':
      return v.fields.map((f) => ({ key: { kind: 'string', value: f.name }, value: f.value }));
    default:
      throw new TlaShapeError('a function', v);
  }
}

/** Applies a function value to an argument (semantic key comparison); undefined outside the domain. */
export function applyFunction(fn: TlaValue, arg: TlaValue): TlaValue | undefined {
  const key = tlaKey(arg);
  return functionEntries(fn).find((e) => tlaKey(e.key) === key)?.value;
}
