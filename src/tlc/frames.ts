/**
 * Incremental reader of TLC's `-tool` output.
 *
 * With `-tool`, TLC wraps each message as
 *
 *   @!@!@STARTMSG <code>:<class> @!@!@
 *   body lines…
 *   @!@!@ENDMSG <code> @!@!@
 *
 * Facts this reader copes with: markers can appear anywhere in a line (text
 * before or after them), frames can nest (an exception message can wrap
 * another message), codes can be negative, plain unframed lines appear between
 * frames (SANY's output between 2220 and 2219, `Print` output, the
 * distributed server's first banner line), and the stream arrives in chunks
 * that split lines anywhere.
 */

/** Message classes (MP.java): 0 info, 1 error, 2 TLC bug, 3 warning, 4 state. */
export const MessageClass = { NONE: 0, ERROR: 1, TLCBUG: 2, WARNING: 3, STATE: 4 } as const;

export interface TlcMessage {
  readonly code: number;
  /** The message class after the colon of the start marker. */
  readonly severity: number;
  /** The body's own lines (nested messages are in `children`, not here). */
  readonly lines: readonly string[];
  readonly children: readonly TlcMessage[];
  /** 0 for a top-level message, 1 for a message nested in another, … */
  readonly depth: number;
  /** False when the output ended (or an outer frame closed) before this message's end marker. */
  readonly complete: boolean;
}

export type TlcOutputEvent =
  { readonly type: 'message'; readonly message: TlcMessage } | { readonly type: 'text'; readonly line: string };

const START = /@!@!@STARTMSG (-?\d+):(-?\d+) @!@!@/;
const END = /@!@!@ENDMSG (-?\d+) @!@!@/;

interface OpenFrame {
  code: number;
  severity: number;
  lines: string[];
  children: TlcMessage[];
}

export class TlcOutputParser {
  private buffer = '';
  private readonly stack: OpenFrame[] = [];
  private ended = false;

  constructor(private readonly onEvent: (event: TlcOutputEvent) => void) {}

  /** Feeds a chunk of output (any split); complete lines are processed at once. */
  push(chunk: string): void {
    if (this.ended) throw new Error('TlcOutputParser.push called after end()');
    this.buffer += chunk;
    let nl = this.buffer.indexOf('\n');
    while (nl >= 0) {
      const line = this.buffer.slice(0, nl);
      this.buffer = this.buffer.slice(nl + 1);
      this.line(line.endsWith('\r') ? line.slice(0, -1) : line);
      nl = this.buffer.indexOf('\n');
    }
  }

  /** Signals the end of the output: the last partial line is processed and open frames are closed as incomplete. */
  end(): void {
    if (this.ended) return;
    if (this.buffer !== '') {
      const line = this.buffer;
      this.buffer = '';
      this.line(line.endsWith('\r') ? line.slice(0, -1) : line);
    }
    while (this.stack.length > 0) this.close(false);
    this.ended = true;
  }

  private line(line: string): void {
    let rest = line;
    let first = true;
    for (;;) {
      const s = START.exec(rest);
      const e = END.exec(rest);
      const m = s && (!e || s.index <= e.index) ? s : e;
      if (!m) {
        if (first || rest.trim() !== '') this.text(rest);
        return;
      }
      const before = rest.slice(0, m.index);
      if (before.trim() !== '') this.text(before);
      if (m === s) {
        this.stack.push({ code: Number(m[1]), severity: Number(m[2]), lines: [], children: [] });
      } else {
        this.endMarker(Number(m[1]), m[0]);
      }
      rest = rest.slice(m.index + m[0].length);
      first = false;
      if (rest === '') return;
    }
  }

  private text(line: string): void {
    const top = this.stack[this.stack.length - 1];
    if (top) top.lines.push(line);
    else this.onEvent({ type: 'text', line });
  }

  private endMarker(code: number, raw: string): void {
    let k = this.stack.length - 1;
    while (k >= 0 && this.stack[k]!.code !== code) k--;
    if (k < 0) {
      // An end marker with no matching start: keep it as text so nothing is lost.
      this.text(raw);
      return;
    }
    while (this.stack.length - 1 > k) this.close(false);
    this.close(true);
  }

  private close(complete: boolean): void {
    const frame = this.stack.pop()!;
    const message: TlcMessage = {
      code: frame.code,
      severity: frame.severity,
      lines: frame.lines,
      children: frame.children,
      depth: this.stack.length,
      complete,
    };
    const parent = this.stack[this.stack.length - 1];
    if (parent) parent.children.push(message);
    this.onEvent({ type: 'message', message });
  }
}

/** Parses a whole output at once. */
export function parseTlcOutput(text: string): TlcOutputEvent[] {
  const events: TlcOutputEvent[] = [];
  const parser = new TlcOutputParser((e) => events.push(e));
  parser.push(text);
  parser.end();
  return events;
}

/** A message's body as text (own lines only), without trailing blank lines. */
export function messageText(m: TlcMessage): string {
  const lines = [...m.lines];
  while (lines.length > 0 && lines[lines.length - 1]!.trim() === '') lines.pop();
  return lines.join('\n');
}

/** A message's body followed by the bodies of the messages nested in it. */
export function messageFullText(m: TlcMessage): string {
  return [messageText(m), ...m.children.map(messageFullText)].filter((s) => s !== '').join('\n');
}

/**
 * Parses a number as TLC prints it in a given locale ("107,579,561",
 * "1.234.567", "1 234 567", "1'234'567"): every character but digits and a
 * leading minus is dropped. Returns null when no digit is present.
 */
export function parseLocalizedInt(text: string): number | null {
  const trimmed = text.trim();
  const negative = trimmed.startsWith('-');
  const digits = trimmed.replace(/[^0-9]/g, '');
  if (digits === '') return null;
  const v = Number(digits);
  if (!Number.isSafeInteger(v)) return null;
  return negative ? -v : v;
}
