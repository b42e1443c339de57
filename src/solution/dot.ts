// A solution's processes and channels as a Graphviz DOT graph: a node per
// process (its name and task class), an edge per channel from the client to
// the server, labelled with the channel's name.

import type { SolutionTables } from '../kernel/tables.ts';

/** A DOT identifier: always quoted, with quotes and backslashes escaped. */
const id = (s: string) => `"${s.replace(/[\\"]/g, (c) => `\\${c}`).replace(/\n/g, '\\n')}"`;

export function solutionDot(tables: SolutionTables, label?: string): string {
  const lines = [
    `digraph ${id(tables.name)} {`,
    ...(label === undefined ? [] : [`  label=${id(label)};`, '  labelloc=t;']),
    '  rankdir=LR;',
    '  node [shape=box, style=rounded];',
  ];
  tables.processes.forEach((p, i) =>
    lines.push(`  p${i} [label=${id(`${p.name}\n${tables.classes[p.taskClass]?.name ?? '?'}`)}];`),
  );
  for (const c of tables.connections) lines.push(`  p${c.client} -> p${c.server} [label=${id(c.id)}];`);
  lines.push('}');
  return `${lines.join('\n')}\n`;
}
