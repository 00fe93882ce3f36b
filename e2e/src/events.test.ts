import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDaemon } from './harness.js';

const d = useTestDaemon({ checkAllLeftovers: true });
let since: string;
let until: string;
let id: string;

/** Unix time as the docker CLI sends it. */
const unixNow = () => (Date.now() / 1000).toFixed(3);

beforeAll(async () => {
  since = unixNow();
  const run = await d.dockerCli(['run', '--name', 'ev1', '--label', 'team=blue', 'busybox', 'sh', '-c', 'exit 3']);
  expect(run.code).toBe(3);
  const inspected = await d.docker.getContainer('ev1').inspect();
  id = inspected.Id;
  expect((await d.dockerCli(['run', '-d', '--name', 'ev2', 'busybox', 'sleep', '600'])).code).toBe(0);
  expect((await d.dockerCli(['stop', '-t', '0', 'ev2'])).code).toBe(0);
  expect((await d.dockerCli(['rm', 'ev2'])).code).toBe(0);
  await sleep(20);
  until = unixNow();
});

/** `docker events` lines: "<time> <type> <action> <id> (attrs)". */
function parseLines(stdout: string): Array<{ time: string; type: string; action: string; id: string; attrs: string }> {
  return stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const m = /^(\S+) (\S+) (.+?) ([0-9a-f]{64}) \((.*)\)$/.exec(line);
      if (!m) throw new Error(`unexpected line: ${line}`);
      return { time: m[1]!, type: m[2]!, action: m[3]!, id: m[4]!, attrs: m[5]! };
    });
}

