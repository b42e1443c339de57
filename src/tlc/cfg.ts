/**
 * Just enough of TLC's model (`.cfg`) syntax to know which invariants and
 * properties a model checks: TLC does not name a violated temporal property,
 * and distributed TLC silently skips properties, so the bridge needs both
 * lists. Comments (`\*` to end of line, nested `(* … *)`) are ignored.
 */

export interface CfgSummary {
  readonly invariants: readonly string[];
  readonly properties: readonly string[];
  /** CHECK_DEADLOCK's value when given. */
  readonly checkDeadlock: boolean | null;
  readonly specification: string | null;
}

const KEYWORDS = new Set([
  'CONSTANT',
  'CONSTANTS',
  'INIT',
  'NEXT',
  'SPECIFICATION',
  'INVARIANT',
  'INVARIANTS',
  'PROPERTY',
  'PROPERTIES',
  'CONSTRAINT',
  'CONSTRAINTS',
  'ACTION_CONSTRAINT',
  'ACTION_CONSTRAINTS',
  'SYMMETRY',
  'VIEW',
  'ALIAS',
  'CHECK_DEADLOCK',
  'POSTCONDITION',
]);

function stripComments(text: string): string {
  let out = '';
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    if (text.startsWith('(*', i)) {
      depth++;
      i++;
      continue;
    }
    if (depth > 0 && text.startsWith('*)', i)) {
      depth--;
      i++;
      continue;
    }
    if (depth > 0) continue;
    if (text.startsWith('\\*', i)) {
      while (i < text.length && text[i] !== '\n') i++;
      out += '\n';
      continue;
    }
    if (text[i] === '"') {
      // Strings (in constant values) may contain comment-like text.
      const start = i;
      i++;
      while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
      out += text.slice(start, i + 1);
      continue;
    }
    out += text[i];
  }
  return out;
}

export function parseCfgSummary(text: string): CfgSummary {
  const tokens = stripComments(text).match(/"(?:[^"\\]|\\.)*"|[A-Za-z0-9_!]+|<-|[^\sA-Za-z0-9_]/g) ?? [];
  const invariants: string[] = [];
  const properties: string[] = [];
  let checkDeadlock: boolean | null = null;
  let specification: string | null = null;
  let section: string | null = null;
  for (const tok of tokens) {
    if (KEYWORDS.has(tok)) {
      section = tok;
      continue;
    }
    if (!/^[A-Za-z0-9_!]+$/.test(tok)) continue;
    switch (section) {
      case 'INVARIANT':
      case 'INVARIANTS':
        invariants.push(tok);
        break;
      case 'PROPERTY':
      case 'PROPERTIES':
        properties.push(tok);
        break;
      case 'CHECK_DEADLOCK':
        if (tok === 'TRUE' || tok === 'FALSE') checkDeadlock = tok === 'TRUE';
        break;
      case 'SPECIFICATION':
        specification ??= tok;
        break;
      default:
        break;
    }
  }
  return { invariants, properties, checkDeadlock, specification };
}
