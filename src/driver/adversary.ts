// Adversarial programs: an untrusted process's threads make arbitrary system
// calls, drawn from the one adversary (src/adversary) — random operations,
// handles (held, stale and forged), RIID and MID, payloads and transfers, and
// kernel services with arguments aimed at the board's resources — so that the
// monitor and the services are both exercised. A run takes the adversaries'
// choices as a list: generated from the run's seed, or given (a property
// suite's shrinkable list).

import fc from 'fast-check';
import type { Random } from '../../boards/prng.ts';
import { arbSyscallChoice, realizeSyscall, type ChoiceWeights, type SyscallChoice } from '../adversary/index.ts';
import { KERNEL_ENDPOINTS } from '../kernel/kernel-api.ts';
import type { KernelState, Syscall, Tid } from '../kernel/types.ts';

export { KERNEL_SERVICES } from '../adversary/index.ts';

/** An untrusted program mostly asks the kernel for services, then calls, receives and replies on anything. */
export const DRIVER_WEIGHTS: Partial<ChoiceWeights> = { kernel: 5, Call: 3, Recv: 1, Reply: 1 };

/** The choices of an untrusted program (shrinkable), at most `maxLength`. */
export function arbAdversaryProgram(maxLength: number): fc.Arbitrary<SyscallChoice[]> {
  return fc.array(arbSyscallChoice(DRIVER_WEIGHTS), { minLength: 1, maxLength });
}

/** `count` choices of untrusted programs, the same for the same seed. */
export function adversaryChoices(seed: number, count: number): SyscallChoice[] {
  return fc.sample(fc.array(arbSyscallChoice(DRIVER_WEIGHTS), { minLength: count, maxLength: count }), {
    seed: seed | 0,
    numRuns: 1,
  })[0]!;
}

/**
 * Whether a call would block its thread with nobody else able to wake it: a
 * Recv on an empty channel the process serves itself, a Call into such a
 * channel, a futex wait. The adversary knows its own handle table and avoids
 * these most of the time, so that it keeps making calls.
 */
export function blocksItself(state: KernelState, tid: Tid, call: Syscall): boolean {
  const sid = state.threads.get(tid)!.sid;
  const e = state.processes.get(sid)!.handles[call.handle];
  if (e === null || e === undefined) return false;
  const o = state.objects.get(e.object)!;
  if (call.op === 'Recv') return o.kind === 'channel' && o.queue.length === 0;
  if (call.op === 'Call' && o.kind === 'channel') return o.server === sid;
  return (
    call.op === 'Call' &&
    o.kind === 'kernel' &&
    call.message.riid === (KERNEL_ENDPOINTS as readonly string[]).indexOf('sync') &&
    call.message.mid === 0
  );
}

/** The next system call of a running thread of an untrusted process, from the next choices (mostly not one that blocks it for good). */
export function adversarialSyscall(next: () => SyscallChoice, r: Random, state: KernelState, tid: Tid): Syscall {
  let call = realizeSyscall(state, tid, next());
  for (let i = 0; i < 3 && blocksItself(state, tid, call) && r.chance(0.9); i++)
    call = realizeSyscall(state, tid, next());
  return call;
}