describe('events', () => {
  it('replays past events between --since and --until through the docker CLI, in order, then ends', async () => {
    const out = await d.dockerCli(['events', '--since', since, '--until', until]);
    expect(out.code).toBe(0);
    const events = parseLines(out.stdout);
    expect(events.filter((e) => e.id === id && e.action !== 'attach').map((e) => e.action)).toEqual(['create', 'start', 'die']);
    expect(events.filter((e) => e.id !== id).map((e) => e.action)).toEqual(['create', 'start', 'kill', 'kill', 'die', 'stop', 'destroy']);
    const die = events.find((e) => e.id === id && e.action === 'die');
    expect(die?.attrs).toBe('exitCode=3, image=busybox, name=ev1, team=blue');
    // `stop -t 0`: the stop signal, then SIGKILL at once.
    expect(events.filter((e) => e.action === 'kill').map((e) => e.attrs)).toEqual(['image=busybox, name=ev2, signal=15', 'image=busybox, name=ev2, signal=9']);
    expect(events[0]?.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/);
  });

  it('prints the same lines through berth events', async () => {
    const docker = await d.dockerCli(['events', '--since', since, '--until', until]);
    const berth = await d.berth(['events', '--since', since, '--until', until]);
    expect(berth.code).toBe(0);
    expect(berth.stdout).toBe(docker.stdout);
  });

  it('filters by container name or id, event, label, image and type', async () => {
    const run = (filters: string[]) => d.dockerCli(['events', '--since', since, '--until', until, ...filters.flatMap((f) => ['--filter', f])]);
    const byName = parseLines((await run(['container=ev2'])).stdout);
    expect(byName.length).toBe(7);
    expect(new Set(byName.map((e) => e.id)).size).toBe(1);
    const byId = parseLines((await run([`container=${id.slice(0, 10)}`])).stdout);
    expect(byId.every((e) => e.id === id)).toBe(true);
    expect(parseLines((await run(['event=die'])).stdout).map((e) => e.attrs)).toEqual([
      'exitCode=3, image=busybox, name=ev1, team=blue',
      expect.stringContaining('name=ev2'),
    ]);
    expect(parseLines((await run(['event=start', 'event=stop'])).stdout).map((e) => e.action)).toEqual(['start', 'start', 'stop']);
    expect(parseLines((await run(['label=team=blue'])).stdout).every((e) => e.id === id)).toBe(true);
    expect(parseLines((await run(['label=team=red'])).stdout)).toEqual([]);
    expect(parseLines((await run(['image=busybox', 'type=container', 'event=destroy'])).stdout).length).toBe(1);
    expect(parseLines((await run(['type=image'])).stdout)).toEqual([]);
  });

  it('rejects an unknown filter and since after until', async () => {
    const bad = await d.dockerCli(['events', '--filter', 'colour=red', '--until', until]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain("invalid filter 'colour'");
    const backwards = await d.dockerCli(['events', '--since', until, '--until', since]);
    expect(backwards.code).not.toBe(0);
    expect(backwards.stderr).toContain(`\`since\` time (${until}) cannot be after \`until\` time (${since})`);
  });

  it('streams live events as JSON lines to dockerode until the client leaves', async () => {
    const stream = (await d.docker.getEvents({ filters: { container: ['live1'] } })) as NodeJS.ReadableStream & { destroy(): void };
    const lines: Array<{ Action: string; Actor: { Attributes: Record<string, string> }; status?: string; timeNano: number }> = [];
    let buffered = '';
    const gotDie = new Promise<void>((resolve) => {
      stream.on('data', (chunk: Buffer) => {
        buffered += chunk.toString();
        let nl: number;
        while ((nl = buffered.indexOf('\n')) >= 0) {
          lines.push(JSON.parse(buffered.slice(0, nl)) as (typeof lines)[number]);
          buffered = buffered.slice(nl + 1);
          if (lines.at(-1)?.Action === 'die') resolve();
        }
      });
    });
    expect((await d.dockerCli(['run', '--name', 'live1', 'busybox', 'true'])).code).toBe(0);
    await gotDie;
    stream.destroy();
    expect(lines.map((e) => e.Action).filter((a) => a !== 'attach')).toEqual(['create', 'start', 'die']);
    expect(lines[0]).toMatchObject({ Type: 'container', status: 'create', scope: 'local' });
    expect(lines.find((e) => e.Action === 'die')?.Actor.Attributes.exitCode).toBe('0');
    // The daemon keeps serving after the client went away.
    expect((await d.dockerCli(['rm', 'live1'])).code).toBe(0);
  });

  it('ends a stream by itself when a future --until passes', async () => {
    const until = ((Date.now() + 1500) / 1000).toFixed(3);
    const watching = d.dockerCli(['events', '--since', since, '--until', until, '--filter', 'container=fut1', '--filter', 'event=create']);
    await sleep(300);
    expect((await d.dockerCli(['create', '--name', 'fut1', 'busybox', 'true'])).code).toBe(0);
    const out = await watching;
    expect(out.code).toBe(0);
    expect(parseLines(out.stdout).map((e) => e.action)).toEqual(['create']);
    expect((await d.dockerCli(['rm', 'fut1'])).code).toBe(0);
  });

  // An until beyond setTimeout's range (about 25 days) used to end the stream at once.
  it('keeps streaming until an until months away', async () => {
    const until = Math.floor(Date.now() / 1000) + 90 * 24 * 3600;
    const stream = (await d.docker.getEvents({ until, filters: { container: ['far1'], event: ['create'] } })) as NodeJS.ReadableStream & { destroy(): void };
    const first = new Promise<string>((resolve) => {
      stream.once('data', (chunk: Buffer) => resolve(chunk.toString()));
      stream.once('end', () => resolve(''));
    });
    expect((await d.dockerCli(['create', '--name', 'far1', 'busybox', 'true'])).code).toBe(0);
    const line = await first;
    expect(line, 'the stream ended before the event').not.toBe('');
    expect(JSON.parse(line)).toMatchObject({ Action: 'create', Actor: { Attributes: { name: 'far1' } } });
    stream.destroy();
    expect((await d.dockerCli(['rm', 'far1'])).code).toBe(0);
  });

  it('streams to the docker CLI as events happen', async () => {
    const child = spawn('docker', ['events', '--filter', 'event=start', '--filter', 'container=live2'], {
      env: { ...process.env, DOCKER_HOST: d.host, DOCKER_CONFIG: `${d.root}/docker-config` },
    });
    let out = '';
    const firstLine = new Promise<void>((resolve) => child.stdout.on('data', (b: Buffer) => ((out += b.toString()), out.includes('\n') && resolve())));
    await sleep(300);
    expect((await d.dockerCli(['run', '--rm', '--name', 'live2', 'busybox', 'true'])).code).toBe(0);
    await firstLine;
    child.kill();
    expect(parseLines(out).map((e) => [e.action, e.attrs])).toEqual([['start', 'image=busybox, name=live2']]);
  });
});
