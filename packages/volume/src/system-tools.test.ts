import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InternalError } from '@berth/api';
import { copyImageTree, unmountDevice } from './system-tools.js';

let work: string;
beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'berth-volume-tools-'));
});
afterEach(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('volume system tools', () => {
  it("reports a failing umount with the volume's path and the tool's stderr", async () => {
    const err = await unmountDevice(work).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InternalError);
    expect((err as Error).message).toMatch(new RegExp(`^error while unmounting volume '${work}': umount: .*not mounted`));
  });

  it('reports a failing copy with what cp said', async () => {
    await expect(copyImageTree(join(work, 'missing'), work)).rejects.toThrow(/^copying image content into volume: cp: .*missing/);
  });
});
