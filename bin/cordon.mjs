#!/usr/bin/env node
// Cordon's command line. The sources are TypeScript, run through tsx; the
// list of commands (`cordon --help`) and `--version` need none of it.
const args = process.argv.slice(2);
const { onlyHelp } = await import('../src/cli/commands.mjs');
if (onlyHelp(args)) {
  const [{ Command, CommanderError }, { baseProgram, listCommands }] = await Promise.all([
    import('commander'),
    import('../src/cli/commands.mjs'),
  ]);
  try {
    listCommands(baseProgram(Command)).parse(process.argv);
  } catch (e) {
    if (!(e instanceof CommanderError)) throw e;
    process.exitCode = e.exitCode === 0 ? 0 : 2;
  }
} else {
  const { register } = await import('tsx/esm/api');
  register();
  // a closed pipe (`cordon … | head`) ends the output quietly, not with a stack trace
  process.stdout.on('error', (e) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
  const { main } = await import('../src/cli/main.ts');
  process.exitCode = await main(process.argv);
}
