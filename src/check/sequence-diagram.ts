// Counterexamples drawn: a Mermaid sequence diagram (https://mermaid.js.org/syntax/sequenceDiagram.html)
// with the processes as lifelines (the kernel, SID 0, among them), each
// Call/Recv/Reply as an arrow (a Call from caller to server, a Reply from
// server to caller, a Recv from the receiver to the kernel; `-x` when the
// monitor denied it), every other kernel step (schedule, tick, irq) as a note
// over the kernel, and each decision of the monitor as a note over the two
// parties with its verdict and every rule that decided.
//
// Written next to each replay file (`<name>.mmd` beside `<name>.replay.json`)
// by `cordon check` and for the failing PAL tests of `cordon test`.

import { writeFile } from 'node:fs/promises';
import type { SolutionTables } from '../kernel/tables.ts';
import { KERNEL_SID, type DecisionRecord } from '../kernel/types.ts';
import { rulesKey, type SecurityEvent } from '../monitor/types.ts';
import type { MappedTrace } from './counterexample.ts';
import type { PalRunResult } from '../policy/pal/run.ts';

export interface Lifeline {
  readonly id: string;
  readonly label: string;
}

export type SequenceItem =
  | {
      readonly kind: 'arrow';
      readonly from: string;
      readonly to: string;
      readonly text: string;
      /** a reply (dashed) */
      readonly reply?: boolean;
      /** the monitor denied it (a cross at the end) */
      readonly denied?: boolean;
    }
  | { readonly kind: 'note'; readonly over: readonly string[]; readonly text: string };

