// Runs one bench job in a child process of its own (`bench/job.ts`), so
// every engine is timed alone by the same harness, and returns its JSON
// result. Jobs run one after another, never side by side.

import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from '../src/evidence/report.ts';

export function runJob<T>(job: string, params: Record<string, unknown> = {}, nodeArgs: readonly string[] = []): T {
  const args = [...nodeArgs, '--import', 'tsx', join(ROOT, 'bench', 'job.ts'), job, JSON.stringify(params)];
  const r = spawnSync(process.execPath, args, {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (r.status !== 0)
    throw new Error(`bench job ${job} ${JSON.stringify(params)} failed (exit ${r.status ?? r.signal})`);
  const last = r.stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(last) as T;
}
