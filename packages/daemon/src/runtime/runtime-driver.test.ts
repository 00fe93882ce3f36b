import { spawn } from 'node:child_process';
import { mkdir, readFile, readdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PassThrough, Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readContainerLog } from './container-log.js';
import { resolveExecutable } from './executable.js';
import { createRuntimeDriver } from './oci-runtime-driver.js';
import type { AttachSession, RuntimeDriver, TaskSpec } from './runtime-driver.js';
import { RuntimeConfigError } from './runtime-errors.js';
import { TaskFixture } from './test-support/task-fixture.js';

/** Live conmons (zombies have no cmdline) started for the container `id`. */
async function conmonsOf(id: string): Promise<number[]> {
  const pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name));
  const cmdlines = await Promise.all(pids.map((pid) => readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')));
  return pids.filter((_, i) => cmdlines[i]!.split('\0')[0]!.endsWith('conmon') && cmdlines[i]!.includes(id)).map(Number);
}

/** conmon.ts, run by a child node from source (Node's own TypeScript transform; `.js` imports resolved to the `.ts` beside them). */
const CONMON_MODULE = fileURLToPath(new URL('./conmon.ts', import.meta.url));
/** A child "daemon" that calls launchConmon (argv: module, TaskSpec, state root, conmon, runc) with a bundle never ready. */
const DIES_IN_CREATE = `
import { register } from 'node:module';
register('data:text/javascript,' + encodeURIComponent(\`
  export async function resolve(specifier, context, next) {
    try { return await next(specifier, context); } catch (err) {
      if (!specifier.endsWith('.js')) throw err;
      return next(specifier.slice(0, -3) + '.ts', context);
    }
  }\`));
const { launchConmon } = await import(process.argv[1]);
const spec = JSON.parse(process.argv[2]);
const [, , , stateRoot, conmonPath, runtimePath] = process.argv;
await launchConmon({ conmonPath, runtimeName: 'runc', runtimePath, stateRoot, spec, prepareBundle: () => new Promise(() => undefined) });
`;

interface Captured {
  stdout: string;
  stderr: string;
}

async function attachCapturing(driver: RuntimeDriver, spec: TaskSpec, stdin?: PassThrough): Promise<{ session: AttachSession; out: Captured }> {
  const out: Captured = { stdout: '', stderr: '' };
  const into = (key: keyof Captured): Writable =>
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        out[key] += chunk.toString();
        done();
      },
    });
  const session = await driver.attach(spec, { stdin, stdout: into('stdout'), stderr: into('stderr') });
  return { session, out };
}

async function collect(iterable: AsyncIterable<{ stream: string; data: Buffer; partial: boolean }>): Promise<string[]> {
  const lines: string[] = [];
  for await (const record of iterable) lines.push(`${record.stream}:${record.data.toString()}`);
  return lines;
}