/** Text made safe for a Mermaid message or note: `;` and `#` as entity codes, line breaks as `<br/>`. */
export function mermaidText(s: string): string {
  return s.replace(/[;#]/g, (c) => `#${c.charCodeAt(0)};`).replace(/\r?\n/g, '<br/>');
}

export function mermaidSequence(title: string, lifelines: readonly Lifeline[], items: readonly SequenceItem[]): string {
  const out = ['sequenceDiagram', `  title ${mermaidText(title)}`];
  for (const l of lifelines) out.push(`  participant ${l.id} as ${mermaidText(l.label)}`);
  for (const it of items) {
    if (it.kind === 'note') {
      const over = [...new Set(it.over)];
      out.push(`  Note over ${over.slice(0, 2).join(',')}: ${mermaidText(it.text)}`);
    } else {
      const arrow = it.denied === true ? (it.reply === true ? '--x' : '-x') : it.reply === true ? '-->>' : '->>';
      out.push(`  ${it.from}${arrow}${it.to}: ${mermaidText(it.text)}`);
    }
  }
  return `${out.join('\n')}\n`;
}

const lifeline = (sid: number) => `P${sid}`;

function decisionNote(t: SolutionTables, r: DecisionRecord): SequenceItem {
  const e: SecurityEvent = r.event;
  const what =
    e.kind === 'execute'
      ? 'execute'
      : `${e.kind} ${e.endpoint >= 0 ? t.endpointNames[e.endpoint] : `riid ${e.riid}`}.${e.method >= 0 ? t.methodNames[e.method] : `mid ${e.mid}`}`;
  const d = r.decision;
  return {
    kind: 'note',
    over: [lifeline(e.src), lifeline(e.dst)],
    text: `${d.verdict.toUpperCase()} ${what} by ${rulesKey(d)}${d.reason === undefined ? '' : `: ${d.reason}`}`,
  };
}

/** The diagram of a counterexample mapped to TS kernel steps (`mapTrace`). */
export function counterexampleDiagram(t: SolutionTables, trace: MappedTrace, what: string): string {
  const procs = trace.final.processes;
  const used = new Set<number>([KERNEL_SID]);
  const note = (r: DecisionRecord) => {
    used.add(r.event.src);
    used.add(r.event.dst);
  };
  trace.boot.forEach(note);
  const items: SequenceItem[] = [];
  if (trace.boot.length > 0) items.push({ kind: 'note', over: [lifeline(KERNEL_SID)], text: 'boot' });
  for (const r of trace.boot) items.push(decisionNote(t, r));
  for (const s of trace.steps) {
    s.records.forEach(note);
    const label = `${s.number}. ${s.description}`;
    const ev = s.event;
    if (ev.kind === 'syscall' && s.actor !== null) {
      used.add(s.actor);
      const from = lifeline(s.actor);
      if (ev.call.op === 'Call') {
        const req = s.records.find((r) => r.event.kind === 'request' || r.event.kind === 'security');
        const denied = req?.decision.verdict === 'deny';
        items.push({ kind: 'arrow', from, to: lifeline(req?.event.dst ?? KERNEL_SID), text: label, denied });
      } else if (ev.call.op === 'Reply') {
        const res = s.records.find((r) => r.event.kind === 'response' || r.event.kind === 'error');
        const denied = res?.decision.verdict === 'deny';
        items.push({
          kind: 'arrow',
          from,
          to: lifeline(res?.event.dst ?? KERNEL_SID),
          text: label,
          reply: true,
          denied,
        });
      } else items.push({ kind: 'arrow', from, to: lifeline(KERNEL_SID), text: label });
    } else items.push({ kind: 'note', over: [lifeline(KERNEL_SID)], text: label });
    for (const r of s.records) items.push(decisionNote(t, r));
  }
  if (trace.loopTo !== null)
    items.push({
      kind: 'note',
      over: [lifeline(KERNEL_SID)],
      text: `then back to the state after step ${trace.loopTo}, for ever`,
    });
  const lifelines = [...used]
    .sort((a, b) => a - b)
    .map((sid) => ({
      id: lifeline(sid),
      label: procs.get(sid) === undefined ? `sid ${sid}` : `${procs.get(sid)!.name} (sid ${sid})`,
    }));
  return mermaidSequence(`${what} (model ${trace.model})`, lifelines, items);
}

/** Writes a counterexample's diagram beside its replay file: `x.replay.json` → `x.replay.mmd`. */
export function diagramPath(replayPath: string): string {
  return replayPath.replace(/(\.json)?$/, '.mmd');
}

export async function writeCounterexampleDiagram(replayPath: string, diagram: string): Promise<string> {
  const file = diagramPath(replayPath);
  await writeFile(file, diagram);
  return file;
}

/**
 * The failing PAL tests of a run, one diagram each (keyed `suite / test`):
 * the task classes of its cases as lifelines, each case that was decided as
 * an arrow from source to destination (a request or execute solid, a
 * response or error dashed, `x` when denied) with its expectation, then a
 * note with the verdict and every rule that decided; a failing case adds a
 * note with why.
 */
export function palFailureDiagrams(r: PalRunResult): Map<string, string> {
  const out = new Map<string, string>();
  for (const test of r.tests) {
    if (test.status !== 'fail') continue;
    const names: string[] = [];
    const id = (name: string) => {
      let i = names.indexOf(name);
      if (i < 0) i = names.push(name) - 1;
      return `C${i}`;
    };
    const items: SequenceItem[] = [];
    for (const c of test.cases) {
      if (c.status === 'skipped') continue;
      const m = c.event === null ? null : /^(\w+) src=(\S+?)\(sid -?\d+\) dst=(\S+?)\(sid -?\d+\)(.*)$/.exec(c.event);
      if (m === null || c.verdict === null) {
        const at = id('PAL');
        items.push({ kind: 'note', over: [at], text: `${c.title}: ${c.failure ?? ''}` });
        continue;
      }
      const [, kind, src, dst, rest] = m as unknown as [string, string, string, string, string];
      const from = id(src);
      const to = id(dst);
      const method = /method=(\S+)/.exec(rest)?.[1];
      items.push({
        kind: 'arrow',
        from,
        to,
        text: `${c.name === null ? '' : `"${c.name}" `}expect ${c.expected}: ${kind}${method === undefined ? '' : ` ${method}`}`,
        reply: kind === 'response' || kind === 'error',
        denied: c.verdict === 'deny',
      });
      items.push({
        kind: 'note',
        over: [from, to],
        text: `${c.verdict.toUpperCase()} by ${rulesKey(c)}${c.reason === null ? '' : `: ${c.reason}`}`,
      });
      if (c.status === 'fail') items.push({ kind: 'note', over: [from, to], text: `FAIL: ${c.failure ?? ''}` });
    }
    out.set(
      `${test.suite} / ${test.name}`,
      mermaidSequence(
        `PAL test ${test.suite} / ${test.name} fails`,
        names.map((n, i) => ({ id: `C${i}`, label: n })),
        items,
      ),
    );
  }
  return out;
}
