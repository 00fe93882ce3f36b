import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PACKAGES_DIR } from '../paths.js';

const execFileAsync = promisify(execFile);
const packagesDir = PACKAGES_DIR;

let workDir: string;
const tarballs = new Map<string, string>();

/** Packs each package as npm would publish it, so the test sees exactly what users install. */
async function pack(name: string): Promise<string> {
  const { stdout } = await execFileAsync('npm', ['pack', '--json', '--pack-destination', workDir], { cwd: join(packagesDir, name) });
  const [info] = JSON.parse(stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
  expect(info!.files.some((f) => f.path === 'dist/index.js')).toBe(true);
  expect(info!.files.some((f) => f.path === 'dist/index.d.ts')).toBe(true);
  expect(info!.files.some((f) => f.path.endsWith('.test.js') || f.path.startsWith('src/'))).toBe(false);
  return join(workDir, info!.filename);
}

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'berth-pack-'));
  for (const name of ['api', 'reference', 'client']) tarballs.set(name, await pack(name));
}, 120_000);

afterAll(() => rm(workDir, { recursive: true, force: true }));

/** Installs tarballs into an empty folder and runs an ES module there. */
async function installAndRun(names: string[], script: string): Promise<string> {
  const app = await mkdtemp(join(workDir, 'app-'));
  await writeFile(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  await execFileAsync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', ...names.map((n) => tarballs.get(n)!)], { cwd: app });
  await writeFile(join(app, 'main.mjs'), script);
  const { stdout } = await execFileAsync(process.execPath, ['main.mjs'], { cwd: app });
  return stdout.trim();
}

describe('@berth packages installed alone from npm pack', () => {
  it('@berth/api', async () => {
    const out = await installAndRun(['api'], `import { API_VERSION, httpStatusOf, NotFoundError, frameStdStream, StdStream } from '@berth/api';
console.log([API_VERSION, httpStatusOf(new NotFoundError('x')), frameStdStream(StdStream.Stdout, Buffer.from('a')).length].join(' '));`);
    expect(out).toBe('1.47 404 9');
  });

  it('@berth/reference', async () => {
    const out = await installAndRun(['api', 'reference'], `import { parseNormalizedNamed, referenceString, withDefaultTag } from '@berth/reference';
console.log(referenceString(withDefaultTag(parseNormalizedNamed('busybox'))));`);
    expect(out).toBe('docker.io/library/busybox:latest');
  });

  it('@berth/client', async () => {
    const out = await installAndRun(['api', 'client'], `import { BerthClient, parseHost } from '@berth/client';
console.log(JSON.stringify(parseHost('unix:///run/x.sock')) + ' ' + typeof new BerthClient({ host: 'unix:///run/x.sock' }).ping);`);
    expect(out).toBe('{"socketPath":"/run/x.sock"} function');
  });
});
