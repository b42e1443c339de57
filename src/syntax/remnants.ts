/**
 * Recognises template syntax that reached a parser unexpanded, so the
 * parser can say "unsupported construct template tag {% if … %}" instead
 * of a puzzling "expected a rule but found "{"".
 */
import type { ParseErrorKind } from './errors.ts';

const PLACEHOLDER = /^@([A-Za-z_][A-Za-z0-9_]*\+?)@/;

/** The template construct at (or right before) `offset`, if any. */
export function explainTemplateRemnant(
  text: string,
  offset: number,
): { kind: ParseErrorKind; detail: string; at: number } | null {
  for (const at of [offset, offset - 1, offset + 1]) {
    if (at < 0 || at >= text.length) continue;
    const rest = text.slice(at, at + 200);
    if (rest.startsWith('{%')) {
      const tag = /^\{%-?\s*([A-Za-z_]*)/.exec(rest)?.[1] ?? '';
      return {
        kind: 'unsupported',
        detail: `template tag {% ${tag} %} in an unexpanded file (expand board templates with the template preprocessor first)`,
        at,
      };
    }
    if (rest.startsWith('{{') || rest.startsWith('{#')) {
      return {
        kind: 'unsupported',
        detail: `template syntax ${rest.slice(0, 2)} … in an unexpanded file (expand board templates with the template preprocessor first)`,
        at,
      };
    }
    const placeholder = PLACEHOLDER.exec(rest);
    if (placeholder !== null && (at === offset || text[offset] === '.')) {
      return {
        kind: 'unsupported',
        detail: `CMake placeholder @${placeholder[1]}@ in an unconfigured file (substitute the .in template first)`,
        at,
      };
    }
  }
  return null;
}
