import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readAll } from '../read-all.js';
import { exportContext, importContext } from './context-archive.js';
import type { StoredContext } from './context-store.js';

const context: StoredContext = {
  meta: { Name: 'source', Metadata: { Description: 'd' }, Endpoints: { docker: { Host: 'tcp://h:2376', SkipTLSVerify: false } } },
  tls: { 'ca.pem': Buffer.from('CA'), 'key.pem': Buffer.from('KEY') },
};

describe('context archives', () => {
  it('round-trips a context under a new name, its TLS material included', async () => {
    const tar = await readAll(exportContext(context));
    expect(await importContext(Readable.from([tar]), 'copy')).toEqual({ meta: { ...context.meta, Name: 'copy' }, tls: context.tls });
  });

  it("imports an archive without tar's end-of-archive blocks, as docker's own export writes it", async () => {
    const tar = await readAll(exportContext(context));
    // The entries end on a 512-byte boundary; tar's end is two zero blocks (and padding) after them.
    const entriesEnd = tar.length - [...tar].reverse().findIndex((byte) => byte !== 0);
    const truncated = tar.subarray(0, Math.ceil(entriesEnd / 512) * 512);
    expect((await importContext(Readable.from([truncated]), 'copy')).meta.Name).toBe('copy');
  });

  it('refuses what is not a context archive, as docker does', async () => {
    await expect(importContext(Readable.from([Buffer.from('garbage\n')]), 'x')).rejects.toThrow('unexpected EOF');
  });
});
