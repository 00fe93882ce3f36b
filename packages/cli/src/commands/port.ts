import type { Command } from 'commander';
import { InvalidArgumentError } from '@berth/api';
import type { CommandContext } from '../context.js';
import { naturalCompare } from '../format/natural-order.js';
import type { PortMap } from '../port-specs.js';

/** Go's net.JoinHostPort: an IPv6 host in brackets. */
function joinHostPort(host: string, port: string): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** `docker port` from the container's NetworkSettings.Ports: every binding, or those of one private port. */
export function portLines(ports: PortMap | null | undefined, container: string, privatePort?: string): string[] {
  const published = ports ?? {};
  let lines: string[];
  if (privatePort !== undefined) {
    const slash = privatePort.indexOf('/');
    const port = slash < 0 ? privatePort : privatePort.slice(0, slash);
    const proto = slash < 0 || privatePort.slice(slash + 1) === '' ? 'tcp' : privatePort.slice(slash + 1);
    if (!/^\d+$/.test(port) || Number(port) > 65535) {
      const reason = /^\d+$/.test(port) ? 'value out of range' : 'invalid syntax';
      throw new InvalidArgumentError(`Error: invalid port (${port}): strconv.ParseUint: parsing "${port}": ${reason}`);
    }
    const frontends = published[`${port}/${proto}`] ?? [];
    if (!frontends.length) throw new InvalidArgumentError(`Error: No public port '${privatePort}' published for ${container}`);
    lines = frontends.map((f) => joinHostPort(f.HostIp, f.HostPort));
  } else {
    lines = Object.entries(published).flatMap(([from, frontends]) => (frontends ?? []).map((f) => `${from} -> ${joinHostPort(f.HostIp, f.HostPort)}`));
  }
  return lines.sort(naturalCompare);
}

export function registerPort(program: Command, ctx: CommandContext): void {
  program
    .command('port')
    .description('List port mappings or a specific mapping for the container')
    .usage('CONTAINER [PRIVATE_PORT[/PROTO]]')
    .argument('<container>')
    .argument('[private_port]')
    .action(async (container: string, privatePort: string | undefined) => {
      const inspected = await ctx.client().inspectContainer(container);
      const lines = portLines(inspected.NetworkSettings.Ports as PortMap | null | undefined, container, privatePort);
      if (lines.length) ctx.out(`${lines.join('\n')}\n`);
    });
}
