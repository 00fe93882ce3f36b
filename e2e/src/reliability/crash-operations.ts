import { createHash, randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { dockerArchive, packTar, readTarEntries } from '../docker-archive.js';
import type { TestDaemon } from '../harness.js';
import { engineRequest, type EngineReply } from './engine-request.js';

/** What the operations share across iterations. */
export interface CrashContext {
  d: TestDaemon;
  /** The loopback registry pulls and pushes go to (`127.0.0.1:<port>`). */
  registry: string;
  /** The image a pull fetches (`repository:tag`): pushed once, un-faulted, at the start. */
  pullable: { repository: string; tag: string; id: string; diffIds: string[] };
  /** Images committed and found whole after a fault, with the file content each must keep: checked after every later fault. */
  committed: Map<string, string>;
}

/** One iteration of an operation: set up un-faulted, fired (and faulted), then judged after the restart. */
export interface PreparedOperation {
  fire(): Promise<EngineReply>;
  /** Work the operation goes on with after its reply (a removal's files are deleted after it answered): resolves once it is done, or once `signal` aborts. */
  settled?(signal: AbortSignal): Promise<void>;
  /** After the restart: what is wrong with the operation's result, given how far its reply got (all or nothing). */
  verify(reply: EngineReply): Promise<string[]>;
  /** Un-faulted removal of what the iteration made, kept data aside. */
  cleanup(): Promise<void>;
}

export interface CrashOperation {
  name: string;
  prepare(context: CrashContext, iteration: number): Promise<PreparedOperation>;
}

const sha256 = (data: Buffer): string => `sha256:${createHash('sha256').update(data).digest('hex')}`;
const enc = encodeURIComponent;

/** Un-faulted requests of the set-up and checks: they must succeed. */
async function ok(d: TestDaemon, method: string, path: string, body?: Buffer | object): Promise<EngineReply> {
  const reply = await engineRequest(d.socket, method, path, body);
  if (!reply.ok) throw new Error(`${method} ${path}: ${reply.status} ${reply.body.slice(0, 500)}`);
  return reply;
}

async function removeImage(d: TestDaemon, name: string): Promise<void> {
  const reply = await engineRequest(d.socket, 'DELETE', `/images/${enc(name)}?force=1`);
  if (!reply.ok && reply.status !== 404) throw new Error(`removing image ${name}: ${reply.status} ${reply.body}`);
}

async function removeContainer(d: TestDaemon, name: string): Promise<void> {
  const reply = await engineRequest(d.socket, 'DELETE', `/containers/${enc(name)}?force=1&v=1`);
  if (!reply.ok && reply.status !== 404) throw new Error(`removing container ${name}: ${reply.status} ${reply.body}`);
}

async function imageId(d: TestDaemon, name: string): Promise<string | undefined> {
  const reply = await engineRequest(d.socket, 'GET', `/images/${enc(name)}/json`);
  if (reply.status === 404) return undefined;
  if (!reply.ok) throw new Error(`inspecting image ${name}: ${reply.status} ${reply.body}`);
  return (JSON.parse(reply.body) as { Id: string }).Id;
}

/** Creates a busybox container running `script` and waits for it to exit 0; its ID. */
async function ranContainer(d: TestDaemon, name: string, script: string): Promise<string> {
  const { Id } = JSON.parse((await ok(d, 'POST', `/containers/create?name=${name}`, { Image: 'busybox', Cmd: ['sh', '-c', script] })).body) as { Id: string };
  await ok(d, 'POST', `/containers/${Id}/start`);
  const { StatusCode } = JSON.parse((await ok(d, 'POST', `/containers/${Id}/wait`)).body) as { StatusCode: number };
  if (StatusCode !== 0) throw new Error(`${script} exited ${StatusCode}`);
  return Id;
}

/** A docker-archive of one image with a layer of random bytes, and the diffIDs it must get. */
async function randomImage(tag: string, bytes: number): Promise<{ archive: Buffer; diffIds: string[] }> {
  const layers = [await packTar([{ name: 'random', body: randomBytes(bytes) }]), await packTar([{ name: 'top', body: randomBytes(64 * 1024) }])];
  return { archive: await dockerArchive(tag, layers), diffIds: layers.map(sha256) };
}

/** The image's content as `docker save` gives it: each layer tar must hash to its diffID. */
async function contentProblems(d: TestDaemon, name: string, diffIds: string[]): Promise<string[]> {
  const entries = await readTarEntries(await d.docker.getImage(name).get());
  const manifest = entries.find((e) => e.name === 'manifest.json');
  if (!manifest) return [`the saved ${name} has no manifest.json`];
  const [{ Layers }] = JSON.parse(manifest.body.toString('utf8')) as [{ Layers: string[] }];
  const saved = Layers.map((path) => {
    const body = entries.find((e) => e.name === path)?.body;
    return body === undefined ? `(no ${path})` : sha256(body);
  });
  return JSON.stringify(saved) === JSON.stringify(diffIds) ? [] : [`the saved ${name} has layers hashing to ${saved.join(', ')}, not ${diffIds.join(', ')}`];
}

/** The manifest digest a push stream reports (its aux message). */
function pushedDigest(reply: EngineReply): string | undefined {
  for (const line of reply.body.split('\n')) {
    const digest = (JSON.parse(line || '{}') as { aux?: { Digest?: string } }).aux?.Digest;
    if (digest !== undefined) return digest;
  }
  return undefined;
}

/** `cat path` in a throw-away container of `image`, through the docker CLI. */
export async function fileIn(d: TestDaemon, image: string, path: string): Promise<string> {
  const run = await d.dockerCli(['run', '--rm', image, 'cat', path]);
  return run.code === 0 ? run.stdout : `(exit ${run.code}: ${run.stderr.trim()})`;
}

const pull: CrashOperation = {
  name: 'pull',
  async prepare({ d, pullable }) {
    const name = `${pullable.repository}:${pullable.tag}`;
    await removeImage(d, name);
    return {
      fire: () => engineRequest(d.socket, 'POST', `/images/create?fromImage=${enc(pullable.repository)}&tag=${pullable.tag}`),
      async verify(reply) {
        const id = await imageId(d, name);
        if (id === undefined) return reply.ok ? ['a pull that completed left no image'] : [];
        if (id !== pullable.id) return [`the pulled image is ${id}, not ${pullable.id}`];
        return contentProblems(d, name, pullable.diffIds);
      },
      cleanup: () => removeImage(d, name),
    };
  },
};

const push: CrashOperation = {
  name: 'push',
  async prepare({ d, registry }, iteration) {
    const repository = `${registry}/crash/push-${iteration}`;
    const name = `${repository}:v1`;
    await ok(d, 'POST', '/images/load?quiet=1', (await randomImage(name, 2 * 1024 * 1024)).archive);
    const id = await imageId(d, name);
    return {
      fire: () => engineRequest(d.socket, 'POST', `/images/${enc(repository)}/push?tag=v1`),
      async verify(reply) {
        if ((await imageId(d, name)) !== id) return ['the pushed image is gone from the engine'];
        // Pushed again un-faulted, it pulls back as the same image under the same digest.
        const digest = pushedDigest(await ok(d, 'POST', `/images/${enc(repository)}/push?tag=v1`));
        const problems: string[] = [];
        if (reply.ok && pushedDigest(reply) !== digest) problems.push(`the faulted push reported ${pushedDigest(reply)}, the next one ${digest}`);
        await removeImage(d, name);
        const pulled = await ok(d, 'POST', `/images/create?fromImage=${enc(repository)}&tag=v1`);
        if (!pulled.body.includes(`Digest: ${digest}`)) problems.push(`pulled back with another digest than ${digest}: ${pulled.body.slice(-300)}`);
        const back = await imageId(d, name);
        if (back !== id) problems.push(`pulled back as ${back}, pushed as ${id}`);
        return problems;
      },
      cleanup: () => removeImage(d, name),
    };
  },
};

const load: CrashOperation = {
  name: 'load',
  async prepare({ d }, iteration) {
    const name = `crash-load:${iteration}`;
    const { archive, diffIds } = await randomImage(name, 4 * 1024 * 1024);
    return {
      fire: () => engineRequest(d.socket, 'POST', '/images/load?quiet=1', archive),
      async verify(reply) {
        const inspect = await engineRequest(d.socket, 'GET', `/images/${enc(name)}/json`);
        if (inspect.status === 404) return reply.ok ? ['a load that completed left no image'] : [];
        const layers = (JSON.parse(inspect.body) as { RootFS: { Layers: string[] } }).RootFS.Layers;
        if (JSON.stringify(layers) !== JSON.stringify(diffIds)) return [`the loaded image has layers ${layers.join(', ')}`];
        return contentProblems(d, name, diffIds);
      },
      cleanup: () => removeImage(d, name),
    };
  },
};

const commit: CrashOperation = {
  name: 'commit',
  async prepare(context, iteration) {
    const { d } = context;
    const token = randomBytes(8).toString('hex');
    const source = await ranContainer(d, `commit-src-${iteration}`, `echo ${token} > /data.txt && dd if=/dev/urandom of=/blob bs=1M count=4 2>/dev/null`);
    const name = `crash-commit:${iteration}`;
    return {
      fire: () => engineRequest(d.socket, 'POST', `/commit?container=${source}&repo=crash-commit&tag=${iteration}`),
      async verify(reply) {
        const problems: string[] = [];
        if ((await engineRequest(d.socket, 'GET', `/containers/${source}/json`)).status !== 200) problems.push('the committed container is gone');
        if ((await imageId(d, name)) === undefined) return reply.ok ? [...problems, 'a commit that completed left no image'] : problems;
        const content = await fileIn(d, name, '/data.txt');
        if (content !== `${token}\n`) problems.push(`the committed image holds ${JSON.stringify(content)}, not the token`);
        else context.committed.set(name, content);
        return problems;
      },
      async cleanup() {
        await removeContainer(d, source);
        // Keeps the two newest committed images as data to check after later faults.
        for (const old of [...context.committed.keys()].slice(0, -2)) {
          await removeImage(d, old);
          context.committed.delete(old);
        }
        if (!context.committed.has(name)) await removeImage(d, name);
      },
    };
  },
};

const build: CrashOperation = {
  name: 'build',
  async prepare({ d }, iteration) {
    const token = randomBytes(8).toString('hex');
    const name = `crash-build:${iteration}`;
    const dockerfile = `FROM busybox\nRUN echo ${token} > /built.txt && dd if=/dev/urandom of=/blob bs=1M count=3 2>/dev/null\nRUN echo second >> /built.txt\n`;
    const context = await packTar([{ name: 'Dockerfile', body: dockerfile }]);
    return {
      fire: () => engineRequest(d.socket, 'POST', `/build?t=${enc(name)}&rm=1&forcerm=1`, context),
      async verify(reply) {
        if ((await imageId(d, name)) === undefined) return reply.ok ? ['a build that completed left no image'] : [];
        const content = await fileIn(d, name, '/built.txt');
        return content === `${token}\nsecond\n` ? [] : [`the built image holds ${JSON.stringify(content)}`];
      },
      cleanup: () => removeImage(d, name),
    };
  },
};

/** Anonymous volumes no listed container mounts (the iterations remove theirs with `v=1`, so none is kept on purpose). */
async function orphanAnonymousVolumes(d: TestDaemon): Promise<string[]> {
  const { Volumes } = JSON.parse((await ok(d, 'GET', '/volumes')).body) as { Volumes: { Name: string; Labels: Record<string, string> | null }[] };
  const containers = JSON.parse((await ok(d, 'GET', '/containers/json?all=1')).body) as { Mounts: { Name?: string }[] }[];
  const used = new Set(containers.flatMap((c) => c.Mounts.map((m) => m.Name)));
  return Volumes.filter((v) => Object.hasOwn(v.Labels ?? {}, 'com.docker.volume.anonymous') && !used.has(v.Name)).map((v) => v.Name);
}

const create: CrashOperation = {
  name: 'create',
  async prepare({ d }, iteration) {
    const name = `crash-create-${iteration}`;
    return {
      fire: () => engineRequest(d.socket, 'POST', `/containers/create?name=${name}`, { Image: 'busybox', Cmd: ['true'], Volumes: { '/v': {} } }),
      async verify(reply) {
        const orphans = await orphanAnonymousVolumes(d);
        if (orphans.length > 0) return [`anonymous volumes made by a create that never completed: ${orphans.join(', ')}`];
        if ((await engineRequest(d.socket, 'GET', `/containers/${name}/json`)).status === 404) return reply.ok ? ['a create that completed left no container'] : [];
        // A container that is listed works: it starts and exits 0.
        const started = await engineRequest(d.socket, 'POST', `/containers/${name}/start`);
        if (!started.ok) return [`the created container does not start: ${started.status} ${started.body}`];
        const { StatusCode } = JSON.parse((await ok(d, 'POST', `/containers/${name}/wait`)).body) as { StatusCode: number };
        return StatusCode === 0 ? [] : [`the created container exited ${StatusCode}`];
      },
      cleanup: () => removeContainer(d, name),
    };
  },
};

const start: CrashOperation = {
  name: 'start',
  async prepare({ d }, iteration) {
    const name = `crash-start-${iteration}`;
    await ok(d, 'POST', `/containers/create?name=${name}`, { Image: 'busybox', Cmd: ['sleep', '600'] });
    return {
      fire: () => engineRequest(d.socket, 'POST', `/containers/${name}/start`),
      async verify(reply) {
        const inspect = await engineRequest(d.socket, 'GET', `/containers/${name}/json`);
        if (inspect.status !== 200) return [`the container being started is gone: ${inspect.status}`];
        const { State } = JSON.parse(inspect.body) as { State: { Running: boolean; Pid: number } };
        if (State.Running) {
          try {
            process.kill(State.Pid, 0);
            return [];
          } catch {
            return [`running with pid ${State.Pid}, which is not alive`];
          }
        }
        if (reply.ok) return ['a start that completed left the container not running'];
        // Not stuck: an un-faulted start now works.
        const again = await engineRequest(d.socket, 'POST', `/containers/${name}/start`);
        return again.ok ? [] : [`the container does not start after the fault: ${again.status} ${again.body}`];
      },
      cleanup: () => removeContainer(d, name),
    };
  },
};

const rm: CrashOperation = {
  name: 'rm',
  async prepare({ d }, iteration) {
    const id = await ranContainer(d, `crash-rm-${iteration}`, 'mkdir /data && cd /data && seq 1 3000 | xargs touch');
    return {
      fire: () => engineRequest(d.socket, 'DELETE', `/containers/${id}?force=1&v=1`),
      settled: (signal) => trashEmptied(d, signal),
      async verify(reply) {
        if ((await engineRequest(d.socket, 'GET', `/containers/${id}/json`)).status === 404) return [];
        if (reply.ok) return ['a removal that completed left the container listed'];
        const again = await engineRequest(d.socket, 'DELETE', `/containers/${id}?force=1&v=1`);
        return again.ok ? [] : [`the container is not removable after the fault: ${again.status} ${again.body}`];
      },
      cleanup: () => removeContainer(d, id),
    };
  },
};

/** Resolves once the containers' trash is empty: a removal's files are gone (it answers once its dir is renamed into the trash). */
async function trashEmptied(d: TestDaemon, signal: AbortSignal): Promise<void> {
  const trash = join(d.dataRoot, 'containers', '.trash');
  while (!signal.aborted && (await readdir(trash).catch(() => [])).length > 0) await new Promise((resolve) => setTimeout(resolve, 1));
}

export const CRASH_OPERATIONS: CrashOperation[] = [pull, push, load, commit, build, create, start, rm];

/** Pushes a fresh random image to the registry un-faulted and removes it locally: what each pull fetches. */
export async function preparePullable(d: TestDaemon, registry: string): Promise<CrashContext['pullable']> {
  const repository = `${registry}/crash/pull`;
  const name = `${repository}:v1`;
  const { archive, diffIds } = await randomImage(name, 6 * 1024 * 1024);
  await ok(d, 'POST', '/images/load?quiet=1', archive);
  const id = await imageId(d, name);
  if (id === undefined) throw new Error('the image to pull did not load');
  await ok(d, 'POST', `/images/${enc(repository)}/push?tag=v1`);
  await removeImage(d, name);
  return { repository, tag: 'v1', id, diffIds };
}

/** Removes every container still listed (an iteration's own, and any a faulted build left); how many it removed. */
export async function removeAllContainers(d: TestDaemon): Promise<number> {
  const containers = await d.docker.listContainers({ all: true });
  for (const c of containers) await removeContainer(d, c.Id);
  return containers.length;
}
