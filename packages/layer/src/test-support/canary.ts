import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { HostileCase } from './hostile-corpus.js';

/** A directory outside the extraction root whose content must never change. */
export function makeCanary(dir: string): string {
  mkdirSync(dir);
  writeFileSync(join(dir, 'secret'), 'secret');
  return dir;
}

export function expectCanaryIntact(dir: string): void {
  expect(readdirSync(dir)).toEqual(['secret']);
  expect(readFileSync(join(dir, 'secret'), 'utf8')).toBe('secret');
}

export async function expectRejection(promise: Promise<unknown>, testCase: HostileCase, canary: string): Promise<void> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(testCase.error);
  const entry = typeof testCase.entry === 'function' ? testCase.entry(canary) : testCase.entry;
  if (entry !== undefined) expect((err as Error).message).toContain(JSON.stringify(entry));
}
