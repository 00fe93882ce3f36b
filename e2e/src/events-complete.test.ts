import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerOk, useTestDaemon } from './harness.js';

const d = useTestDaemon();

interface Message {
  Type: string;
  Action: string;
  Actor: { ID: string; Attributes: Record<string, string> };
  status?: string;
  id?: string;
  from?: string;
}

let since: string;
let until: string;
let dir: string;
const ids: Record<string, string> = {};

/** Unix time as the docker CLI sends it. */
const unixNow = () => (Date.now() / 1000).toFixed(3);

/** Runs the docker CLI, expecting success; its output, trimmed. */
const ok = async (args: string[], input?: string): Promise<string> => (await dockerOk(d, args, input)).trim();

/** The events of the scenario through `docker events --format '{{json .}}'`, narrowed by filters. */
async function events(...filters: string[]): Promise<Message[]> {
  const out = await ok(['events', '--since', since, '--until', until, '--format', '{{json .}}', ...filters.flatMap((f) => ['--filter', f])]);
  return out === '' ? [] : out.split('\n').map((line) => JSON.parse(line) as Message);
}

const actions = (messages: Message[]) => messages.map((m) => m.Action);

/** Sends ctrl-p ctrl-q on a hijacked stream and waits for the daemon to close it. */
async function detach(stream: Duplex): Promise<void> {
  const closed = new Promise((resolve) => stream.once('close', resolve).once('end', resolve));
  stream.resume();
  stream.write(Buffer.from([0x10, 0x11]));
  await closed;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'berth-events-'));
  const archive = join(dir, 'saved.tar');
  ids.busybox = await ok(['image', 'inspect', '--format', '{{.Id}}', 'busybox']);
  since = unixNow();
  await ok(['tag', 'busybox', 'busybox:new']);
  await ok(['rmi', 'busybox:new']);
  await ok(['volume', 'create', 'evvol']);
  ids.evc = await ok(['run', '-d', '--name', 'evc', '--label', 'team=blue', '-v', 'evvol:/data', '-v', 'evro:/ro:ro', '-v', '/tmp:/host', 'busybox', 'sleep', '600']);
  expect((await d.dockerCli(['exec', 'evc', 'sh', '-c', 'exit 3'])).code).toBe(3);
  expect((await d.dockerCli(['exec', 'evc', 'no-such-command'])).code).toBe(126);
  ids.committed = await ok(['commit', '-m', 'snap', 'evc', 'evcommit:1']);
  await ok(['save', '-o', archive, 'evcommit:1']);
  await ok(['rmi', 'evcommit:1']);
  await ok(['load', '-i', archive]);
  ids.imported = await ok(['import', archive, 'evimp:1']);
  await ok(['rm', '-f', 'evc']);
  await ok(['volume', 'rm', 'evvol', 'evro']);
  await ok(['rmi', 'evimp:1', 'evcommit:1']);
  expect(await ok(['run', '-i', '--rm', '--name', 'eva', 'busybox', 'cat'], 'hi\n')).toBe('hi');
  await ok(['run', '-d', '--name', 'evh', '--health-cmd', 'true', '--health-interval', '1s', 'busybox', 'sleep', '600']);
  for (let i = 0; i < 100 && (await ok(['inspect', '--format', '{{.State.Health.Status}}', 'evh'])) !== 'healthy'; i++) await sleep(100);
  await ok(['rm', '-f', 'evh']);
  await ok(['run', '-dit', '--name', 'evt', 'busybox', 'sh']);
  const evt = d.docker.getContainer('evt');
  await detach((await evt.attach({ stream: true, stdin: true, stdout: true, hijack: true })) as unknown as Duplex);
  const exec = await evt.exec({ Cmd: ['sh'], AttachStdin: true, AttachStdout: true, Tty: true });
  ids.exec = exec.id;
  await detach((await exec.start({ hijack: true, stdin: true, Tty: true })) as Duplex);
  await ok(['rm', '-f', 'evt']);
  await ok(['image', 'prune', '-f']);
  await ok(['volume', 'prune', '-f']);
  await ok(['container', 'prune', '-f']);
  await sleep(20);
  until = unixNow();
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('image events', () => {
  it('reports tag and untag with the image ID as actor, the reference or ID as name, and the legacy fields', async () => {
    const [tag, untag] = (await events('type=image', `image=${ids.busybox}`)).slice(0, 2);
    expect(tag).toMatchObject({ Type: 'image', Action: 'tag', Actor: { ID: ids.busybox, Attributes: { name: 'busybox:new' } }, status: 'tag', id: ids.busybox });
    expect(tag).not.toHaveProperty('from');
    expect(untag).toMatchObject({ Action: 'untag', Actor: { ID: ids.busybox, Attributes: { name: ids.busybox } } });
  });

  it('reports a commit as the image create and tag (with its labels), then the container commit', async () => {
    const committed = await events(`image=${ids.committed}`);
    expect(committed.slice(0, 2).map((m) => [m.Action, m.Actor.Attributes])).toEqual([
      ['create', { name: ids.committed, team: 'blue' }],
      ['tag', { name: 'evcommit:1', team: 'blue' }],
    ]);
    const [commit] = await events('event=commit');
    expect(commit).toMatchObject({
      Type: 'container',
      Actor: { ID: ids.evc, Attributes: { comment: 'snap', imageID: ids.committed, imageRef: 'evcommit:1', image: 'busybox', name: 'evc', team: 'blue' } },
    });
  });

  it('reports save, untag, delete (without labels), load and the removals at the end', async () => {
    const committed = await events('type=image', `image=${ids.committed}`);
    expect(actions(committed)).toEqual(['create', 'tag', 'save', 'untag', 'delete', 'load', 'untag', 'delete']);
    for (const m of committed.filter((m) => m.Action !== 'tag')) expect(m.Actor.Attributes.name).toBe(ids.committed);
    expect(committed.find((m) => m.Action === 'save')?.Actor.Attributes.team).toBe('blue');
    expect(committed.find((m) => m.Action === 'delete')?.Actor.Attributes).toEqual({ name: ids.committed });
  });

  it('reports an import as tag then import', async () => {
    const imported = await events(`image=${ids.imported}`);
    expect(imported.map((m) => [m.Action, m.Actor.Attributes.name])).toEqual([
      ['tag', 'evimp:1'],
      ['import', ids.imported],
      ['untag', ids.imported],
      ['delete', ids.imported],
    ]);
  });

  it('filters by type, event and image name with or without its tag', async () => {
    expect((await events('event=tag')).map((m) => m.Actor.Attributes.name)).toEqual(['busybox:new', 'evcommit:1', 'evimp:1']);
    expect(actions(await events('type=image', 'image=evimp'))).toEqual(['tag']);
    expect(actions(await events('type=image', 'image=evimp:1'))).toEqual(['tag']);
    expect((await events('type=image')).every((m) => m.Type === 'image')).toBe(true);
  });

  it('reports prunes with what they reclaimed', async () => {
    const prunes = await events('event=prune');
    expect(prunes.map((m) => [m.Type, m.Actor.ID, Object.keys(m.Actor.Attributes)])).toEqual([
      ['image', '', ['reclaimed']],
      ['volume', '', ['reclaimed']],
      ['container', '', ['reclaimed']],
    ]);
  });
});

