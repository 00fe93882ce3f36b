import { connect, type Socket } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { berthdMemory, FLOOD_LINE, resetPeakRss, useTestDaemon } from '../harness.js';
import { pushBusyboxWithRandomLayer, startRegistry, type TestRegistry } from '../registry-harness.js';
import { recordCounts } from './counts.js';

// Issue 21 item 6, memory: berthd's RSS while it streams a large log and a fast writer's attach output to
// clients that read in bursts and pause between them, and while it pulls a large layer for one. misbehaving-clients.test.ts
// covers clients that never read (and resume once); here the client keeps reading, slowly, to the end, and
// the growth of berthd's RSS over its level before the stream must stay under a generous bound: memory is
// asserted, never time. The first stream of a kind grows berthd's heap to its steady state (50-60 MiB for
// the first 200 MiB log read here, ~12 MiB for the same read again; V8 collects lazily), which is no leak:
// so each kind runs once first, unmeasured and read at full speed (the whole log; 32 MiB of attach output;
// a 32 MiB pull), and the measured run must stay within 64 MiB. An unbounded buffer would grow with what berthd
// produces while the reader pauses, most of each stream: 128 MiB and more here. The peak is the kernel's
// high-water mark of berthd's RSS, reset before each measured stream: no sampling can miss it.
// The pull is not a slow-reader case in the same sense: its progress is some 80 KB, which the socket's
// buffers hold whole, and ProgressResponse writes it without waiting for the reader. What it measures is
// the pull's own memory (a 128 MiB layer downloaded and extracted while the client reads little).

const MiB = 1024 * 1024;
// Above V8's lazily collected buffers (a first 200 MiB log read alone has reached 50–60 MiB), below an
// unbounded buffer of any one stream (128 MiB and more).
const RSS_GROWTH_BOUND = 96 * MiB;
const LOG_BYTES = 200 * MiB;
const ATTACH_BYTES = 128 * MiB;
const PULL_LAYER_BYTES = 128 * MiB;
/** What a warm-up reads of an endless stream (attach) or pulls. */
const WARM_UP_BYTES = 32 * MiB;
/** A slow reader: takes this much, then stops reading for a while. */
const BURST_BYTES = 16 * MiB;
/** A pull's progress is small: its reader pauses after each few messages. */
const PROGRESS_BURST_BYTES = 4 * 1024;
const PAUSE_MS = 1000;

const daemon = useTestDaemon();
/** berthd's RSS growth in each measured stream, by kind. */
const growths: Record<string, number> = {};
let streamedBytes = 0;
let pauses = 0;
let failures = 0;

/**
 * Sends a raw request and reads the answer slowly, to its end or until `stopAfter` bytes: `burst` bytes,
 * then a pause of PAUSE_MS, and so on. Returns the bytes read and the start of the answer.
 */
async function readSlowly(request: string, options: { stopAfter?: number; burst?: number } = {}): Promise<{ bytes: number; answer: string }> {
  const { stopAfter = Infinity, burst = BURST_BYTES } = options;
  const socket: Socket = connect(daemon.socket);
  let bytes = 0;
  let sinceBurst = 0;
  let head = '';
  await new Promise<void>((resolve, reject) => {
    socket.on('error', reject);
    socket.on('close', () => resolve());
    socket.on('data', (chunk: Buffer) => {
      if (head.length < 512) head += chunk.subarray(0, 512).toString('latin1');
      bytes += chunk.length;
      sinceBurst += chunk.length;
      if (bytes >= stopAfter) {
        socket.destroy();
        return;
      }
      if (sinceBurst < burst) return;
      sinceBurst = 0;
      pauses++;
      socket.pause();
      setTimeout(() => socket.resume(), PAUSE_MS);
    });
    socket.write(request);
  });
  return { bytes, answer: head };
}

/** Runs `stream` (the measured run, after its warm-up) and checks berthd's RSS peaked less than the bound over its level before. */
async function expectFlatMemory(what: string, stream: () => Promise<{ bytes: number }>): Promise<void> {
  try {
    await resetPeakRss(daemon);
    const before = (await berthdMemory(daemon)).rss;
    const { bytes } = await stream();
    streamedBytes += bytes;
    const growth = Math.max(0, (await berthdMemory(daemon)).hwm - before);
    growths[what] = growth;
    expect(growth, `${what}: berthd's RSS grew by ${(growth / MiB).toFixed(1)} MiB`).toBeLessThan(RSS_GROWTH_BOUND);
    expect(daemon.process.exitCode).toBeNull();
  } catch (err) {
    failures++;
    throw err;
  }
}

