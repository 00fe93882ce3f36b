import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InternalError } from '@berth/api';
import { setXattr, unmount } from './system-tools.js';

let work: string;
beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'berth-system-'));
});
afterEach(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('system tools', () => {
  it('reports a failing tool with its stderr', async () => {
    const err = await unmount(join(work, 'not-mounted')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InternalError);
    expect((err as Error).message).toMatch(/^umount failed: .*not-mounted/);
  });

  it('reports a missing tool with the package that provides it', async () => {
    const path = process.env.PATH;
    process.env.PATH = work;
    try {
      await expect(setXattr(work, 'user.x', Buffer.from('y'))).rejects.toThrow(
        'setfattr not found: install the Debian package "attr"',
      );
    } finally {
      process.env.PATH = path;
    }
  });
});
