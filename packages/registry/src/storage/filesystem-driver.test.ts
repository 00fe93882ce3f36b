import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { setTimeout } from 'node:timers/promises';
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

describe('FilesystemDriver.append', () => {
  it('writes the bytes that came while the stream is still open', async () => {
    const root = await tempRoot();
    try {
      const driver = new FilesystemDriver(root);
      const body = new PassThrough();
      const appended = driver.append('/upload/data', body);
      body.write(Buffer.from('first bytes'));
      let size = 0;
      for (let i = 0; i < 100 && size === 0; i++) {
        await setTimeout(10);
        size = (await stat(join(root, 'upload/data')).catch(() => undefined))?.size ?? 0;
      }
      expect(size).toBe(11);
      body.end(Buffer.from(', then the rest'));
      expect(await appended).toBe(26);
      expect(await readFile(join(root, 'upload/data'), 'utf8')).toBe('first bytes, then the rest');
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('leaves the file as it was when the stream fails after several batches were written', async () => {
    const root = await tempRoot();
    try {
      const driver = new FilesystemDriver(root);
      await driver.append('/upload/data', Readable.from([Buffer.from('kept')]));
      const failing = Readable.from(
        (async function* () {
          for (let i = 0; i < 48; i++) yield randomBytes(64 * 1024);
          throw new Error('client went away');
        })(),
      );
      await expect(driver.append('/upload/data', failing)).rejects.toThrow('client went away');
      expect(await readFile(join(root, 'upload/data'), 'utf8')).toBe('kept');
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
