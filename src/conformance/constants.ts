// The spec's constants from a solution, a rule policy and a machine, and the
// abstraction of a message (spec/Kernel.tla: a payload becomes the methods it
// is well formed for, plus the fields kernel services read).

import type { SolutionTables } from '../kernel/tables.ts';
import type { Message } from '../kernel/types.ts';
import type { RulePolicy } from '../monitor/rules.ts';
import { ABSENT, int, rec, seq, set, str, bool, tuple } from './tla.ts';
import type { TlaValue } from '../tlc/value.ts';

/** Classes, ClassNames, Interfaces, BootProcesses, Connections of spec/Kernel.tla. */
export function solutionConstants(
  t: SolutionTables,
): Record<'Classes' | 'ClassNames' | 'Interfaces' | 'BootProcesses' | 'Connections', TlaValue> {
  return {
    Classes: seq(
      t.classes.map((c) =>
        rec({
          endpoints: seq(c.endpoints.map((e) => rec({ nameId: int(e.nameId), iface: int(e.iface) }))),
          security: int(c.security),
        }),
      ),
    ),
    ClassNames: seq(t.classes.map((c) => str(c.name))),
    Interfaces: seq(t.interfaces.map((i) => seq(i.methods.map((m) => int(m.nameId))))),
    BootProcesses: seq(
      t.processes.map((p) =>
        rec({ name: str(checkedString(p.name)), taskClass: int(p.taskClass), priority: int(p.priority) }),
      ),
    ),
    Connections: seq(t.connections.map((c) => rec({ client: int(c.client), server: int(c.server) }))),
  };
}

/** The Rules constant of spec/Monitor.tla: names interned as compileRules does; an unknown name is an error. */
export function rulesConstant(t: SolutionTables, policy: RulePolicy): TlaValue {
  const classNames = t.classes.map((c) => c.name);
  const id = (what: string, names: readonly string[], v: string | undefined): TlaValue => {
    if (v === undefined) return ABSENT;
    const i = names.indexOf(v);
    if (i < 0) throw new Error(`policy "${policy.name}": unknown ${what} "${v}"`);
    return int(i);
  };
  return seq(
    policy.rules.map((r) =>
      rec({
        kind: str(r.kind),
        src: id('source class', classNames, r.src),
        dst: id('destination class', classNames, r.dst),
        endpoint: id('endpoint', t.endpointNames, r.endpoint),
        method: id('method', t.methodNames, r.method),
        limit: int(r.limit ?? -1),
      }),
    ),
  );
}

// ------------------------------------------------------------------ messages

/** The payload fields kernel services read (services.ts Args), with the spec's defaults when absent. */
const STRING_ARGS = ['taskClass', 'name'] as const;
const NUMBER_ARGS = [
  'pages',
  'handle',
  'line',
  'rights',
  'ns',
  'priority',
  'offset',
  'count',
  'base',
  'size',
  'port',
] as const;

/** A string the spec can hold: printable ASCII without quotes or backslashes. */
function checkedString(s: string): string {
  if (!/^[\x20-\x7e]*$/.test(s) || /["\\]/.test(s))
    throw new RangeError(`string ${JSON.stringify(s)} cannot be written in the TLA+ model`);
  return s;
}

function field(payload: unknown, k: string): unknown {
  if (typeof payload !== 'object' || payload === null) return undefined;
  try {
    return (payload as Record<string, unknown>)[k];
  } catch {
    return undefined;
  }
}

/** `args` of a spec message: the fields a service reads; a field that is not of the right type gets a default (the monitor denies such a payload before any service reads it). */
export function abstractArgs(payload: unknown): TlaValue {
  const out: Record<string, TlaValue> = {};
  for (const k of STRING_ARGS) {
    const v = field(payload, k);
    out[k] = str(typeof v === 'string' && /^[\x20-\x7e]*$/.test(v) && !/["\\]/.test(v) ? v : '');
  }
  for (const k of NUMBER_ARGS) {
    const v = field(payload, k);
    if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 2 ** 31 - 2 ** 21)
      throw new RangeError(`payload field ${k} = ${v} is too large for the TLA+ model`);
    out[k] = int(typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : 0);
  }
  return rec(out);
}

type CodecKind = 'request' | 'response' | 'error';

/** The (interface, method) pairs whose declared codec of this kind accepts the payload (the monitor's structural check). */
export function accepts(t: SolutionTables, payload: unknown, kind: CodecKind): TlaValue {
  const out: TlaValue[] = [];
  for (const i of t.interfaces)
    for (const m of i.methods) {
      let ok = false;
      try {
        ok = m[kind].is(payload);
      } catch {
        ok = false;
      }
      if (ok) out.push(tuple(int(i.id), int(m.mid)));
    }
  return set(out);
}

function transfers(m: Message): TlaValue {
  return seq((m.handles ?? []).map((h) => rec({ handle: int(h.handle), rights: int(h.rights) })));
}

/** A Call's message in the spec: [riid, mid, accepts, args, handles, payload]; `payload` is the model's number of the payload (MonitorModel.payload). */
export function abstractCall(t: SolutionTables, m: Message, payload: number): TlaValue {
  return rec({
    riid: int(m.riid),
    mid: int(m.mid),
    accepts: accepts(t, m.payload, 'request'),
    args: abstractArgs(m.payload),
    handles: transfers(m),
    payload: int(payload),
  });
}

/** A Reply's message in the spec: [error, accepts, handles, payload] (a reply answers the method served, whatever RIID/MID it carries). */
export function abstractReply(t: SolutionTables, m: Message, payload: number): TlaValue {
  const error = m.error === true;
  return rec({
    error: bool(error),
    accepts: accepts(t, m.payload, error ? 'error' : 'response'),
    handles: transfers(m),
    payload: int(payload),
  });
}
