import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sha256Digest } from '@berth/reference';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RegistryClient } from '../registry-client.js';
import { BlobDownloads, DownloadRestartedError } from './blob-downloads.js';

// A blob server on loopback that misbehaves as told: the download logic is what is under test.
interface Behaviour {
  /** Cut the connection after this many bytes of the first GET. */
  cutFirstAfter?: number;
  /** Answer a Range request with the whole blob (200), as a registry without ranges does. */
  ignoreRanges?: boolean;
  /** Send this many bytes of the first GET, then nothing more (a stalled transfer). */
  stallFirstAfter?: number;
}

const blob = randomBytes(256 * 1024);
const digest = sha256Digest(blob);
let server: Server;
let url: string;
let dir: string;
let behaviour: Behaviour;
const requests: string[] = [];
/** Whether the server saw the client close the connection of a request, by its index. */
const closed: boolean[] = [];

beforeEach(async () => {
  behaviour = {};
  requests.length = 0;
  dir = await mkdtemp(join(tmpdir(), 'berth-downloads-'));
  server = createServer((req, res) => {
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    requests.push(range ? `GET from ${range[1]}` : 'GET');
    const start = range && !behaviour.ignoreRanges ? Number(range[1]) : 0;
    res.writeHead(range && !behaviour.ignoreRanges ? 206 : 200, { 'content-length': String(blob.length - start) });
    const index = requests.length - 1;
    closed[index] = false;
    res.on('close', () => (closed[index] = !res.writableFinished));
    if (index === 0 && behaviour.stallFirstAfter !== undefined) {
      res.write(blob.subarray(0, behaviour.stallFirstAfter));
      return;
    }
    const cut = requests.length === 1 ? behaviour.cutFirstAfter : undefined;
    if (cut !== undefined) {
      // The bytes reach the client before the connection goes.
      res.write(blob.subarray(start, start + cut), () => setTimeout(() => res.destroy(), 100));
      return;
    }
    res.end(blob.subarray(start));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

const fetchBlob = (downloads: BlobDownloads) => downloads.fetch(new RegistryClient({ url }), 'app', { mediaType: 'x', digest, size: blob.length }, () => undefined);

/** A fetch of the blob and a reader following it from the moment the transfer is the caller's. */
function fetchAndFollow(downloads: BlobDownloads, descriptor = { mediaType: 'x', digest, size: blob.length }): { file: Promise<string>; read: Promise<Buffer>; firstChunkBeforeEnd: Promise<boolean> } {
  let joined!: () => void;
  const began = new Promise<void>((resolve) => (joined = resolve));
  const file = downloads.fetch(new RegistryClient({ url }), 'app', descriptor, () => undefined, undefined, joined);
  let ended = false;
  file.then(
    () => (ended = true),
    () => (ended = true),
  );
  let firstChunk!: (beforeEnd: boolean) => void;
  const firstChunkBeforeEnd = new Promise<boolean>((resolve) => (firstChunk = resolve));
  const read = began.then(async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of downloads.follow(descriptor.digest)) {
      if (chunks.length === 0) firstChunk(!ended);
      chunks.push(chunk as Buffer);
    }
    return Buffer.concat(chunks);
  });
  read.catch(() => undefined);
  return { file, read, firstChunkBeforeEnd };
}

describe('BlobDownloads.follow', () => {
  it('reads the blob as it downloads, across a cut and its resumption, and ends once it is verified', async () => {
    behaviour.cutFirstAfter = 100 * 1024;
    const { file, read, firstChunkBeforeEnd } = fetchAndFollow(new BlobDownloads({ directory: dir, retryDelayMs: 1 }));
    expect((await read).equals(blob)).toBe(true);
    // The cut holds the transfer up (a retry after it): the bytes before it were read meanwhile.
    expect(await firstChunkBeforeEnd).toBe(true);
    expect((await readFile(await file)).equals(blob)).toBe(true);
    expect(requests).toHaveLength(2);
  });

  it('fails as the download fails: bytes that do not match the digest never end well', async () => {
    const wrong = { mediaType: 'x', digest: sha256Digest('something else'), size: blob.length };
    const { file, read } = fetchAndFollow(new BlobDownloads({ directory: dir }), wrong);
    await Promise.all([expect(read).rejects.toThrow(/filesystem layer verification failed/), expect(file).rejects.toThrow(/filesystem layer verification failed/)]);
  });

  it('fails with DownloadRestartedError when the download starts its file over after bytes were read', async () => {
    // Resumed bytes that are wrong: the transfer verifies only once it has them all, then starts over.
    await writeFile(join(dir, `${digest.slice(7)}.partial`), Buffer.alloc(1000, 1));
    const { file, read } = fetchAndFollow(new BlobDownloads({ directory: dir, retryDelayMs: 1 }));
    await expect(read).rejects.toBeInstanceOf(DownloadRestartedError);
    expect((await readFile(await file)).equals(blob)).toBe(true);
  });
});

describe('BlobDownloads', () => {
  it('resumes a transfer cut midway with Range from the bytes it has, and verifies the whole', async () => {
    behaviour.cutFirstAfter = 100 * 1024;
    const file = await fetchBlob(new BlobDownloads({ directory: dir, retryDelayMs: 1 }));
    expect((await readFile(file)).equals(blob)).toBe(true);
    // The retry asks for the rest, from what reached the file (all of it is lost when the cut comes
    // before the client read any: then it asks for the whole again); never bytes twice.
    expect(requests[0]).toBe('GET');
    expect(requests).toHaveLength(2);
    const from = requests[1] === 'GET' ? 0 : Number(/^GET from (\d+)$/.exec(requests[1]!)?.[1]);
    expect(from).toBeGreaterThanOrEqual(0);
    expect(from).toBeLessThanOrEqual(100 * 1024);
  });

  it('resumes the partial file an earlier pull left', async () => {
    await writeFile(join(dir, `${digest.slice(7)}.partial`), blob.subarray(0, 1000));
    const file = await fetchBlob(new BlobDownloads({ directory: dir }));
    expect((await readFile(file)).equals(blob)).toBe(true);
    expect(requests).toEqual(['GET from 1000']);
  });

  it('starts over when the registry answers a Range with the whole blob, or the resumed bytes were wrong', async () => {
    behaviour.ignoreRanges = true;
    await writeFile(join(dir, `${digest.slice(7)}.partial`), blob.subarray(0, 1000));
    expect((await readFile(await fetchBlob(new BlobDownloads({ directory: dir, retryDelayMs: 1 })))).equals(blob)).toBe(true);
    behaviour.ignoreRanges = false;
    await rm(join(dir, digest.slice(7)));
    await writeFile(join(dir, `${digest.slice(7)}.partial`), Buffer.alloc(1000, 1));
    requests.length = 0;
    expect((await readFile(await fetchBlob(new BlobDownloads({ directory: dir, retryDelayMs: 1 })))).equals(blob)).toBe(true);
    expect(requests).toEqual(['GET from 1000', 'GET']);
  });

  it('fails at once on content that does not match, leaving nothing behind', async () => {
    const downloads = new BlobDownloads({ directory: dir, retryDelayMs: 60_000 });
    const wrong = { mediaType: 'x', digest: sha256Digest('something else'), size: blob.length };
    await expect(downloads.fetch(new RegistryClient({ url }), 'app', wrong, () => undefined)).rejects.toThrow(/filesystem layer verification failed/);
    expect(await readdir(dir)).toEqual([]);
  });

  it('stops a transfer once every pull waiting for it gave up, keeping the partial for the next', async () => {
    behaviour.stallFirstAfter = 64 * 1024;
    const downloads = new BlobDownloads({ directory: dir });
    const partial = join(dir, `${digest.slice(7)}.partial`);
    const [first, second] = [new AbortController(), new AbortController()];
    const client = new RegistryClient({ url });
    const descriptor = { mediaType: 'x', digest, size: blob.length };
    let received = 0;
    const waits = [first, second].map((pull) => downloads.fetch(client, 'app', descriptor, (current) => (received = current), pull.signal));
    await vi.waitFor(() => expect(received).toBe(64 * 1024));
    first.abort(new Error('first client gone'));
    await expect(waits[0]).rejects.toThrow('first client gone');
    // The other pull still waits: the transfer goes on.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(closed[0]).toBe(false);
    second.abort(new Error('second client gone'));
    await expect(waits[1]).rejects.toThrow('second client gone');
    await vi.waitFor(() => expect(closed[0]).toBe(true));
    expect((await readFile(partial)).length).toBe(64 * 1024);
    behaviour.stallFirstAfter = undefined;
    expect((await readFile(await fetchBlob(downloads))).equals(blob)).toBe(true);
    expect(requests).toEqual(['GET', `GET from ${64 * 1024}`]);
  });

  it('starts a new transfer of a blob only once the one given up has stopped, never two on its files', async () => {
    behaviour.stallFirstAfter = 64 * 1024;
    const downloads = new BlobDownloads({ directory: dir });
    const first = new AbortController();
    let received = 0;
    const given = downloads.fetch(new RegistryClient({ url }), 'app', { mediaType: 'x', digest, size: blob.length }, (current) => (received = current), first.signal);
    await vi.waitFor(() => expect(received).toBe(64 * 1024));
    behaviour.stallFirstAfter = undefined;
    first.abort(new Error('gone'));
    await expect(given).rejects.toThrow('gone');
    // At once, before the first transfer has settled.
    expect((await readFile(await fetchBlob(downloads))).equals(blob)).toBe(true);
    expect(requests).toEqual(['GET', `GET from ${64 * 1024}`]);
  });
});