describe('volume events', () => {
  it('reports create, mount with its attributes, unmount and destroy, for volumes only (not binds)', async () => {
    const evvol = await events('type=volume', 'volume=evvol');
    expect(evvol.map((m) => [m.Action, m.Actor.ID, m.Actor.Attributes])).toEqual([
      ['create', 'evvol', { driver: 'local' }],
      ['mount', 'evvol', { driver: 'local', container: ids.evc, destination: '/data', propagation: '', 'read/write': 'true' }],
      ['unmount', 'evvol', { driver: 'local', container: ids.evc }],
      ['destroy', 'evvol', { driver: 'local' }],
    ]);
    // The docker CLI sends -v binds in no fixed order.
    const mounts = (await events('event=mount')).sort((a, b) => a.Actor.ID.localeCompare(b.Actor.ID));
    expect(mounts.map((m) => [m.Actor.ID, m.Actor.Attributes['read/write']])).toEqual([
      ['evro', 'false'],
      ['evvol', 'true'],
    ]);
  });

  it('streams the same to dockerode with a volume filter', async () => {
    const stream = (await d.docker.getEvents({ since: Number(since), until: Number(until), filters: { volume: ['evro'] } })) as NodeJS.ReadableStream;
    let body = '';
    for await (const chunk of stream) body += String(chunk);
    expect(body.trim().split('\n').map((line) => (JSON.parse(line) as Message).Action)).toEqual(['create', 'mount', 'unmount', 'destroy']);
  });
});

