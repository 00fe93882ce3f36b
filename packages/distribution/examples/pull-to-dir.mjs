// Pulls an image from a registry into DIR/blobs/sha256/<hex>: its manifest (this machine's platform's,
// from a multi-platform index), config and layers. Every manifest and blob is verified against its
// digest as it streams; a blob whose bytes do not match fails the pull and is not kept.
// Usage: node pull-to-dir.mjs REGISTRY_URL REPOSITORY[:TAG|@DIGEST] DIR
//   e.g. node pull-to-dir.mjs http://127.0.0.1:5000 library/busybox:latest ./busybox
//   (REGISTRY_USER and REGISTRY_PASSWORD answer a basic or bearer-token challenge)
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { RegistryClient } from '@berth/distribution';

const [url, image, dir] = process.argv.slice(2);
if (!url || !image || !dir) {
  console.error('usage: node pull-to-dir.mjs REGISTRY_URL REPOSITORY[:TAG|@DIGEST] DIR');
  process.exit(2);
}
// REPOSITORY@DIGEST, or REPOSITORY[:TAG] (a colon after the last slash starts the tag).
const at = image.indexOf('@');
const colon = image.lastIndexOf(':');
const [repository, reference] =
  at >= 0 ? [image.slice(0, at), image.slice(at + 1)] : colon > image.lastIndexOf('/') ? [image.slice(0, colon), image.slice(colon + 1)] : [image, 'latest'];
const { REGISTRY_USER: username, REGISTRY_PASSWORD: password = '' } = process.env;
const client = new RegistryClient({ url, ...(username && { credentials: { username, password } }) });
const INDEX_TYPES = ['application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json'];
const architecture = { x64: 'amd64', ia32: '386' }[process.arch] ?? process.arch;
const blobPath = (digest) => join(dir, 'blobs', ...digest.split(':'));

/** Streams a blob into the layout; getBlob's stream errors at its end unless the bytes match the digest. */
async function download(digest) {
  const { stream } = await client.getBlob(repository, digest);
  const partial = `${blobPath(digest)}.partial`;
  try {
    await pipeline(stream, createWriteStream(partial));
  } catch (err) {
    await rm(partial, { force: true });
    throw err;
  }
  await rename(partial, blobPath(digest));
}

try {
  await mkdir(join(dir, 'blobs', 'sha256'), { recursive: true });
  let manifest = await client.getManifest(repository, reference);
  if (INDEX_TYPES.includes(manifest.mediaType)) {
    const entry = JSON.parse(manifest.content.toString()).manifests.find((m) => m.platform?.os === 'linux' && m.platform.architecture === architecture);
    if (!entry) throw new Error(`no manifest for linux/${architecture} in ${image}`);
    manifest = await client.getManifest(repository, entry.digest);
  }
  await writeFile(blobPath(manifest.digest), manifest.content);
  console.log(`manifest ${manifest.digest} ${manifest.size}`);
  const { config, layers } = JSON.parse(manifest.content.toString());
  for (const [kind, blob] of [['config', config], ...layers.map((layer) => ['layer', layer])]) {
    await download(blob.digest);
    console.log(`${kind} ${blob.digest} ${blob.size}`);
  }
} catch (err) {
  console.error(`error: ${err.message}`);
  process.exitCode = 1;
}
