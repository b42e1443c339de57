// Scripted programs: what a process's main thread does, as a list of
// operations. Names (connection ids, endpoint and method names, kernel
// services) are resolved once, against the booted solution, into the handle
// and the RIID/MID each system call carries.

import type { BootResult } from '../kernel/boot.ts';
import { KERNEL_ENDPOINTS, KERNEL_INTERFACES, type KernelEndpoint } from '../kernel/kernel-api.ts';
import {
  KERNEL_HANDLE,
  type Handle,
  type Message,
  type Sid,
  type Syscall,
  type ThreadResult,
  type Tid,
} from '../kernel/types.ts';

/** A value taken from what an earlier operation saved: `{ $ref: "irq.handle" }` reads field `handle` of the result saved as `irq`. */
export interface Ref {
  readonly $ref: string;
}

export interface TransferSpec {
  readonly handle: number | Ref;
  readonly rights: number;
}

export type Op =
  /** Call a method of the server at the other end of a connection (the init.yaml connection id). */
  | {
      readonly op: 'call';
      readonly connection: string;
      readonly method: string;
      readonly endpoint?: string;
      readonly payload?: unknown;
      readonly handles?: readonly TransferSpec[];
      readonly save?: string;
    }
  /** Wait for a request on the server end of a connection; `client` picks one when several clients use the same id. */
  | { readonly op: 'recv'; readonly connection: string; readonly client?: string; readonly save?: string }
  /** Answer the request last received on that connection. */
  | {
      readonly op: 'reply';
      readonly connection: string;
      readonly client?: string;
      readonly payload?: unknown;
      readonly error?: boolean;
      readonly handles?: readonly TransferSpec[];
      readonly save?: string;
    }
  /**
   * Call a kernel service by endpoint and method name (kernel-api.ts). With
   * `thread` on a thread.Create, the new thread runs that program.
   */
  | {
      readonly op: 'kernel';
      readonly endpoint: KernelEndpoint;
      readonly method: string;
      readonly payload?: unknown;
      readonly save?: string;
      readonly thread?: Program;
    };

export interface Program {
  readonly ops: readonly Op[];
  /** after the last operation, continue at this index; absent: the thread stops acting */
  readonly loopFrom?: number;
}

/** A program that repeats all its operations. */
export const loop = (...ops: Op[]): Program => ({ ops, loopFrom: 0 });
/** A program that runs `setup` once, then repeats `body`. */
export const setupThenLoop = (setup: readonly Op[], body: readonly Op[]): Program => ({
  ops: [...setup, ...body],
  loopFrom: setup.length,
});

/** An operation with its names resolved. */
export interface CompiledOp {
  readonly op: Op;
  readonly sys: 'Call' | 'Recv' | 'Reply';
  readonly handle: Handle;
  readonly riid: number;
  readonly mid: number;
  /** the program a thread created by this operation runs */
  readonly thread?: { readonly ops: readonly CompiledOp[]; readonly loopFrom: number | null };
}

export interface CompiledProgram {
  readonly process: string;
  readonly sid: Sid;
  /** the main thread: the process's first thread */
  readonly tid: Tid;
  readonly ops: readonly CompiledOp[];
  readonly loopFrom: number | null;
}

export type Compiled<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly errors: readonly string[] };

