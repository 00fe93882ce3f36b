import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { ConflictError, InvalidArgumentError, NotFoundError, NotImplementedError, NotModifiedError, StdStream, frameStdStream } from '@berth/api';
import type { TaskSpec } from '../runtime/index.js';
import { createContainerServices, type ContainerServices } from './container-services.js';
import { inMemoryPorts, type InMemoryPorts } from './test-support/in-memory-ports.js';

describe('the container services over in-memory ports', () => {
  let ports: InMemoryPorts;
  let services: ContainerServices;

  const setUp = (): void => {
    ports = inMemoryPorts();
    services = createContainerServices(ports);
  };
  afterEach(() => services.shutdown());

  it('runs a container through create, start, stop and remove', async () => {
    setUp();
    const { lifecycle, inspection } = services;
    const { Id } = await lifecycle.create({ Image: 'busybox' }, { name: 'web' });
    expect(inspection.inspect('web').State.Status).toBe('created');

    await lifecycle.start('web');
    const running = inspection.inspect(Id);
    expect(running.State).toMatchObject({ Status: 'running', Running: true, Pid: 100 });
    expect(ports.rootfs.mounted.has(`/containers/${Id}`)).toBe(true);
    expect(ports.network.connected.has(Id)).toBe(true);
    expect(ports.runtime.bundles.get(Id)?.process?.args).toEqual(['sh']);
    expect(inspection.list().map((c) => c.Id)).toEqual([Id]);

    await lifecycle.stop('web');
    await expect(lifecycle.wait('web')).resolves.toEqual({ StatusCode: 143, Error: null });
    expect(inspection.inspect(Id).State).toMatchObject({ Status: 'exited', Running: false, ExitCode: 143, Pid: 0 });
    expect(ports.rootfs.mounted.size).toBe(0);
    expect(ports.network.connected.size).toBe(0);

    await lifecycle.remove('web');
    expect(() => inspection.inspect(Id)).toThrow(NotFoundError);
    expect(ports.store.all()).toEqual([]);
    expect(ports.events.actions).toEqual(['create', 'start', 'kill', 'die', 'stop', 'destroy']);
    expect(ports.runtime.calls).toEqual([
      `delete ${Id}`,
      `create ${Id}`,
      `start ${Id}`,
      `kill ${Id} 15`,
      `delete ${Id}`,
      `delete ${Id}`,
      `remove-files ${Id}`,
    ]);
  });

  it('a create refused for a taken name leaves no reserved dir behind', async () => {
    setUp();
    await services.lifecycle.create({ Image: 'busybox' }, { name: 'web' });
    await expect(services.lifecycle.create({ Image: 'busybox' }, { name: 'web' })).rejects.toThrow(ConflictError);
    expect([...ports.store.reserved.keys()]).toEqual([]);
  });

  it('gives creates under way at once different generated names (none fails with a 409)', async () => {
    setUp();
    // 200 creates drawing from 24 × 24 names: many pairs would draw the same one.
    const created = await Promise.allSettled(Array.from({ length: 200 }, () => services.lifecycle.create({ Image: 'busybox' })));
    expect(created.filter((result) => result.status === 'rejected')).toEqual([]);
    expect(new Set(services.inspection.list({ all: true }).map((c) => c.Names[0])).size).toBe(200);
  });

  it('refuses transitions the state does not allow, with moby errors, and changes nothing', async () => {
    setUp();
    const { lifecycle, inspection } = services;
    const { Id } = await lifecycle.create({ Image: 'busybox' }, { name: 'web' });
    await expect(lifecycle.stop(Id)).rejects.toThrow(NotModifiedError);
    await expect(lifecycle.kill(Id)).rejects.toThrow(`container ${Id} is not running`);
    await expect(lifecycle.unpause(Id)).rejects.toThrow(`Container ${Id} is not paused`);
    expect(ports.store.saved).toEqual([]);
    expect(ports.runtime.calls).toEqual([]);
    await lifecycle.start(Id);
    await expect(lifecycle.start(Id)).rejects.toThrow(NotModifiedError);
    await expect(lifecycle.remove(Id)).rejects.toThrow(ConflictError);
    expect(inspection.inspect(Id).State.Status).toBe('running');

    await lifecycle.pause(Id);
    expect(inspection.inspect(Id).State.Status).toBe('paused');
    await expect(lifecycle.pause(Id)).rejects.toThrow(`Container ${Id} is already paused`);
    expect(() => lifecycle.assertCan(Id, 'exec')).toThrow(`Container ${Id} is paused, unpause the container before exec`);

    // A forced removal of a paused container kills it, thaws it so the kill lands, and removes it.
    await lifecycle.remove(Id, { force: true });
    expect(ports.store.all()).toEqual([]);
    expect(ports.events.actions).toEqual(['create', 'start', 'pause', 'kill', 'die', 'destroy']);
  });

  it('persists a forced removal of a running container once, marked Dead, with the exit it recorded', async () => {
    setUp();
    const { lifecycle } = services;
    const { Id } = await lifecycle.create({ Image: 'busybox' });
    await lifecycle.start(Id);
    const savedBefore = ports.store.saved.length;
    await lifecycle.remove(Id, { force: true });
    // The removal's Dead mark carries the exit; a Stopped record saved just before it would be a wasted fsync.
    const saved = ports.store.saved.slice(savedBefore).map((s) => JSON.parse(s.state) as { dead?: boolean; running: boolean; exitCode: number });
    expect(saved).toMatchObject([{ dead: true, running: false, exitCode: 137 }]);
    expect(ports.store.all()).toEqual([]);
    expect(ports.events.actions).toEqual(['create', 'start', 'kill', 'die', 'destroy']);
  });

  it('marks a stopped container for removal ahead of its removal: persisted Dead, never started again, then removed', async () => {
    setUp();
    const { lifecycle, inspection } = services;
    const { Id } = await lifecycle.create({ Image: 'busybox' });
    await lifecycle.start(Id);
    await expect(lifecycle.markForRemoval(Id)).rejects.toThrow(ConflictError);
    await lifecycle.kill(Id);
    await lifecycle.wait(Id);
    await expect(lifecycle.markForRemoval(Id, { volumes: true })).resolves.toBe(true);
    expect(JSON.parse(ports.store.saved.at(-1)!.state)).toMatchObject({ dead: true, running: false });
    expect(inspection.inspect(Id).State.Status).toBe('dead');
    await expect(lifecycle.start(Id)).rejects.toThrow('container is marked for removal and cannot be started');
    await lifecycle.remove(Id, { force: true, volumes: true });
    expect(ports.store.all()).toEqual([]);
  });

  it('removes an AutoRemove container once it exits', async () => {
    setUp();
    const { lifecycle } = services;
    const { Id } = await lifecycle.create({ Image: 'busybox', HostConfig: { AutoRemove: true } });
    await lifecycle.start(Id);
    const removed = lifecycle.wait(Id, 'removed');
    await ports.runtime.kill(Id, 9);
    await expect(removed).resolves.toEqual({ StatusCode: 137, Error: null });
    expect(ports.store.all()).toEqual([]);
  });

  it("ends the wait for an AutoRemove container's removal with the removal's error when the removal fails", async () => {
    setUp();
    const { lifecycle } = services;
    const { Id } = await lifecycle.create({ Image: 'busybox', HostConfig: { AutoRemove: true } });
    await lifecycle.start(Id);
    ports.runtime.removeTaskFiles = () => Promise.reject(new Error('the task files could not be removed'));
    const removed = lifecycle.wait(Id, 'removed');
    await ports.runtime.kill(Id, 9);
    await expect(removed).resolves.toEqual({ StatusCode: 137, Error: { Message: 'the task files could not be removed' } });
  });

  it('fails the start of a container whose root cannot be mounted: start-failed, and removed when AutoRemove', async () => {
    setUp();
    const { lifecycle, inspection } = services;
    ports.rootfs.mountContainerRoot = () => Promise.reject(new Error('layer sha256:abc does not exist'));
    const { Id } = await lifecycle.create({ Image: 'busybox' });
    await expect(lifecycle.start(Id)).rejects.toThrow('layer sha256:abc does not exist');
    expect(inspection.inspect(Id).State).toMatchObject({ Status: 'created', Running: false, ExitCode: 128, Error: 'layer sha256:abc does not exist' });
    const { Id: autoRemoved } = await lifecycle.create({ Image: 'busybox', HostConfig: { AutoRemove: true } });
    const removed = lifecycle.wait(autoRemoved, 'removed');
    await expect(lifecycle.start(autoRemoved)).rejects.toThrow('layer sha256:abc does not exist');
    await expect(removed).resolves.toMatchObject({ StatusCode: 128 });
    expect(ports.store.all().map((c) => c.id)).toEqual([Id]);
  });

  it('records at restore an exit that happened while no daemon watched, then prunes the container', async () => {
    setUp();
    const { Id } = await services.lifecycle.create({ Image: 'busybox' }, { name: 'web' });
    await services.lifecycle.start(Id);
    services.shutdown();

    // A new daemon over the same records: conmon recorded the exit meanwhile.
    const finishedAt = new Date('2026-01-01T00:00:00Z');
    ports.runtime.recordedExits.set(Id, { exitCode: 3, finishedAt, oomKilled: false });
    services = createContainerServices(ports);
    await services.maintenance.restore();
    expect(services.inspection.inspect(Id).State).toMatchObject({ Status: 'exited', ExitCode: 3, FinishedAt: finishedAt.toISOString() });
    expect(ports.rootfs.mounted.size).toBe(0);

    await expect(services.maintenance.prune({ label: ['other'] })).resolves.toEqual({ ContainersDeleted: null, SpaceReclaimed: 0 });
    await expect(services.maintenance.prune({})).resolves.toEqual({ ContainersDeleted: [Id], SpaceReclaimed: 0 });
    expect(ports.store.all()).toEqual([]);
  });

  it('deletes at restore a task created for a start the daemon died in, whose conmon died with it', async () => {
    setUp();
    const { Id } = await services.lifecycle.create({ Image: 'busybox' }, { name: 'web' });
    // What a daemon killed after `runtime create`, before recording the start, leaves: runc's state and the
    // root mounted, the record not running, and no conmon (isMonitorAlive is false in the fake).
    await ports.runtime.create({ id: Id } as TaskSpec);
    await ports.rootfs.mountContainerRoot(`/containers/${Id}`);
    services.shutdown();

    services = createContainerServices(ports);
    await services.maintenance.restore();

    expect(await ports.runtime.hasState(Id)).toBe(false);
    expect(ports.rootfs.mounted.size).toBe(0);
    expect(services.inspection.inspect(Id).State.Status).toBe('created');
    await services.lifecycle.start(Id);
    expect(services.inspection.inspect(Id).State.Running).toBe(true);
  });

  it('unmounts at restore the root a start mounted before the daemon died, before any task was created', async () => {
    setUp();
    const { Id } = await services.lifecycle.create({ Image: 'busybox' }, { name: 'web' });
    await ports.rootfs.mountContainerRoot(`/containers/${Id}`);
    services.shutdown();

    services = createContainerServices(ports);
    await services.maintenance.restore();

    expect(ports.rootfs.mounted.size).toBe(0);
    expect(services.inspection.inspect(Id).State.Status).toBe('created');
  });

  it('reads a container log as docker logs asks for it, and replays it to an attach', async () => {
    setUp();
    const { lifecycle, io } = services;
    const { Id } = await lifecycle.create({ Image: 'busybox' }, { name: 'web' });
    const logPath = `/containers/${Id}/container.log`;
    ports.logs.write(logPath, 'stdout', 'one', new Date('2026-01-01T00:00:01Z'));
    ports.logs.write(logPath, 'stderr', 'two', new Date('2026-01-01T00:00:02Z'));
    ports.logs.write(logPath, 'stdout', 'three', new Date('2026-01-01T00:00:03Z'));
    const read = async (request: Partial<Parameters<typeof io.logs>[1]>): Promise<Buffer> => {
      const log = io.logs('web', { stdout: true, stderr: true, timestamps: false, follow: false, ...request }, new AbortController().signal);
      const chunks: Buffer[] = [];
      for await (const chunk of log.chunks) chunks.push(Buffer.from(chunk));
      return Buffer.concat(chunks);
    };
    const frame = (stream: StdStream, text: string): Buffer => frameStdStream(stream, Buffer.from(text));

    expect(await read({})).toEqual(Buffer.concat([frame(StdStream.Stdout, 'one\n'), frame(StdStream.Stderr, 'two\n'), frame(StdStream.Stdout, 'three\n')]));
    expect(await read({ stderr: false })).toEqual(frame(StdStream.Stdout, 'one\nthree\n'));
    expect((await read({ stderr: false, timestamps: true })).subarray(8).toString()).toBe('2026-01-01T00:00:01.000000000Z one\n2026-01-01T00:00:03.000000000Z three\n');
    expect(() => io.logs('web', { stdout: false, stderr: false, timestamps: false, follow: false }, new AbortController().signal)).toThrow(InvalidArgumentError);

    const replayed: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        replayed.push(chunk.toString());
        done();
      },
    });
    await io.replayLog('web', { stdout: sink, stderr: sink });
    expect(replayed).toEqual(['one\n', 'two\n', 'three\n']);
    replayed.length = 0;
    await io.replayLog('web', { stderr: sink });
    expect(replayed).toEqual(['two\n']);

    const { Id: silent } = await lifecycle.create({ Image: 'busybox', HostConfig: { LogConfig: { Type: 'none', Config: {} } } });
    expect(() => io.logs(silent, { stdout: true, stderr: true, timestamps: false, follow: false }, new AbortController().signal)).toThrow(NotImplementedError);
  });
});
