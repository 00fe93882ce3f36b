#!/usr/bin/env node
// Runs the compatibility suite (src/compat: real clients against berthd) and ends with one line per
// client: its passed and failed counts. A client is a test file's top-level describe, whose title
// names the client and the version under test. Exits non-zero when any test failed.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const e2eDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = await mkdtemp(join(tmpdir(), 'berth-compat-'));
const report = join(outDir, 'report.json');

const code = await new Promise((resolve) => {
  const child = spawn(
    'npx',
    ['vitest', 'run', '--config', 'vitest.compat.config.ts', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...process.argv.slice(2)],
    { cwd: e2eDir, stdio: 'inherit' },
  );
  child.on('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0)));
});

/** @type {Map<string, {passed: number, failed: number, skipped: number}>} */
const clients = new Map();
let results;
try {
  results = JSON.parse(await readFile(report, 'utf8'));
} catch (err) {
  console.error(`compat: no report from vitest (${err.message})`);
} finally {
  await rm(outDir, { recursive: true, force: true });
}
if (!results) process.exit(code || 1);
for (const file of results.testResults) {
  const tally = (name) => clients.get(name) ?? clients.set(name, { passed: 0, failed: 0, skipped: 0 }).get(name);
  // A file whose hooks failed (vitest then reports its tests skipped, or fails the file after they passed) is a
  // failure of its client: its tests that did not pass count as failed, and a failing afterAll as one more.
  const fileFailed = file.status === 'failed';
  if (fileFailed && file.assertionResults.every((t) => t.status === 'passed')) tally(file.assertionResults[0]?.ancestorTitles[0] ?? basename(file.name)).failed++;
  for (const t of file.assertionResults) {
    const counts = tally(t.ancestorTitles[0] ?? basename(file.name));
    if (t.status === 'passed') counts.passed++;
    else if (t.status === 'failed') counts.failed++;
    else if (fileFailed) counts.failed++;
    else counts.skipped++;
  }
}
console.log('\nCompatibility suite, per client:');
for (const [name, c] of clients) console.log(`  ${name}: ${c.passed} passed, ${c.failed} failed${c.skipped ? `, ${c.skipped} skipped` : ''}`);
process.exit(code);
