import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run, useTestDaemon, type CommandResult } from '../harness.js';
import { PACKAGES_DIR, REPO_ROOT } from '../paths.js';
import { freePort, pushBusybox } from '../registry-harness.js';

const execFileAsync = promisify(execFile);

/** The @berth packages each published one needs installed beside it (its @berth dependencies, transitively). */
const BERTH_DEPENDENCIES: Record<string, string[]> = {
  api: [],
  reference: ['api'],
  client: ['api'],
  oci: ['api'],
  layer: ['api', 'reference'],
  distribution: ['api', 'reference', 'oci', 'layer'],
  registry: ['api', 'reference', 'oci', 'layer', 'distribution'],
};
/** The packages meant for use on their own, each with a README and an example. */
const WITH_EXAMPLES = ['reference', 'client', 'registry', 'distribution'];
const TYPES_NODE = `@types/node@${(JSON.parse(await readFile(join(REPO_ROOT, 'node_modules/@types/node/package.json'), 'utf8')) as { version: string }).version}`;
const TSC = join(REPO_ROOT, 'node_modules/typescript/bin/tsc');

let workDir: string;
const tarballs = new Map<string, string>();

/** Packs each package as npm would publish it, so the test sees exactly what users install. */
async function pack(name: string): Promise<string> {
  const { stdout } = await execFileAsync('npm', ['pack', '--json', '--pack-destination', workDir], { cwd: join(PACKAGES_DIR, name) });
  const [info] = JSON.parse(stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
  const paths = info!.files.map((f) => f.path);
  expect(paths).toContain('dist/index.js');
  expect(paths).toContain('dist/index.d.ts');
  expect(paths).toContain('README.md');
  if (WITH_EXAMPLES.includes(name)) expect(paths.some((p) => p.startsWith('examples/'))).toBe(true);
  expect(paths.filter((p) => p.includes('.test.') || p.includes('test-support') || p.startsWith('src/'))).toEqual([]);
  return join(workDir, info!.filename);
}

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'berth-pack-'));
  for (const name of Object.keys(BERTH_DEPENDENCIES)) tarballs.set(name, await pack(name));
}, 120_000);

afterAll(() => rm(workDir, { recursive: true, force: true }));

