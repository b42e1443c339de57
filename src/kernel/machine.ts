// The kernel's view of the hardware it runs on. Boards (boards/) describe
// architectures and boards in full; they hand the kernel this summary.

export interface Machine {
  /** board identifier, e.g. "qemu-x86_64" */
  readonly name: string;
  readonly arch: string;
  readonly cpus: number;
  readonly pageSize: number;
  /** interrupt lines the interrupt controller offers */
  readonly irqLines: number;
  /** lines the kernel keeps for itself (its tick timer, controller cascades): never attachable */
  readonly reservedIrqs?: readonly number[];
  /** port-mapped I/O exists (x86 family only) */
  readonly portIo: boolean;
  readonly ports: readonly { readonly base: number; readonly count: number }[];
  readonly mmio: readonly { readonly base: number; readonly size: number }[];
  /** device-visible address window for DMA buffers, null if the board has no DMA */
  readonly dma: { readonly base: number; readonly pages: number } | null;
  readonly iommu: boolean;
  /** nanoseconds of one timer tick */
  readonly tickNs: number;
  /** pages of physical memory processes may allocate */
  readonly memoryPages: number;
}

/** Problems with a machine description, each named; empty when it is usable. */
export function checkMachine(m: Machine): string[] {
  const errors: string[] = [];
  const at = `machine "${m.name}"`;
  const posInt = (v: number) => Number.isSafeInteger(v) && v > 0;
  if (!posInt(m.cpus)) errors.push(`${at}: cpus must be a positive integer, got ${m.cpus}`);
  if (!posInt(m.pageSize)) errors.push(`${at}: pageSize must be a positive integer, got ${m.pageSize}`);
  if (!Number.isSafeInteger(m.irqLines) || m.irqLines < 0)
    errors.push(`${at}: irqLines must be a non-negative integer`);
  if (!posInt(m.tickNs)) errors.push(`${at}: tickNs must be a positive integer`);
  if (!posInt(m.memoryPages)) errors.push(`${at}: memoryPages must be a positive integer`);
  for (const l of m.reservedIrqs ?? [])
    if (!Number.isSafeInteger(l) || l < 0 || l >= m.irqLines)
      errors.push(`${at}: reserved IRQ line ${l} is not one of its ${m.irqLines} lines`);
  if (!m.portIo && m.ports.length > 0) errors.push(`${at}: declares I/O ports but has no port I/O`);
  return errors;
}
