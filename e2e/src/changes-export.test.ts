import { execFile } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDaemon } from './harness.js';

const daemon = useTestDaemon();

beforeAll(async () => {
  const script = 'echo x > /tmp/new; rm /bin/ls; echo y >> /etc/passwd; mkdir /d; rm -rf /var/www; mkdir -p /var/www';
  expect((await daemon.dockerCli(['run', '--name', 'changed', 'busybox', 'sh', '-c', script])).code).toBe(0);
});

function shell(command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('sh', ['-c', command], { env: { ...process.env, DOCKER_HOST: daemon.host }, maxBuffer: 64 * 1024 * 1024 }, (err, stdout) =>
      err ? reject(err) : resolve(stdout),
    );
  });
}

describe('docker diff', () => {
  it('lists additions, changes and deletions from the overlay upper dir', async () => {
    const diff = await daemon.dockerCli(['diff', 'changed']);
    expect(diff.code).toBe(0);
    const lines = diff.stdout.trim().split('\n');
    expect(lines).toEqual(expect.arrayContaining(['C /bin', 'D /bin/ls', 'A /d', 'C /etc', 'C /etc/passwd', 'C /tmp', 'A /tmp/new', 'C /var/www']));
    expect(lines.some((line) => /\/etc\/(hosts|hostname|resolv\.conf)$/.test(line))).toBe(false);
  });

  it('returns Kind numbers through the API', async () => {
    const changes = (await daemon.docker.getContainer('changed').changes()) as Array<{ Path: string; Kind: number }>;
    expect(changes).toEqual(expect.arrayContaining([{ Path: '/bin/ls', Kind: 2 }, { Path: '/d', Kind: 1 }, { Path: '/etc/passwd', Kind: 0 }]));
  });
});

describe('docker export', () => {
  it('exports the merged root as a tar', async () => {
    const names = (await shell('docker export changed | tar -tf -')).split('\n');
    expect(names).toEqual(expect.arrayContaining(['bin/', 'bin/sh', 'tmp/new', 'd/', 'etc/passwd']));
    expect(names).not.toContain('bin/ls');
    expect(await shell('docker export changed | tar -xOf - etc/passwd | tail -n 1')).toBe('y\n');
  });
});
