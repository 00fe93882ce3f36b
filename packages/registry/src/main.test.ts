import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Readable } from 'node:stream';
import { sha256Digest } from '@berth/reference';
import { main } from './main.js';
import { StorageBackend } from './storage/backend.js';
import { S3Driver } from './storage/s3-driver.js';
import { useTestS3Server } from './storage/test-support/s3-server.js';

describe('berth-registry', () => {
  const s3 = useTestS3Server();
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

  it('garbage-collect refuses a grace that is not a duration, and sweeps an empty registry', async () => {
    const config = join(work, 'config.yml');
    await writeFile(config, `version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: ${join(work, 'data')}\n`);
    expect(await main(['node', 'berth-registry', 'garbage-collect', '--grace', 'soon', config])).toBe(1);
    expect(stderr).toBe('berth-registry: --grace: not a duration such as 30m or 1h: "soon"\n');
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    expect(await main(['node', 'berth-registry', 'garbage-collect', '--dry-run', '--delete-untagged', config])).toBe(0);
    expect(stdout.mock.calls.map(([chunk]) => String(chunk)).join('')).toBe('\n0 blobs marked, 0 blobs and 0 manifests eligible for deletion, 0 bytes to free\n');
  });

  it('garbage-collect sweeps S3 storage, the bucket the config names', async () => {
    const options = s3.server.driverOptions();
    const config = join(work, 'config.yml');
    await writeFile(
      config,
      `version: 0.1\nstorage:\n  s3:\n    accesskey: ${options.credentials!.accessKeyId}\n    secretkey: ${options.credentials!.secretAccessKey}\n    region: ${options.region}\n    regionendpoint: ${options.endpoint}\n    bucket: ${options.bucket}\n    rootdirectory: ${options.rootDirectory}\n    forcepathstyle: true\n`,
    );
    const backend = new StorageBackend(new S3Driver(options), { deleteEnabled: false });
    const upload = await backend.startUpload('app');
    await backend.completeUpload('app', upload.id, sha256Digest('orphan'), Readable.from([Buffer.from('orphan')]));
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    expect(await main(['node', 'berth-registry', 'garbage-collect', '--dry-run', '--grace', '0', config])).toBe(0);
    expect(stdout.mock.calls.map(([chunk]) => String(chunk)).join('')).toContain(`blob eligible for deletion: ${sha256Digest('orphan')}`);
  });
});
