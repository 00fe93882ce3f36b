import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { berthdMemory, dockerOk, FLOOD_LINE as LINE, resetPeakRss, useTestDaemon } from '../harness.js';
import { recordCounts } from './counts.js';

// Issue 21 item 6, log flood: a container writing as fast as it can, with json-file's max-size and max-file.
// logging-drivers.test.ts checks rotation and compression with a few hundred lines; here 64 MiB go through
// and the log on disk must stay within max-size × max-file (+ one write) the whole time, docker logs working.

const MAX_SIZE = 1024 * 1024;
const MAX_FILE = 3;
const FLOOD_BYTES = 64 * 1024 * 1024;
/** conmon checks the size before each write of up to its 8 KiB buffer (with the k8s-file prefix of each line). */
const ONE_WRITE = 64 * 1024;

const daemon = useTestDaemon();

/** Bytes of the container's log files on disk: the live one and its rotated files. */
async function logBytes(logPath: string): Promise<number> {
  const names = (await readdir(dirname(logPath))).filter((name) => name.startsWith(basename(logPath)));
  const sizes = await Promise.all(names.map((name) => stat(join(dirname(logPath), name)).then((s) => s.size, () => 0)));
  return sizes.reduce((sum, size) => sum + size, 0);
}

/**
 * Whether `line` is a start of LINE joined to an end of it: what `docker logs` shows where a rotated file was
 * lost between two kept ones (one ends mid-line, the next begins mid-line).
 */
function isJoinOfTwoPieces(line: string): boolean {
  for (let cut = 0; cut <= line.length; cut++) {
    if (LINE.startsWith(line.slice(0, cut)) && LINE.endsWith(line.slice(cut))) return true;
  }
  return false;
}

describe('a container flooding its log', () => {
  it(`stays within max-size × max-file on disk while it writes ${FLOOD_BYTES / 1024 / 1024} MiB, and docker logs works`, async () => {
    let peak = 0;
    let samples = 0;
    let joinedLines = 0;
    let failures = 0;
    try {
      const run = await daemon.dockerCli([
        'run', '-d', '--name', 'flood', '--log-opt', `max-size=${MAX_SIZE}`, '--log-opt', `max-file=${MAX_FILE}`,
        'busybox', 'sh', '-c', `yes ${LINE} | head -c ${FLOOD_BYTES}`,
      ]);
      expect(run.code, run.stderr).toBe(0);
      const container = daemon.docker.getContainer('flood');
      const { LogPath } = await container.inspect();
      const exited = container.wait();
      let done = false;
      void exited.finally(() => (done = true));
      while (!done) {
        peak = Math.max(peak, await logBytes(LogPath));
        samples++;
        // docker logs answers during the flood too.
        if (samples % 20 === 0) expect((await daemon.dockerCli(['logs', '--tail', '1', 'flood'])).code).toBe(0);
        await sleep(20);
      }
      expect((await exited).StatusCode).toBe(0);
      peak = Math.max(peak, await logBytes(LogPath));
      expect(peak).toBeLessThanOrEqual(MAX_SIZE * MAX_FILE + ONE_WRITE);

      const tail = (await dockerOk(daemon, ['logs', '--tail', '3', 'flood'])).split('\n');
      // The flood ends mid-line (head -c): the last line is a piece of one.
      expect(tail.slice(0, 2)).toEqual([LINE, LINE]);
      expect(LINE.startsWith(tail[2]!)).toBe(true);
      const all = await dockerOk(daemon, ['logs', 'flood']);
      expect(all.length).toBeLessThanOrEqual(MAX_SIZE * MAX_FILE);
      // Whole lines, but the first (the rest of one whose start went with a dropped file) and the last. And
      // but for at most one line at each boundary between kept files: under a flood conmon may start and
      // replace a file while berthd still saves the one before, and that file is lost (docs/compatibility.md),
      // joining the start of one line (where a kept file ends) to the end of another (where the next begins).
      const lines = all.split('\n').slice(1, -1);
      expect(lines.length).toBeGreaterThan(MAX_SIZE / (LINE.length + 1));
      const joined = lines.filter((line) => line !== LINE);
      joinedLines = joined.length;
      expect(joined.length).toBeLessThanOrEqual(MAX_FILE - 1);
      expect(joined.filter((line) => !isJoinOfTwoPieces(line))).toEqual([]);
      await container.remove({ force: true });
    } catch (err) {
      failures++;
      throw err;
    } finally {
      recordCounts('exhaustion-log-flood', { logFloodBytes: FLOOD_BYTES, maxSize: MAX_SIZE, maxFile: MAX_FILE, peakLogBytes: peak, samples, joinedLines, failures });
    }
  });

  it('rotates large log files without reading them into memory', async () => {
    // 256 MiB of output, ~384 MiB of log lines: one rotation or two of a 192 MiB file, which berthd keeps as
    // container.log.1. Read whole, each would grow berthd by 192 MiB; streamed, by V8's slack for garbage
    // buffers (up to ~64 MiB before it collects them), hence the bound of 128 MiB.
    const maxSize = 192 * 1024 * 1024;
    const output = 256 * 1024 * 1024;
    const flood = async (name: string, bytes: number, fileSize: number) => {
      const container = await daemon.docker.createContainer({
        name,
        Image: 'busybox',
        Cmd: ['sh', '-c', `yes ${LINE} | head -c ${bytes}`],
        HostConfig: { LogConfig: { Type: 'json-file', Config: { 'max-size': String(fileSize), 'max-file': '2' } } },
      });
      await container.start();
      return container;
    };
    // The same at a small scale first, so that what a first container and rotation cost berthd is not counted.
    const warmUp = await flood('small-rotations', 4 * 1024 * 1024, 1024 * 1024);
    await warmUp.wait();
    await warmUp.remove();
    // The kernel's high-water mark of berthd's RSS from here on: the peak, however brief, with no sampling.
    await resetPeakRss(daemon);
    const before = (await berthdMemory(daemon)).rss;
    let peak = before;
    let failures = 0;
    try {
      const container = await flood('big-rotations', output, maxSize);
      const { LogPath } = await container.inspect();
      expect((await container.wait()).StatusCode).toBe(0);
      expect(await logBytes(LogPath)).toBeLessThanOrEqual(2 * maxSize + ONE_WRITE);
      // The rotator stopped when the exit was recorded (before wait answered), after any save under way: all counted.
      await container.remove({ force: true });
      peak = (await berthdMemory(daemon)).hwm;
      expect(peak - before).toBeLessThan(128 * 1024 * 1024);
    } catch (err) {
      failures++;
      throw err;
    } finally {
      recordCounts('exhaustion-log-rotation', { logBytes: output, maxSize, rssGrowthMiB: Math.round((peak - before) / 1024 / 1024), failures });
    }
  });
});
