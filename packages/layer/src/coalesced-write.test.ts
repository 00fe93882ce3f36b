import { mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeCoalesced } from './coalesced-write.js';

describe('writeCoalesced', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'coalesced-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes every chunk in order with fewer writes than chunks', async () => {
    const chunks = Array.from({ length: 3000 }, (_, i) => Buffer.from(`chunk ${i};`));
    const handle = await open(join(dir, 'out'), 'w');
    let writes = 0;
    const writev = handle.writev.bind(handle);
    handle.writev = (buffers, position) => {
      writes++;
      return writev(buffers, position);
    };
    try {
      expect(await writeCoalesced(handle, Readable.from(chunks))).toBe(Buffer.concat(chunks).length);
    } finally {
      await handle.close();
    }
    expect(await readFile(join(dir, 'out'))).toEqual(Buffer.concat(chunks));
    expect(writes).toBeLessThan(chunks.length);
  });

  it('fails with the source, once no write is in progress', async () => {
    const handle = await open(join(dir, 'out'), 'w');
    let inProgress = 0;
    const writev = handle.writev.bind(handle);
    handle.writev = async (buffers, position) => {
      inProgress++;
      try {
        return await writev(buffers, position);
      } finally {
        inProgress--;
      }
    };
    async function* failing(): AsyncGenerator<Buffer> {
      yield Buffer.from('first');
      yield Buffer.from('second');
      throw new Error('the source broke');
    }
    try {
      await expect(writeCoalesced(handle, failing())).rejects.toThrow('the source broke');
      expect(inProgress).toBe(0);
    } finally {
      await handle.close();
    }
  });

  it('fails with the write error and stops taking chunks', async () => {
    await writeFile(join(dir, 'out'), '');
    const handle = await open(join(dir, 'out'), 'r');
    let taken = 0;
    async function* many(): AsyncGenerator<Buffer> {
      for (let i = 0; i < 100; i++) {
        taken++;
        yield Buffer.alloc(1024 * 1024);
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    try {
      await expect(writeCoalesced(handle, many())).rejects.toThrow(/EBADF/);
    } finally {
      await handle.close();
    }
    expect(taken).toBeLessThan(100);
  });
});
