// A CommandContext for calling a command's register function in-process:
// text lines and the --json document go to `out`, the exit code to `setCode`.

import type { CommandContext } from '../../src/cli/options.ts';

export function testContext(out: (line: string) => void, setCode: (code: number) => void): CommandContext {
  return {
    out,
    note: () => undefined,
    json: (doc) => out(JSON.stringify(doc, (_k, x: unknown) => (typeof x === 'bigint' ? `${x}n` : x), 2)),
    setCode,
    quiet: () => false,
    color: () => false,
    argv: [],
  };
}
