// A solution: the whole described system (task classes with their endpoints
// and methods, processes, static connections). `compileSolution` checks it and
// interns every name, so that the kernel and the monitor work on small integers.

import * as t from 'io-ts';
import { EINIT_CLASS, EINIT_CLASS_DECL, KERNEL_CLASS_DECL, KERNEL_INTERFACES } from './kernel-api.ts';

/** A method with the codecs of its in / out / error parameters. */
export interface MethodDecl {
  readonly name: string;
  readonly request: t.Mixed;
  readonly response: t.Mixed;
  readonly error: t.Mixed;
}
export interface InterfaceDecl {
  readonly name: string;
  readonly methods: readonly MethodDecl[];
}
export interface EndpointDecl {
  readonly name: string;
  readonly interface: string;
}
export interface TaskClassDecl {
  readonly name: string;
  /** flattened endpoint list; RIID = index */
  readonly endpoints: readonly EndpointDecl[];
  /** EDL `security` interface, if the class declares one */
  readonly security?: string;
}
export interface ProcessDecl {
  readonly name: string;
  readonly taskClass: string;
  readonly priority?: number;
}
export interface ConnectionDecl {
  readonly client: string;
  readonly server: string;
  /** connection id (init.yaml `id`) */
  readonly id: string;
}
export interface SolutionDecl {
  readonly name: string;
  readonly interfaces: readonly InterfaceDecl[];
  readonly classes: readonly TaskClassDecl[];
  readonly processes: readonly ProcessDecl[];
  readonly connections: readonly ConnectionDecl[];
}

export interface MethodTable extends MethodDecl {
  readonly mid: number;
  /** interned method name */
  readonly nameId: number;
}
export interface InterfaceTable {
  readonly id: number;
  readonly name: string;
  readonly methods: readonly MethodTable[];
}
export interface EndpointTable {
  readonly riid: number;
  readonly name: string;
  /** interned endpoint name */
  readonly nameId: number;
  readonly iface: number;
}
export interface ClassTable {
  readonly id: number;
  readonly name: string;
  readonly endpoints: readonly EndpointTable[];
  /** interface id of the security interface, -1 if none */
  readonly security: number;
}
export interface SolutionTables {
  readonly name: string;
  /** class 0 is the kernel (kl.core.Core), class 1 is Einit */
  readonly classes: readonly ClassTable[];
  readonly interfaces: readonly InterfaceTable[];
  readonly endpointNames: readonly string[];
  readonly methodNames: readonly string[];
  readonly processes: readonly { readonly name: string; readonly taskClass: number; readonly priority: number }[];
  readonly connections: readonly { readonly client: number; readonly server: number; readonly id: string }[];
  readonly classByName: ReadonlyMap<string, number>;
}

export type Result<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly errors: readonly string[] };

const DEFAULT_PRIORITY = 10;
export const MAX_PRIORITY = 31;

