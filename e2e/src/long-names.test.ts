import type { Duplex } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { useTestDaemon } from './harness.js';

const d = useTestDaemon();

/** Docker puts no length limit on a container name: only the size of a request head bounds it. */
const LONG = 'a'.repeat(10_000);

/** Everything a hijacked stream delivers until it ends. */
function drain(stream: Duplex): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = '';
    stream.on('data', (chunk: Buffer) => (seen += chunk.toString('latin1')));
    stream.once('end', () => resolve(seen));
    stream.once('error', reject);
  });
}

describe('names and ids of any length Docker accepts', () => {
  it('runs the lifecycle of a container with a 10,000-character name through the docker CLI', async () => {
    const created = await d.dockerCli(['create', '-i', '--name', LONG, 'busybox', 'sh']);
    expect(created.code, created.stderr).toBe(0);
    const inspected = await d.dockerCli(['inspect', '--format', '{{.Name}} {{.State.Status}}', LONG]);
    expect(inspected).toMatchObject({ code: 0, stdout: `/${LONG} created\n` });
    expect((await d.dockerCli(['start', LONG])).code).toBe(0);
    expect(await d.dockerCli(['exec', LONG, 'echo', 'from exec'])).toEqual({ stdout: 'from exec\n', stderr: '', code: 0 });
    // Attach goes through the hijacking dispatcher, not fastify's router.
    expect(await d.dockerCli(['attach', LONG], 'echo attached; exit 5\n')).toEqual({ stdout: 'attached\n', stderr: '', code: 5 });
    expect((await d.dockerCli(['logs', LONG])).stdout).toBe('attached\n');
    const removed = await d.dockerCli(['rm', LONG]);
    expect(removed).toMatchObject({ code: 0, stdout: `${LONG}\n` });
    expect((await d.dockerCli(['container', 'inspect', LONG])).stderr).toContain(`No such container: ${LONG}`);
  });

  it('serves the same container to dockerode, attach and exec start included', async () => {
    const container = await d.docker.createContainer({ name: LONG, Image: 'busybox', Cmd: ['sh'], OpenStdin: true, StdinOnce: true, Tty: true });
    const byName = d.docker.getContainer(LONG);
    expect((await byName.inspect()).Id).toBe(container.id);
    await byName.start();
    const exec = await byName.exec({ Cmd: ['echo', 'exec output'], AttachStdout: true, Tty: true });
    expect(await drain((await exec.start({ hijack: true, stdin: false, Tty: true })) as Duplex)).toBe('exec output\r\n');
    const attached = (await byName.attach({ stream: true, stdin: true, stdout: true, hijack: true })) as unknown as Duplex;
    const output = drain(attached);
    attached.write('echo via attach; exit 0\n');
    expect(await output).toContain('via attach');
    expect((await byName.wait()).StatusCode).toBe(0);
    await byName.remove();
    await expect(byName.inspect()).rejects.toMatchObject({ statusCode: 404 });
  });

  it('takes a name up to the request head limit (1 MiB, as dockerd) and answers 431 past it', async () => {
    const huge = 'b'.repeat(1_000_000);
    await d.docker.createContainer({ name: huge, Image: 'busybox', Cmd: ['true'] });
    expect((await d.docker.getContainer(huge).inspect()).Name).toBe(`/${huge}`);
    await d.docker.getContainer(huge).remove();
    // Node answers 431 and closes at once, so a client still sending may see the reset first (docs/compatibility.md).
    const refused = await d.docker.getContainer('c'.repeat(1_100_000)).inspect().then(
      () => 'served',
      (err: { statusCode?: number; code?: string }) => err.statusCode ?? err.code,
    );
    expect([431, 'ECONNRESET', 'EPIPE']).toContain(refused);
    // The daemon keeps serving.
    expect(await d.docker.ping()).toBeTruthy();
  });

  it('accepts the odd but legal names Docker accepts, for containers and volumes', async () => {
    for (const name of ['a.-_', '0..', 'A_b.c-d']) {
      expect((await d.dockerCli(['create', '--name', name, 'busybox', 'true'])).code).toBe(0);
      expect((await d.dockerCli(['inspect', '--format', '{{.Name}}', name])).stdout).toBe(`/${name}\n`);
      expect((await d.dockerCli(['rm', name])).code).toBe(0);
    }
    for (const name of ['a..b', 'ab..', 'v'.repeat(255)]) {
      expect((await d.dockerCli(['volume', 'create', name])).stdout).toBe(`${name}\n`);
      expect((await d.dockerCli(['volume', 'inspect', '--format', '{{.Name}}', name])).stdout).toBe(`${name}\n`);
      expect((await d.dockerCli(['volume', 'rm', name])).code).toBe(0);
    }
    const tooShort = await d.dockerCli(['volume', 'create', 'a']);
    expect(tooShort.stderr).toContain('create a: volume name is too short, names should be at least two alphanumeric characters');
  });

  it('tags, inspects and removes an image whose repository and tag are as long as Docker allows', async () => {
    const ref = `${'r'.repeat(100)}/${'s'.repeat(100)}:${'t'.repeat(128)}`;
    expect((await d.dockerCli(['tag', 'busybox', ref])).code).toBe(0);
    expect((await d.dockerCli(['image', 'inspect', '--format', '{{range .RepoTags}}{{println .}}{{end}}', ref])).stdout).toContain(`${ref}\n`);
    expect((await d.dockerCli(['history', '-q', ref])).code).toBe(0);
    expect((await d.dockerCli(['rmi', ref])).stdout).toBe(`Untagged: ${ref}\n`);
  });
});
