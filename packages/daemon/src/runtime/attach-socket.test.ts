import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConflictError } from '@berth/api';
import { openAttachSocket } from './attach-socket.js';
import type { BundleSpec } from './runtime-driver.js';

describe('openAttachSocket', () => {
  let dir: string | undefined;
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = undefined;
    if (dir) await rm(dir, { recursive: true, force: true });
  });
  const bundle = async (): Promise<BundleSpec> => {
    dir = await mkdtemp(join(tmpdir(), 'attach-socket-'));
    return { id: 'c1', bundleDir: dir } as BundleSpec;
  };

  it('reads a socket nobody listens on as a container that is not running', async () => {
    const spec = await bundle();
    await expect(openAttachSocket(spec)).rejects.toBeInstanceOf(ConflictError);
    await writeFile(join(spec.bundleDir, 'attach'), '');
    await expect(openAttachSocket(spec)).rejects.toThrow('container c1 is not running: cannot attach');
  });

  it('passes on any other failure to connect (here a stream socket where conmon listens with seqpacket)', async () => {
    const spec = await bundle();
    server = createServer();
    await new Promise<void>((resolve) => server!.listen(join(spec.bundleDir, 'attach'), resolve));
    const refused = await openAttachSocket(spec).then(() => undefined, (err: unknown) => err);
    expect(refused).not.toBeInstanceOf(ConflictError);
    expect(refused).toMatchObject({ code: 'EPROTOTYPE' });
  });
});
