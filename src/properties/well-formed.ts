// A kernel state is well formed: every table holds values of its declared
// shape and the tables agree with one another (a handle names an existing
// object, a memory object has at least one page, a blocked thread is in the
// queue it waits in, ...). `step` must keep every state it produces well
// formed, whatever the monitor grants and whatever a process passes.

import {
  ALL_RIGHTS,
  KERNEL_OBJECT,
  Rights,
  type KernelObject,
  type KernelState,
  type ObjectId,
} from '../kernel/types.ts';
import { MAX_PRIORITY } from '../kernel/tables.ts';

const isNat = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const within = (base: number, size: number, ranges: readonly { readonly base: number; readonly size: number }[]) =>
  ranges.some((r) => base >= r.base && base + size <= r.base + r.size);
const once = (q: readonly number[], x: number) => q.filter((y) => y === x).length === 1;

/** Objects a live process holds or maps, and DMA buffers in flight (the kernel's `liveObjects`). */
function live(s: KernelState): Set<ObjectId> {
  const out = new Set<ObjectId>();
  s.objects.forEach((o, id) => o.kind === 'dma' && o.status === 'busy' && out.add(id));
  for (const p of s.processes) {
    if (p.status !== 'alive') continue;
    for (const h of p.handles) if (h !== null) out.add(h.object);
    for (const r of p.regions) out.add(r.object);
  }
  return out;
}

function badObject(s: KernelState, id: ObjectId, o: KernelObject): string | null {
  const m = s.config.machine;
  const sid = (x: unknown) => isNat(x) && x < s.processes.length;
  const tid = (x: unknown) => isNat(x) && x < s.threads.length;
  switch (o.kind) {
    case 'kernel':
      return id === KERNEL_OBJECT ? null : 'only object 0 is the kernel endpoint';
    case 'channel': {
      if (!sid(o.server)) return `its server ${o.server} is no process`;
      for (const r of o.queue) {
        if (!tid(r.client)) return `a queued request names thread ${r.client}, which does not exist`;
        const st = s.threads.get(r.client)!.state;
        if (
          st.tag !== 'call' ||
          st.channel !== id ||
          !once(
            o.queue.map((q) => q.client),
            r.client,
          )
        )
          return `thread ${r.client} is queued but not blocked in one Call on it`;
        if (!isNat(r.riid) || !isNat(r.mid) || !r.handles.every(isNat))
          return 'a queued request has a malformed RIID, MID or handle';
      }
      for (const t of o.receivers) {
        const st = tid(t) ? s.threads.get(t)!.state : null;
        if (st?.tag !== 'recv' || st.channel !== id || !once(o.receivers, t))
          return `receiver ${t} is not one thread blocked in Recv on it`;
      }
      return null;
    }
    case 'memory':
      if (!sid(o.creator)) return `its creator ${o.creator} is no process`;
      return isNat(o.pages) && o.pages >= 1 && o.pages <= m.memoryPages
        ? null
        : `it has ${String(o.pages)} pages, not 1..${m.memoryPages}`;
    case 'irq':
      if (!sid(o.owner)) return `its owner ${o.owner} is no process`;
      return isNat(o.line) && o.line < m.irqLines && !(m.reservedIrqs ?? []).includes(o.line)
        ? null
        : `line ${String(o.line)} is not an attachable line`;
    case 'ports':
      if (!sid(o.owner)) return `its owner ${o.owner} is no process`;
      return isNat(o.base) &&
        isNat(o.count) &&
        o.count >= 1 &&
        m.portIo &&
        within(
          o.base,
          o.count,
          m.ports.map((r) => ({ base: r.base, size: r.count })),
        )
        ? null
        : `ports ${String(o.base)}+${String(o.count)} are not offered`;
    case 'mmio':
      if (!sid(o.owner)) return `its owner ${o.owner} is no process`;
      return isNat(o.base) && isNat(o.size) && o.size >= 1 && within(o.base, o.size, m.mmio)
        ? null
        : `MMIO ${String(o.base)}+${String(o.size)} is not offered`;
    case 'dma': {
      if (!sid(o.creator)) return `its creator ${o.creator} is no process`;
      if (!['idle', 'busy', 'done'].includes(o.status)) return `status ${String(o.status)}`;
      const w = m.dma;
      if (w === null || !isNat(o.pages) || o.pages < 1 || !isNat(o.deviceAddress))
        return `a DMA buffer of ${String(o.pages)} pages at ${String(o.deviceAddress)}`;
      return (o.deviceAddress - w.base) % m.pageSize === 0 &&
        within(o.deviceAddress, o.pages * m.pageSize, [{ base: w.base, size: w.pages * m.pageSize }])
        ? null
        : `pages at ${o.deviceAddress} lie outside the DMA window`;
    }
    default:
      return `unknown kind ${String((o as { kind: unknown }).kind)}`;
  }
}

