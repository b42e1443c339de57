/**
 * Shared plumbing for the peggy grammars of the front end.
 *
 * Grammars are `.peggy` files next to the module that uses them. The first
 * time a parser is needed it is loaded from src/syntax/generated/ (written by
 * scripts/build-grammars.mjs at `npm install`) when the generated file's
 * recorded hash matches the grammar sources on disk, and otherwise compiled
 * at run time with `peggy.generate(…, { output: 'parser' })` — so an edited
 * grammar works without re-running the script, only slower to start. Either
 * way the parser is cached for the life of the process.
 * A grammar may be split over several files (PSL and PAL share the PSL
 * lexical and expression rules); peggy combines them into one parser.
 *
 * This module also turns peggy's syntax errors into `ParseError`s that say
 * what was expected in the words of the format: grammars give their
 * token-level rules human names ("a selector (src=, dst=, …)"), and the
 * conversion below drops noise (whitespace, comments), removes duplicates
 * and names what was found instead.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import peggy from 'peggy';
import { ParseError, listAlternatives, type ParseErrorKind } from './errors.ts';
import type { Loc, Source } from './source.ts';

export interface GrammarSpec {
  /** Grammar files, the first one holding the per-parse initializer. */
  readonly files: readonly URL[];
  /** Rules a parse may start from. */
  readonly startRules: readonly string[];
}

/** Language-specific hooks for error reporting. */
export interface ErrorHooks {
  /** Human names that are noise in "expected …" lists (e.g. "whitespace"). */
  readonly ignoredExpectations?: readonly string[];
  /**
   * Looks at the text where a syntax error was found and, if it recognises a
   * construct the format does not support there (say a template tag that was
   * never expanded), returns the error to report instead.
   */
  readonly explain?: (text: string, offset: number) => { kind: ParseErrorKind; detail: string; at?: number } | null;
  /**
   * Groups of literal tokens reported under one name when at least
   * `threshold` (default 3) of them are expected at the same place — e.g. all
   * binary operators become "an operator (==, !=, …)".
   */
  readonly groups?: readonly {
    readonly members: readonly string[];
    readonly description: string;
    readonly threshold?: number;
  }[];
}

export interface ParseRequest {
  readonly source: Source;
  readonly startRule: string;
  /** Extra values the grammar's actions can read from `options`. */
  readonly extra?: Readonly<Record<string, unknown>>;
  readonly hooks?: ErrorHooks;
  /** Maximum bracket nesting accepted before parsing (guards the call stack). */
  readonly maxNesting?: number;
}

export interface CompiledGrammar {
  parse(request: ParseRequest): unknown;
}

/** How a grammar's parser was obtained: loaded precompiled, or compiled at run time. */
export type GrammarOrigin = 'precompiled' | 'compiled';

/**
 * `auto` uses the precompiled parser when it is present and up to date;
 * `compile` always compiles at run time (tests compare the two).
 */
export type GrammarMode = 'auto' | 'compile';

interface LoadedParser {
  readonly parse: (input: string, options?: peggy.ParserOptions) => unknown;
  readonly SyntaxError: new (...args: never[]) => peggy.parser.SyntaxError;
}

const cache = new Map<string, CompiledGrammar & { readonly origin: GrammarOrigin }>();

const SRC_DIR = fileURLToPath(new URL('../', import.meta.url));
const GENERATED = new URL('./generated/', import.meta.url);
const HASH_LINE = /^\/\/ cordon-grammar-hash: ([0-9a-f]{64})$/m;

/** Hash of a grammar's sources; the same computation as in scripts/build-grammars.mjs. */
function grammarHash(files: readonly (readonly [string, string])[], startRules: readonly string[]): string {
  return createHash('sha256')
    .update(JSON.stringify({ peggy: peggy.VERSION, startRules, files }))
    .digest('hex');
}

/** The generated file's name for a grammar whose first file is `firstFile` (relative to src/). */
function generatedName(firstFile: string): string {
  return firstFile.replace(/\.peggy$/, '').replaceAll('/', '-') + '.cjs';
}

