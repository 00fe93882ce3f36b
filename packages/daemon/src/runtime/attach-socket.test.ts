import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { ConflictError } from '@berth/api';
import { attachOverSeqpacket, openAttachSocket } from './attach-socket.js';
import type { BundleSpec } from './runtime-driver.js';
import { seqpacketPair } from './test-support/seqpacket-pair.js';

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

describe('attachOverSeqpacket', () => {
  /** A sink recording each write it is given. */
  const recording = (onWrite?: () => void): { sink: Writable; writes: string[] } => {
    const writes: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        writes.push(chunk.toString());
        onWrite?.();
        done();
      },
    });
    return { sink, writes };
  };
  const packet = (pipe: number, text: string): Buffer => Buffer.concat([Buffer.of(pipe), Buffer.from(text)]);

  it('writes the packets queued behind the one Node read as one write per run of a stream, in order', async () => {
    const pair = seqpacketPair();
    // Queued before the session reads anything, as conmon's output queues while the engine is busy.
    for (let i = 0; i < 30; i++) pair.send(packet(2, `out${i}:${'x'.repeat(2000)}\n`));
    pair.send(packet(3, 'err\n'));
    pair.send(packet(2, 'last\n'));
    pair.closePeer();
    const stdout = recording();
    const stderr = recording();
    const session = attachOverSeqpacket(pair.ours, { stdout: stdout.sink, stderr: stderr.sink });
    await session.ended;

    const expected = Array.from({ length: 30 }, (_, i) => `out${i}:${'x'.repeat(2000)}\n`).join('');
    expect(stdout.writes).toEqual([expected, 'last\n']);
    expect(stderr.writes).toEqual(['err\n']);
  });

  it('writes nothing into its sinks once detached from outside mid-stream, as their owner then ends them', async () => {
    const pair = seqpacketPair();
    for (let i = 0; i < 10; i++) pair.send(packet(i % 2 ? 3 : 2, `line${i}\n`));
    let detach = (): void => undefined;
    // As the attach hub does when its client goes away: detach, and end the sinks once the session has ended.
    const stdout = recording(() => detach());
    const stderr = recording();
    const errors: Error[] = [];
    for (const { sink } of [stdout, stderr]) sink.on('error', (err) => errors.push(err));
    const finished = Promise.all([stdout, stderr].map(({ sink }) => new Promise((resolve) => sink.once('finish', resolve))));
    const session = attachOverSeqpacket(pair.ours, { stdout: stdout.sink, stderr: stderr.sink });
    detach = () => session.detach();
    await session.ended;
    stdout.sink.end();
    stderr.sink.end();
    pair.closePeer();
    await finished;
    // The socket's own close comes after the sinks ended: nothing more is written into them.
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(errors).toEqual([]);
    expect(stdout.writes).toEqual(['line0\n']);
  });
});
