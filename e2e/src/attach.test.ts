import type { Duplex } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { useTestDaemon } from './harness.js';
import { webSocketClient } from './websocket-client.js';

const daemon = useTestDaemon();

/** Collects what a raw (TTY) attach stream delivers until `pattern` shows up. */
function readUntil(stream: Duplex, pattern: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const onData = (d: Buffer) => {
      seen += d.toString();
      if (pattern.test(seen)) {
        stream.off('data', onData);
        resolve(seen);
      }
    };
    stream.on('data', onData);
    stream.once('end', () => reject(new Error(`stream ended before ${String(pattern)}; got ${JSON.stringify(seen)}`)));
  });
}

describe('attach', () => {
  it('delivers stdin EOF: `echo x | docker run -i busybox cat` prints x and exits 0', async () => {
    expect(await daemon.dockerCli(['run', '-i', '--rm', 'busybox', 'cat'], 'x\n')).toEqual({ stdout: 'x\n', stderr: '', code: 0 });
  });

  it('replays earlier output with logs=1', async () => {
    expect((await daemon.dockerCli(['run', '-d', '--name', 'early', 'busybox', 'sh', '-c', 'echo early; sleep 600'])).code).toBe(0);
    for (let i = 0; i < 50 && (await daemon.dockerCli(['logs', 'early'])).stdout === ''; i++) await new Promise((r) => setTimeout(r, 100));
    const stream = (await daemon.docker.getContainer('early').attach({ stream: true, logs: true, stdout: true, stderr: true, hijack: true })) as unknown as Duplex;
    const seen = await readUntil(stream, /early/);
    expect(seen).toContain('early\n');
    stream.destroy();
  });

  it('resizes the TTY and detaches on ctrl-p ctrl-q, leaving the container running', async () => {
    expect((await daemon.dockerCli(['run', '-dit', '--name', 'term', 'busybox', 'sh'])).code).toBe(0);
    const container = daemon.docker.getContainer('term');
    const stream = (await container.attach({ stream: true, stdin: true, stdout: true, stderr: true, hijack: true })) as unknown as Duplex;
    await container.resize({ h: 41, w: 103 });
    const ended = new Promise((resolve) => stream.once('end', resolve).once('close', resolve));
    stream.write('stty size\n');
    expect(await readUntil(stream, /41 103/)).toContain('41 103');
    stream.write(Buffer.from([0x10, 0x11]));
    await ended;
    expect((await container.inspect()).State.Running).toBe(true);
  });

  it('attaches over a WebSocket with logs, stdin and output', async () => {
    expect((await daemon.dockerCli(['run', '-di', '--name', 'ws', 'busybox', 'sh', '-c', 'echo ready; cat'])).code).toBe(0);
    for (let i = 0; i < 50 && (await daemon.dockerCli(['logs', 'ws'])).stdout === ''; i++) await new Promise((r) => setTimeout(r, 100));
    const ws = await webSocketClient(daemon.socket, '/v1.47/containers/ws/attach/ws?logs=1&stream=1&stdin=1&stdout=1&stderr=1');
    await ws.send('echoed\n');
    for (let i = 0; i < 50 && !ws.received().includes('echoed'); i++) await new Promise((r) => setTimeout(r, 100));
    expect(ws.received()).toBe('ready\nechoed\n');
    await daemon.dockerCli(['kill', 'ws']);
    await ws.closed;
  });

  it('detaches a WebSocket attach on the detach keys when the container has a TTY, leaving it running', async () => {
    const since = (Date.now() / 1000).toFixed(3);
    expect((await daemon.dockerCli(['run', '-dit', '--name', 'ws-term', 'busybox', 'sh'])).code).toBe(0);
    const ws = await webSocketClient(daemon.socket, '/v1.47/containers/ws-term/attach/ws?stream=1&stdin=1&stdout=1&stderr=1&detachKeys=ctrl-x');
    await ws.send('echo be""fore\n');
    for (let i = 0; i < 50 && !ws.received().includes('before'); i++) await new Promise((r) => setTimeout(r, 100));
    expect(ws.received()).toContain('before');
    await ws.send('\x18');
    await ws.closed;
    expect((await daemon.docker.getContainer('ws-term').inspect()).State.Running).toBe(true);
    const until = (Date.now() / 1000).toFixed(3);
    const events = await daemon.dockerCli(['events', '--since', since, '--until', until, '--filter', 'event=detach', '--filter', 'container=ws-term']);
    expect(events.stdout).toMatch(/ container detach [0-9a-f]{64} /);
  });

  it('rejects malformed detach keys', async () => {
    const attached = await daemon.dockerCli(['attach', '--detach-keys', 'ctrl-1', 'term']);
    expect(attached.code).not.toBe(0);
  });
});
