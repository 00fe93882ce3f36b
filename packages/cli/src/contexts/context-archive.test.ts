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

  it("imports an archive that ends right after its last entry's body, as docker's own export writes it", async () => {
    const tar = await readAll(exportContext(context));
    // docker writes neither the last body's padding nor tar's two zero blocks.
    const lastBodyEnd = tar.length - [...tar].reverse().findIndex((byte) => byte !== 0);
    expect(await importContext(Readable.from([tar.subarray(0, lastBodyEnd)]), 'copy')).toEqual({ meta: { ...context.meta, Name: 'copy' }, tls: context.tls });
  });

  it('refuses an archive cut inside an entry, a TLS file included, rather than importing what came before', async () => {
    const tar = await readAll(exportContext(context));
    // Inside meta.json's body, the tls directory's header, ca.pem's header, ca.pem's body.
    for (const cut of [600, 1100, 2100, 2561]) {
      await expect(importContext(Readable.from([tar.subarray(0, cut)]), 'copy'), `cut at ${cut}`).rejects.toThrow('unexpected EOF');
    }
  });

  it('refuses what is not a context archive, as docker does', async () => {
    await expect(importContext(Readable.from([Buffer.from('garbage\n')]), 'x')).rejects.toThrow('unexpected EOF');
  });
});
