/**
 * Board templates: Jinja-style `{% if %}` blocks in policy sources, resolved
 * against the variables of a build (BOARD, USE_DYNLD, …), with a map back to
 * the template's lines and columns.
 */
import { ParseError } from '../syntax/errors.ts';
import { compileGrammar } from '../syntax/grammar.ts';
import { asSource, DerivedTextBuilder, type Source, type SourceInput } from '../syntax/source.ts';

/** A template variable's value. */
export type TemplateValue = string | number | boolean;
export type TemplateVariables = Readonly<Record<string, TemplateValue>>;

type Condition =
  | { kind: 'or' | 'and'; operands: Condition[] }
  | { kind: 'not'; operand: Condition }
  | { kind: 'compare'; op: '==' | '!='; left: Condition; right: Condition }
  | { kind: 'literal'; value: string | boolean }
  | { kind: 'variable'; name: string; location: { start: { offset: number } } };

interface Span {
  start: number;
  end: number;
}
type Node =
  | ({ kind: 'text' } & Span)
  | {
      kind: 'if';
      branches: { condition: Condition; tag: Span; body: Node[] }[];
      otherwise: { tag: Span; body: Node[] } | null;
      end: Span;
    };

const GRAMMAR = [new URL('./board.peggy', import.meta.url)];

/**
 * Keeps the branches whose conditions hold and drops the others and all tags.
 * A tag alone on its line takes the whole line with it; `{%-` and `-%}`
 * remove the whitespace before and after a tag, as in Jinja.
 *
 * Semantics: a variable used alone is true unless it is undefined, `false`,
 * `0`, or a text equal (ignoring case) to "", "0", "false", "off", "no" or
 * "n" — the values a build passes for a disabled option. In `==` / `!=`
 * both sides are compared as text, and an undefined variable is an error
 * (a misspelt BOARD must not silently select the `else` branch).
 *
 * @throws ParseError on malformed or unsupported template syntax, and on an
 *   undefined variable in a comparison.
 */
export function expandBoardTemplate(input: SourceInput, variables: TemplateVariables): Source {
  const source = asSource(input);
  const nodes = compileGrammar({ files: GRAMMAR, startRules: ['Template'] }).parse({
    source,
    startRule: 'Template',
    hooks: { ignoredExpectations: ['whitespace', 'any character'] },
  }) as Node[];

  const removed: Span[] = [];
  const text = source.text;
  const visit = (list: Node[]): void => {
    for (const node of list) {
      if (node.kind === 'text') continue;
      // Tags in order (if, elif…, else, endif); branch i's body lies between tag i and tag i+1.
      const arms = [
        ...node.branches.map((b) => ({ tag: b.tag, body: b.body, condition: b.condition as Condition | null })),
        ...(node.otherwise === null ? [] : [{ tag: node.otherwise.tag, body: node.otherwise.body, condition: null }]),
      ];
      let taken = false;
      arms.forEach((arm, i) => {
        const next = (arms[i + 1]?.tag ?? node.end) as Span;
        removed.push(tagRemoval(text, arm.tag));
        if (!taken && (arm.condition === null || evaluate(arm.condition, variables, source))) {
          taken = true;
          visit(arm.body);
        } else {
          removed.push({ start: arm.tag.end, end: next.start });
        }
      });
      removed.push(tagRemoval(text, node.end));
    }
  };
  visit(nodes);

  removed.sort((a, b) => a.start - b.start);
  const out = new DerivedTextBuilder(source);
  let copied = 0;
  for (const r of removed) {
    if (r.start > copied) out.copy(copied, r.start);
    copied = Math.max(copied, r.end);
  }
  out.copy(copied, text.length);
  return out.finish();
}

/**
 * What removing a tag removes. With Jinja's whitespace control (`{%-`,
 * `-%}`) all whitespace before / after the tag goes too; otherwise a tag
 * alone on its line takes the whole line (with its line break) with it.
 */
function tagRemoval(text: string, tag: Span): Span {
  const trimBefore = text.startsWith('{%-', tag.start);
  const trimAfter = text.slice(tag.end - 3, tag.end) === '-%}';
  if (!trimBefore && !trimAfter) return wholeLineIfAlone(text, tag);
  let { start, end } = tag;
  if (trimBefore) while (start > 0 && /\s/.test(text[start - 1] as string)) start--;
  if (trimAfter) while (end < text.length && /\s/.test(text[end] as string)) end++;
  return { start, end };
}

/** Extends a tag's span to its whole line (with the line break) when nothing else is on the line. */
function wholeLineIfAlone(text: string, tag: Span): Span {
  const lineStart = text.lastIndexOf('\n', tag.start - 1) + 1;
  if (!/^[ \t]*$/.test(text.slice(lineStart, tag.start))) return tag;
  const newline = text.indexOf('\n', tag.end);
  const lineEnd = newline === -1 ? text.length : newline;
  if (!/^[ \t\r]*$/.test(text.slice(tag.end, lineEnd))) return tag;
  return { start: lineStart, end: newline === -1 ? text.length : newline + 1 };
}

const FALSE_TEXTS = new Set(['', '0', 'false', 'off', 'no', 'n']);

function truthy(value: TemplateValue | undefined): boolean {
  if (value === undefined) return false;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value !== 0;
  return !FALSE_TEXTS.has(value.toLowerCase());
}

function evaluate(c: Condition, vars: TemplateVariables, source: Source): boolean {
  switch (c.kind) {
    case 'or':
      return c.operands.some((o) => evaluate(o, vars, source));
    case 'and':
      return c.operands.every((o) => evaluate(o, vars, source));
    case 'not':
      return !evaluate(c.operand, vars, source);
    case 'literal':
      return truthy(c.value);
    case 'variable':
      return truthy(Object.hasOwn(vars, c.name) ? vars[c.name] : undefined);
    case 'compare': {
      const equal = operandText(c.left, vars, source) === operandText(c.right, vars, source);
      return c.op === '==' ? equal : !equal;
    }
  }
}

function operandText(c: Condition, vars: TemplateVariables, source: Source): string {
  if (c.kind === 'literal') return String(c.value);
  if (c.kind === 'variable') {
    if (!Object.hasOwn(vars, c.name)) {
      throw new ParseError({
        kind: 'template',
        loc: source.locate(c.location.start.offset),
        detail: `unknown template variable ${c.name} in a comparison (known: ${Object.keys(vars).sort().join(', ') || 'none'})`,
      });
    }
    return String(vars[c.name]);
  }
  return String(evaluate(c, vars, source));
}
