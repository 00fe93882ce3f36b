import { execFile } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { BERTH, BERTHD, REPO_ROOT } from './paths.js';

const execFileAsync = promisify(execFile);

/** What `tools/setup` leaves on the machine: the tests run after it, as the README's second command. */
describe('installed like an engine', () => {
  it('puts berth and berthd on PATH as the built binaries, runnable from any directory', async () => {
    for (const [command, built] of [['berth', BERTH], ['berthd', BERTHD]] as const) {
      const { stdout: found } = await execFileAsync('sh', ['-c', `command -v ${command}`]);
      expect(realpathSync(found.trim())).toBe(realpathSync(built));
      const { stdout } = await execFileAsync(command, ['--version'], { cwd: '/' });
      expect(stdout).toMatch(/\d+\.\d+\.\d+/);
    }
  });

  it('runs on Node 24 LTS and says so in every package', async () => {
    const { stdout } = await execFileAsync('node', ['-p', 'process.versions.node']);
    const [major, minor] = stdout.split('.').map(Number);
    expect(major! > 24 || (major === 24 && minor! >= 9), stdout).toBe(true);
    const manifests = ['package.json', ...['api', 'cli', 'client', 'daemon', 'registry'].map((p) => `packages/${p}/package.json`)];
    for (const manifest of manifests) {
      const { engines } = JSON.parse(await readFile(join(REPO_ROOT, manifest), 'utf8')) as { engines?: { node?: string } };
      expect(engines?.node, manifest).toBe('>=24.9');
    }
  });

  it('ships a systemd unit that leaves containers running on stop', async () => {
    const unit = join(REPO_ROOT, 'packaging/berthd.service');
    const text = await readFile(unit, 'utf8');
    expect(text).toMatch(/^KillMode=process$/m);
    expect(text).toMatch(/^ExecStart=\/usr\/local\/bin\/berthd --config-file \/etc\/berth\/daemon\.json$/m);
    if (existsSync('/usr/bin/systemd-analyze')) await execFileAsync('systemd-analyze', ['verify', unit]);
  });
});
