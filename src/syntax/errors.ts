/**
 * The one error type of the Cordon front end.
 *
 * Every parser, template pass and resolver reports problems with the input
 * by throwing a `ParseError` that names the original file, line and column
 * and says, in the words of the format, what was wrong or expected.
 */
import { formatLoc, type Loc } from './source.ts';

export type ParseErrorKind =
  /** The text does not follow the grammar of the format. */
  | 'syntax'
  /** A construct of the format that Cordon deliberately does not implement. */
  | 'unsupported'
  /** A template could not be expanded (unknown placeholder, unbalanced block, …). */
  | 'template'
  /** A name refers to nothing: unknown module, type, interface, component, class, process. */
  | 'reference'
  /** A name is declared twice where names must be unique. */
  | 'duplicate'
  /** The text parses but breaks a rule of the format (types, bounds, order, cycles, …). */
  | 'validation'
  /** The input exceeds a limit of the parser (nesting depth). */
  | 'limit'
  /** A file named by the input cannot be read. */
  | 'io';

export interface ParseErrorInit {
  readonly kind: ParseErrorKind;
  readonly loc: Loc;
  /** What is wrong, without the location prefix. */
  readonly detail: string;
  /** For syntax errors: the things that would have been accepted, in the format's words. */
  readonly expected?: readonly string[];
  /** For syntax errors: what was found instead. */
  readonly found?: string | null;
  /** Further positions that explain the error (e.g. the first declaration of a duplicate). */
  readonly related?: readonly { readonly message: string; readonly loc: Loc }[];
}

export class ParseError extends Error {
  readonly kind: ParseErrorKind;
  readonly loc: Loc;
  readonly detail: string;
  readonly expected: readonly string[];
  readonly found: string | null;
  readonly related: readonly { readonly message: string; readonly loc: Loc }[];

  constructor(init: ParseErrorInit) {
    super(ParseError.compose(init));
    this.name = 'ParseError';
    this.kind = init.kind;
    this.loc = init.loc;
    this.detail = init.detail;
    this.expected = init.expected ?? [];
    this.found = init.found ?? null;
    this.related = init.related ?? [];
  }

  private static compose(init: ParseErrorInit): string {
    const where = formatLoc(init.loc);
    const head =
      init.kind === 'unsupported' ? `unsupported construct ${init.detail} at ${where}` : `${where}: ${init.detail}`;
    const notes = (init.related ?? []).map((r) => `\n  ${formatLoc(r.loc)}: ${r.message}`).join('');
    return head + notes;
  }
}

/** Shorthand for the common case. */
export function parseError(kind: ParseErrorKind, loc: Loc, detail: string): ParseError {
  return new ParseError({ kind, loc, detail });
}

/** Joins alternatives as "a, b or c". */
export function listAlternatives(items: readonly string[]): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}
