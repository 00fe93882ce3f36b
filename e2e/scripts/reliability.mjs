#!/usr/bin/env node
// Runs the reliability suite (src/reliability: fuzzing, fault injection, load) within a time bound and ends
// with each suite's counts as its tests recorded them (src/reliability/counts.ts). Exits non-zero when any
// test failed or the bound was reached. BERTH_RELIABILITY_MINUTES sets the bound (default 15).
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const e2eDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = await mkdtemp(join(tmpdir(), 'berth-reliability-'));
const countsFile = join(outDir, 'counts.jsonl');
const minutes = Number(process.env.BERTH_RELIABILITY_MINUTES ?? 15);

const child = spawn('npx', ['vitest', 'run', '--config', 'vitest.reliability.config.ts', ...process.argv.slice(2)], {
  cwd: e2eDir,
  stdio: 'inherit',
  env: { ...process.env, BERTH_RELIABILITY_COUNTS: countsFile },
  detached: true,
});
let timedOut = false;
const timer = setTimeout(() => {
  timedOut = true;
  console.error(`reliability: over the ${minutes}-minute bound; stopping the suite`);
  // vitest and the daemons it started run in the child's process group; SIGTERM lets their cleanup run.
  process.kill(-child.pid, 'SIGTERM');
  setTimeout(() => process.kill(-child.pid, 'SIGKILL'), 60_000).unref();
}, minutes * 60_000);
const code = await new Promise((resolve) => child.on('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0))));
clearTimeout(timer);

const lines = (await readFile(countsFile, 'utf8').catch(() => '')).split('\n').filter(Boolean);
await rm(outDir, { recursive: true, force: true });
console.log('\nReliability suite, counts:');
if (lines.length === 0) console.log('  (no suite recorded counts)');
for (const line of lines) {
  const { suite, counts } = JSON.parse(line);
  console.log(`  ${suite}: ${Object.entries(counts).map(([k, v]) => `${k} ${v}`).join(', ')}`);
}
process.exit(timedOut ? 1 : code);
