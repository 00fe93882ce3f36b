import { randomBytes } from 'node:crypto';
import { stat, writeFile } from 'node:fs/promises';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerArchive, packTar } from './docker-archive.js';
import { dockerOk, useTestDaemon } from './harness.js';
import { startRegistry, type TestRegistry } from './registry-harness.js';

const d = useTestDaemon({ busybox: false });

const LAYER_BYTES = 150 * 1024 * 1024;
/** Where the proxy stops the flow of one connection: well inside the big blob, past every small response. */
const HOLD_AFTER = 40 * 1024 * 1024;

/**
 * A TCP proxy from a loopback port to the registry's. It counts the bytes the registry sends, and can
 * hold a connection once it has passed `holdAfter` bytes on to the daemon: the registry then stops
 * mid-blob (TCP backpressure), so the kill lands mid-download whatever the machine's speed.
 */
interface HoldingProxy {
  host: string;
  /** Bytes passed from the registry to the daemon since the last `resetCount`. */
  sent(): number;
  resetCount(): void;
  /** Resolves once a connection is held. */
  held: Promise<void>;
  /** Lets held connections flow again (what the registry's kernel still had goes through, then its end). */
  release(): void;
  close(): Promise<void>;
}

async function startHoldingProxy(target: string, holdAfter: number): Promise<HoldingProxy> {
  const [targetHost, targetPort] = target.split(':') as [string, string];
  const sockets = new Set<Socket>();
  const releases: (() => void)[] = [];
  let sent = 0;
  let released = false;
  let onHeld = (): void => undefined;
  const held = new Promise<void>((resolve) => (onHeld = resolve));
  const server: Server = createServer((downstream) => {
    const upstream = createConnection({ host: targetHost, port: Number(targetPort) });
    sockets.add(downstream).add(upstream);
    let passed = 0;
    let holding = false;
    downstream.pipe(upstream);
    upstream.on('data', (chunk: Buffer) => {
      passed += chunk.length;
      sent += chunk.length;
      if (!downstream.write(chunk)) {
        upstream.pause();
        downstream.once('drain', () => holding || upstream.resume());
      }
      if (!released && !holding && passed >= holdAfter) {
        holding = true;
        upstream.pause();
        releases.push(() => {
          holding = false;
          upstream.resume();
        });
        onHeld();
      }
    });
    upstream.on('end', () => downstream.end());
    upstream.on('error', () => downstream.destroy());
    downstream.on('error', () => upstream.destroy());
    downstream.on('close', () => upstream.destroy());
    for (const socket of [upstream, downstream]) socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    host: `127.0.0.1:${port}`,
    sent: () => sent,
    resetCount: () => (sent = 0),
    held,
    release() {
      released = true;
      for (const resume of releases.splice(0)) resume();
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

interface AccessLine {
  method?: string;
  path?: string;
  status?: number;
  bytesSent?: number;
}

const accessLines = (registry: TestRegistry): AccessLine[] =>
  registry
    .stdout()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as AccessLine);

describe('a registry killed mid-pull', () => {
  let registry: TestRegistry;
  let restarted: TestRegistry | undefined;
  let proxy: HoldingProxy;
  let pushedId: string;
  let pushedDigest: string;
  let layer: { digest: string; size: number };

  beforeAll(async () => {
    registry = await startRegistry();
    proxy = await startHoldingProxy(registry.host, HOLD_AFTER);
    // One layer of random bytes: its gzip is as large, so the blob is the bulk of the pull.
    const layerTar = await packTar([{ name: 'big.bin', body: randomBytes(LAYER_BYTES) }]);
    const archive = join(registry.work, 'big.tar');
    await writeFile(archive, await dockerArchive('resume/big:v1', [layerTar]));
    await dockerOk(d, ['load', '-i', archive]);
    pushedId = (await d.docker.getImage('resume/big:v1').inspect()).Id;
    await dockerOk(d, ['tag', 'resume/big:v1', `${registry.host}/resume/big:v1`]);
    const pushed = await dockerOk(d, ['push', `${registry.host}/resume/big:v1`]);
    pushedDigest = /v1: digest: (sha256:[a-f0-9]{64}) size: \d+/.exec(pushed)![1]!;
    await dockerOk(d, ['rmi', 'resume/big:v1', `${registry.host}/resume/big:v1`]);
    expect(await d.docker.listImages()).toEqual([]);
    const manifest = (await (await fetch(`http://${registry.host}/v2/resume/big/manifests/v1`, { headers: { accept: 'application/vnd.docker.distribution.manifest.v2+json' } })).json()) as { layers: { digest: string; size: number }[] };
    layer = manifest.layers[0]!;
  }, 120_000);
  afterAll(async () => {
    await proxy?.close();
    await restarted?.stop();
    await registry?.stop();
  });

  it('fails the pull cleanly; after a restart the next pull fetches only the bytes it lacked', async () => {
    const image = `${proxy.host}/resume/big:v1`;
    const partial = join(d.dataRoot, 'image/downloads', `${layer.digest.slice('sha256:'.length)}.partial`);
    const pull = d.dockerCli(['pull', image]);
    await proxy.held;
    registry.child.kill('SIGKILL');
    await new Promise((resolve) => registry.child.once('exit', resolve));
    proxy.release();

    // berthd retries the cut transfer (attempts with backoff, each refused now) and then gives up.
    const failed = await pull;
    expect(failed.code).toBe(1);
    // The error arrives in the progress stream, which the CLI prints as is; the last attempt met the
    // proxy, which closes a connection it cannot pass on (without it, the daemon meets ECONNREFUSED).
    expect(failed.stderr).toBe(`GET http://${proxy.host}/v2/resume/big/blobs/${layer.digest}: other side closed\n`);
    expect(await d.docker.listImages()).toEqual([]);
    expect((await d.docker.df()).LayersSize).toBe(0);
    expect(await d.docker.ping()).toBeTruthy();
    const have = (await stat(partial)).size;
    // Most of what passed before the hold was written (a cut stream may drop what it still buffered).
    expect(have).toBeGreaterThan(HOLD_AFTER / 2);
    expect(have).toBeLessThan(layer.size);

    // The same storage, the same address: the next pull resumes the partial download.
    restarted = await startRegistry(() => '', { dataRoot: registry.dataRoot, host: registry.host });
    proxy.resetCount();
    const pulled = await d.dockerCli(['pull', image]);
    expect(pulled.code, pulled.stderr).toBe(0);
    expect(pulled.stdout).toContain(`Digest: ${pushedDigest}`);
    const inspected = await d.docker.getImage(image).inspect();
    expect(inspected.Id).toBe(pushedId);
    expect(inspected.RepoDigests).toEqual([`${proxy.host}/resume/big@${pushedDigest}`]);

    const lacked = layer.size - have;
    const blobGets = accessLines(restarted).filter((line) => line.method === 'GET' && line.path === `/v2/resume/big/blobs/${layer.digest}`);
    expect(blobGets).toHaveLength(1);
    expect(blobGets[0]!.status).toBe(206);
    // bytesSent counts the response's headers too: a few hundred bytes over the body.
    expect(blobGets[0]!.bytesSent! - lacked).toBeGreaterThanOrEqual(0);
    expect(blobGets[0]!.bytesSent! - lacked).toBeLessThan(1024);
    // Everything the registry sent the daemon this time (manifest and config included) is less than the blob.
    expect(proxy.sent()).toBeLessThan(layer.size);
    await expect(stat(partial)).rejects.toThrow(/ENOENT/);
  }, 120_000);
});
