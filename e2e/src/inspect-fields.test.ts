import { stat } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { useTestDaemon } from './harness.js';

const d = useTestDaemon();

const HEX_ID = /^[0-9a-f]{64}$/;

async function cli(args: string[]): Promise<string> {
  const r = await d.dockerCli(args);
  expect(r.code, `docker ${args.join(' ')}: ${r.stderr}`).toBe(0);
  return r.stdout.trim();
}

interface Endpoint {
  NetworkID: string;
  EndpointID: string;
  Gateway: string;
  IPAddress: string;
  IPPrefixLen: number;
  MacAddress: string;
  IPAMConfig: unknown;
  Links: unknown;
  Aliases: unknown;
  DriverOpts: unknown;
}

async function networks(name: string): Promise<Record<string, Endpoint>> {
  return JSON.parse(await cli(['inspect', '-f', '{{json .NetworkSettings.Networks}}', name])) as Record<string, Endpoint>;
}

describe('docker inspect --size', () => {
  it('prints SizeRw and SizeRootFs, not <nil>', async () => {
    await cli(['run', '--name', 'sized', 'busybox', 'dd', 'if=/dev/zero', 'of=/blob', 'bs=1024', 'count=300']);
    const [sizeRw, sizeRootFs] = (await cli(['inspect', '--size', '-f', '{{.SizeRw}} {{.SizeRootFs}}', 'sized'])).split(' ').map(Number);
    expect(sizeRw).toBeGreaterThanOrEqual(300 * 1024);
    const imageSize = Number(await cli(['image', 'inspect', '-f', '{{.Size}}', 'busybox']));
    expect(sizeRootFs).toBe(sizeRw! + imageSize);
    expect(await cli(['inspect', '-f', '{{.SizeRw}}', 'sized'])).toBe('<nil>');
  });
});

describe('GraphDriver', () => {
  it('names the image layers (LowerDir) besides the container own directories, as overlay2 does', async () => {
    await cli(['create', '--name', 'layered', 'busybox', 'true']);
    const data = JSON.parse(await cli(['inspect', '-f', '{{json .GraphDriver.Data}}', 'layered'])) as Record<string, string>;
    expect(Object.keys(data).sort()).toEqual(['LowerDir', 'MergedDir', 'UpperDir', 'WorkDir']);
    for (const dir of data.LowerDir!.split(':')) expect((await stat(dir)).isDirectory()).toBe(true);
  });
});

describe('NetworkSettings.Networks', () => {
  for (const mode of ['none', 'host']) {
    it(`lists the ${mode} network as Docker does: IDs once started, endpoint while running, no addresses`, async () => {
      await cli(['create', '--name', `${mode}-net`, '--network', mode, 'busybox', 'sleep', '300']);
      const created = await networks(`${mode}-net`);
      expect(Object.keys(created)).toEqual([mode]);
      expect(created[mode]).toMatchObject({ NetworkID: '', EndpointID: '', Gateway: '', IPAddress: '', IPPrefixLen: 0, MacAddress: '' });
      expect(created[mode]).toMatchObject({ IPAMConfig: null, Links: null, Aliases: null, DriverOpts: null });

      await cli(['start', `${mode}-net`]);
      const running = (await networks(`${mode}-net`))[mode]!;
      expect(running.NetworkID).toMatch(HEX_ID);
      expect(running.EndpointID).toMatch(HEX_ID);
      expect(running).toMatchObject({ Gateway: '', IPAddress: '', IPPrefixLen: 0, MacAddress: '' });
      expect(await cli(['inspect', '-f', '{{.NetworkSettings.SandboxKey}}', `${mode}-net`])).not.toBe('');

      await cli(['stop', '-t', '0', `${mode}-net`]);
      const stopped = (await networks(`${mode}-net`))[mode]!;
      expect(stopped.NetworkID).toBe(running.NetworkID);
      expect(stopped.EndpointID).toBe('');
    });
  }

  it('the same network has one ID across containers; none and host differ', async () => {
    await cli(['run', '--name', 'none-again', '--network', 'none', 'busybox', 'true']);
    await cli(['run', '--name', 'host-again', '--network', 'host', 'busybox', 'true']);
    const none = (await networks('none-again')).none!.NetworkID;
    expect(none).toBe((await networks('none-net')).none!.NetworkID);
    expect(none).not.toBe((await networks('host-again')).host!.NetworkID);
  });

  it('docker ps shows the network name', async () => {
    expect(await cli(['ps', '-a', '--filter', 'name=none-again', '--format', '{{.Networks}}'])).toBe('none');
  });
});
