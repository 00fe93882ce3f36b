import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { PACKAGES_DIR } from './paths.js';

const BERTH_REGISTRY = join(PACKAGES_DIR, 'registry/dist/bin/berth-registry.js');

export interface RunningRegistry {
  /** `127.0.0.1:<port>` it listens on. */
  host: string;
  /** Its temp directory: config, data, whatever the test put there. */
  work: string;
  /** What it wrote to stdout and stderr so far. */
  output(): string;
  /** SIGTERM, wait for the exit, remove the temp directory. */
  stop(): Promise<void>;
}

/** A loopback port nothing listens on now, for the registry's config. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * Starts the built `berth-registry serve` on a free loopback port with the config `configFor` writes
 * (given the host and the temp directory, before the registry starts); resolves once `/v2/` answers
 * anything, 401 included.
 */
export async function startRegistry(configFor: (host: string, work: string) => Promise<string>): Promise<RunningRegistry> {
  const work = await mkdtemp(join(tmpdir(), 'berth-registry-'));
  const host = `127.0.0.1:${await freePort()}`;
  const config = join(work, 'config.yml');
  await writeFile(config, await configFor(host, work));
  const registry = spawn(process.execPath, [BERTH_REGISTRY, 'serve', config], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  registry.stdout.on('data', (d: Buffer) => (output += d.toString()));
  registry.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const stop = async () => {
    if (registry.exitCode === null && registry.signalCode === null) {
      const exited = new Promise((resolve) => registry.once('exit', resolve));
      registry.kill('SIGTERM');
      await exited;
    }
    await rm(work, { recursive: true, force: true });
  };
  for (let attempt = 0; attempt < 200; attempt++) {
    if (registry.exitCode !== null) break;
    if (await fetch(`http://${host}/v2/`).then(() => true, () => false)) return { host, work, output: () => output, stop };
    await sleep(100);
  }
  await stop();
  throw new Error(`berth-registry did not serve on ${host} (exit ${registry.exitCode}):\n${output}`);
}