/** The first way the state is malformed, named, or null when it is well formed. */
export function malformed(s: KernelState): string | null {
  const m = s.config.machine;
  const { tables } = s.config;
  const runQueue = s.runQueue.order();
  const obj = (x: unknown): KernelObject | undefined => (isNat(x) ? s.objects.get(x) : undefined);

  if (s.objects.get(KERNEL_OBJECT)?.kind !== 'kernel') return 'object 0 is not the kernel endpoint';
  for (let id = 0; id < s.objects.length; id++) {
    const why = badObject(s, id, s.objects.get(id)!);
    if (why !== null) return `object ${id} (${s.objects.get(id)!.kind}): ${why}`;
  }
  const alive = live(s);
  let pages = 0;
  const buffers: [number, number][] = [];
  for (const id of alive) {
    const o = s.objects.get(id)!;
    if (o.kind === 'memory') pages += o.pages;
    if (o.kind === 'dma') buffers.push([o.deviceAddress, o.deviceAddress + o.pages * m.pageSize]);
  }
  if (pages > m.memoryPages)
    return `live memory objects hold ${pages} pages, more than the ${m.memoryPages} of ${m.name}`;
  buffers.sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < buffers.length; i++)
    if (buffers[i]![0] < buffers[i - 1]![1]) return `live DMA buffers overlap at ${buffers[i]![0]}`;

  const names = new Set<string>();
  for (let sid = 0; sid < s.processes.length; sid++) {
    const p = s.processes.get(sid)!;
    const at = `process ${sid}`;
    if (p.sid !== sid) return `${at} carries SID ${p.sid}`;
    if (typeof p.name !== 'string' || p.name === '' || names.has(p.name))
      return `${at}: its name ${JSON.stringify(p.name)} is empty or taken`;
    names.add(p.name);
    if (!isNat(p.taskClass) || tables.classes[p.taskClass] === undefined || sid >= 2 !== p.taskClass >= 2)
      return `${at}: task class ${p.taskClass}`;
    if (p.status !== 'alive' && p.status !== 'exited') return `${at}: status ${String(p.status)}`;
    if (p.status === 'exited' && (p.handles.length > 0 || p.regions.length > 0))
      return `${at} exited but keeps handles or regions`;
    for (let h = 0; h < p.handles.length; h++) {
      const e = p.handles[h];
      if (e === null) continue;
      if (e === undefined || obj(e.object) === undefined) return `${at}: handle ${h} names no object`;
      if (!isNat(e.rights) || e.rights > ALL_RIGHTS)
        return `${at}: handle ${h} has rights ${String(e.rights)}, not a subset of ${ALL_RIGHTS}`;
      if ((e.object === KERNEL_OBJECT) !== (h === 0))
        return `${at}: handle ${h} ${h === 0 ? 'is not' : 'is'} the kernel endpoint`;
    }
    if (
      sid >= 2 &&
      p.status === 'alive' &&
      (p.handles[0]?.object !== KERNEL_OBJECT || p.handles[0].rights !== Rights.call)
    )
      return `${at} does not hold the kernel endpoint at handle 0`;
    const spans: [number, number][] = [];
    for (const r of p.regions) {
      const o = obj(r.object);
      if (o === undefined || (o.kind !== 'memory' && o.kind !== 'dma'))
        return `${at}: a region maps object ${r.object}, which is no memory or DMA object`;
      if (r.pages !== o.pages || !isNat(r.base) || r.base < 0x10000)
        return `${at}: the region at ${r.base} does not map its ${o.pages} pages`;
      if (!isNat(r.rights) || (r.rights & ~(Rights.read | Rights.write)) !== 0)
        return `${at}: the region at ${r.base} has rights ${r.rights}`;
      spans.push([r.base, r.base + r.pages * m.pageSize]);
    }
    spans.sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < spans.length; i++)
      if (spans[i]![0] < spans[i - 1]![1]) return `${at}: regions overlap at ${spans[i]![0]}`;
  }

  for (let tid = 0; tid < s.threads.length; tid++) {
    const t = s.threads.get(tid)!;
    const at = `thread ${tid}`;
    if (t.tid !== tid) return `${at} carries TID ${t.tid}`;
    if (!isNat(t.sid) || t.sid < 2 || t.sid >= s.processes.length) return `${at} belongs to SID ${t.sid}`;
    if (!isNat(t.priority) || t.priority > MAX_PRIORITY) return `${at}: priority ${String(t.priority)}`;
    if (s.processes.get(t.sid)!.status === 'exited' && t.state.tag !== 'exited')
      return `${at} is ${t.state.tag} though its process exited`;
    const st = t.state;
    const ch = st.tag === 'call' || st.tag === 'recv' ? obj(st.channel) : undefined;
    switch (st.tag) {
      case 'running':
        if (!isNat(st.cpu) || s.cpus[st.cpu] !== tid) return `${at} runs on CPU ${st.cpu}, which does not run it`;
        break;
      case 'ready':
        if (!once(runQueue, tid)) return `${at} is ready but not once in the run queue`;
        break;
      case 'futex': {
        const o = obj(st.object);
        if (!once(s.futexQueue, tid)) return `${at} waits on a futex but is not once in the futex queue`;
        if (o?.kind !== 'memory' || !isNat(st.offset) || st.offset >= o.pages * m.pageSize)
          return `${at} waits on a futex outside any memory object`;
        break;
      }
      case 'sleep':
        if (!isNat(st.until)) return `${at} sleeps until ${st.until}, which is not a time`;
        break;
      case 'irq':
        if (!isNat(st.line) || st.line >= m.irqLines) return `${at} waits on IRQ line ${st.line}, which does not exist`;
        break;
      case 'call':
        if (ch?.kind !== 'channel' || !ch.queue.some((r) => r.client === tid))
          return `${at} is blocked in Call but not queued on channel ${st.channel}`;
        break;
      case 'recv':
        if (ch?.kind !== 'channel' || !ch.receivers.includes(tid))
          return `${at} is blocked in Recv but not a receiver of channel ${st.channel}`;
        break;
      case 'reply':
        if (s.threads.get(st.server)?.serving?.client !== tid)
          return `${at} waits for a reply from thread ${st.server}, which does not serve it`;
        break;
      case 'exited':
        if (t.serving !== null) return `${at} exited while serving a request`;
        break;
      default:
        return `${at}: state ${String((st as { tag: unknown }).tag)}`;
    }
    const sv = t.serving;
    if (
      sv !== null &&
      (!isNat(sv.client) ||
        sv.client >= s.threads.length ||
        obj(sv.channel)?.kind !== 'channel' ||
        !isNat(sv.riid) ||
        !isNat(sv.mid))
    )
      return `${at} serves a malformed request`;
  }

  if (s.cpus.length !== m.cpus) return `${s.cpus.length} CPUs on a machine of ${m.cpus}`;
  for (let c = 0; c < s.cpus.length; c++) {
    const t = s.cpus[c];
    if (t === null) continue;
    const st = t === undefined ? undefined : s.threads.get(t)?.state;
    if (st?.tag !== 'running' || st.cpu !== c) return `CPU ${c} runs thread ${t}, which is not running there`;
  }
  for (const t of runQueue)
    if (s.threads.get(t)?.state.tag !== 'ready' || !once(runQueue, t))
      return `the run queue holds thread ${t}, which is not ready (or twice)`;
  for (const t of s.futexQueue)
    if (s.threads.get(t)?.state.tag !== 'futex' || !once(s.futexQueue, t))
      return `the futex queue holds thread ${t}, which does not wait on a futex (or twice)`;
  if (s.irqs.length !== m.irqLines) return `${s.irqs.length} IRQ lines on a machine of ${m.irqLines}`;
  for (let l = 0; l < s.irqs.length; l++) {
    const line = s.irqs[l]!;
    const o = line.object === null ? null : obj(line.object);
    if (o !== null && (o?.kind !== 'irq' || o.line !== l))
      return `IRQ line ${l} is attached to object ${line.object}, which is not an irq object of that line`;
    if (typeof line.pending !== 'boolean' || typeof line.masked !== 'boolean')
      return `IRQ line ${l} has malformed flags`;
  }
  if (!isNat(s.clock.monotonic) || !isNat(s.clock.realtime))
    return `the clock reads ${s.clock.monotonic} / ${s.clock.realtime}`;
  for (const [k, v] of Object.entries(s.io))
    if (!/^(port|mmio):\d+$/.test(k) || !isNat(v) || v > 0xffffffff) return `device register ${k} holds ${v}`;
  return null;
}
