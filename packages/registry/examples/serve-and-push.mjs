// Serves a registry from the library on a loopback port, pushes a blob to it with fetch and pulls it back.
// Usage: node serve-and-push.mjs [PORT]   (a free port when absent)
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRegistryServer, FilesystemDriver, StorageBackend } from '@berth/registry';

const root = await mkdtemp(join(tmpdir(), 'berth-registry-example-'));
// The Go registry's on-disk layout under `root`; createRegistryServer is fastify with the /v2/ routes
// (registryRoutes(backend) is the same API as a plugin for a fastify app of your own).
const app = createRegistryServer(new StorageBackend(new FilesystemDriver(root), { deleteEnabled: true }), { logLevel: 'warn' });
try {
  const address = await app.listen({ host: '127.0.0.1', port: Number(process.argv[2] ?? 0) });
  const base = await fetch(`${address}/v2/`);
  console.log(`serving ${address}: ${base.headers.get('docker-distribution-api-version')}`);

  const blob = Buffer.from('hello from berth-registry\n');
  const digest = `sha256:${createHash('sha256').update(blob).digest('hex')}`;
  // An upload session, then its content in one PUT naming the digest the registry must verify.
  const session = await fetch(`${address}/v2/example/hello/blobs/uploads/`, { method: 'POST' });
  if (session.status !== 202) throw new Error(`starting the upload: ${session.status} ${await session.text()}`);
  const location = new URL(session.headers.get('location'), address);
  location.searchParams.set('digest', digest);
  const put = await fetch(location, { method: 'PUT', body: blob, headers: { 'content-type': 'application/octet-stream' } });
  if (put.status !== 201) throw new Error(`uploading: ${put.status} ${await put.text()}`);
  console.log(`pushed ${put.headers.get('docker-content-digest')} (${blob.length} bytes)`);

  const pulled = await fetch(`${address}/v2/example/hello/blobs/${digest}`);
  const content = Buffer.from(await pulled.arrayBuffer());
  console.log(`pulled ${pulled.headers.get('docker-content-digest')}: ${content.equals(blob) ? 'same bytes' : 'different bytes'}`);
} catch (err) {
  console.error(`error: ${err.message}`);
  process.exitCode = 1;
} finally {
  await app.close();
  await rm(root, { recursive: true, force: true });
}