describe('container events', () => {
  it('reports exec_create, exec_start and exec_die with the exec ID, the exit code and the container attributes', async () => {
    const execs = (await events('type=container', 'container=evc')).filter((m) => m.Action.startsWith('exec_'));
    expect(actions(execs)).toEqual([
      'exec_create: sh -c exit 3',
      'exec_start: sh -c exit 3',
      'exec_die',
      'exec_create: no-such-command ',
      'exec_start: no-such-command ',
    ]);
    const execId = execs[0]!.Actor.Attributes.execID;
    expect(execId).toMatch(/^[0-9a-f]{64}$/);
    expect(execs.slice(0, 3).every((m) => m.Actor.Attributes.execID === execId)).toBe(true);
    expect(execs[2]).toMatchObject({ status: 'exec_die', from: 'busybox', Actor: { ID: ids.evc, Attributes: { execID: execId, exitCode: '3', image: 'busybox', name: 'evc', team: 'blue' } } });
    expect(actions(await events('event=exec_create', 'container=evc'))).toEqual(['exec_create: sh -c exit 3', 'exec_create: no-such-command ']);
    expect(actions(await events('event=exec_die', 'container=evc'))).toEqual(['exec_die']);
  });

  it('reports a forced removal as kill, unmount, die and destroy', async () => {
    const tail = (await events('type=container', 'container=evc')).slice(-3);
    expect(tail.map((m) => [m.Action, m.Actor.Attributes.signal])).toEqual([
      ['kill', '9'],
      ['die', undefined],
      ['destroy', undefined],
    ]);
  });

  it('reports attach before start', async () => {
    expect(actions(await events('container=eva'))).toEqual(['create', 'attach', 'start', 'die', 'destroy']);
  });

  it('reports a client leaving with its detach keys as detach, or exec_detach with the exec ID', async () => {
    const detached = await events('type=container', 'container=evt', 'event=detach', 'event=exec_detach');
    expect(detached.map((m) => [m.Action, m.Actor.Attributes.execID])).toEqual([
      ['detach', undefined],
      ['exec_detach', ids.exec],
    ]);
  });

  it('reports health probes as execs and the status change as health_status: healthy', async () => {
    const health = (await events('container=evh')).filter((m) => m.Action.startsWith('exec_') || m.Action.startsWith('health_status'));
    expect(actions(health.slice(0, 4))).toEqual(['exec_create: /bin/sh -c true', 'exec_start: /bin/sh -c true', 'exec_die', 'health_status: healthy']);
    expect(health[2]!.Actor.Attributes).toMatchObject({ exitCode: '0', name: 'evh', execID: health[0]!.Actor.Attributes.execID });
    expect(actions(await events('event=health_status', 'container=evh'))).toEqual(['health_status: healthy']);
  });
});