/** The precompiled parser for these sources, or null when there is none or it is stale. */
function loadPrecompiled(
  files: readonly URL[],
  texts: readonly string[],
  startRules: readonly string[],
): LoadedParser | null {
  const rel = files.map((url) => relative(SRC_DIR, fileURLToPath(url)).split(sep).join('/'));
  if (rel.length === 0 || rel.some((r) => r.startsWith('..'))) return null;
  const target = new URL(generatedName(rel[0] as string), GENERATED);
  let head: string;
  try {
    head = readFileSync(target, 'utf8').slice(0, 400);
  } catch {
    return null;
  }
  const recorded = HASH_LINE.exec(head)?.[1];
  const expected = grammarHash(
    rel.map((r, i) => [r, texts[i] as string] as const),
    startRules,
  );
  if (recorded !== expected) return null;
  return createRequire(import.meta.url)(fileURLToPath(target)) as LoadedParser;
}

/** The grammars loaded so far in this process (by first file) and how each was obtained. */
export function loadedGrammars(): { readonly grammar: string; readonly origin: GrammarOrigin }[] {
  return [...cache.entries()].map(([key, g]) => ({
    grammar: key.split('#')[1]?.split('|')[0] ?? key,
    origin: g.origin,
  }));
}

/** Forgets every parser obtained so far (tests use it to load grammars afresh). */
export function forgetGrammars(): void {
  cache.clear();
}

/** The parser for a grammar, loaded precompiled or generated on first use. */
export function compileGrammar(
  spec: GrammarSpec,
  mode: GrammarMode = 'auto',
): CompiledGrammar & { readonly origin: GrammarOrigin } {
  const key = mode + '#' + spec.files.map((f) => f.href).join('|') + '#' + spec.startRules.join(',');
  const cached = cache.get(key);
  if (cached !== undefined) return cached;
  const sources = spec.files.map((url) => ({
    source: basename(fileURLToPath(url)),
    text: readFileSync(url, 'utf8'),
  }));
  let parser: LoadedParser | null =
    mode === 'auto'
      ? loadPrecompiled(
          spec.files,
          sources.map((s) => s.text),
          spec.startRules,
        )
      : null;
  const origin: GrammarOrigin = parser === null ? 'compiled' : 'precompiled';
  if (parser === null) {
    try {
      parser = peggy.generate(sources, {
        output: 'parser',
        grammarSource: sources[0]?.source,
        allowedStartRules: [...spec.startRules],
      });
    } catch (e) {
      // A broken grammar is a bug in Cordon, not in the user's input.
      const formatted =
        e instanceof Error && 'format' in e && typeof (e as { format: unknown }).format === 'function'
          ? (e as unknown as { format(s: typeof sources): string }).format(sources)
          : String(e);
      throw new Error(`internal error: grammar does not compile\n${formatted}`);
    }
  }
  const loaded: LoadedParser = parser;
  const compiled = {
    origin,
    parse(request: ParseRequest): unknown {
      const { source } = request;
      checkNesting(source, request.maxNesting ?? DEFAULT_MAX_NESTING);
      try {
        return loaded.parse(source.text, {
          grammarSource: source.file,
          startRule: request.startRule,
          locate: (offset: number): Loc => source.locate(offset),
          ...request.extra,
        });
      } catch (e) {
        if (e instanceof ParseError) throw e;
        if (e instanceof loaded.SyntaxError) throw fromPeggyError(e, source, request.hooks ?? {});
        if (e instanceof RangeError) {
          throw new ParseError({
            kind: 'limit',
            loc: source.locate(0),
            detail: 'the input nests too deeply for the parser',
          });
        }
        throw e;
      }
    },
  };
  cache.set(key, compiled);
  return compiled;
}

export const DEFAULT_MAX_NESTING = 200;

/**
 * Rejects inputs whose brackets nest deeper than `limit` before they reach a
 * recursive-descent parser, so the call stack can never overflow.
 */
export function checkNesting(source: Source, limit: number): void {
  const text = source.text;
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 40 /* ( */ || c === 91 /* [ */ || c === 123 /* { */) {
      depth++;
      if (depth > limit) {
        throw new ParseError({
          kind: 'limit',
          loc: source.locate(i),
          detail: `brackets nest deeper than ${limit} levels`,
        });
      }
    } else if (c === 41 /* ) */ || c === 93 /* ] */ || c === 125 /* } */) {
      if (depth > 0) depth--;
    }
  }
}

