import { appendFileSync } from 'node:fs';

/**
 * Records a reliability suite's counts (iterations, faults injected, requests fuzzed, failures…): printed at
 * once, and appended to the file the runner (scripts/reliability.mjs) names, which prints them all at the end.
 */
export function recordCounts(suite: string, counts: Record<string, number>): void {
  const line = `${suite}: ${Object.entries(counts)
    .map(([name, value]) => `${name}=${value}`)
    .join(' ')}`;
  console.log(`reliability counts: ${line}`);
  const file = process.env['BERTH_RELIABILITY_COUNTS'];
  if (file) appendFileSync(file, `${JSON.stringify({ suite, counts })}\n`);
}
