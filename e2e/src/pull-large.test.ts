import { createHash, randomBytes } from 'node:crypto';
import { existsSync, createReadStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerArchive, packTar, readTarEntries } from './docker-archive.js';
import { busyboxArchive, dockerOk, useTestDaemon, type CommandResult } from './harness.js';
import { GO_REGISTRY, startRegistry, type TestRegistry } from './registry-harness.js';

const d = useTestDaemon();

const RANDOM_LAYERS = 3;
const LAYER_BYTES = 100 * 1024 * 1024;

interface Progress {
  status?: string;
  id?: string;
  progressDetail?: { current?: number; total?: number };
  aux?: { Tag?: string; Digest?: string; Size?: number };
  error?: string;
}

/** One client's way through tag, push, rmi and pull; push and pull resolve to the manifest digest they reported. */
interface Client {
  name: string;
  tag(id: string, ref: string): Promise<void>;
  push(ref: string): Promise<string>;
  rmi(ref: string): Promise<void>;
  pull(ref: string): Promise<string>;
}

/** The docker CLI or berth: the same commands, the same output. */
function cliClient(name: string, cli: (args: string[]) => Promise<CommandResult>): Client {
  const ok = async (args: string[]): Promise<string> => {
    const result = await cli(args);
    expect(result.code, `${name} ${args.join(' ')}: ${result.stderr}`).toBe(0);
    return result.stdout;
  };
  return {
    name,
    tag: async (id, ref) => void (await ok(['tag', id, ref])),
    async push(ref) {
      const lines = (await ok(['push', ref])).trim().split('\n');
      expect(lines[0]).toBe(`The push refers to repository [${ref.slice(0, ref.lastIndexOf(':'))}]`);
      const digest = /^v1: digest: (sha256:[a-f0-9]{64}) size: \d+$/.exec(lines.at(-1)!)?.[1];
      expect(digest, lines.join('\n')).toBeDefined();
      return digest!;
    },
    rmi: async (ref) => expect(await ok(['rmi', ref])).toContain(`Untagged: ${ref}\n`),
    async pull(ref) {
      const lines = (await ok(['pull', ref])).trim().split('\n');
      expect(lines).toContain(`Status: Downloaded newer image for ${ref}`);
      const digest = lines.find((line) => line.startsWith('Digest: '))?.slice('Digest: '.length);
      expect(digest, lines.join('\n')).toMatch(/^sha256:[a-f0-9]{64}$/);
      return digest!;
    },
  };
}

/** The events of a progress stream, read with dockerode's followProgress; an error event fails the test. */
async function followProgress(stream: NodeJS.ReadableStream): Promise<Progress[]> {
  const events = await new Promise<Progress[]>((resolve, reject) => d.docker.modem.followProgress(stream, (err: Error | null, output: Progress[]) => (err ? reject(err) : resolve(output))));
  expect(events.filter((event) => event.error)).toEqual([]);
  return events;
}

/** The statuses each layer went through, by its short ID. */
function byLayer(events: Progress[]): Map<string, Progress[]> {
  const layers = new Map<string, Progress[]>();
  for (const event of events) if (event.id && /^[a-f0-9]{12}$/.test(event.id)) layers.set(event.id, [...(layers.get(event.id) ?? []), event]);
  return layers;
}

/** Byte progress of one layer's transfer: totals announced, current never going back. */
function expectByteProgress(events: Progress[], status: string): void {
  const counts = events.filter((event) => event.status === status).map((event) => event.progressDetail ?? {});
  expect(counts.length, status).toBeGreaterThan(0);
  for (const [i, count] of counts.entries()) {
    expect(count.total).toBeGreaterThan(0);
    expect(count.current).toBeLessThanOrEqual(count.total!);
    if (i > 0) expect(count.current).toBeGreaterThanOrEqual(counts[i - 1]!.current!);
  }
}

/** dockerode, with each push's and pull's progress stream parsed. */
const dockerode: Client = {
  name: 'dockerode',
  async tag(id, ref) {
    const at = ref.lastIndexOf(':');
    await d.docker.getImage(id).tag({ repo: ref.slice(0, at), tag: ref.slice(at + 1) });
  },
  async push(ref) {
    const events = await followProgress(await d.docker.getImage(ref).push({}));
    const layers = [...byLayer(events).values()];
    expect(layers.length).toBeGreaterThan(0);
    for (const layer of layers) {
      // A layer an earlier round trip pushed to the same registry is mounted from that repository instead.
      expect(layer.at(-1)?.status).toMatch(/^(Pushed|Mounted from [a-z/]+)$/);
      if (layer.at(-1)?.status === 'Pushed') expectByteProgress(layer, 'Pushing');
    }
    expect(layers.filter((layer) => layer.at(-1)?.status === 'Pushed').length).toBeGreaterThan(0);
    const aux = events.find((event) => event.aux)?.aux;
    expect(aux?.Tag).toBe('v1');
    expect(events).toContainEqual(expect.objectContaining({ status: `v1: digest: ${aux?.Digest} size: ${aux?.Size}` }));
    return aux!.Digest!;
  },
  rmi: async (ref) => void (await d.docker.getImage(ref).remove()),
  async pull(ref) {
    const events = await followProgress(await d.docker.pull(ref));
    for (const layer of byLayer(events).values()) {
      if (layer.some((event) => event.status === 'Already exists')) continue;
      const statuses = layer.map((event) => event.status);
      for (const status of ['Pulling fs layer', 'Downloading', 'Download complete', 'Extracting', 'Pull complete']) expect(statuses).toContain(status);
      expectByteProgress(layer, 'Downloading');
    }
    expect(events.at(-1)?.status).toBe(`Status: Downloaded newer image for ${ref}`);
    const digest = events.find((event) => event.status?.startsWith('Digest: '))?.status?.slice('Digest: '.length);
    expect(digest).toMatch(/^sha256:[a-f0-9]{64}$/);
    return digest!;
  },
};

