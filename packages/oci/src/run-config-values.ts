import { InvalidArgumentError } from '@berth/api';

/** EXPOSE's `port[-port][/proto]` (Dockerfile, `commit --change`) as the ExposedPorts keys it adds. */
export function exposedPortKeys(spec: string): string[] {
  const match = /^(\d+)(?:-(\d+))?(?:\/(tcp|udp|sctp))?$/i.exec(spec);
  if (match === null) throw new InvalidArgumentError(`invalid containerPort: ${spec}`);
  const first = Number(match[1]);
  const last = match[2] === undefined ? first : Number(match[2]);
  if (first > 65535 || last > 65535 || last < first) throw new InvalidArgumentError(`invalid range specified for container port: ${spec}`);
  const proto = (match[3] ?? 'tcp').toLowerCase();
  const keys: string[] = [];
  for (let port = first; port <= last; port++) keys.push(`${port}/${proto}`);
  return keys;
}

/** Sets each `key=value` in an image's environment list, replacing an earlier value of the key (ENV). */
export function withEnv(env: readonly string[] | undefined, pairs: ReadonlyArray<readonly [string, string]>): string[] {
  const result = [...(env ?? [])];
  for (const [key, value] of pairs) {
    const index = result.findIndex((entry) => entry.slice(0, entry.indexOf('=')) === key);
    if (index >= 0) result[index] = `${key}=${value}`;
    else result.push(`${key}=${value}`);
  }
  return result;
}
