import { InvalidArgumentError } from '@berth/api';
import { parsePortKey } from '@berth/network';

/** One legacy link as the record keeps it (moby's form): the child's name and `/<parent>/<alias>`. */
export interface Link {
  child: string;
  alias: string;
}

/** `--link name[:alias]`, or the stored `/name:/parent/alias`: the child's name and the alias. */
export function parseLink(text: string): Link {
  const [name = '', alias = name, ...rest] = text.split(':');
  const child = name.replace(/^\//, '');
  const shortAlias = alias.slice(alias.lastIndexOf('/') + 1);
  if (rest.length > 0 || child === '' || shortAlias === '') throw new InvalidArgumentError(`invalid link: ${JSON.stringify(text)}, expected name[:alias]`);
  return { child, alias: shortAlias };
}

/** moby's stored form of a link of `parent`: `/child:/parent/alias`. */
export function storedLink(link: Link, parent: string): string {
  return `/${link.child}:/${parent.replace(/^\//, '')}/${link.alias}`;
}

/** What a linking container learns of its child (moby's links.Link). */
export interface LinkedChild {
  /** `/parent/alias`. */
  name: string;
  ip: string;
  env: readonly string[];
  exposedPorts: readonly string[];
}

/** TCP first, then by protocol name; by number within a protocol. */
function comparePorts(a: { port: number; protocol: string }, b: { port: number; protocol: string }): number {
  if (a.protocol !== b.protocol) {
    if (a.protocol === 'tcp') return -1;
    if (b.protocol === 'tcp') return 1;
    return a.protocol < b.protocol ? -1 : 1;
  }
  return a.port - b.port;
}

/**
 * The environment a legacy link gives: `<ALIAS>_PORT…` for each exposed port (and for each run of
 * consecutive ones, `_START`/`_END`), `<ALIAS>_NAME`, and the child's own variables as `<ALIAS>_ENV_…`.
 */
export function linkEnv(link: LinkedChild): string[] {
  const alias = link.name.slice(link.name.lastIndexOf('/') + 1).toUpperCase().replaceAll('-', '_');
  const ports = link.exposedPorts.map(parsePortKey).sort(comparePorts);
  const env: string[] = [];
  const url = (p: { port: number; protocol: string }) => `${p.protocol}://${link.ip}:${p.port}`;
  let start = ports[0];
  let end = ports[0];
  for (const [i, p] of ports.entries()) {
    if (i === 0) env.push(`${alias}_PORT=${url(p)}`);
    const prefix = `${alias}_PORT_${p.port}_${p.protocol.toUpperCase()}`;
    env.push(`${prefix}=${url(p)}`, `${prefix}_ADDR=${link.ip}`, `${prefix}_PORT=${p.port}`, `${prefix}_PROTO=${p.protocol}`);
    if (i > 0 && p.port === end!.port + 1 && p.protocol === end!.protocol) {
      end = p;
      if (i < ports.length - 1) continue;
    }
    if (start !== end) {
      const range = `${alias}_PORT_${start!.port}_${start!.protocol.toUpperCase()}`;
      env.push(`${range}_START=${url(start!)}`, `${range}_PORT_START=${start!.port}`, `${range}_END=${url(end!)}`, `${range}_PORT_END=${end!.port}`);
    }
    start = p;
    end = p;
  }
  env.push(`${alias}_NAME=${link.name}`);
  for (const entry of link.env) {
    const eq = entry.indexOf('=');
    if (eq < 0) continue;
    const name = entry.slice(0, eq);
    // Variables an image build adds, of no use to the linking container (as moby leaves them out).
    if (name === 'HOME' || name === 'PATH') continue;
    env.push(`${alias}_ENV_${name}=${entry.slice(eq + 1)}`);
  }
  return env;
}