/** Checks a solution and builds its interned tables; every problem is named. */
export function compileSolution(decl: SolutionDecl): Result<SolutionTables> {
  const errors: string[] = [];
  const where = `solution "${decl.name}"`;

  const interfaces: InterfaceTable[] = [];
  const ifaceByName = new Map<string, number>();
  const endpointNames: string[] = [];
  const methodNames: string[] = [];
  const intern = (list: string[], s: string): number => {
    const i = list.indexOf(s);
    return i >= 0 ? i : list.push(s) - 1;
  };

  for (const d of [...KERNEL_INTERFACES, ...decl.interfaces]) {
    if (ifaceByName.has(d.name)) {
      errors.push(`${where}: interface "${d.name}" is declared twice`);
      continue;
    }
    const seen = new Set<string>();
    const methods: MethodTable[] = [];
    for (const m of d.methods) {
      if (seen.has(m.name)) errors.push(`${where}: interface "${d.name}": method "${m.name}" is declared twice`);
      seen.add(m.name);
      methods.push({ ...m, mid: methods.length, nameId: intern(methodNames, m.name) });
    }
    ifaceByName.set(d.name, interfaces.length);
    interfaces.push({ id: interfaces.length, name: d.name, methods });
  }

  const classes: ClassTable[] = [];
  const classByName = new Map<string, number>();
  for (const c of [KERNEL_CLASS_DECL, EINIT_CLASS_DECL, ...decl.classes]) {
    if (classByName.has(c.name)) {
      errors.push(
        `${where}: task class "${c.name}" ${c.name === EINIT_CLASS || c.name === KERNEL_CLASS_DECL.name ? 'is reserved' : 'is declared twice'}`,
      );
      continue;
    }
    const endpoints: EndpointTable[] = [];
    const seen = new Set<string>();
    for (const e of c.endpoints) {
      if (seen.has(e.name)) errors.push(`${where}: task class "${c.name}": endpoint "${e.name}" is declared twice`);
      seen.add(e.name);
      const iface = ifaceByName.get(e.interface);
      if (iface === undefined)
        errors.push(`${where}: task class "${c.name}": endpoint "${e.name}" names unknown interface "${e.interface}"`);
      endpoints.push({
        riid: endpoints.length,
        name: e.name,
        nameId: intern(endpointNames, e.name),
        iface: iface ?? -1,
      });
    }
    let security = -1;
    if (c.security !== undefined) {
      const s = ifaceByName.get(c.security);
      if (s === undefined)
        errors.push(`${where}: task class "${c.name}": security interface "${c.security}" is unknown`);
      else security = s;
    }
    classByName.set(c.name, classes.length);
    classes.push({ id: classes.length, name: c.name, endpoints, security });
  }

  const processes: { name: string; taskClass: number; priority: number }[] = [];
  const procByName = new Map<string, number>();
  for (const p of decl.processes) {
    const at = `${where}: process "${p.name}"`;
    if (p.name === EINIT_CLASS || p.name === KERNEL_CLASS_DECL.name || procByName.has(p.name)) {
      errors.push(`${at}: the name is already taken`);
      continue;
    }
    const cls = classByName.get(p.taskClass);
    if (cls === undefined) errors.push(`${at}: unknown task class "${p.taskClass}"`);
    else if (cls < 2) errors.push(`${at}: task class "${p.taskClass}" is reserved for the kernel and Einit`);
    const priority = p.priority ?? DEFAULT_PRIORITY;
    if (!Number.isInteger(priority) || priority < 0 || priority > MAX_PRIORITY)
      errors.push(`${at}: priority ${priority} is not an integer in 0..${MAX_PRIORITY}`);
    procByName.set(p.name, processes.length);
    processes.push({ name: p.name, taskClass: cls ?? -1, priority });
  }

  const connections: { client: number; server: number; id: string }[] = [];
  const ids = new Set<string>();
  for (const c of decl.connections) {
    const at = `${where}: connection "${c.id}" (${c.client} -> ${c.server})`;
    const client = procByName.get(c.client);
    const server = procByName.get(c.server);
    if (client === undefined) errors.push(`${at}: dangling: no process "${c.client}"`);
    if (server === undefined) errors.push(`${at}: dangling: no process "${c.server}"`);
    if (client !== undefined && client === server) errors.push(`${at}: a process cannot connect to itself`);
    if (ids.has(`${c.client}/${c.id}`)) errors.push(`${at}: the client already has a connection with this id`);
    ids.add(`${c.client}/${c.id}`);
    if (
      server !== undefined &&
      (classes[processes[server]?.taskClass ?? -1]?.endpoints.length ?? 0) === 0 &&
      processes[server]!.taskClass >= 0
    )
      errors.push(`${at}: the server's task class "${decl.processes[server]!.taskClass}" declares no endpoints`);
    if (client !== undefined && server !== undefined) connections.push({ client, server, id: c.id });
  }

  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    value: { name: decl.name, classes, interfaces, endpointNames, methodNames, processes, connections, classByName },
  };
}
