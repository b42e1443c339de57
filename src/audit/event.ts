// Security events as text, both ways. The printer is the audit log's
// (src/monitor/audit.ts describeEvent, which counterexamples print too) with
// the message and any transferred rights added; the parser reads that form
// back (event.peggy), the SIDs optional, so that parse(print(e)) is e.

import type { SolutionTables } from '../kernel/tables.ts';
import { securityEvent } from '../kernel/ipc.ts';
import { SECURITY_RIID } from '../kernel/kernel-api.ts';
import { describeEvent } from '../monitor/audit.ts';
import type { EventKind, SecurityEvent } from '../monitor/types.ts';
import { compileGrammar } from '../syntax/grammar.ts';
import { ParseError } from '../syntax/errors.ts';
import { sourceFromText, type Source } from '../syntax/source.ts';

/** A message value as text: JSON, with bigints written `123n`. */
export function printValue(v: unknown): string {
  if (typeof v === 'bigint') return `${v}n`;
  if (v === undefined) return 'null';
  if (Array.isArray(v)) return `[${v.map(printValue).join(',')}]`;
  if (v instanceof Uint8Array) return `[${[...v].join(',')}]`;
  if (typeof v === 'object' && v !== null)
    return `{${Object.entries(v)
      .map(([k, x]) => `${JSON.stringify(k)}:${printValue(x)}`)
      .join(',')}}`;
  return JSON.stringify(v) ?? 'null';
}

/** One event in the audit log's words, with its message (and the rights of transferred handles, if any). */
export function printEvent(t: SolutionTables, e: SecurityEvent): string {
  const head = describeEvent(t, e);
  const message =
    e.kind === 'execute' && (e.message === null || e.message === undefined) ? '' : ` message=${printValue(e.message)}`;
  const transfers = e.transfers.length === 0 ? '' : ` transfers=[${e.transfers.join(', ')}]`;
  return `${head}${message}${transfers}`;
}

/** The processes an event's SIDs are looked up in: SID and task class (a booted kernel state's `processes`). */
export interface ProcessInfo {
  readonly sid: number;
  readonly taskClass: number;
  readonly name?: string;
}
/** A list of processes: an array, or a kernel state's `processes` (a persistent vector). */
export interface ProcessList {
  find(f: (p: ProcessInfo) => boolean): ProcessInfo | undefined;
  filter(f: (p: ProcessInfo) => boolean): readonly ProcessInfo[];
}

interface RawParty {
  readonly name: string;
  readonly sid: number | null;
  readonly at: number;
}
type RawName = { readonly name: string; readonly at: number } | { readonly number: number; readonly at: number };
interface RawEvent {
  readonly kind: EventKind;
  readonly src: RawParty;
  readonly dst: RawParty;
  readonly fields: readonly (
    | { key: 'endpoint' | 'method'; value: RawName }
    | { key: 'message'; value: unknown; at: number }
    | { key: 'transfers'; value: number[]; at: number }
  )[];
}

const grammar = () => compileGrammar({ files: [new URL('./event.peggy', import.meta.url)], startRules: ['Event'] });

/**
 * Reads one event against a solution. A party without `(sid N)` is the one
 * process of its class in `processes` (the kernel and Einit are SIDs 0 and 1).
 * @throws ParseError naming the offending token and what was expected.
 */
export function parseEvent(text: string, t: SolutionTables, processes: ProcessList, file = 'event'): SecurityEvent {
  return parseEventSource(sourceFromText(file, text), t, processes);
}

