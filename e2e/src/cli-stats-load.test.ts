import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { busyboxArchive, dockerOk, run, runDetached, useTestDaemon } from './harness.js';
import { BERTH } from './paths.js';

const d = useTestDaemon({ busybox: false });

/** What a command writes to a pseudo-terminal of 120 columns (`script`), without script's own first and last lines. */
async function onTerminal(command: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-pty-'));
  try {
    const typescript = join(dir, 'typescript');
    const ran = await run('script', ['-q', '-e', '-c', `stty cols 120 rows 40; ${command}`, typescript], { env: d.env });
    expect(ran.code, ran.stderr).toBe(0);
    const lines = (await readFile(typescript, 'utf8')).split('\n');
    return lines.slice(1, lines.findLastIndex((line) => line.startsWith('Script done')) - 1).join('\n') + '\n';
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('berth load', () => {
  afterEach(async () => {
    for (const image of await d.docker.listImages()) await d.docker.getImage(image.Id).remove({ force: true });
  });

  it("draws docker's per-layer bars on a terminal, byte for byte as the docker CLI", async () => {
    const archive = await busyboxArchive();
    const shown: string[] = [];
    for (const cli of ['docker', `${process.execPath} ${BERTH}`]) {
      shown.push(await onTerminal(`${cli} load -i ${archive}`));
      await d.docker.getImage('busybox:latest').remove({ force: true });
    }
    expect(shown[1]).toBe(shown[0]);
    expect(shown[1]).toMatch(/\x1b\[2K\r[0-9a-f]{12}: Loading layer \[=+>\s*\]\s+[\d.]+MB\/[\d.]+MB\r/);
    expect(shown[1]).toMatch(/Loaded image: busybox:latest\r?\n$/);
  });

  it('prints only the loaded images without a terminal, and with -q on one', async () => {
    const archive = await busyboxArchive();
    const piped = await d.berth(['load', '-i', archive]);
    expect(piped).toMatchObject({ code: 0, stdout: 'Loaded image: busybox:latest\n', stderr: '' });
    await d.docker.getImage('busybox:latest').remove({ force: true });
    expect(await onTerminal(`${process.execPath} ${BERTH} load -q -i ${archive}`)).toMatch(/^Loaded image: busybox:latest\r?\n$/);
  });
});

/** A running `berth stats …` with its stdout piped: the frames it painted so far. */
class LiveStats {
  private output = '';
  private readonly child: ChildProcess;
  readonly exited: Promise<number | null>;

  constructor(args: string[]) {
    this.child = spawn(process.execPath, [BERTH, 'stats', ...args], { env: { ...process.env, ...d.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (this.output += chunk));
    this.child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (this.output += chunk));
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
  }

  /** The complete frames: each starts with cursor-home and ends with erase-below. */
  frames(): string[] {
    return this.output.split('\x1b[H').slice(1).filter((frame) => frame.endsWith('\x1b[J'));
  }

  /** Waits for a frame painted after this call that `matches` (as plain text, escapes removed). */
  async frameWhere(matches: (text: string) => boolean): Promise<string> {
    const seen = this.frames().length;
    for (let i = 0; i < 300; i++) {
      const frame = this.frames().slice(seen).map(plain).find(matches);
      if (frame !== undefined) return frame;
      await sleep(100);
    }
    throw new Error(`no such frame; the last: ${JSON.stringify(this.frames().at(-1))}`);
  }

  stop(): void {
    if (this.child.exitCode === null) this.child.kill('SIGINT');
  }
}

const plain = (frame: string): string => frame.replace(/\x1b\[[HKJ]/g, '');
const rowOf = (text: string, name: string): string | undefined => text.split('\n').find((line) => line.split(/\s+/)[1] === name);

describe('berth stats, streaming', () => {
  const live: LiveStats[] = [];
  const watch = (args: string[]): LiveStats => {
    const stats = new LiveStats(args);
    live.push(stats);
    return stats;
  };

  afterEach(async () => {
    for (const stats of live.splice(0)) {
      stats.stop();
      await stats.exited;
    }
    for (const c of await d.docker.listContainers({ all: true })) await d.docker.getContainer(c.Id).remove({ force: true });
  });
  afterAll(async () => {
    for (const image of await d.docker.listImages()) await d.docker.getImage(image.Id).remove({ force: true });
  });

  it('repaints in place and follows containers as they start and stop', async () => {
    await dockerOk(d, ['load', '-i', await busyboxArchive()]);
    await runDetached(d, ['--name', 'first', 'busybox', 'sleep', '600']);
    const stats = watch([]);
    const shown = await stats.frameWhere((text) => rowOf(text, 'first') !== undefined);
    expect(shown.split('\n')[0]).toMatch(/^CONTAINER ID\s+NAME\s+CPU %\s+MEM USAGE \/ LIMIT\s+MEM %\s+NET I\/O\s+BLOCK I\/O\s+PIDS$/);
    expect(rowOf(shown, 'first')).toMatch(/^[0-9a-f]{12}\s+first\s+\d+\.\d\d%\s+[\d.]+\w?i?B \/ [\d.]+\w?i?B\s+\d+\.\d\d%\s+\S+ \/ \S+\s+\S+ \/ \S+\s+1$/);
    // Every line of a frame erases what a longer line of the last one left, and the frame erases below it.
    for (const frame of stats.frames()) expect(frame).toMatch(/^([^\n\x1b]*\x1b\[K\n)+\x1b\[J$/);

    await runDetached(d, ['--name', 'second', 'busybox', 'sleep', '600']);
    await stats.frameWhere((text) => rowOf(text, 'first') !== undefined && rowOf(text, 'second') !== undefined);
    await dockerOk(d, ['stop', '-t', '0', 'first']);
    await stats.frameWhere((text) => rowOf(text, 'first') === undefined && rowOf(text, 'second') !== undefined);
  });

  it('with --all follows created containers, keeps stopped ones and drops removed ones', async () => {
    await dockerOk(d, ['load', '-i', await busyboxArchive()]);
    const stats = watch(['-a', '--format', 'table {{.Name}}\t{{.PIDs}}']);
    await stats.frameWhere((text) => text.startsWith('NAME'));
    await dockerOk(d, ['create', '--name', 'created', 'busybox', 'true']);
    // Not running: the daemon's samples are empty, so no process is counted.
    expect(await stats.frameWhere((text) => /^created\s/m.test(text))).toMatch(/^created\s+0$/m);
    await dockerOk(d, ['rm', 'created']);
    await stats.frameWhere((text) => !/^created\s/m.test(text));
  });

  it('keeps a named container that is removed, shown as --, as docker does', async () => {
    await dockerOk(d, ['load', '-i', await busyboxArchive()]);
    await runDetached(d, ['--name', 'named', 'busybox', 'sleep', '600']);
    const stats = watch(['named']);
    expect(rowOf(await stats.frameWhere((text) => /\bnamed\s+\d/.test(text)), 'named')).toMatch(/\d+\.\d\d%/);
    await dockerOk(d, ['rm', '-f', 'named']);
    const gone = await stats.frameWhere((text) => /\bnamed\s+--/.test(text));
    expect(rowOf(gone, 'named')).toMatch(/^[0-9a-f]{12}\s+named\s+--\s+-- \/ --\s+--\s+--\s+--\s+--$/);
  });

  it("fails at once with the daemon's error for each missing container", async () => {
    const missing = await d.berth(['stats', 'nope', 'nope2']);
    expect(missing).toMatchObject({ code: 1, stdout: '', stderr: 'Error response from daemon: No such container: nope\nError response from daemon: No such container: nope2\n' });
  });
});

describe('berth cp and context export on a terminal', () => {
  it('ends a failed copy with its error, the progress stopped and the cursor shown again', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'berth-cp-pty-'));
    try {
      const typescript = join(dir, 'typescript');
      // script exits with berth's status (-e); before the fix berth never exited (its progress timer kept it alive).
      const ran = await run('script', ['-q', '-e', '-c', `${process.execPath} ${BERTH} cp /etc/hostname nosuch:/tmp/x`, typescript], { env: d.env });
      expect(ran.code).toBe(1);
      const shown = await readFile(typescript, 'utf8');
      expect(shown).toContain('No such container: nosuch');
      // Hidden while copying, shown again after.
      expect(shown).toContain('\x1b[?25l');
      expect(shown.lastIndexOf('\x1b[?25h')).toBeGreaterThan(shown.lastIndexOf('\x1b[?25l'));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses to write a context export, keys included, to the terminal', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'berth-export-pty-'));
    try {
      const typescript = join(dir, 'typescript');
      const ran = await run('script', ['-q', '-e', '-c', `${process.execPath} ${BERTH} context export default -`, typescript], { env: d.env });
      expect(ran.code).toBe(1);
      expect(await readFile(typescript, 'utf8')).toContain('cowardly refusing to export to a terminal, specify a file path');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
