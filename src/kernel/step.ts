// step(state, event): the whole kernel as one total, pure function. It never
// throws, never mutates its arguments, never reads a clock or a random source.
// A malformed event is rejected with the state unchanged; a bad syscall
// argument becomes an error result for the calling thread.

import { Draft } from './draft.ts';
import { call, recv, reply } from './ipc.ts';
import { dma, irq, schedule, tick } from './sched.ts';
import { ALL_RIGHTS, isRights, type KernelEvent, type KernelState, type Message, type StepResult } from './types.ts';

const isNat = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
/** Names a value in an error without calling anything on it (garbage may have no prototype, or hostile getters). */
function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint' || v === null || v === undefined)
    return `${v as number}`;
  if (typeof v === 'symbol') return 'a symbol';
  return Array.isArray(v) ? 'a list' : typeof v === 'object' ? 'an object' : 'a function';
}

/** Why a message is malformed at the syscall level, or null. (Its payload is checked later, against the method.) */
function badMessage(m: unknown): string | null {
  if (!isObj(m)) return 'the message is not an object';
  if (!isNat(m.riid) || !isNat(m.mid)) return 'RIID and MID must be non-negative integers';
  if (m.error !== undefined && typeof m.error !== 'boolean') return 'the error flag must be a boolean';
  if (m.handles !== undefined) {
    if (!Array.isArray(m.handles)) return 'handles must be a list';
    for (const h of m.handles as unknown[]) {
      if (!isObj(h) || !isNat(h.handle)) return 'each transferred handle needs a handle number and rights';
      if (!isRights(h.rights))
        return `transferred handle ${h.handle}: rights must be an integer 0..${ALL_RIGHTS}, not ${show(h.rights)}`;
    }
  }
  return null;
}

/** Why an event is malformed for this state, or null. */
function badEvent(s: KernelState, e: unknown): string | null {
  if (!isObj(e)) return 'the event is not an object';
  switch (e.kind) {
    case 'tick':
      return null;
    case 'irq':
      return isNat(e.line) && e.line < s.irqs.length
        ? null
        : `IRQ line ${show(e.line)} does not exist on ${s.config.machine.name}`;
    case 'dma':
      return isNat(e.deviceAddress) ? null : 'a DMA completion needs a device address';
    case 'rtc':
      return isNat(e.realtime) ? null : 'an RTC event needs a non-negative time';
    case 'schedule':
      return isNat(e.cpu) && e.cpu < s.cpus.length
        ? null
        : `CPU ${show(e.cpu)} does not exist on ${s.config.machine.name}`;
    case 'syscall': {
      const t = isNat(e.tid) ? s.threads.get(e.tid) : undefined;
      if (t === undefined) return `thread ${show(e.tid)} does not exist`;
      if (t.state.tag !== 'running') return `thread ${e.tid} is not running, so it cannot make a system call`;
      const c = e.call;
      if (!isObj(c)) return 'the system call is not an object';
      if (c.op !== 'Call' && c.op !== 'Recv' && c.op !== 'Reply')
        return `unknown system call ${show(c.op)}: only Call, Recv and Reply exist`;
      if (!isNat(c.handle)) return 'the handle must be a non-negative integer';
      return c.op === 'Recv' ? null : badMessage(c.message);
    }
    default:
      return `unknown event kind ${show(e.kind)}`;
  }
}

export function step(state: KernelState, event: KernelEvent): StepResult {
  const bad = badEvent(state, event);
  if (bad !== null) return { state, results: [], decisions: [], effects: [], rejected: bad };
  const d = new Draft(state);
  switch (event.kind) {
    case 'syscall': {
      const c = event.call;
      if (c.op === 'Call') call(d, event.tid, c.handle, c.message as Message);
      else if (c.op === 'Recv') recv(d, event.tid, c.handle);
      else reply(d, event.tid, c.handle, c.message as Message);
      break;
    }
    case 'tick':
      tick(d);
      break;
    case 'irq':
      irq(d, event.line);
      break;
    case 'dma':
      dma(d, event.deviceAddress);
      break;
    case 'rtc':
      d.clock = { ...d.clock, realtime: event.realtime };
      break;
    case 'schedule':
      schedule(d, event.cpu);
      break;
  }
  return { state: d.finish(), results: d.results, decisions: d.decisions, effects: d.effects };
}
