import { PassThrough, Readable, type Duplex } from 'node:stream';
import type Docker from 'dockerode';
import { extract, pack } from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestDaemon } from '../harness.js';
import { pushBusybox, startRegistry, type TestRegistry } from '../registry-harness.js';
import { npmClientVersion } from './client-versions.js';

interface Progress {
  status?: string;
  stream?: string;
  error?: string;
  aux?: { ID?: string; Tag?: string; Digest?: string; Size?: number };
}

interface Event {
  Type: string;
  Action: string;
  Actor: { ID: string; Attributes: Record<string, string> };
}

/** The events of a JSON progress stream (pull, push, build), read with dockerode's followProgress. */
function followProgress(docker: Docker, stream: NodeJS.ReadableStream): Promise<Progress[]> {
  return new Promise((resolve, reject) => docker.modem.followProgress(stream, (err: Error | null, output: Progress[]) => (err ? reject(err) : resolve(output))));
}

/** A stdout and a stderr stream for dockerode to write to, and what they have received. */
function outputs(): { out: PassThrough; err: PassThrough; seen: { stdout: string; stderr: string } } {
  const [out, err] = [new PassThrough(), new PassThrough()];
  const seen = { stdout: '', stderr: '' };
  out.on('data', (chunk: Buffer) => (seen.stdout += chunk.toString()));
  err.on('data', (chunk: Buffer) => (seen.stderr += chunk.toString()));
  return { out, err, seen };
}

/** stdout and stderr of a multiplexed stream, split with dockerode's demuxStream, once the stream ends. */
function demux(docker: Docker, stream: NodeJS.ReadableStream): Promise<{ stdout: string; stderr: string }> {
  const { out, err, seen } = outputs();
  docker.modem.demuxStream(stream, out, err);
  return new Promise((resolve, reject) => {
    stream.once('error', reject);
    stream.once('end', () => resolve(seen));
  });
}

/** stdout and stderr of `docker.run` without a TTY, the container removed once it exits. */
async function run(docker: Docker, image: string, cmd: string[]): Promise<{ stdout: string; stderr: string }> {
  const { out, err, seen } = outputs();
  await docker.run(image, cmd, [out, err], { Tty: false, HostConfig: { AutoRemove: true } });
  return seen;
}

/** The entries of a tar stream: name to content (empty for directories). */
async function untar(stream: NodeJS.ReadableStream): Promise<Record<string, string>> {
  const entries: Record<string, string> = {};
  const reader = extract();
  reader.on('entry', (header, body, next) => {
    let content = '';
    body.on('data', (chunk) => (content += String(chunk)));
    body.on('end', () => {
      entries[header.name] = content;
      next();
    });
  });
  const done = new Promise<void>((resolve, reject) => reader.once('finish', () => resolve()).once('error', reject));
  stream.pipe(reader);
  await done;
  return entries;
}

/** `docker.getImages` (`GET /images/get?names=…`), which dockerode has and its typings lack. */
function saveImages(docker: Docker, opts: { names?: string[] }): Promise<NodeJS.ReadableStream> {
  return (docker as Docker & { getImages(opts: { names?: string[] }): Promise<NodeJS.ReadableStream> }).getImages(opts);
}

/** Everything a stream delivers. */
async function streamBytes(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks);
}

/** A tar stream holding these files. */
function tarOf(files: Record<string, string>): NodeJS.ReadableStream {
  const tar = pack();
  for (const [name, content] of Object.entries(files)) tar.entry({ name, mode: 0o644 }, content);
  tar.finalize();
  return tar as unknown as NodeJS.ReadableStream;
}

