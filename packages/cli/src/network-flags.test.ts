import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import type { ContainerCreateRequest } from '@berth/api';
import { FlagValueError } from './flag-value-error.js';
import { localhostDnsWarnings } from './network-flags.js';
import { buildRunConfig, withContainerConfigOptions, type RunOptions } from './run-config.js';

/** The create request `berth create ARGS busybox` sends, parsed by the command's own flag definitions. */
function createBody(args: string[]): ContainerCreateRequest {
  const command = withContainerConfigOptions(new Command('create')).argument('<image>').argument('[command...]').exitOverride();
  command.parse([...args, 'busybox'], { from: 'user' });
  return buildRunConfig('busybox', [], command.opts<RunOptions>(), {});
}

/** The network part of what the docker CLI 28 sent for the same flags (captured from `docker -H unix://… create`). */
interface Capture {
  args: string[];
  body: ContainerCreateRequest & { HostConfig: Record<string, unknown> };
}
const captures = JSON.parse(readFileSync(new URL('./fixtures/docker-create-network-bodies.json', import.meta.url), 'utf8')) as Capture[];

describe('run/create network flags', () => {
  it.each(captures.map((c) => [c.args.join(' ') || '(no flags)', c] as const))('sends what docker CLI 28 sends for %s', (_, capture) => {
    const body = createBody(capture.args) as Record<string, unknown>;
    const hostConfig = body.HostConfig as Record<string, unknown>;
    const sent = {
      ...Object.fromEntries(['Hostname', 'Domainname', 'ExposedPorts', 'MacAddress'].filter((k) => k in body).map((k) => [k, body[k]])),
      HostConfig: Object.fromEntries(Object.keys(capture.body.HostConfig).map((k) => [k, hostConfig[k]])),
      NetworkingConfig: body.NetworkingConfig,
    };
    expect(sent).toEqual(capture.body);
    // Byte for byte too: map keys in Go's order.
    expect(JSON.stringify(sent)).toBe(JSON.stringify(capture.body));
  });

  it.each([
    ['-p 1.2.3:80:80', 'invalid IP address: 1.2.3'],
    ['-p abc', 'invalid containerPort: abc'],
    ['-p 70000', 'invalid containerPort: 70000'],
    ['-p 80/xyz', 'invalid proto: xyz'],
    ['-p 127.0.0.1::', 'no port specified: 127.0.0.1::<empty>'],
    ['-p 8000-8001:80-82', 'invalid ranges specified for container and host Ports: 80-82 and 8000-8001'],
    ['-p [::1:80:80', "invalid IP address [::1: address [::1:: missing ']' in address"],
    ['-p 9000-8000:80', 'invalid hostPort: 9000-8000'],
    ['--expose 80:80', 'invalid port format for --expose: 80:80'],
    ['--expose abc', 'invalid range format for --expose: abc, error: strconv.ParseUint: parsing "abc": invalid syntax'],
    ['--expose 90-80', 'invalid range format for --expose: 90-80, error: invalid range specified for port: 90-80'],
    ['--mac-address zz', 'zz is not a valid mac address'],
    ['--network-alias x', 'network-scoped aliases are only supported for user-defined networks'],
    ['--network host --network mynet', 'conflicting options: cannot attach both user-defined and non-user-defined network-modes'],
    ['--network mynet --network mynet', 'network "mynet" is specified multiple times'],
    ['--network name=n,alias=a --network-alias b', 'conflicting options: cannot specify both --network-alias and per-network alias'],
  ])('refuses %s as docker does', (args, message) => {
    expect(() => createBody(args.split(' '))).toThrow(message);
  });

  it.each([
    ['--add-host foo', '--add-host', 'bad format for add-host: "foo"'],
    ['--add-host foo:bar', '--add-host', 'invalid IP address in add-host: "bar"'],
    ['--add-host :1.2.3.4', '--add-host', 'bad format for add-host: ":1.2.3.4"'],
    ['--dns abc', '--dns', 'IP address is not correctly formatted: abc'],
    ['--dns-search -bad', '--dns-search', '-bad is not a valid domain'],
    ['--link a:b:c', '--link', 'bad format for links: a:b:c'],
    ['--network foo=bar', '--network', 'invalid field key foo'],
    ['--network name=,alias=x', '--network', 'network name/id is not specified'],
  ])('refuses the value of %s while parsing flags, as pflag does', (args, flag, reason) => {
    const value = args.slice(args.indexOf(' ') + 1);
    let error: unknown;
    try {
      createBody(args.split(' '));
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(FlagValueError);
    expect((error as Error).message).toBe(`invalid argument "${value}" for "${flag}" flag: ${reason}`);
  });

  it('warns about a loopback DNS server as the docker CLI does', () => {
    expect(localhostDnsWarnings(createBody(['--dns', '8.8.8.8', '--dns', '127.0.0.1']))).toEqual(['Localhost DNS (127.0.0.1) may fail in containers.']);
    expect(localhostDnsWarnings(createBody(['--dns', '0:0::1']))).toEqual(['Localhost DNS (::1) may fail in containers.']);
    expect(localhostDnsWarnings(createBody(['--dns', '8.8.8.8']))).toEqual([]);
  });
});
