#!/usr/bin/env node
// Cordon's command line. The sources are TypeScript, run through tsx.
import { register } from 'tsx/esm/api';

register();
// a closed pipe (`cordon … | head`) ends the output quietly, not with a stack trace
process.stdout.on('error', (e) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv);