describe('slow readers of large streams: berthd memory stays flat', () => {
  let registry: TestRegistry | undefined;

  afterAll(async () => {
    recordCounts('exhaustion-slow-readers', {
      streams: Object.keys(growths).length,
      streamedMiB: Math.round(streamedBytes / MiB),
      pauses,
      maxRssGrowthMiB: Math.round(Math.max(0, ...Object.values(growths)) / MiB),
      ...Object.fromEntries(Object.entries(growths).map(([what, growth]) => [`${what}RssGrowthMiB`, Math.round(growth / MiB)])),
      failures,
    });
    await registry?.stop();
  });

  it(`docker logs of a ${LOG_BYTES / MiB} MiB log`, async () => {
    const container = await daemon.docker.createContainer({ name: 'big-log', Image: 'busybox', Cmd: ['sh', '-c', `yes ${FLOOD_LINE} | head -c ${LOG_BYTES}`] });
    await container.start();
    expect((await container.wait()).StatusCode).toBe(0);
    const logs = 'GET /containers/big-log/logs?stdout=1 HTTP/1.1\r\nHost: docker\r\nConnection: close\r\n\r\n';
    await readSlowly(logs, { burst: Infinity });
    await expectFlatMemory('logs', async () => {
      const read = await readSlowly(logs);
      expect(read.answer).toMatch(/^HTTP\/1\.1 200/);
      // Every byte of the log, with a stdcopy header per frame on top.
      expect(read.bytes).toBeGreaterThan(LOG_BYTES);
      return read;
    });
    await container.remove({ force: true });
  });

  it(`attach to a fast writer, ${ATTACH_BYTES / MiB} MiB read`, async () => {
    // No log: attach is what is measured, and an unbounded json-file log would fill the disk meanwhile.
    const container = await daemon.docker.createContainer({
      name: 'fast-writer',
      Image: 'busybox',
      Cmd: ['yes', FLOOD_LINE],
      HostConfig: { LogConfig: { Type: 'none', Config: {} } },
    });
    await container.start();
    const attach = 'POST /containers/fast-writer/attach?stream=1&stdout=1 HTTP/1.1\r\nHost: docker\r\nUpgrade: tcp\r\nConnection: Upgrade\r\nContent-Length: 0\r\n\r\n';
    await readSlowly(attach, { stopAfter: WARM_UP_BYTES, burst: Infinity });
    await expectFlatMemory('attach', async () => {
      const read = await readSlowly(attach, { stopAfter: ATTACH_BYTES });
      expect(read.answer).toMatch(/^HTTP\/1\.1 101/);
      expect(read.bytes).toBeGreaterThanOrEqual(ATTACH_BYTES);
      return read;
    });
    await container.remove({ force: true });
  });

  it(`a pull of a ${PULL_LAYER_BYTES / MiB} MiB layer, its (small) progress read slowly: the pull's own memory`, async () => {
    registry = await startRegistry();
    const pull = (ref: string): string => `POST /images/create?fromImage=${encodeURIComponent(ref)} HTTP/1.1\r\nHost: docker\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`;
    const warmUp = await pushBusyboxWithRandomLayer(registry, 'slow/warm-up:v1', WARM_UP_BYTES);
    const warmedUp = await readSlowly(pull(warmUp), { burst: Infinity });
    expect(warmedUp.answer).toMatch(/^HTTP\/1\.1 200/);
    await daemon.docker.getImage(warmUp).remove();
    const big = await pushBusyboxWithRandomLayer(registry, 'slow/pull:v1', PULL_LAYER_BYTES);
    await expectFlatMemory('pull', async () => {
      const read = await readSlowly(pull(big), { burst: PROGRESS_BURST_BYTES });
      expect(read.answer).toMatch(/^HTTP\/1\.1 200/);
      return read;
    });
    expect((await daemon.docker.getImage(big).inspect()).RepoTags).toEqual([big]);
  });
});
