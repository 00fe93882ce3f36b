import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import bcrypt from 'bcryptjs';
import { expect } from 'vitest';
import { busyboxWithRandomLayer } from './docker-archive.js';
import { busyboxArchive, run } from './harness.js';
import { PACKAGES_DIR } from './paths.js';

export const BERTH_REGISTRY = join(PACKAGES_DIR, 'registry/dist/bin/berth-registry.js');
/** The distribution project's Go registry (Debian's docker-registry, installed by `tools/setup --test`), a peer that reads the same config.yml. */
export const GO_REGISTRY = '/usr/bin/docker-registry';

/** A `berth-registry serve` on a loopback port, with its config and data in a temp dir of its own. */
export interface TestRegistry {
  /** `127.0.0.1:<port>`. */
  host: string;
  /** The temp dir: `config.yml`, `data/` (the storage root), and room for the test's own files. */
  work: string;
  config: string;
  dataRoot: string;
  /** The `berth-registry serve` process, to signal it and see how it exits. */
  child: ChildProcess;
  /** What the registry printed so far: stdout and stderr apart, and together. */
  stdout(): string;
  stderr(): string;
  output(): string;
  /** Stops it (SIGTERM, waiting for the exit) and removes the temp dir. */
  stop(): Promise<void>;
}

/** A loopback port nothing listens on now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface RegistryOptions {
  /** Run the Go registry on the same config instead. */
  go?: boolean;
  /** YAML lines under `http:` (indented two spaces), after `addr`: `tls:`, `debug:`, `draintimeout:`. */
  http?: (host: string, work: string) => string | Promise<string>;
  /** The storage root, when it is to be another registry's (`dataRoot` of one stopped before). */
  dataRoot?: string;
  /** The address to listen on, when it is to be another registry's (`host` of one killed before, to restart it in place). */
  host?: string;
  /** Whether the registry answers yet; a plain HTTP request to `/v2/` by default. */
  answers?: (host: string) => Promise<boolean>;
}

const answersHttp = (host: string): Promise<boolean> => fetch(`http://${host}/v2/`).then(() => true, () => false);

/** Polls until the registry answers (any status: auth may be on); fails with its output if it exits first. */
async function waitUntilServing(registry: ChildProcess, answers: () => Promise<boolean>, host: string, output: () => string): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    if (registry.exitCode !== null) throw new Error(`berth-registry exited with ${registry.exitCode}:\n${output()}`);
    const answered = await answers();
    if (answered) return;
    await sleep(100);
  }
  throw new Error(`berth-registry did not answer on ${host}:\n${output()}`);
}

/** An htpasswd file with one user, the way `htpasswd -B` writes it (`$2y$`), in `work`. */
export async function writeHtpasswd(work: string, user: string, password: string): Promise<string> {
  const path = join(work, 'htpasswd');
  await writeFile(path, `${user}:${bcrypt.hashSync(password, 5).replace(/^\$2b\$/, '$2y$')}\n`);
  return path;
}

/**
 * Starts the built `berth-registry serve` (or, with `go`, the Go registry on the same config) with
 * deletion enabled; `extraConfig` is YAML appended to the config (top-level keys such as `auth:`),
 * given the registry's address and the temp dir.
 */
export async function startRegistry(extraConfig: (host: string, work: string) => string | Promise<string> = () => '', options: RegistryOptions = {}): Promise<TestRegistry> {
  const work = await mkdtemp(join(tmpdir(), 'berth-registry-'));
  const host = options.host ?? `127.0.0.1:${await freePort()}`;
  const config = join(work, 'config.yml');
  const dataRoot = options.dataRoot ?? join(work, 'data');
  const http = (await options.http?.(host, work)) ?? '';
  await writeFile(config, `version: 0.1\nhttp:\n  addr: ${host}\n${http}storage:\n  filesystem:\n    rootdirectory: ${dataRoot}\n  delete:\n    enabled: true\n${await extraConfig(host, work)}`);
  let [printed, printedOut, printedErr] = ['', '', ''];
  const [command, args] = options.go ? [GO_REGISTRY, ['serve', config]] : [process.execPath, [BERTH_REGISTRY, 'serve', config]];
  const registry = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  registry.stdout!.on('data', (d: Buffer) => {
    printed += d.toString();
    printedOut += d.toString();
  });
  registry.stderr!.on('data', (d: Buffer) => {
    printed += d.toString();
    printedErr += d.toString();
  });
  const output = (): string => printed;
  const stop = async (): Promise<void> => {
    if (registry.exitCode === null && registry.signalCode === null) {
      const exited = new Promise((resolve) => registry.once('exit', resolve));
      registry.kill('SIGTERM');
      await exited;
    }
    await rm(work, { recursive: true, force: true });
  };
  try {
    await waitUntilServing(registry, () => (options.answers ?? answersHttp)(host), host, output);
  } catch (err) {
    await stop();
    throw err;
  }
  return { host, work, config, dataRoot, child: registry, stdout: () => printedOut, stderr: () => printedErr, output, stop };
}

/** Pushes busybox into the registry with skopeo under `repository:tag`; resolves to its manifest digest. */
export async function pushBusybox(registry: Pick<TestRegistry, 'host' | 'work'>, repository: string, tag: string, creds?: string): Promise<string> {
  const digestFile = join(registry.work, `${repository.replace(/\//g, '_')}.digest`);
  const args = ['copy', '--dest-tls-verify=false', '--digestfile', digestFile, ...(creds ? ['--dest-creds', creds] : [])];
  const pushed = await run('skopeo', [...args, `docker-archive:${await busyboxArchive()}`, `docker://${registry.host}/${repository}:${tag}`], {
    env: { REGISTRY_AUTH_FILE: join(registry.work, 'auth.json') },
  });
  expect(pushed.code, pushed.stderr).toBe(0);
  return (await readFile(digestFile, 'utf8')).trim();
}

/** Pushes `busyboxWithRandomLayer` (a layer of `bytes` random bytes) into the registry with skopeo as `repositoryTag`; its reference. */
export async function pushBusyboxWithRandomLayer(registry: Pick<TestRegistry, 'host' | 'work'>, repositoryTag: string, bytes: number): Promise<string> {
  const archive = join(registry.work, `${repositoryTag.replace(/[/:]/g, '_')}.tar`);
  await writeFile(archive, await busyboxWithRandomLayer(repositoryTag, bytes));
  const ref = `${registry.host}/${repositoryTag}`;
  const pushed = await run('skopeo', ['copy', '--dest-tls-verify=false', `docker-archive:${archive}`, `docker://${ref}`]);
  expect(pushed.code, pushed.stderr).toBe(0);
  await rm(archive);
  return ref;
}
