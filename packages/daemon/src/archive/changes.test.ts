import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { containerChanges } from './changes.js';

let dir: string;
let lower: string;
let upper: string;

beforeEach(async () => {
  dir = await mkdtemp('/tmp/berth-changes-');
  lower = join(dir, 'lower');
  upper = join(dir, 'upper');
  for (const path of ['etc', 'bin', 'var/www', 'data']) await mkdir(join(lower, path), { recursive: true });
  await writeFile(join(lower, 'etc/passwd'), 'root\n');
  await writeFile(join(lower, 'bin/ls'), '');
  await writeFile(join(lower, 'var/www/index.html'), '');
  await mkdir(upper);
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('containerChanges', () => {
  it('reads additions, modifications, whiteouts and opaque directories', async () => {
    await mkdir(join(upper, 'etc'));
    await writeFile(join(upper, 'etc/passwd'), 'root\nuser\n');
    await mkdir(join(upper, 'bin'));
    execFileSync('mknod', [join(upper, 'bin/ls'), 'c', '0', '0']);
    await mkdir(join(upper, 'new/deep'), { recursive: true });
    await mkdir(join(upper, 'var/www'), { recursive: true });
    execFileSync('setfattr', ['-n', 'trusted.overlay.opaque', '-v', 'y', join(upper, 'var/www')]);
    await writeFile(join(upper, 'var/www/fresh'), '');
    expect(await containerChanges(upper, [lower])).toEqual([
      { Path: '/bin', Kind: 0 },
      { Path: '/bin/ls', Kind: 2 },
      { Path: '/etc', Kind: 0 },
      { Path: '/etc/passwd', Kind: 0 },
      { Path: '/new', Kind: 1 },
      { Path: '/new/deep', Kind: 1 },
      { Path: '/var', Kind: 0 },
      { Path: '/var/www', Kind: 0 },
      { Path: '/var/www/fresh', Kind: 1 },
      { Path: '/var/www/index.html', Kind: 2 },
    ]);
  });

  it('leaves out mount points the runtime created', async () => {
    await mkdir(join(upper, 'etc'));
    await writeFile(join(upper, 'etc/hosts'), '');
    expect(await containerChanges(upper, [lower], ['/etc/hosts'])).toEqual([]);
  });
});