/** The JSON events a stream has delivered once `done` holds for them (the stream is then destroyed), or once it ends. */
function readEvents(stream: NodeJS.ReadableStream & { destroy(): void }, done: (events: Event[]) => boolean = () => false): Promise<Event[]> {
  return new Promise((resolve, reject) => {
    const events: Event[] = [];
    let buffered = '';
    stream.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      events.push(...lines.filter(Boolean).map((line) => JSON.parse(line) as Event));
      if (done(events)) {
        stream.destroy();
        resolve(events);
      }
    });
    stream.once('end', () => resolve(events));
    stream.once('error', reject);
  });
}

describe(`dockerode ${npmClientVersion('dockerode')}`, () => {
  describe('containers, exec, archives, events, volumes, images', () => {
    const d = useTestDaemon();

    it('createContainer, start, wait, and logs without follow split by demuxStream', async () => {
      const container = await d.docker.createContainer({ Image: 'busybox', Cmd: ['sh', '-c', 'echo out; echo err >&2; exit 3'], name: 'dode-logs' });
      await container.start();
      expect(await container.wait()).toEqual({ StatusCode: 3, Error: null });
      const logs = await container.logs({ stdout: true, stderr: true, follow: false });
      expect(await demux(d.docker, Readable.from([logs]))).toEqual({ stdout: 'out\n', stderr: 'err\n' });
      // Tail counts lines of both streams before stdout is picked, as in dockerd.
      expect(await container.logs({ stdout: true, tail: 1 })).toHaveLength(0);
      const timestamped = await demux(d.docker, Readable.from([await container.logs({ stdout: true, timestamps: true, tail: 2 })]));
      expect(timestamped).toEqual({ stdout: expect.stringMatching(/^\d{4}-\d\d-\d\dT\S+Z out\n$/) as string, stderr: '' });
    });

    it('follows logs as a stream until the container exits', async () => {
      const container = await d.docker.createContainer({ Image: 'busybox', Cmd: ['sh', '-c', 'echo one; read x; echo two >&2'], OpenStdin: true, StdinOnce: true });
      const stdin = (await container.attach({ stream: true, stdin: true, hijack: true })) as unknown as Duplex;
      await container.start();
      const followed = demux(d.docker, await container.logs({ stdout: true, stderr: true, follow: true }));
      stdin.end('go\n');
      expect(await followed).toEqual({ stdout: 'one\n', stderr: 'two\n' });
      stdin.destroy();
    });

    it('attaches with stdin before start and reads stdout and stderr apart', async () => {
      const container = await d.docker.createContainer({
        Image: 'busybox',
        Cmd: ['sh', '-c', 'cat; echo done >&2'],
        OpenStdin: true,
        StdinOnce: true,
        AttachStdin: true,
        AttachStdout: true,
        AttachStderr: true,
      });
      const stream = (await container.attach({ stream: true, stdin: true, stdout: true, stderr: true, hijack: true })) as unknown as Duplex;
      const output = demux(d.docker, stream);
      await container.start();
      stream.end('through stdin\n');
      expect(await output).toEqual({ stdout: 'through stdin\n', stderr: 'done\n' });
      expect((await container.wait()).StatusCode).toBe(0);
    });

    it('docker.run creates, attaches, starts and waits: with its default TTY, and without one into two streams', async () => {
      const [result, container] = (await d.docker.run('busybox', ['sh', '-c', 'echo ran; exit 2'], new PassThrough(), { name: 'dode-run' })) as [{ StatusCode: number }, Docker.Container];
      expect(result.StatusCode).toBe(2);
      expect((await container.inspect()).Config.Tty).toBe(true);
      expect((await container.logs({ stdout: true })).toString()).toBe('ran\r\n');
      await container.remove();
      expect(await run(d.docker, 'busybox', ['sh', '-c', 'echo out; echo err >&2'])).toEqual({ stdout: 'out\n', stderr: 'err\n' });
    });

    it('listContainers: running only by default, all, and filters as an object', async () => {
      const running = await d.docker.createContainer({ Image: 'busybox', Cmd: ['sleep', '600'], name: 'dode-running', Labels: { suite: 'dockerode' } });
      await running.start();
      const names = (list: Docker.ContainerInfo[]) => list.flatMap((c) => c.Names).sort();
      expect(names(await d.docker.listContainers())).toEqual(['/dode-running']);
      expect(names(await d.docker.listContainers({ all: true }))).toEqual(expect.arrayContaining(['/dode-logs', '/dode-running']));
      expect(names(await d.docker.listContainers({ all: true, filters: { status: ['exited'], name: ['dode-logs'] } }))).toEqual(['/dode-logs']);
      expect(names(await d.docker.listContainers({ all: true, filters: { label: ['suite=dockerode'] } }))).toEqual(['/dode-running']);
      expect(names(await d.docker.listContainers({ all: true, filters: '{"exited":["3"]}' }))).toEqual(['/dode-logs']);
      const [listed] = await d.docker.listContainers({ filters: { id: [running.id] } });
      expect(listed).toMatchObject({ Id: running.id, Image: 'busybox', Command: 'sleep 600', State: 'running', Labels: { suite: 'dockerode' } });
    });

    it('execs with stdin over a hijacked stream, then inspects its exit code', async () => {
      const exec = await d.docker.getContainer('dode-running').exec({
        Cmd: ['sh', '-c', 'cat; echo to-stderr >&2; exit 5'],
        AttachStdin: true,
        AttachStdout: true,
        AttachStderr: true,
      });
      const stream = (await exec.start({ hijack: true, stdin: true })) as Duplex;
      const output = demux(d.docker, stream);
      stream.end('exec stdin\n');
      expect(await output).toEqual({ stdout: 'exec stdin\n', stderr: 'to-stderr\n' });
      expect(await exec.inspect()).toMatchObject({ ExitCode: 5, Running: false, ProcessConfig: { entrypoint: 'sh' } });
      // A streamed reply's error is in dockerode's message only.
      await expect(exec.start({ Detach: true })).rejects.toMatchObject({ statusCode: 409, message: expect.stringContaining(`exec command ${exec.id} has already run`) as string });
    });

    it('putArchive puts a tar in and getArchive gets one out, with infoArchive stating the path', async () => {
      const container = d.docker.getContainer('dode-running');
      await container.putArchive(tarOf({ 'dir/a.txt': 'alpha\n', 'dir/sub/b.txt': 'beta\n' }), { path: '/tmp' });
      const exec = await container.exec({ Cmd: ['cat', '/tmp/dir/a.txt', '/tmp/dir/sub/b.txt'], AttachStdout: true, AttachStderr: true });
      expect(await demux(d.docker, await exec.start({ hijack: true, stdin: false }))).toEqual({ stdout: 'alpha\nbeta\n', stderr: '' });
      const entries = await untar(await container.getArchive({ path: '/tmp/dir' }));
      expect(entries).toEqual({ 'dir/': '', 'dir/a.txt': 'alpha\n', 'dir/sub/': '', 'dir/sub/b.txt': 'beta\n' });
      const info = (await container.infoArchive({ path: '/tmp/dir/a.txt' })) as unknown as { headers: Record<string, string> };
      const stat = JSON.parse(Buffer.from(info.headers['x-docker-container-path-stat']!, 'base64').toString()) as { name: string; size: number };
      expect(stat).toMatchObject({ name: 'a.txt', size: 6 });
      await expect(container.getArchive({ path: '/tmp/none' })).rejects.toMatchObject({ statusCode: 404 });
    });

    it('getEvents streams a container create, start and die as they happen, and replays them between since and until', async () => {
      const since = Math.floor(Date.now() / 1000);
      const live = (await d.docker.getEvents({ filters: { type: ['container'], label: ['events=dockerode'] } })) as NodeJS.ReadableStream & { destroy(): void };
      const seen = readEvents(live, (events) => events.some((e) => e.Action === 'die'));
      const container = await d.docker.createContainer({ Image: 'busybox', Cmd: ['true'], Labels: { events: 'dockerode' } });
      await container.start();
      await container.wait();
      const actions = (events: Event[]) => events.map((e) => e.Action).filter((a) => ['create', 'start', 'die'].includes(a));
      const liveEvents = await seen;
      expect(actions(liveEvents)).toEqual(['create', 'start', 'die']);
      expect(liveEvents.find((e) => e.Action === 'die')?.Actor).toMatchObject({ ID: container.id, Attributes: { exitCode: '0', image: 'busybox', events: 'dockerode' } });
      const until = Math.floor(Date.now() / 1000) + 1;
      const replayed = (await d.docker.getEvents({ since, until, filters: { container: [container.id] } })) as NodeJS.ReadableStream & { destroy(): void };
      expect(actions(await readEvents(replayed))).toEqual(['create', 'start', 'die']);
    });

    it('volumes: createVolume, listVolumes with filters, getVolume inspect and remove, pruneVolumes', async () => {
      expect((await d.docker.createVolume({ Name: 'dode-vol', Labels: { suite: 'dockerode' } })).name).toBe('dode-vol');
      await d.docker.createVolume({ Name: 'dode-prunable', Labels: { prune: 'me' } });
      const listed = await d.docker.listVolumes({ filters: { label: ['suite=dockerode'] } });
      expect(listed.Volumes.map((v) => v.Name)).toEqual(['dode-vol']);
      expect((await d.docker.listVolumes({ filters: { name: ['dode-'] } })).Volumes.map((v) => v.Name).sort()).toEqual(['dode-prunable', 'dode-vol']);
      expect((await d.docker.listVolumes({ filters: { dangling: ['true'], driver: ['local'] } })).Volumes.map((v) => v.Name).sort()).toEqual(['dode-prunable', 'dode-vol']);
      const volume = d.docker.getVolume('dode-vol');
      expect(await volume.inspect()).toMatchObject({ Name: 'dode-vol', Driver: 'local', Labels: { suite: 'dockerode' }, Scope: 'local', Options: null });
      await volume.remove();
      await expect(volume.inspect()).rejects.toMatchObject({ statusCode: 404 });
      // Since API 1.42, prune takes only anonymous volumes unless all=true is among the filters.
      expect(await d.docker.pruneVolumes({ filters: { label: ['prune=me'] } })).toEqual({ VolumesDeleted: [], SpaceReclaimed: 0 });
      expect(await d.docker.pruneVolumes({ filters: { label: ['prune=me'], all: ['true'] } })).toEqual({ VolumesDeleted: ['dode-prunable'], SpaceReclaimed: 0 });
    });

    it('buildImage from a tar-stream context with followProgress, then runs the image', async () => {
      const context = tarOf({ Dockerfile: 'FROM busybox\nCOPY greeting /\nCMD ["cat", "/greeting"]\n', greeting: 'built by dockerode\n' });
      const events = await followProgress(d.docker, await d.docker.buildImage(context, { t: 'dode-built:1' }));
      expect(events.filter((e) => e.error)).toEqual([]);
      expect(events.map((e) => e.stream ?? '').join('')).toContain('Successfully tagged dode-built:1\n');
      expect(await run(d.docker, 'dode-built:1', [])).toEqual({ stdout: 'built by dockerode\n', stderr: '' });
      const broken = await followProgress(d.docker, await d.docker.buildImage(tarOf({ Dockerfile: 'FROM busybox\nRUN exit 4\n' }), { t: 'dode-broken' }));
      expect(broken.at(-1)?.error).toBe("The command '/bin/sh -c exit 4' returned a non-zero code: 4");
    });

    it('container operations: inspect, top, stats, changes, export, pause, rename, update, commit, kill, restart, stop, wait conditions, remove', async () => {
      const container = await d.docker.createContainer({ Image: 'busybox', Cmd: ['sh', '-c', 'mkdir -p /made && touch /made/f && exec sleep 600'], name: 'dode-ops' });
      await container.start();
      expect(await container.inspect()).toMatchObject({ Id: container.id, Name: '/dode-ops', State: { Status: 'running', Running: true }, Config: { Image: 'busybox' } });
      // The shell makes /made, then becomes sleep.
      const commands = async () => {
        const top = (await container.top({ ps_args: 'aux' })) as { Titles: string[]; Processes: string[][] };
        return [top.Titles.at(-1), ...top.Processes.map((p) => p.at(-1))];
      };
      await expect.poll(commands).toEqual(['COMMAND', 'sleep 600']);
      const stats = (await container.stats({ stream: false })) as unknown as { id: string; memory_stats: { usage: number }; pids_stats: { current: number } };
      expect(stats).toMatchObject({ id: container.id, name: '/dode-ops', pids_stats: { current: 1 } });
      expect(stats.memory_stats.usage).toBeGreaterThan(0);
      expect(await container.changes()).toEqual(expect.arrayContaining([{ Path: '/made', Kind: 1 }, { Path: '/made/f', Kind: 1 }]));
      expect(Object.keys(await untar(await container.export()))).toEqual(expect.arrayContaining(['bin/', 'made/', 'made/f']));
      await container.pause();
      expect((await container.inspect()).State.Status).toBe('paused');
      await container.unpause();
      await container.rename({ name: 'dode-renamed' });
      expect(await container.update({ Memory: 64 * 1024 * 1024, MemorySwap: -1 })).toEqual({ Warnings: null });
      expect((await container.inspect()).HostConfig).toMatchObject({ Memory: 64 * 1024 * 1024, MemorySwap: -1 });
      const committed = await container.commit({ repo: 'dode-committed', tag: 'v1', comment: 'by dockerode', changes: ['LABEL dode=committed'] });
      expect((await d.docker.getImage(committed.Id).inspect()).Config.Labels).toEqual({ dode: 'committed' });
      await container.kill({ signal: 'SIGKILL' });
      expect(await container.wait()).toEqual({ StatusCode: 137, Error: null });
      const notRunning = `cannot kill container: dode-renamed: container ${container.id} is not running`;
      await expect(d.docker.getContainer('dode-renamed').kill()).rejects.toMatchObject({ statusCode: 409, json: { message: notRunning } });
      await container.restart({ t: 0 });
      const exited = container.wait({ condition: 'next-exit' });
      await container.stop({ t: 0 });
      expect((await exited).StatusCode).toBe(137);
      await expect(container.stop()).rejects.toMatchObject({ statusCode: 304 });
      const removed = container.wait({ condition: 'removed' });
      await container.remove({ v: true });
      expect((await removed).StatusCode).toBe(137);
      await expect(container.inspect()).rejects.toMatchObject({ statusCode: 404 });
    });

    it('images: importImage, listImages with filters, inspect, history, tag, remove, pruneImages', async () => {
      const imported = await followProgress(d.docker, await d.docker.importImage(tarOf({ 'hello.txt': 'imported\n' }), { repo: 'dode-imported', tag: 'x' }));
      expect(imported.at(-1)?.status).toMatch(/^sha256:[0-9a-f]{64}$/);
      const image = d.docker.getImage('dode-imported:x');
      await image.tag({ repo: 'dode-imported', tag: 'y' });
      const listed = await d.docker.listImages({ filters: { reference: ['dode-imported'] } });
      expect(listed.map((i) => i.RepoTags)).toEqual([['dode-imported:x', 'dode-imported:y']]);
      expect(listed[0]!.Id).toBe(imported.at(-1)?.status);
      expect((await d.docker.listImages({ filters: { label: ['dode=committed'] } })).map((i) => i.RepoTags)).toEqual([['dode-committed:v1']]);
      expect(await image.inspect()).toMatchObject({ Id: listed[0]!.Id, RepoTags: ['dode-imported:x', 'dode-imported:y'], Os: 'linux', RootFS: { Type: 'layers' } });
      const history = (await image.history()) as Array<{ Id: string; Tags: string[] | null; Comment: string }>;
      expect(history.map((h) => [h.Id, h.Tags, h.Comment])).toEqual([[listed[0]!.Id, ['dode-imported:x', 'dode-imported:y'], 'Imported from -']]);
      expect(await image.remove()).toEqual([{ Untagged: 'dode-imported:x' }]);
      expect(await d.docker.getImage('dode-imported:y').remove()).toEqual([{ Untagged: 'dode-imported:y' }, { Deleted: listed[0]!.Id }, { Deleted: expect.stringMatching(/^sha256:/) as string }]);
      await expect(image.inspect()).rejects.toMatchObject({ statusCode: 404 });
      const pruned = await d.docker.pruneImages({ filters: { dangling: ['false'], label: ['dode=committed'] } });
      expect(pruned.ImagesDeleted?.[0]).toEqual({ Untagged: 'dode-committed:v1' });
    });

    it('getImage().get and getImages save archives that loadImage loads; getImages with no names saves none', async () => {
      await d.docker.getImage('busybox').tag({ repo: 'dode-saved', tag: '1' });
      const saved = await untar(await d.docker.getImage('dode-saved:1').get());
      expect(JSON.parse(saved['manifest.json']!)).toEqual([expect.objectContaining({ RepoTags: ['dode-saved:1'] })]);
      const both = await untar(await saveImages(d.docker, { names: ['dode-saved:1', 'dode-built:1'] }));
      expect((JSON.parse(both['manifest.json']!) as Array<{ RepoTags: string[] }>).map((m) => m.RepoTags)).toEqual([['dode-saved:1'], ['dode-built:1']]);
      const none = await untar(await saveImages(d.docker, {}));
      expect(JSON.parse(none['manifest.json']!)).toEqual([]);
      await d.docker.getImage('dode-saved:1').remove();
      const loaded = await followProgress(d.docker, await d.docker.loadImage(Readable.from([await streamBytes(await d.docker.getImage('busybox').get())])));
      expect(loaded.map((e) => e.stream)).toEqual(['Loaded image: busybox:latest\n']);
    });

    it('system: ping, version, info, df', async () => {
      expect((await d.docker.ping()).toString()).toBe('OK');
      expect(await d.docker.version()).toMatchObject({ ApiVersion: '1.47', Os: 'linux' });
      expect(await d.docker.info()).toMatchObject({ OSType: 'linux', Driver: expect.any(String) as string, Images: expect.any(Number) as number });
      expect(Object.keys(await d.docker.df()).sort()).toEqual(['BuildCache', 'Containers', 'Images', 'LayersSize', 'Volumes']);
    });

    describe.each([
      ['berth-registry', false],
      ['the Go registry', true],
    ])('pull and push with followProgress against %s', (_name, go) => {
      let registry: TestRegistry;
      beforeAll(async () => {
        registry = await startRegistry(undefined, { go });
        await pushBusybox(registry, 'library/box', 'latest');
      }, 60_000);
      afterAll(() => registry?.stop());

      it('pulls an image and runs it', async () => {
        const image = `${registry.host}/library/box:latest`;
        const events = await followProgress(d.docker, await d.docker.pull(image));
        expect(events.filter((e) => e.error)).toEqual([]);
        expect(events.at(-1)?.status).toBe(`Status: Downloaded newer image for ${image}`);
        expect(await run(d.docker, image, ['echo', 'pulled'])).toEqual({ stdout: 'pulled\n', stderr: '' });
      });

      it('tags and pushes an image, whose digest the registry then serves', async () => {
        await d.docker.getImage('dode-built:1').tag({ repo: `${registry.host}/mine/built`, tag: 'v1' });
        const events = await followProgress(d.docker, await d.docker.getImage(`${registry.host}/mine/built:v1`).push({}));
        expect(events.filter((e) => e.error)).toEqual([]);
        const aux = events.find((e) => e.aux)?.aux;
        expect(aux).toMatchObject({ Tag: 'v1', Digest: expect.stringMatching(/^sha256:[0-9a-f]{64}$/) as string, Size: expect.any(Number) as number });
        const manifest = await fetch(`http://${registry.host}/v2/mine/built/manifests/v1`, { method: 'HEAD', headers: { Accept: 'application/vnd.docker.distribution.manifest.v2+json' } });
        expect(manifest.headers.get('docker-content-digest')).toBe(aux?.Digest);
      });
    });
  });

  describe('networks, on a daemon in a network namespace of its own', () => {
    const d = useTestDaemon({ network: true });

    it('createNetwork with IPAM, inspect, listNetworks with filters, connect, disconnect, remove', async () => {
      const network = await d.docker.createNetwork({
        Name: 'dode-net',
        Driver: 'bridge',
        Labels: { suite: 'dockerode' },
        IPAM: { Driver: 'default', Config: [{ Subnet: '10.89.7.0/24', Gateway: '10.89.7.1' }] },
      });
      expect(await network.inspect()).toMatchObject({ Name: 'dode-net', Driver: 'bridge', Labels: { suite: 'dockerode' }, IPAM: { Config: [{ Subnet: '10.89.7.0/24', Gateway: '10.89.7.1' }] } });
      const names = (list: Docker.NetworkInspectInfo[]) => list.map((n) => n.Name).sort();
      expect(names(await d.docker.listNetworks({ filters: { label: ['suite=dockerode'] } }))).toEqual(['dode-net']);
      expect(names(await d.docker.listNetworks({ filters: { driver: ['bridge'] } }))).toEqual(['bridge', 'dode-net']);
      expect(names(await d.docker.listNetworks({ filters: { name: ['dode'], type: ['custom'] } }))).toEqual(['dode-net']);

      const container = await d.docker.createContainer({ Image: 'busybox', Cmd: ['sleep', '600'], name: 'dode-netted' });
      await container.start();
      await network.connect({ Container: container.id, EndpointConfig: { IPAMConfig: { IPv4Address: '10.89.7.10' }, Aliases: ['web'] } });
      const attached = (await container.inspect()).NetworkSettings.Networks['dode-net'];
      expect(attached).toMatchObject({ IPAddress: '10.89.7.10', Gateway: '10.89.7.1', NetworkID: network.id, Aliases: ['web'] });
      expect(Object.keys((await network.inspect()).Containers ?? {})).toEqual([container.id]);
      const exec = await container.exec({ Cmd: ['ip', '-4', '-o', 'addr', 'show'], AttachStdout: true, AttachStderr: true });
      expect((await demux(d.docker, await exec.start({ hijack: true, stdin: false }))).stdout).toContain('inet 10.89.7.10/24');

      await expect(network.remove()).rejects.toMatchObject({ statusCode: 409 });
      const aliased = await d.docker.createContainer({ Image: 'busybox', Cmd: ['true'], NetworkingConfig: { EndpointsConfig: { 'dode-net': { Aliases: ['db'] } } } });
      // Its endpoint is configured at create and joined at start, which fills in NetworkID.
      expect((await aliased.inspect()).NetworkSettings.Networks['dode-net']).toMatchObject({ Aliases: ['db'], NetworkID: '' });
      await aliased.remove();
      await network.disconnect({ Container: container.id });
      expect(Object.keys((await container.inspect()).NetworkSettings.Networks)).toEqual(['bridge']);
      await expect(network.remove()).resolves.toBeDefined();
      await expect(network.inspect()).rejects.toMatchObject({ statusCode: 404 });
    });
  });
});
