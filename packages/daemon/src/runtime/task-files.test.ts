import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { RuntimeSpec } from '@berth/oci';
import type { TaskSpec } from './runtime-driver.js';
import { readBundle, writeBundle } from './task-files.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'berth-task-files-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

it('writes the bundle, removing the temp file of a bundle write an earlier daemon died in', async () => {
  const spec = { id: 'c1', bundleDir: join(dir, 'bundle'), persistDir: join(dir, 'persist'), exitDir: join(dir, 'exits') } as TaskSpec;
  await mkdir(spec.bundleDir);
  await writeFile(join(spec.bundleDir, '.config.json.0123456789ab.tmp'), '{"ociVersion":');

  await writeBundle(spec, { ociVersion: '1.0.2' } as RuntimeSpec);

  expect(await readdir(spec.bundleDir)).toEqual(['config.json']);
  expect(await readBundle(spec)).toEqual({ ociVersion: '1.0.2' });
});