const dockerCli = cliClient('docker', (args) => d.dockerCli(args));
const berth = cliClient('berth', (args) => d.berth(args));

/**
 * tag → push → rmi of every reference (the image is gone) → pull, all through `client`: the pulled
 * image has the pushed one's ID and the digest push reported; resolves to the pulled reference.
 */
async function roundTrip(client: Client, registry: TestRegistry, id: string, repository: string): Promise<string> {
  const ref = `${registry.host}/${repository}:v1`;
  await client.tag(id, ref);
  const pushed = await client.push(ref);
  expect((await d.docker.getImage(id).inspect()).RepoDigests).toContain(`${registry.host}/${repository}@${pushed}`);
  for (const tag of (await d.docker.getImage(id).inspect()).RepoTags) await client.rmi(tag);
  await expect(d.docker.getImage(id).inspect()).rejects.toMatchObject({ statusCode: 404 });
  expect(await client.pull(ref)).toBe(pushed);
  const pulled = await d.docker.getImage(ref).inspect();
  expect(pulled.Id).toBe(id);
  expect(pulled.RepoDigests).toEqual([`${registry.host}/${repository}@${pushed}`]);
  return ref;
}

const hasGo = existsSync(GO_REGISTRY);

describe(`push and pull round trips through berth-registry${hasGo ? ' and the Go registry' : ` (the Go registry's are skipped: ${GO_REGISTRY} is not installed)`}`, () => {
  let ours: TestRegistry;
  let go: TestRegistry | undefined;
  let busyboxId: string;

  beforeAll(async () => {
    ours = await startRegistry();
    if (hasGo) go = await startRegistry(() => '', { go: true });
    busyboxId = (await d.docker.getImage('busybox').inspect()).Id;
  }, 60_000);
  afterAll(async () => {
    await go?.stop();
    await ours?.stop();
  });

  const busyboxCases: [string, Client, () => TestRegistry | undefined][] = [
    ['berth-registry', dockerode, () => ours],
    ['berth-registry', berth, () => ours],
    ['the Go registry', dockerCli, () => go],
    ['the Go registry', berth, () => go],
  ];
  for (const [registryName, client, registry] of busyboxCases) {
    it.skipIf(registryName !== 'berth-registry' && !hasGo)(`round-trips busybox through ${client.name} and ${registryName}`, async () => {
      const ref = await roundTrip(client, registry()!, busyboxId, `${client.name}/busybox`);
      expect(await dockerOk(d, ['run', '--rm', ref, 'echo', 'round trip'])).toBe('round trip\n');
    });
  }

  describe(`a ${(RANDOM_LAYERS * LAYER_BYTES) / 1024 / 1024} MB image of ${RANDOM_LAYERS} random layers on busybox`, () => {
    let work: string;
    let bigId: string;
    const sums: string[] = [];

    beforeAll(async () => {
      work = await mkdtemp(join(tmpdir(), 'berth-pull-large-'));
      const busybox = await readTarEntries(createReadStream(await busyboxArchive()));
      const layers = busybox.filter((entry) => entry.name.endsWith('/layer.tar')).map((entry) => entry.body);
      for (let i = 0; i < RANDOM_LAYERS; i++) {
        const body = randomBytes(LAYER_BYTES);
        sums.push(`${createHash('sha256').update(body).digest('hex')}  /big/layer-${i}.bin`);
        layers.push(await packTar([{ name: 'big/', type: 'directory' }, { name: `big/layer-${i}.bin`, body }]));
      }
      const archive = join(work, 'big.tar');
      await writeFile(archive, await dockerArchive('large/random:v1', layers));
      await dockerOk(d, ['load', '-i', archive]);
      await rm(archive);
      bigId = (await d.docker.getImage('large/random:v1').inspect()).Id;
    }, 120_000);
    afterAll(() => rm(work, { recursive: true, force: true }));

    const bigCases: [string, Client, () => TestRegistry | undefined][] = [
      ['berth-registry', dockerCli, () => ours],
      ['the Go registry', dockerode, () => go],
    ];
    for (const [registryName, client, registry] of bigCases) {
      it.skipIf(registryName !== 'berth-registry' && !hasGo)(`round-trips through ${client.name} and ${registryName}, and runs with every byte in place`, async () => {
        const ref = await roundTrip(client, registry()!, bigId, `${client.name}/random`);
        const files = Array.from({ length: RANDOM_LAYERS }, (_, i) => `/big/layer-${i}.bin`);
        expect(await dockerOk(d, ['run', '--rm', ref, 'sha256sum', ...files])).toBe(`${sums.join('\n')}\n`);
      });
    }
  });
});