/** Resolves every program against the booted solution; every unresolvable name is reported. */
export function compilePrograms(
  boot: BootResult,
  programs: Readonly<Record<string, Program>>,
): Compiled<CompiledProgram[]> {
  const errors: string[] = [];
  const out: CompiledProgram[] = [];
  const { tables } = boot.state.config;
  const nameOf = (sid: Sid) => boot.state.processes.get(sid)?.name ?? `sid ${sid}`;
  for (const [process, program] of Object.entries(programs)) {
    const at = `program of "${process}"`;
    const sid = boot.sids[process];
    if (sid === undefined) {
      errors.push(
        `${at}: no such process was started (${boot.denied.includes(process) ? 'Einit was denied starting it' : `started: ${Object.keys(boot.sids).join(', ') || 'none'}`})`,
      );
      continue;
    }
    const tid = boot.state.threads.find((t) => t.sid === sid)?.tid;
    if (tid === undefined) {
      errors.push(`${at}: the process has no thread`);
      continue;
    }
    const compileOps = (at: string, program: Program): { ops: CompiledOp[]; loopFrom: number | null } => {
      const ops: CompiledOp[] = [];
      program.ops.forEach((op, i) => {
        const where = `${at}, op ${i} (${op.op})`;
        switch (op.op) {
          case 'call': {
            const conn = boot.connections.find((c) => c.id === op.connection && c.client === sid);
            if (conn === undefined)
              return void errors.push(`${where}: "${process}" is not the client of a connection "${op.connection}"`);
            const cls = tables.classes[boot.state.processes.get(conn.server)!.taskClass]!;
            const candidates = cls.endpoints.filter(
              (e) =>
                (op.endpoint === undefined || e.name === op.endpoint) &&
                tables.interfaces[e.iface]?.methods.some((m) => m.name === op.method),
            );
            if (candidates.length === 0)
              return void errors.push(
                `${where}: server "${nameOf(conn.server)}" (class ${cls.name}) has no ${op.endpoint === undefined ? 'endpoint' : `endpoint "${op.endpoint}"`} with method "${op.method}"`,
              );
            if (candidates.length > 1)
              return void errors.push(
                `${where}: method "${op.method}" is on several endpoints of ${cls.name} (${candidates.map((e) => e.name).join(', ')}); name the endpoint`,
              );
            const ep = candidates[0]!;
            const mid = tables.interfaces[ep.iface]!.methods.findIndex((m) => m.name === op.method);
            return void ops.push({ op, sys: 'Call', handle: conn.clientHandle, riid: ep.riid, mid });
          }
          case 'recv':
          case 'reply': {
            const conns = boot.connections.filter(
              (c) =>
                c.id === op.connection &&
                c.server === sid &&
                (op.client === undefined || nameOf(c.client) === op.client),
            );
            if (conns.length === 0)
              return void errors.push(
                `${where}: "${process}" is not the server of a connection "${op.connection}"${op.client ? ` from "${op.client}"` : ''}`,
              );
            if (conns.length > 1)
              return void errors.push(
                `${where}: several clients use connection "${op.connection}" (${conns.map((c) => nameOf(c.client)).join(', ')}); name the client`,
              );
            return void ops.push({
              op,
              sys: op.op === 'recv' ? 'Recv' : 'Reply',
              handle: conns[0]!.serverHandle,
              riid: 0,
              mid: 0,
            });
          }
          case 'kernel': {
            const riid = (KERNEL_ENDPOINTS as readonly string[]).indexOf(op.endpoint);
            if (riid < 0)
              return void errors.push(
                `${where}: no kernel endpoint "${op.endpoint}"; kernel endpoints: ${KERNEL_ENDPOINTS.join(', ')}`,
              );
            const mid = KERNEL_INTERFACES[riid]!.methods.findIndex((m) => m.name === op.method);
            if (mid < 0)
              return void errors.push(
                `${where}: kernel endpoint "${op.endpoint}" has no method "${op.method}"; it has ${KERNEL_INTERFACES[riid]!.methods.map((m) => m.name).join(', ')}`,
              );
            if (op.thread !== undefined && `${op.endpoint}.${op.method}` !== 'thread.Create')
              return void errors.push(`${where}: only thread.Create can start a thread program`);
            const thread = op.thread === undefined ? undefined : compileOps(`${at}, thread of op ${i}`, op.thread);
            return void ops.push({
              op,
              sys: 'Call',
              handle: KERNEL_HANDLE,
              riid,
              mid,
              ...(thread !== undefined ? { thread } : {}),
            });
          }
          default:
            return void errors.push(`${where}: unknown operation ${JSON.stringify((op as { op: unknown }).op)}`);
        }
      });
      if (
        program.loopFrom !== undefined &&
        !(Number.isInteger(program.loopFrom) && program.loopFrom >= 0 && program.loopFrom < program.ops.length)
      )
        errors.push(`${at}: loopFrom ${program.loopFrom} is not an operation index`);
      return { ops, loopFrom: program.loopFrom ?? null };
    };
    const compiled = compileOps(at, program);
    out.push({ process, sid, tid, ...compiled });
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value: out };
}

// ------------------------------------------------------------------ run-time context

/** What a program thread remembers: saved results, the last request received, where it is. */
export interface ThreadContext {
  pc: number;
  /** the op whose result has not arrived yet */
  pending: CompiledOp | null;
  readonly vars: Record<string, unknown>;
  results: number;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Reads a dotted path from the saved results; a missing value reads as null. */
export function lookup(vars: Readonly<Record<string, unknown>>, path: string): unknown {
  let v: unknown = vars;
  for (const k of path.split('.')) {
    if (!isObj(v) && !Array.isArray(v)) return null;
    v = (v as Record<string, unknown>)[k];
    if (v === undefined) return null;
  }
  return v;
}

/** Replaces every `{ $ref }` in a value by what it names. */
export function resolve(value: unknown, vars: Readonly<Record<string, unknown>>): unknown {
  if (Array.isArray(value)) return value.map((v) => resolve(v, vars));
  if (!isObj(value)) return value;
  if (typeof value.$ref === 'string' && Object.keys(value).length === 1) return lookup(vars, value.$ref);
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v, vars)]));
}

/** The system call an operation makes, with its references resolved. */
export function syscallOf(c: CompiledOp, vars: Readonly<Record<string, unknown>>): Syscall {
  if (c.sys === 'Recv') return { op: 'Recv', handle: c.handle };
  const op = c.op;
  const payload = 'payload' in op && op.payload !== undefined ? resolve(op.payload, vars) : {};
  const handles =
    'handles' in op && op.handles !== undefined
      ? op.handles.map((h) => ({ handle: resolve(h.handle, vars) as number, rights: h.rights }))
      : undefined;
  const message: Message = {
    riid: c.riid,
    mid: c.mid,
    payload,
    ...(handles !== undefined ? { handles } : {}),
    ...(op.op === 'reply' && op.error === true ? { error: true } : {}),
  };
  return c.sys === 'Call' ? { op: 'Call', handle: c.handle, message } : { op: 'Reply', handle: c.handle, message };
}

/** What a result saves: its return code, the fields of its value, and the message it carried. */
export function saved(r: ThreadResult): Record<string, unknown> {
  return {
    rc: r.rc,
    ...(isObj(r.value) ? r.value : r.value !== undefined ? { value: r.value } : {}),
    ...(r.message !== undefined ? { message: r.message } : {}),
    ...(r.detail !== undefined ? { detail: r.detail } : {}),
  };
}
