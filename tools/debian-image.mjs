#!/usr/bin/env node
// Writes the build context of a small Debian-based test image, made offline from this Debian 12
// machine's own packages (dash, coreutils, grep, mawk, busybox-static and the libraries they need):
// CONTEXT/rootfs.tar and a Dockerfile that adds it to scratch and serves /srv/www with busybox httpd on
// 8080, with a health check. Build it with `berth build` or `docker build`. Usage: debian-image.mjs CONTEXT
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';

const PACKAGES = ['base-files', 'libc6', 'dash', 'coreutils', 'grep', 'mawk', 'busybox-static', 'libpcre2-8-0', 'libacl1', 'libattr1', 'libselinux1', 'libgmp10'];
// Debian 12 merges /usr: these are links there, and the image keeps them so.
const USR_MERGE_LINKS = { bin: 'usr/bin', lib: 'usr/lib', lib64: 'usr/lib64', sbin: 'usr/sbin' };
const SKIPPED = /^usr\/share\/(doc|man|info|locale|lintian|bug)(\/|$)/;

const DOCKERFILE = `FROM scratch
ADD rootfs.tar /
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
RUN mkdir -p /srv/www && cat /etc/debian_version > /srv/www/index.html
EXPOSE 8080
HEALTHCHECK --interval=1s --timeout=5s CMD busybox wget -qO- http://127.0.0.1:8080/ >/dev/null || exit 1
CMD ["busybox", "httpd", "-f", "-p", "8080", "-h", "/srv/www"]
`;

const context = process.argv[2];
if (!context || process.argv.length > 3) {
  process.stderr.write('usage: debian-image.mjs CONTEXT\n');
  process.exit(2);
}

/** A package file's path with its parent directories resolved (so /bin/dash is stored as usr/bin/dash), relative to /. */
function canonical(path) {
  return join(realpathSync(dirname(path)), basename(path)).slice(1);
}

const listed = execFileSync('dpkg', ['-L', ...PACKAGES], { encoding: 'utf8' }).split('\n');
const paths = new Set();
for (const path of listed) {
  // dpkg -L also prints notes ("diverted by …") and paths a package no longer ships.
  if (!path.startsWith('/') || path === '/.' || !existsSync(path)) continue;
  const name = canonical(path);
  if (name && !SKIPPED.test(name) && !Object.hasOwn(USR_MERGE_LINKS, name)) paths.add(name);
}

const staging = mkdtempSync(join(tmpdir(), 'debian-image-'));
try {
  for (const [link, target] of Object.entries(USR_MERGE_LINKS)) symlinkSync(target, join(staging, link));
  // dpkg's alternatives system makes this link, so no package lists it.
  mkdirSync(join(staging, 'usr/bin'), { recursive: true });
  symlinkSync('mawk', join(staging, 'usr/bin/awk'));
  mkdirSync(join(staging, 'etc'));
  writeFileSync(join(staging, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n');
  writeFileSync(join(staging, 'etc/group'), 'root:x:0:\nnogroup:x:65534:\n');
  const list = join(staging, 'paths');
  // Directories first, each listed once: tar's --no-recursion keeps the package's own modes for them.
  const sorted = [...paths].sort((a, b) => Number(lstatSync(`/${b}`).isDirectory()) - Number(lstatSync(`/${a}`).isDirectory()) || a.localeCompare(b));
  writeFileSync(list, sorted.join('\n') + '\n');
  mkdirSync(context, { recursive: true });
  execFileSync('tar', [
    '-cf', join(context, 'rootfs.tar'),
    '--no-recursion', '--numeric-owner', '--owner=0', '--group=0', '--mtime=@0',
    '-C', '/', '-T', list,
    '-C', staging, ...Object.keys(USR_MERGE_LINKS), 'usr/bin/awk', 'etc/passwd', 'etc/group',
  ]);
  writeFileSync(join(context, 'Dockerfile'), DOCKERFILE);
} finally {
  rmSync(staging, { recursive: true, force: true });
}
