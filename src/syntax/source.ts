/**
 * Source texts and where their characters came from.
 *
 * Every parser in Cordon reads a `Source`: the text to parse plus a
 * `locate(offset)` function that answers "which file, line and column of
 * the *original* input does this character come from?". For a file read
 * from disk that is plain line counting. For the output of a template pass
 * (CMake `@NAME@` substitution, Jinja-style board blocks, `@INIT_…@`
 * macros) it is the composition of that pass's map with the map of its
 * input — so an error found after templating still points into the file
 * the author wrote.
 */

/** A position in an original input file: 1-based line and column (UTF-16 code units). */
export interface Loc {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

/** A text to parse and the map from its offsets back to original positions. */
export interface Source {
  /** Name of the original file (used in every diagnostic). */
  readonly file: string;
  /** The text handed to the parser (possibly the output of templating). */
  readonly text: string;
  /** Original position of the character at `offset` (0 ≤ offset ≤ text.length). */
  locate(offset: number): Loc;
}

/** Line starts of a text, for offset → line/column conversion by binary search. */
export class LineIndex {
  private readonly starts: number[];
  readonly length: number;

  constructor(text: string) {
    const starts = [0];
    for (let i = 0; i < text.length; i++) {
      if (text.charCodeAt(i) === 10 /* \n */) starts.push(i + 1);
    }
    this.starts = starts;
    this.length = text.length;
  }

  /** Number of lines (a text with no newline has one line). */
  get lineCount(): number {
    return this.starts.length;
  }

  /** 1-based line and column of `offset`, clamped into the text. */
  position(offset: number): { line: number; column: number } {
    const o = Math.max(0, Math.min(offset, this.length));
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.starts[mid] as number) <= o) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: o - (this.starts[lo] as number) + 1 };
  }

  /** Offset of the first character of a 1-based line. */
  lineStart(line: number): number {
    return this.starts[Math.max(0, Math.min(line - 1, this.starts.length - 1))] as number;
  }
}

/** A source whose text is exactly the file's content. */
export function sourceFromText(file: string, text: string): Source {
  const index = new LineIndex(text);
  return {
    file,
    text,
    locate(offset: number): Loc {
      const { line, column } = index.position(offset);
      return { file, line, column };
    },
  };
}

/** What parsers accept: a `Source`, or a file name and its text. */
export type SourceInput = Source | { readonly file: string; readonly text: string };

/** The `Source` for a parser input. */
export function asSource(input: SourceInput): Source {
  return 'locate' in input ? input : sourceFromText(input.file, input.text);
}

/**
 * One piece of a derived text. `verbatim` pieces are copied character for
 * character from the input (offset i of the piece is input offset
 * `inputStart + i`); `generated` pieces were produced by a substitution and
 * every character maps to `inputStart` (the placeholder that produced it).
 */
export interface Segment {
  readonly outputStart: number;
  readonly length: number;
  readonly inputStart: number;
  readonly verbatim: boolean;
}

/** Builds a derived text piece by piece, recording where each piece came from. */
export class DerivedTextBuilder {
  private readonly parts: string[] = [];
  private readonly segments: Segment[] = [];
  private length = 0;

  constructor(private readonly input: Source) {}

  /** Copy input[start, end) verbatim. */
  copy(start: number, end: number): void {
    if (end <= start) return;
    this.push(this.input.text.slice(start, end), start, true);
  }

  /** Emit generated text attributed to the input position `at`. */
  generate(text: string, at: number): void {
    if (text.length === 0) return;
    this.push(text, at, false);
  }

  private push(text: string, inputStart: number, verbatim: boolean): void {
    this.parts.push(text);
    this.segments.push({ outputStart: this.length, length: text.length, inputStart, verbatim });
    this.length += text.length;
  }

  finish(): Source {
    return derivedSource(this.input, this.parts.join(''), this.segments);
  }
}

/** A source derived from `input` through `segments` (see `Segment`). */
export function derivedSource(input: Source, text: string, segments: readonly Segment[]): Source {
  const segs = [...segments];
  return {
    file: input.file,
    text,
    locate(offset: number): Loc {
      if (offset >= text.length || segs.length === 0) {
        // End of the derived text: the end of the input (or of the last piece).
        const last = segs[segs.length - 1];
        if (last === undefined || offset > text.length) return input.locate(input.text.length);
        return input.locate(last.verbatim ? last.inputStart + last.length : last.inputStart);
      }
      let lo = 0;
      let hi = segs.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if ((segs[mid] as Segment).outputStart <= offset) lo = mid;
        else hi = mid - 1;
      }
      const seg = segs[lo] as Segment;
      const inside = Math.max(0, offset - seg.outputStart);
      return input.locate(seg.verbatim ? seg.inputStart + inside : seg.inputStart);
    },
  };
}

/** A piece of a text composed from several inputs (see `composedSource`). */
export interface ComposedSegment {
  readonly outputStart: number;
  readonly length: number;
  readonly input: Source;
  readonly inputStart: number;
  readonly verbatim: boolean;
}

/**
 * A source whose pieces come from several inputs (a template and the files
 * it includes). Like `derivedSource`, but each segment names its input;
 * offsets before the first segment or past the end map to the start or
 * end of `fallback`.
 */
export function composedSource(fallback: Source, text: string, segments: readonly ComposedSegment[]): Source {
  const segs = [...segments];
  return {
    file: fallback.file,
    text,
    locate(offset: number): Loc {
      if (segs.length === 0 || offset >= text.length) {
        const last = segs[segs.length - 1];
        if (last === undefined || offset > text.length) return fallback.locate(offset <= 0 ? 0 : fallback.text.length);
        return last.input.locate(last.verbatim ? last.inputStart + last.length : last.inputStart);
      }
      let lo = 0;
      let hi = segs.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if ((segs[mid] as ComposedSegment).outputStart <= offset) lo = mid;
        else hi = mid - 1;
      }
      const seg = segs[lo] as ComposedSegment;
      const inside = Math.max(0, offset - seg.outputStart);
      return seg.input.locate(seg.verbatim ? seg.inputStart + inside : seg.inputStart);
    },
  };
}

/** Formats a location as `file:line:column`. */
export function formatLoc(loc: Loc): string {
  return `${loc.file}:${loc.line}:${loc.column}`;
}
