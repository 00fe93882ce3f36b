import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from './main.js';

describe('berth-registry', () => {
  let work: string;
  let stderr: string;

  beforeEach(async () => {
    work = await mkdtemp(join(tmpdir(), 'berth-registry-main-'));
    stderr = '';
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      stderr += String(chunk);
      return true;
    });
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    await rm(work, { recursive: true, force: true });
  });

  it('exits 1 naming the file and the key when the configuration is wrong', async () => {
    const config = join(work, 'config.yml');
    await writeFile(config, 'version: 0.1\nhttp:\n  addr: nowhere\n');
    expect(await main(['node', 'berth-registry', 'serve', config])).toBe(1);
    expect(stderr).toBe(`berth-registry: ${config}: http.addr: must be :port or host:port, got "nowhere"\n`);
  });

  it('exits 1 naming the htpasswd file when an entry is not bcrypt', async () => {
    const [config, users] = [join(work, 'config.yml'), join(work, 'htpasswd')];
    await writeFile(users, 'alice:{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=\n');
    await writeFile(config, `version: 0.1\nauth:\n  htpasswd:\n    realm: r\n    path: ${users}\n`);
    expect(await main(['node', 'berth-registry', 'serve', config])).toBe(1);
    expect(stderr).toMatch(/^berth-registry: htpasswd .*htpasswd: line 1 \(user "alice"\): only bcrypt entries/);
  });

  it('exits 1 when the configuration file cannot be read', async () => {
    expect(await main(['node', 'berth-registry', 'serve', join(work, 'absent.yml')])).toBe(1);
    expect(stderr).toMatch(/^berth-registry: ENOENT: no such file or directory/);
  });

  it('refuses serve without a configuration, as commander does', async () => {
    expect(await main(['node', 'berth-registry', 'serve'])).toBe(1);
    expect(stderr).toMatch(/missing required argument 'config'/);
  });
});
