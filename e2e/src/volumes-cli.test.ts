import { describe, expect, it } from 'vitest';
import { useTestDaemon } from './harness.js';

describe('berth volume and mount flags', () => {
  const d = useTestDaemon();

  it('creates, lists, inspects and removes volumes', async () => {
    expect(await d.berth(['volume', 'create', '--label', 'team=a', 'cli-vol'])).toMatchObject({ code: 0, stdout: 'cli-vol\n' });
    const ls = await d.berth(['volume', 'ls']);
    expect(ls.stdout).toBe((await d.dockerCli(['volume', 'ls'])).stdout);
    expect(ls.stdout).toContain('local     cli-vol');
    expect((await d.berth(['volume', 'ls', '-q', '-f', 'label=team=a'])).stdout).toBe('cli-vol\n');
    const [inspected] = JSON.parse((await d.berth(['volume', 'inspect', 'cli-vol'])).stdout) as Record<string, unknown>[];
    expect(inspected).toMatchObject({ Name: 'cli-vol', Driver: 'local', Labels: { team: 'a' }, Scope: 'local' });
    const missing = await d.berth(['volume', 'inspect', 'nope']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('get nope: no such volume');
    expect(await d.berth(['volume', 'rm', 'cli-vol'])).toMatchObject({ code: 0, stdout: 'cli-vol\n' });
  });

  it('runs with -v, --mount, --tmpfs and --volumes-from', async () => {
    const write = await d.berth(['run', '--rm', '-v', 'cli-data:/data', '--tmpfs', '/t:size=1m', 'busybox', 'sh', '-c', 'echo hi > /data/f; df -k /t | tail -1']);
    expect(write.code).toBe(0);
    expect(write.stdout).toMatch(/^tmpfs\s+1024\s/);
    const read = await d.berth(['run', '--rm', '--mount', 'type=volume,src=cli-data,dst=/d,readonly', 'busybox', 'sh', '-c', 'cat /d/f; touch /d/g']);
    expect(read.stdout).toBe('hi\n');
    expect(read.stderr).toContain('Read-only file system');
    expect((await d.berth(['create', '--name', 'holder', '-v', 'cli-data:/shared', 'busybox', 'true'])).code).toBe(0);
    const from = await d.berth(['run', '--rm', '--volumes-from', 'holder', 'busybox', 'cat', '/shared/f']);
    expect(from).toMatchObject({ code: 0, stdout: 'hi\n' });
    const inUse = await d.berth(['volume', 'rm', 'cli-data']);
    expect(inUse.code).toBe(1);
    expect(inUse.stderr).toContain('remove cli-data: volume is in use');
  });

  it('prunes anonymous volumes, or all unused ones with --all', async () => {
    await d.berth(['volume', 'create', 'unused-named']);
    const anon = (await d.berth(['create', '-v', '/anon', 'busybox', 'true'])).stdout.trim();
    expect((await d.berth(['rm', anon])).code).toBe(0);
    const pruned = await d.berth(['volume', 'prune', '-f']);
    expect(pruned.stdout).toMatch(/^Deleted Volumes:\n[0-9a-f]{64}\n\nTotal reclaimed space: 0B\n$/);
    const all = await d.berth(['volume', 'prune', '-f', '--all']);
    expect(all.stdout).toContain('unused-named');
    expect((await d.berth(['volume', 'ls', '-q'])).stdout).toBe('cli-data\n');
  });
});
