import { execFileSync } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, readlink, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { gunzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LogRotators, rotatedLogFiles } from './log-rotation.js';

// conmon's rotation, as the rotator sees it: a fresh file renamed over the live one.

let dir: string;
let logPath: string;
const rotators = new LogRotators();

/** Until this process holds `logPath` (the file now at that name) open: the rotator has opened it. */
async function untilHeld(): Promise<void> {
  for (;;) {
    const fds = await readdir('/proc/self/fd');
    const targets = await Promise.all(fds.map((fd) => readlink(`/proc/self/fd/${fd}`).catch(() => '')));
    if (targets.includes(logPath)) return;
    await sleep(5);
  }
}

/** conmon starting a new live file with `content`. */
async function rotate(content: string | Buffer): Promise<void> {
  await writeFile(`${logPath}.new`, content);
  await rename(`${logPath}.new`, logPath);
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'berth-log-rotation-'));
  logPath = join(dir, 'container.log');
});

afterEach(async () => {
  await rotators.stop('c');
  await rm(dir, { recursive: true, force: true });
});

describe('LogRotators', () => {
  it('keeps each replaced file, newest as .1, and leaves no file of its own behind', async () => {
    await writeFile(logPath, 'first\n');
    rotators.start('c', logPath, { maxSize: 1, maxFile: 3, compress: false });
    await untilHeld();
    await rotate('second\n');
    await untilHeld();
    await rotate('third\n');
    await untilHeld();
    await rotators.stop('c');
    expect(await rotatedLogFiles(logPath, 3)).toEqual([`${logPath}.2`, `${logPath}.1`]);
    expect(await readFile(`${logPath}.2`, 'utf8')).toBe('first\n');
    expect(await readFile(`${logPath}.1`, 'utf8')).toBe('second\n');
    expect((await readdir(dir)).sort()).toEqual(['container.log', 'container.log.1', 'container.log.2']);
  });

  it('holds the new live file before it saves the old one: a rotation during the save loses nothing', async () => {
    await writeFile(logPath, 'first\n');
    // The save writes into a FIFO, so it waits, deterministically, until the test reads it.
    execFileSync('mkfifo', [`${logPath}.saving`]);
    rotators.start('c', logPath, { maxSize: 1, maxFile: 4, compress: false });
    await untilHeld();
    await rotate('second\n');
    await untilHeld();
    await rotate('third\n');
    const saved: Buffer[] = [];
    for await (const chunk of createReadStream(`${logPath}.saving`)) saved.push(chunk as Buffer);
    expect(Buffer.concat(saved).toString()).toBe('first\n');
    await untilHeld();
    await rotators.stop('c');
    expect(await readFile(`${logPath}.1`, 'utf8')).toBe('second\n');
    expect(await readFile(logPath, 'utf8')).toBe('third\n');
  });

  it('never shows a partial .1.gz to a reader during the save', async () => {
    await writeFile(logPath, Buffer.alloc(32 * 1024 * 1024, 'a log line\n'));
    rotators.start('c', logPath, { maxSize: 1, maxFile: 2, compress: true });
    await untilHeld();
    await rotate('second\n');
    let whole: Buffer | undefined;
    while (!whole) {
      const gz = await readFile(`${logPath}.1.gz`).catch(() => undefined);
      // gunzipSync throws on a truncated file: the rotated file appears whole or not at all.
      if (gz) whole = gunzipSync(gz);
    }
    expect(whole.length).toBe(32 * 1024 * 1024);
  });

  it('a save that fails leaves no partial file behind', async () => {
    await writeFile(logPath, 'first\n');
    // A directory where the saved file goes: its rename into place fails.
    await mkdir(`${logPath}.1`);
    rotators.start('c', logPath, { maxSize: 1, maxFile: 2, compress: false });
    await untilHeld();
    await rotate('second\n');
    await untilHeld();
    await rotators.stop('c');
    expect((await stat(`${logPath}.1`)).isDirectory()).toBe(true);
    expect((await readdir(dir)).sort()).toEqual(['container.log', 'container.log.1']);
  });
});
