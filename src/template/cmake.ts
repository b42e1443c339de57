/**
 * CMake `@NAME@` placeholder substitution for `.psl.in` and `init.yaml.in`
 * files, with a map back to the template's lines and columns.
 */
import { ParseError } from '../syntax/errors.ts';
import { compileGrammar } from '../syntax/grammar.ts';
import { asSource, DerivedTextBuilder, type Loc, type Source, type SourceInput } from '../syntax/source.ts';

/**
 * Placeholder values: a map, or a function of the name (and of where the
 * placeholder is: its offset in the text and its original location; it may
 * throw a ParseError of its own there).
 */
export type PlaceholderValues =
  Readonly<Record<string, string>> | ((name: string, offset: number, loc: Loc) => string | undefined);

export interface PlaceholderOptions {
  /**
   * Indent every line after the first of a multi-line value by the
   * indentation of the line holding the placeholder (what YAML macros such
   * as `@INIT_Client_ENTITY_CONNECTIONS@` need). Default false: values are
   * inserted exactly as given, like CMake does.
   */
  readonly indentMultiline?: boolean;
}

interface Part {
  readonly kind: 'text' | 'placeholder';
  readonly name?: string;
  readonly start: number;
  readonly end: number;
}

const GRAMMAR = [new URL('./cmake.peggy', import.meta.url)];

/** The placeholders of a template, in order, with their offsets. */
export function listPlaceholders(input: SourceInput): { name: string; start: number; end: number }[] {
  const source = asSource(input);
  const parts = compileGrammar({ files: GRAMMAR, startRules: ['Template'] }).parse({
    source,
    startRule: 'Template',
    maxNesting: Number.MAX_SAFE_INTEGER,
  }) as Part[];
  return parts
    .filter((p) => p.kind === 'placeholder')
    .map((p) => ({ name: p.name as string, start: p.start, end: p.end }));
}

/**
 * Replaces every `@NAME@` by its value.
 *
 * @throws ParseError (kind `template`) at the placeholder when a name has no value.
 */
export function substitutePlaceholders(
  input: SourceInput,
  values: PlaceholderValues,
  options: PlaceholderOptions = {},
): Source {
  const source = asSource(input);
  const lookup: (name: string, offset: number, loc: Loc) => string | undefined =
    typeof values === 'function' ? values : (name: string) => (Object.hasOwn(values, name) ? values[name] : undefined);
  const out = new DerivedTextBuilder(source);
  let copied = 0;
  for (const p of listPlaceholders(source)) {
    const value = lookup(p.name, p.start, source.locate(p.start));
    if (value === undefined) {
      throw new ParseError({
        kind: 'template',
        loc: source.locate(p.start),
        detail: `unknown placeholder @${p.name}@ (no value was given for ${p.name})`,
      });
    }
    out.copy(copied, p.start);
    out.generate(
      options.indentMultiline === true ? indentContinuation(value, lineIndent(source.text, p.start)) : value,
      p.start,
    );
    copied = p.end;
  }
  out.copy(copied, source.text.length);
  return out.finish();
}

/** The leading spaces and tabs of the line containing `offset`. */
function lineIndent(text: string, offset: number): string {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  return /^[ \t]*/.exec(text.slice(lineStart, offset))?.[0] ?? '';
}

function indentContinuation(value: string, indent: string): string {
  const trimmed = value.replace(/\n+$/, '');
  return trimmed
    .split('\n')
    .map((line, i) => (i === 0 || line.length === 0 ? line : indent + line))
    .join('\n');
}
