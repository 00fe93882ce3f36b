import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FilesystemDriver } from './filesystem-driver.js';
import { describeStorageDriver } from './test-support/driver-suite.js';

async function tempRoot(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'berth-registry-fs-'));
}

describeStorageDriver('filesystem', async () => {
  const root = await tempRoot();
  return { driver: new FilesystemDriver(root), cleanup: () => rm(root, { recursive: true, force: true }) };
});

describe('FilesystemDriver', () => {
  it('keeps objects at their paths under the root, with no temp files left behind', async () => {
    const root = await tempRoot();
    try {
      const driver = new FilesystemDriver(root);
      await driver.putContent('/docker/registry/v2/repositories/a/_layers/link', Buffer.from('sha256:x'));
      const dir = join(root, 'docker/registry/v2/repositories/a/_layers');
      expect(await readFile(join(dir, 'link'), 'utf8')).toBe('sha256:x');
      expect(await readdir(dir)).toEqual(['link']);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