describe('runc driver over conmon', () => {
  let fixture: TaskFixture;
  let driver: RuntimeDriver;

  beforeEach(() => {
    fixture = new TaskFixture();
    driver = createRuntimeDriver({ runtime: 'runc', stateRoot: fixture.stateRoot });
  });

  afterEach(() => {
    fixture.cleanup();
  });

  it('attaches before start, separates stdout from stderr, logs both and reports the exit code', async () => {
    const spec = fixture.task(['sh', '-c', 'echo hello; echo err >&2; exit 3']);
    const { pid } = await driver.create(spec);
    expect(pid).toBeGreaterThan(0);
    expect(await driver.state(spec.id)).toEqual({ status: 'created', pid });

    const { session, out } = await attachCapturing(driver, spec);
    await driver.start(spec.id);
    const exit = await driver.waitExit(spec);
    await session.ended;

    expect(out).toEqual({ stdout: 'hello\n', stderr: 'err\n' });
    expect(exit.exitCode).toBe(3);
    expect(exit.oomKilled).toBe(false);
    expect(exit.finishedAt).toBeInstanceOf(Date);
    expect((await driver.state(spec.id))?.status).toBe('stopped');
    expect((await collect(readContainerLog(spec.logPath))).sort()).toEqual(['stderr:err\n', 'stdout:hello\n']);
    expect(await readFile(spec.logPath, 'utf8')).toMatch(/^\S+ stdout F hello$/m);
  });

  it('delivers a container\'s 4 MiB written in 4 KiB writes byte for byte and in order', async () => {
    const lines = 1024;
    const spec = fixture.task(['sh', '-c', `i=0; while [ $i -lt ${lines} ]; do printf '%04d%4091s\\n' $i ''; i=$((i+1)); done`]);
    await driver.create(spec);
    const chunks: Buffer[] = [];
    const stdout = new Writable({
      write(chunk: Buffer, _encoding, done) {
        chunks.push(chunk);
        done();
      },
    });
    const session = await driver.attach(spec, { stdout });
    await driver.start(spec.id);
    await driver.waitExit(spec);
    await session.ended;

    const expected = Array.from({ length: lines }, (_, i) => `${String(i).padStart(4, '0')}${' '.repeat(4091)}\n`).join('');
    expect(Buffer.concat(chunks).toString()).toBe(expected);
  });

  it('delivers stdin through attach and half-close gives the container EOF', async () => {
    const spec = fixture.task(['sh', '-c', 'cat; echo done'], { openStdin: true, stdinOnce: true });
    await driver.create(spec);
    const stdin = new PassThrough();
    const { session, out } = await attachCapturing(driver, spec, stdin);
    await driver.start(spec.id);
    stdin.write('line one\n');
    stdin.end('line two\n');

    const exit = await driver.waitExit(spec);
    await session.ended;
    expect(exit.exitCode).toBe(0);
    expect(out.stdout).toBe('line one\nline two\ndone\n');
  });

  it('keeps stdin open across attaches without stdinOnce', async () => {
    const spec = fixture.task(['cat'], { openStdin: true });
    await driver.create(spec);
    const first = await attachCapturing(driver, spec);
    await driver.start(spec.id);
    await first.session.write(Buffer.from('one\n'));
    first.session.closeStdin();
    await expect.poll(() => first.out.stdout).toBe('one\n');
    first.session.detach();
    await first.session.ended;

    const second = await attachCapturing(driver, spec);
    await second.session.write(Buffer.from('two\n'));
    await expect.poll(() => second.out.stdout).toBe('two\n');
    expect((await driver.state(spec.id))?.status).toBe('running');
    await driver.kill(spec.id, 9);
    await driver.waitExit(spec);
    await second.session.ended;
  });

  it('reports 137 for a container killed with SIGKILL, and kill after exit is harmless', async () => {
    const spec = fixture.task(['sleep', '1000']);
    await driver.create(spec);
    await driver.start(spec.id);
    expect((await driver.state(spec.id))?.status).toBe('running');
    await driver.kill(spec.id, 9);
    expect((await driver.waitExit(spec)).exitCode).toBe(137);
    await expect(driver.kill(spec.id, 9)).resolves.toBeUndefined();
  });

  it('reads the exit of an already exited container and waits again without a new event', async () => {
    const spec = fixture.task(['true']);
    expect(await driver.readExit(spec)).toBeNull();
    await driver.create(spec);
    await driver.start(spec.id);
    const first = await driver.waitExit(spec);
    expect(first.exitCode).toBe(0);
    expect(await driver.readExit(spec)).toEqual(first);
    expect(await driver.waitExit(spec)).toEqual(first);
  });

  it('aborts a wait through its signal', async () => {
    const spec = fixture.task(['sleep', '1000']);
    await driver.create(spec);
    const controller = new AbortController();
    const waiting = driver.waitExit(spec, controller.signal);
    controller.abort(new Error('stop waiting'));
    await expect(waiting).rejects.toThrow('stop waiting');
  });

  it('ends a wait with 255 when the monitor dies without writing an exit file', async () => {
    const spec = fixture.task(['sleep', '1000']);
    await driver.create(spec);
    await driver.start(spec.id);
    const conmonPid = Number.parseInt(await readFile(join(spec.persistDir, 'conmon.pid'), 'utf8'), 10);
    const waiting = driver.waitExit(spec);
    process.kill(conmonPid, 'SIGKILL');
    expect((await waiting).exitCode).toBe(255);
    expect(await driver.isMonitorAlive(spec)).toBe(false);
  });

  it('kills a running container without running runc, and leaves a paused one to runc, which thaws it', async () => {
    // A runtime path that logs each runc command before running it.
    const calls = join(fixture.root, 'runc-calls');
    const wrapper = join(fixture.root, 'runc-logging');
    await writeFile(wrapper, `#!/bin/sh\necho "$*" >> ${calls}\nexec runc "$@"\n`, { mode: 0o755 });
    const logged = createRuntimeDriver({ runtime: 'runc', runtimePath: wrapper, stateRoot: fixture.stateRoot });
    const killCalls = async (): Promise<string[]> => (await readFile(calls, 'utf8')).split('\n').filter((line) => / kill /.test(line));

    const running = fixture.task(['sleep', '1000']);
    await logged.create(running);
    await logged.start(running.id);
    await logged.kill(running.id, 9);
    expect((await logged.waitExit(running)).exitCode).toBe(137);
    expect(await killCalls()).toEqual([]);

    const paused = fixture.task(['sleep', '1000']);
    await logged.create(paused);
    await logged.start(paused.id);
    await logged.pause(paused.id);
    await logged.kill(paused.id, 9);
    expect((await logged.waitExit(paused)).exitCode).toBe(137);
    expect(await killCalls()).toHaveLength(1);
  });

  it('counts runtime state it cannot look at as there, so a delete still asks the runtime', async () => {
    const looping = 'e'.repeat(64);
    await mkdir(fixture.stateRoot, { recursive: true });
    await symlink(looping, join(fixture.stateRoot, looping));
    expect(await driver.hasState(looping)).toBe(true);
    expect(await driver.hasState('f'.repeat(64))).toBe(false);
  });

  it('tracks state through pause and resume, and deletes idempotently', async () => {
    const spec = fixture.task(['sleep', '1000']);
    expect(await driver.state(spec.id)).toBeNull();
    expect(await driver.hasState(spec.id)).toBe(false);
    await driver.create(spec);
    expect(await driver.hasState(spec.id)).toBe(true);
    await driver.start(spec.id);
    expect(await driver.isMonitorAlive(spec)).toBe(true);
    await driver.pause(spec.id);
    expect((await driver.state(spec.id))?.status).toBe('paused');
    await driver.resume(spec.id);
    expect((await driver.state(spec.id))?.status).toBe('running');
    await expect(driver.delete(spec.id)).rejects.toMatchObject({ kind: 'conflict' });
    await driver.delete(spec.id, true);
    expect((await driver.waitExit(spec)).exitCode).toBe(137);
    expect(await driver.state(spec.id)).toBeNull();
    expect(await driver.hasState(spec.id)).toBe(false);
    await driver.delete(spec.id);
    await driver.delete(spec.id, true);
  });

  it('fails create with the runtime message for a missing executable', async () => {
    const spec = fixture.task(['/nosuch']);
    const failure = await driver.create(spec).then(
      () => null,
      (err: unknown) => err,
    );
    expect(failure).toBeInstanceOf(RuntimeConfigError);
    expect((failure as RuntimeConfigError).exitCode).toBe(127);
    expect((failure as Error).message).toMatch(/exec: "\/nosuch": stat \/nosuch: no such file or directory/);
    expect(await driver.state(spec.id)).toBeNull();
  });

  it('holds conmon before the runtime until create\'s `ready` resolves, then creates the task', async () => {
    const spec = fixture.task(['true']);
    let release!: () => void;
    const ready = new Promise<void>((resolve) => (release = resolve));
    const config = await readFile(join(spec.bundleDir, 'config.json'));
    // create removes the previous config.json: the bundle is written again while conmon waits.
    const creating = driver.create(spec, async () => {
      await ready;
      await writeFile(join(spec.bundleDir, 'config.json'), config);
    });
    let conmons: number[] = [];
    while (conmons.length === 0) conmons = await conmonsOf(spec.id);
    // Held: blocked in read(2) (syscall 0 on x86_64) of its start pipe, fd 4.
    let syscall = '';
    for (let polls = 0; polls < 1000 && !syscall.startsWith('0 0x4 '); polls++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      syscall = await readFile(`/proc/${conmons[0]}/syscall`, 'utf8').catch(() => '');
    }
    expect(syscall).toMatch(/^0 0x4 /);

    expect(await driver.hasState(spec.id)).toBe(false);
    release();
    const { pid } = await creating;
    expect(await driver.state(spec.id)).toEqual({ status: 'created', pid });
    await driver.delete(spec.id, true);
  });

  it('kills the waiting conmon, which ran nothing, when create\'s `ready` rejects', async () => {
    const spec = fixture.task(['true']);
    const refused = new Error('the bundle could not be made');
    const ready = new Promise<void>((_resolve, reject) => setImmediate(() => reject(refused)));
    ready.catch(() => undefined);

    await expect(driver.create(spec, () => ready)).rejects.toBe(refused);
    expect(await driver.hasState(spec.id)).toBe(false);
    expect(await conmonsOf(spec.id)).toEqual([]);
  });

  it('leaves conmon nothing to run when the daemon dies before the bundle is ready', async () => {
    const spec = fixture.task(['sleep', '1000']);
    // A previous start's config.json is on disk; this daemon dies while it makes the new one.
    const daemon = spawn(process.execPath, ['--experimental-transform-types', '--no-warnings', '--input-type=module', '-e', DIES_IN_CREATE, CONMON_MODULE, JSON.stringify(spec), fixture.stateRoot, resolveExecutable('conmon'), resolveExecutable('runc')], { stdio: 'ignore' });
    const exited = new Promise((resolve) => daemon.once('exit', resolve));
    let conmons: number[] = [];
    while (conmons.length === 0 && daemon.exitCode === null) {
      conmons = await conmonsOf(spec.id);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(conmons).not.toEqual([]);
    daemon.kill('SIGKILL');
    await exited;

    // EOF on its start pipe lets conmon go on: its runtime create finds no config.json.
    while ((await conmonsOf(spec.id)).length > 0) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(await driver.hasState(spec.id)).toBe(false);
  });

  it('fails create in Docker\'s words for a command not in PATH', async () => {
    const spec = fixture.task(['nosuch']);
    await expect(driver.create(spec)).rejects.toThrow('exec: "nosuch": executable file not found in $PATH');
  });

  it('runs a terminal container and resizes it through the ctl FIFO', async () => {
    const spec = fixture.task(['sh', '-c', 'read line; stty size'], { terminal: true, openStdin: true, stdinOnce: true });
    await driver.create(spec);
    const { session, out } = await attachCapturing(driver, spec);
    await driver.start(spec.id);
    await driver.resize(spec, 30, 100);
    await session.write(Buffer.from('go\n'));
    const exit = await driver.waitExit(spec);
    await session.ended;
    expect(exit.exitCode).toBe(0);
    expect(out.stdout).toContain('30 100');
    expect(out.stderr).toBe('');
  });

  it('follows the log until the container exits, and honours tail and since', async () => {
    const spec = fixture.task(['sh', '-c', 'for i in 1 2 3; do echo line $i; done; printf partial; sleep 1; echo " end"']);
    await driver.create(spec);
    const exited = driver.waitExit(spec);
    const following = collect(readContainerLog(spec.logPath, { follow: true, stopWhen: exited }));
    await driver.start(spec.id);
    expect(await following).toEqual([
      'stdout:line 1\n', 'stdout:line 2\n', 'stdout:line 3\n', 'stdout:partial', 'stdout: end\n',
    ]);

    expect(await collect(readContainerLog(spec.logPath, { tail: 2 }))).toEqual(['stdout:partial', 'stdout: end\n']);
    expect(await collect(readContainerLog(spec.logPath, { tail: 0 }))).toEqual([]);
    expect(await collect(readContainerLog(spec.logPath, { tail: 100 }))).toHaveLength(5);
    const records = [];
    for await (const record of readContainerLog(spec.logPath)) records.push(record);
    const last = records.at(-1);
    expect(last?.partial).toBe(false);
    expect(records[3].partial).toBe(true);
    const sinceLast = await collect(readContainerLog(spec.logPath, { since: last?.time }));
    expect(sinceLast.at(-1)).toBe('stdout: end\n');
    expect(sinceLast).not.toContain('stdout:line 1\n');
  });
});

describe('runtime delete', () => {
  it('deletes a container the runtime keeps no state of without running the runtime', async () => {
    const fixture = new TaskFixture();
    try {
      // A runtime that cannot run: a call of it would fail.
      const driver = createRuntimeDriver({ runtime: 'runc', runtimePath: '/nonexistent/runc', stateRoot: fixture.stateRoot });
      await expect(driver.delete('0'.repeat(64), true)).resolves.toBeUndefined();
      await expect(driver.kill('0'.repeat(64), 9)).rejects.toThrow();
    } finally {
      fixture.cleanup();
    }
  });
});