/** An empty project with `name`'s tarball, the @berth tarballs it needs and whatever `extra` npm packages installed. */
async function install(name: string, extra: string[] = []): Promise<string> {
  const app = await mkdtemp(join(workDir, `${name}-`));
  await writeFile(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  const packages = [...BERTH_DEPENDENCIES[name]!, name].map((n) => tarballs.get(n)!);
  await execFileAsync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', ...packages, ...extra], { cwd: app });
  return app;
}

/** Installs tarballs into an empty folder and runs an ES module there. */
async function installAndRun(name: string, script: string): Promise<string> {
  const app = await install(name);
  await writeFile(join(app, 'main.mjs'), script);
  const { stdout } = await execFileAsync(process.execPath, ['main.mjs'], { cwd: app });
  return stdout.trim();
}

/**
 * Type-checks a TypeScript consumer of the installed package as a strict NodeNext project would,
 * library declarations included; its `@ts-expect-error` lines fail the check if the types were `any`.
 */
async function typeCheck(app: string, source: string): Promise<CommandResult> {
  await writeFile(join(app, 'consumer.ts'), source);
  const compilerOptions = { strict: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2023', lib: ['es2023'], types: ['node'], noEmit: true, skipLibCheck: false };
  await writeFile(join(app, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['consumer.ts'] }));
  return run(process.execPath, [TSC, '-p', app]);
}

/** Runs the example a package ships, from where npm installed it. */
function runExample(app: string, name: string, example: string, args: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<CommandResult> {
  return run(process.execPath, [join(app, 'node_modules/@berth', name, 'examples', example), ...args], { env });
}

const sha256 = (content: Buffer): string => `sha256:${createHash('sha256').update(content).digest('hex')}`;

describe('@berth packages installed alone from npm pack', () => {
  it('@berth/api', async () => {
    const out = await installAndRun('api', `import { API_VERSION, httpStatusOf, NotFoundError, frameStdStream, StdStream } from '@berth/api';
console.log([API_VERSION, httpStatusOf(new NotFoundError('x')), frameStdStream(StdStream.Stdout, Buffer.from('a')).length].join(' '));`);
    expect(out).toBe('1.47 404 9');
  });

  it('@berth/reference: types, and its example parses names', async () => {
    const app = await install('reference', [TYPES_NODE]);
    const checked = await typeCheck(
      app,
      `import { parseNormalizedNamed, referenceString, withDefaultTag, type NamedReference } from '@berth/reference';
const ref: NamedReference = withDefaultTag(parseNormalizedNamed('busybox'));
const tag: string | undefined = ref.tag;
console.log(referenceString(ref), tag);
// @ts-expect-error a reference is an object, not its string
const name: string = ref;
console.log(name);
`,
    );
    expect(checked.stdout + checked.stderr).toBe('');
    expect(checked.code).toBe(0);

    const example = await runExample(app, 'reference', 'parse-names.mjs');
    expect(example.stderr).toBe('');
    expect(example.code).toBe(0);
    expect(example.stdout).toContain('busybox -> docker.io/library/busybox:latest (domain docker.io, path library/busybox, short busybox:latest)');
    expect(example.stdout).toContain('localhost:5000/team/tool -> localhost:5000/team/tool:latest');
    const invalid = await runExample(app, 'reference', 'parse-names.mjs', ['user/app:1.0', 'BusyBox']);
    expect(invalid.stdout).toContain('user/app:1.0 -> docker.io/user/app:1.0');
    expect(invalid.stdout).toContain('BusyBox -> invalid: invalid reference format: repository name (library/BusyBox) must be lowercase');
    expect(invalid.code).toBe(1);
  });

  describe('@berth/client', () => {
    const daemon = useTestDaemon();

    it('types, and its example pings berthd at DOCKER_HOST and lists its containers', async () => {
      const app = await install('client', [TYPES_NODE]);
      const checked = await typeCheck(
        app,
        `import { BerthClient, parseHost } from '@berth/client';
const client = new BerthClient({ host: 'unix:///run/x.sock' });
const containers = await client.listContainers({ all: true });
const id: string = containers[0]!.Id;
console.log(id, parseHost('tcp://127.0.0.1:2375'));
// @ts-expect-error not an option of the container list
await client.listContainers({ everything: true });
`,
      );
      expect(checked.stdout + checked.stderr).toBe('');
      expect(checked.code).toBe(0);

      const created = await daemon.dockerCli(['create', '--name', 'packaged-client', 'busybox']);
      expect(created.code, created.stderr).toBe(0);
      const example = await runExample(app, 'client', 'ping-and-list.mjs', [], { DOCKER_HOST: daemon.host, BERTH_HOST: '' });
      expect(example.stderr).toBe('');
      expect(example.code).toBe(0);
      const version = JSON.parse((await daemon.dockerCli(['version', '--format', '{{json .Server}}'])).stdout) as { Version: string; ApiVersion: string };
      expect(example.stdout).toBe(
        [`ping ${daemon.host}: OK`, `engine ${version.Version}, API ${version.ApiVersion}`, '1 container(s)', `${created.stdout.trim().slice(0, 12)} packaged-client busybox created`, ''].join('\n'),
      );
    });
  });

  describe('@berth/registry and @berth/distribution', () => {
    let registryApp: string;
    let host: string;
    let dataRoot: string;
    let registry: ChildProcess;
    let output = '';
    let pushedDigest: string;

    /** Whether the registry answers `/v2/`. */
    const answers = (): Promise<boolean> => fetch(`http://${host}/v2/`).then(() => true, () => false);

    beforeAll(async () => {
      registryApp = await install('registry', [TYPES_NODE]);
      host = `127.0.0.1:${await freePort()}`;
      dataRoot = join(registryApp, 'data');
      await writeFile(join(registryApp, 'config.yml'), `version: 0.1\nhttp:\n  addr: ${host}\nstorage:\n  filesystem:\n    rootdirectory: ${dataRoot}\n`);
      // Its own process group: npx runs the binary through a shell, and the stop signals them all.
      registry = spawn('npx', ['--no-install', 'berth-registry', 'serve', 'config.yml'], { cwd: registryApp, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
      registry.stdout!.on('data', (d: Buffer) => (output += d.toString()));
      registry.stderr!.on('data', (d: Buffer) => (output += d.toString()));
      for (let attempt = 0; attempt < 200 && !(await answers()); attempt++) {
        if (registry.exitCode !== null) throw new Error(`berth-registry exited with ${registry.exitCode}:\n${output}`);
        await sleep(100);
      }
      if (!(await answers())) throw new Error(`berth-registry did not answer on ${host}:\n${output}`);
      pushedDigest = await pushBusybox({ host, work: registryApp }, 'library/busybox', 'packaged');
    });

    afterAll(async () => {
      if (registry?.exitCode === null) {
        const exited = new Promise((resolve) => registry.once('exit', resolve));
        process.kill(-registry.pid!, 'SIGTERM');
        await exited;
      }
      for (let attempt = 0; attempt < 100 && host && (await answers()); attempt++) await sleep(100);
    });

    it('berth-registry runs from its package alone: serve, push with skopeo, garbage-collect --dry-run', async () => {
      const base = await fetch(`http://${host}/v2/`);
      expect(base.status).toBe(200);
      expect(base.headers.get('docker-distribution-api-version')).toBe('registry/2.0');
      const manifest = await fetch(`http://${host}/v2/library/busybox/manifests/packaged`, { method: 'HEAD', headers: { accept: 'application/vnd.docker.distribution.manifest.v2+json' } });
      expect(manifest.status).toBe(200);
      expect(manifest.headers.get('docker-content-digest')).toBe(pushedDigest);

      // The installed package's own binary (in the repository, npx would find the workspace's).
      const gc = await run(join(registryApp, 'node_modules/.bin/berth-registry'), ['garbage-collect', '--dry-run', join(registryApp, 'config.yml')]);
      expect(gc.stderr).toBe('');
      expect(gc.code).toBe(0);
      // The manifest, its config and its one layer are marked; nothing is unreferenced.
      expect(gc.stdout).toContain('3 blobs marked, 0 blobs and 0 manifests eligible for deletion');
    });

    it('@berth/registry: types, and its example serves the library and pushes a blob through fetch', async () => {
      const checked = await typeCheck(
        registryApp,
        `import { createRegistryServer, FilesystemDriver, StorageBackend, type RegistryBackend } from '@berth/registry';
const backend: RegistryBackend = new StorageBackend(new FilesystemDriver('/tmp/registry'), { deleteEnabled: true });
const app = createRegistryServer(backend, { logLevel: 'warn' });
const address: string = await app.listen({ host: '127.0.0.1', port: 0 });
console.log(address);
// @ts-expect-error deleteEnabled is required
new StorageBackend(new FilesystemDriver('/tmp/registry'), {});
`,
      );
      expect(checked.stdout + checked.stderr).toBe('');
      expect(checked.code).toBe(0);

      const port = await freePort();
      const example = await runExample(registryApp, 'registry', 'serve-and-push.mjs', [String(port)]);
      expect(example.stderr).toBe('');
      expect(example.code).toBe(0);
      const digest = sha256(Buffer.from('hello from berth-registry\n'));
      expect(example.stdout).toBe([`serving http://127.0.0.1:${port}: registry/2.0`, `pushed ${digest} (26 bytes)`, `pulled ${digest}: same bytes`, ''].join('\n'));
    });

    it('@berth/distribution: types, and its example pulls from berth-registry into a directory, refusing a forged blob', async () => {
      const app = await install('distribution', [TYPES_NODE]);
      const checked = await typeCheck(
        app,
        `import { RegistryClient, type Manifest } from '@berth/distribution';
const client = new RegistryClient({ url: 'http://127.0.0.1:5000' });
const manifest: Manifest = await client.getManifest('library/busybox', 'latest');
const { stream } = await client.getBlob('library/busybox', manifest.digest);
stream.pipe(process.stdout);
// @ts-expect-error the registry's URL is required
new RegistryClient({});
`,
      );
      expect(checked.stdout + checked.stderr).toBe('');
      expect(checked.code).toBe(0);

      const pulled = join(app, 'pulled');
      const example = await runExample(app, 'distribution', 'pull-to-dir.mjs', [`http://${host}`, 'library/busybox:packaged', pulled]);
      expect(example.stderr).toBe('');
      expect(example.code).toBe(0);
      const manifestBytes = await readFile(join(pulled, 'blobs/sha256', pushedDigest.slice('sha256:'.length)));
      const image = JSON.parse(manifestBytes.toString()) as { config: { digest: string; size: number }; layers: Array<{ digest: string; size: number }> };
      expect(example.stdout).toBe(
        [
          `manifest ${pushedDigest} ${manifestBytes.length}`,
          `config ${image.config.digest} ${image.config.size}`,
          ...image.layers.map((l) => `layer ${l.digest} ${l.size}`),
          '',
        ].join('\n'),
      );
      const files = await readdir(join(pulled, 'blobs/sha256'));
      expect(files.sort()).toEqual([pushedDigest, image.config.digest, ...image.layers.map((l) => l.digest)].map((d) => d.slice('sha256:'.length)).sort());
      for (const file of files) expect(sha256(await readFile(join(pulled, 'blobs/sha256', file)))).toBe(`sha256:${file}`);

      // A layer altered in the registry's storage: the pull fails at that blob and keeps none of it.
      const layer = image.layers[0]!.digest.slice('sha256:'.length);
      const stored = join(dataRoot, 'docker/registry/v2/blobs/sha256', layer.slice(0, 2), layer, 'data');
      const original = join(app, 'original-layer');
      await copyFile(stored, original);
      try {
        const content = await readFile(stored);
        content[content.length >> 1] ^= 0xff;
        await writeFile(stored, content);
        const forged = await runExample(app, 'distribution', 'pull-to-dir.mjs', [`http://${host}`, 'library/busybox:packaged', join(app, 'forged')]);
        expect(forged.code).toBe(1);
        expect(forged.stderr).toBe(`error: blob ${image.layers[0]!.digest}: the content hashes to ${sha256(content)}\n`);
        expect((await readdir(join(app, 'forged/blobs/sha256'))).sort()).toEqual([pushedDigest, image.config.digest].map((d) => d.slice('sha256:'.length)).sort());
      } finally {
        await copyFile(original, stored);
      }
    });
  });
});