/** Converts a peggy SyntaxError (from a failed match or an `error()` call in an action). */
function fromPeggyError(e: peggy.parser.SyntaxError, source: Source, hooks: ErrorHooks): ParseError {
  const offset = e.location.start.offset;
  const loc = source.locate(offset);
  if (e.expected === null) {
    // Raised by `error(message)` in a grammar action.
    const unsupported = /^unsupported construct (.*)$/s.exec(e.message);
    if (unsupported !== null) {
      return new ParseError({ kind: 'unsupported', loc, detail: unsupported[1] as string });
    }
    const kindMatch = /^\[(reference|duplicate|validation|template)\] (.*)$/s.exec(e.message);
    if (kindMatch !== null) {
      return new ParseError({ kind: kindMatch[1] as ParseErrorKind, loc, detail: kindMatch[2] as string });
    }
    return new ParseError({ kind: 'syntax', loc, detail: e.message });
  }
  const explained = hooks.explain?.(source.text, offset) ?? null;
  if (explained !== null) {
    return new ParseError({
      kind: explained.kind,
      loc: source.locate(explained.at ?? offset),
      detail: explained.detail,
    });
  }
  const expected = describeExpectations(e.expected, hooks);
  const found = describeFound(source.text, offset);
  return new ParseError({
    kind: 'syntax',
    loc,
    detail: `expected ${listAlternatives(expected)} but found ${found}`,
    expected,
    found,
  });
}

function describeExpectations(list: readonly peggy.parser.Expectation[], hooks: ErrorHooks): string[] {
  const ignored = hooks.ignoredExpectations ?? ['whitespace', 'comment'];
  const named = new Set<string>();
  const literalTexts = new Set<string>();
  let end = false;
  for (const x of list) {
    switch (x.type) {
      case 'other':
        named.add(x.description);
        break;
      case 'literal':
        literalTexts.add(x.text);
        break;
      case 'end':
        end = true;
        break;
      case 'any':
        named.add('any character');
        break;
      case 'class':
        // peggy merges alternatives of one-character literals into a class.
        if (x.inverted) named.add('another character');
        else {
          for (const part of x.parts) {
            if (typeof part === 'string') literalTexts.add(part);
            else named.add(`a character from ${JSON.stringify(part[0])} to ${JSON.stringify(part[1])}`);
          }
        }
        break;
    }
  }
  for (const group of hooks.groups ?? []) {
    const present = group.members.filter((m) => literalTexts.has(m));
    if (present.length >= (group.threshold ?? 3)) {
      for (const m of present) literalTexts.delete(m);
      named.add(group.description);
    }
  }
  const literals = [...literalTexts].map((t) => JSON.stringify(t));
  const keep = [...named].filter((n) => !ignored.includes(n)).sort();
  const out = [...keep, ...literals.sort()];
  if (end) out.push('end of input');
  if (out.length === 0) out.push(...[...named].sort());
  return out;
}

/** Names the text at `offset` the way a reader would: a word, a quoted string, a character. */
export function describeFound(text: string, offset: number): string {
  if (offset >= text.length) return 'end of input';
  const rest = text.slice(offset, offset + 64);
  const c = rest[0] as string;
  if (c === '\n' || c === '\r') return 'end of line';
  const word = /^[A-Za-z0-9_]+/.exec(rest);
  if (word !== null) return JSON.stringify(word[0].length > 40 ? word[0].slice(0, 40) + '…' : word[0]);
  if (c === '"') {
    const str = /^"[^"\n]{0,30}"?/.exec(rest);
    if (str !== null) return str[0].endsWith('"') && str[0].length > 1 ? str[0] : `${str[0]}…`;
  }
  const punct = /^(==>|<-|==|!=|<=|>=|&&|\|\||\{%|%\}|\{\{|\}\}|\/\/|\/\*|[^\sA-Za-z0-9_])/u.exec(rest);
  return JSON.stringify(punct !== null ? punct[0] : c);
}
