#!/usr/bin/env node
// Builds busybox:latest offline from Debian's busybox-static as a docker-archive (the `docker save`
// format), so tests and users can `berth load` it without Docker Hub. The output is deterministic:
// fixed mtimes and ordering give the same image ID on every machine with the same busybox binary.
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';

const BUSYBOX = process.env.BUSYBOX_BIN ?? '/bin/busybox';
const EPOCH = new Date('2024-01-01T00:00:00Z');

function usage() {
  process.stderr.write('usage: busybox-image.mjs [-o FILE] [-t NAME:TAG]\n');
  process.exit(2);
}

function parseArgs(argv) {
  const args = { output: '-', tag: 'busybox:latest' };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '-o') args.output = argv[++i] ?? usage();
    else if (argv[i] === '-t') args.tag = argv[++i] ?? usage();
    else usage();
  }
  return args;
}

/** Packs entries into an in-memory tar (the layer is a few MB). */
async function packTar(entries) {
  const pack = tar.pack();
  const chunks = [];
  pack.on('data', (c) => chunks.push(c));
  const done = new Promise((resolve, reject) => {
    pack.on('end', resolve);
    pack.on('error', reject);
  });
  for (const { header, body } of entries) {
    await new Promise((resolve, reject) => pack.entry({ mtime: EPOCH, uid: 0, gid: 0, ...header }, body, (err) => (err ? reject(err) : resolve())));
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

const sha256 = (data) => createHash('sha256').update(data).digest('hex');

function rootfsEntries() {
  const binary = readFileSync(BUSYBOX);
  const applets = execFileSync(BUSYBOX, ['--list'], { encoding: 'utf8' })
    .split('\n')
    .filter((a) => a && a !== 'busybox' && /^[a-z0-9_.-]+$/i.test(a))
    .sort();
  const dir = (name, mode = 0o755) => ({ header: { name, type: 'directory', mode } });
  const file = (name, content, mode = 0o644) => ({ header: { name, type: 'file', mode }, body: Buffer.from(content) });
  return [
    dir('bin/'),
    { header: { name: 'bin/busybox', type: 'file', mode: 0o755 }, body: binary },
    ...applets.map((a) => ({ header: { name: `bin/${a}`, type: 'link', linkname: 'bin/busybox', mode: 0o755 } })),
    dir('dev/'),
    dir('etc/'),
    file('etc/passwd', 'root:x:0:0:root:/root:/bin/sh\ndaemon:x:1:1:daemon:/usr/sbin:/bin/false\nbin:x:2:2:bin:/bin:/bin/false\nsys:x:3:3:sys:/dev:/bin/false\nwww-data:x:33:33:www-data:/var/www:/bin/false\nnobody:x:65534:65534:nobody:/home:/bin/false\n'),
    file('etc/group', 'root:x:0:\ndaemon:x:1:\nbin:x:2:\nsys:x:3:\nadm:x:4:\ntty:x:5:\nwheel:x:10:root\nstaff:x:50:\nwww-data:x:33:\nusers:x:100:\nnogroup:x:65534:\n'),
    dir('home/'),
    dir('proc/', 0o555),
    dir('root/', 0o700),
    dir('sys/', 0o555),
    dir('tmp/', 0o1777),
    dir('usr/'),
    dir('usr/sbin/'),
    dir('var/'),
    dir('var/spool/'),
    dir('var/www/'),
  ];
}

async function main() {
  const { output, tag } = parseArgs(process.argv.slice(2));
  const layer = await packTar(rootfsEntries());
  const diffId = `sha256:${sha256(layer)}`;
  const created = EPOCH.toISOString();
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      created,
      config: { Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], Cmd: ['sh'] },
      rootfs: { type: 'layers', diff_ids: [diffId] },
      history: [{ created, created_by: 'tools/busybox-image.mjs: Debian busybox-static' }],
    }),
  );
  const configHex = sha256(config);
  const layerDir = sha256(`${diffId}\n`);
  const [repo, version = 'latest'] = tag.split(/:(?=[^/]*$)/);
  const archive = await packTar([
    { header: { name: `${configHex}.json`, type: 'file', mode: 0o644 }, body: config },
    { header: { name: `${layerDir}/`, type: 'directory', mode: 0o755 } },
    { header: { name: `${layerDir}/VERSION`, type: 'file', mode: 0o644 }, body: Buffer.from('1.0') },
    { header: { name: `${layerDir}/layer.tar`, type: 'file', mode: 0o644 }, body: layer },
    { header: { name: 'manifest.json', type: 'file', mode: 0o644 }, body: Buffer.from(JSON.stringify([{ Config: `${configHex}.json`, RepoTags: [`${repo}:${version}`], Layers: [`${layerDir}/layer.tar`] }])) },
    { header: { name: 'repositories', type: 'file', mode: 0o644 }, body: Buffer.from(JSON.stringify({ [repo]: { [version]: layerDir } })) },
  ]);
  if (output === '-') process.stdout.write(archive);
  else await pipeline(async function* () { yield archive; }, createWriteStream(output));
  process.stderr.write(`${tag} sha256:${configHex} (${archive.length} bytes)\n`);
}

await main();