export function parseEventSource(source: Source, t: SolutionTables, processes: ProcessList): SecurityEvent {
  const raw = grammar().parse({ source, startRule: 'Event' }) as RawEvent;
  const fail = (at: number, detail: string, kind: 'reference' | 'validation' = 'reference') =>
    new ParseError({ kind, loc: source.locate(at), detail });
  const party = (p: RawParty, role: string): { sid: number; cls: number } => {
    const cls = t.classByName.get(p.name);
    if (cls === undefined)
      throw fail(
        p.at,
        `unknown task class "${p.name}" as ${role} (classes: ${t.classes.map((c) => c.name).join(', ')})`,
      );
    if (p.sid !== null) {
      const proc = processes.find((x) => x.sid === p.sid);
      if (proc !== undefined && proc.taskClass !== cls)
        throw fail(
          p.at,
          `SID ${p.sid} is a process of class ${t.classes[proc.taskClass]?.name ?? '?'}, not ${p.name}`,
          'validation',
        );
      return { sid: p.sid, cls };
    }
    const of = processes.filter((x) => x.taskClass === cls);
    if (of.length === 1) return { sid: of[0]!.sid, cls };
    throw fail(
      p.at,
      of.length === 0
        ? `no process of class ${p.name} runs; give its SID: ${p.name}(sid N)`
        : `${of.length} processes of class ${p.name} run (SIDs ${of.map((x) => x.sid).join(', ')}); say which: ${p.name}(sid N)`,
      'validation',
    );
  };
  const src = party(raw.src, 'the source');
  const dst = party(raw.dst, 'the destination');
  const seen = new Set<string>();
  let endpoint: RawName | null = null;
  let method: RawName | null = null;
  let message: unknown = null;
  let rights: number[] = [];
  for (const f of raw.fields) {
    const at = 'at' in f ? f.at : f.value.at;
    if (seen.has(f.key)) throw fail(at - f.key.length - 1, `${f.key}= is given twice`, 'validation');
    seen.add(f.key);
    if (f.key === 'endpoint') endpoint = f.value;
    else if (f.key === 'method') method = f.value;
    else if (f.key === 'message') message = f.value;
    else rights = f.value as number[];
  }
  const k = raw.kind;
  if (k === 'execute') {
    if (endpoint !== null || method !== null)
      throw fail((endpoint ?? method)!.at, 'an execute event names no endpoint or method', 'validation');
    return {
      kind: k,
      src: src.sid,
      srcClass: src.cls,
      dst: dst.sid,
      dstClass: dst.cls,
      endpoint: -1,
      method: -1,
      iface: -1,
      riid: -1,
      mid: -1,
      message,
      transfers: rights,
    };
  }
  const end = source.text.length;
  if (endpoint === null) throw fail(end, `a ${k} event needs endpoint=<name> (or endpoint=riid N)`, 'validation');
  if (method === null) throw fail(end, `a ${k} event needs method=<name> (or method=mid N)`, 'validation');
  // the endpoint belongs to the server: the destination of a request, the source of a response or error; a security event names the caller's security interface
  const serverCls = k === 'request' ? dst.cls : src.cls;
  const server = t.classes[serverCls]!;
  let riid: number;
  let iface: number;
  if ('number' in endpoint) {
    riid = endpoint.number;
    iface = k === 'security' ? server.security : (server.endpoints[riid]?.iface ?? -1);
  } else if (k === 'security') {
    throw fail(
      endpoint.at,
      `a security event names its endpoint by number: endpoint=riid ${SECURITY_RIID}`,
      'validation',
    );
  } else {
    const ep = server.endpoints.find((x) => x.name === endpoint.name);
    if (ep === undefined)
      throw fail(
        endpoint.at,
        `class ${server.name} has no endpoint "${endpoint.name}" (endpoints: ${server.endpoints.map((x) => x.name).join(', ') || 'none'}; endpoint=riid N names one by number)`,
      );
    riid = ep.riid;
    iface = ep.iface;
  }
  let mid: number;
  if ('number' in method) mid = method.number;
  else {
    const decl = t.interfaces[iface];
    const m = decl?.methods.find((x) => x.name === method.name);
    if (m === undefined)
      throw fail(
        method.at,
        decl === undefined
          ? `endpoint ${printName(t, k, serverCls, riid)} has no interface, so no method "${method.name}" (method=mid N names one by number)`
          : `interface ${decl.name} declares no method "${method.name}" (methods: ${decl.methods.map((x) => x.name).join(', ')}; method=mid N names one by number)`,
      );
    mid = m.mid;
  }
  return securityEvent(t, {
    kind: k,
    src: src.sid,
    srcClass: src.cls,
    dst: dst.sid,
    dstClass: dst.cls,
    riid,
    mid,
    payload: message,
    rights,
  });
}

const printName = (t: SolutionTables, k: EventKind, cls: number, riid: number) =>
  k === 'security' ? `riid ${riid}` : (t.classes[cls]?.endpoints[riid]?.name ?? `riid ${riid}`);

/**
 * A file of events, one a line (blank lines and lines starting with # are
 * skipped); errors name the file and line.
 */
export function parseEventLines(
  file: string,
  text: string,
  t: SolutionTables,
  processes: ProcessList,
): SecurityEvent[] {
  const out: SecurityEvent[] = [];
  const lines = text.split('\n');
  let offset = 0;
  for (const line of lines) {
    const body = line.replace(/\r$/, '');
    if (body.trim() !== '' && !body.trim().startsWith('#')) {
      const whole = sourceFromText(file, text);
      const start = offset;
      const src: Source = { file, text: body, locate: (o) => whole.locate(start + o) };
      out.push(parseEventSource(src, t, processes));
    }
    offset += line.length + 1;
  }
  return out;
}
