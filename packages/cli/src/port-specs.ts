import { isIP } from 'node:net';
import { InvalidArgumentError } from '@berth/api';

/** One host binding of a container port, as HostConfig.PortBindings holds it. */
export interface PortBinding {
  HostIp: string;
  HostPort: string;
}

export type PortMap = Record<string, PortBinding[]>;

const PROTOCOLS = ['tcp', 'udp', 'sctp'];

/** go-connections' ParsePortRange: "80" or "8000-8010", each a uint16. */
export function parsePortRange(text: string): [number, number] {
  if (text === '') throw new Error('empty string specified for ports');
  const [first = '', last] = text.split('-');
  const start = parseUint16(first);
  if (last === undefined) return [start, start];
  const end = parseUint16(last);
  if (end < start) throw new Error(`invalid range specified for port: ${text}`);
  return [start, end];
}

/** Go's strconv.ParseUint(text, 10, 16), with its error text. */
function parseUint16(text: string): number {
  if (!/^\d+$/.test(text)) throw new Error(`strconv.ParseUint: parsing "${text}": invalid syntax`);
  const value = Number(text);
  if (value > 65535) throw new Error(`strconv.ParseUint: parsing "${text}": value out of range`);
  return value;
}

/** go-connections' SplitProtoPort: "80/udp" → ["udp", "80"], a missing protocol is tcp. */
export function splitProtoPort(text: string): [string, string] {
  const parts = text.split('/');
  if (text === '' || parts[0] === '') return ['', ''];
  if (parts.length === 1) return ['tcp', text];
  if (parts[1] === '') return ['tcp', parts[0]!];
  return [parts[1]!, parts[0]!];
}

/** `ip:hostPort:containerPort`, where ip may itself hold colons. */
function splitParts(spec: string): [string, string, string] {
  const parts = spec.split(':');
  const n = parts.length;
  const containerPort = parts[n - 1]!;
  if (n === 1) return ['', '', containerPort];
  if (n === 2) return ['', parts[0]!, containerPort];
  return [parts.slice(0, n - 2).join(':'), parts[n - 2]!, containerPort];
}

/** A bracketed IPv6 address as Go's net.SplitHostPort(ip + ":") takes it apart. */
function unbracket(ip: string): string {
  const close = ip.indexOf(']');
  if (close < 0) throw new InvalidArgumentError(`invalid IP address ${ip}: address ${ip}:: missing ']' in address`);
  if (close !== ip.length - 1) throw new InvalidArgumentError(`invalid IP address ${ip}: address ${ip}:: missing port in address`);
  return ip.slice(1, close);
}

/** go-connections' ParsePortSpec: one `-p` value as (container port, binding) pairs. */
function parsePortSpec(spec: string): { port: string; binding: PortBinding }[] {
  const [rawIp, hostPort, containerPort] = splitParts(spec);
  const [proto, port] = splitProtoPort(containerPort);
  const ip = rawIp.startsWith('[') ? unbracket(rawIp) : rawIp;
  if (ip !== '' && isIP(ip) === 0) throw new InvalidArgumentError(`invalid IP address: ${ip}`);
  if (port === '') throw new InvalidArgumentError(`no port specified: ${spec}<empty>`);
  const [start, end] = tryRange(port, `invalid containerPort: ${port}`);
  const [hostStart, hostEnd] = hostPort === '' ? [0, 0] : tryRange(hostPort, `invalid hostPort: ${hostPort}`);
  if (hostPort !== '' && end - start !== hostEnd - hostStart && end !== start) {
    throw new InvalidArgumentError(`invalid ranges specified for container and host Ports: ${port} and ${hostPort}`);
  }
  if (!PROTOCOLS.includes(proto.toLowerCase())) throw new InvalidArgumentError(`invalid proto: ${proto}`);
  const mappings: { port: string; binding: PortBinding }[] = [];
  for (let i = 0; i <= end - start; i++) {
    // One container port published on a host range: the daemon picks a free port of the range.
    const host = hostPort === '' ? '' : start === end && hostStart !== hostEnd ? `${hostStart}-${hostEnd}` : `${hostStart + i}`;
    mappings.push({ port: `${start + i}/${proto.toLowerCase()}`, binding: { HostIp: ip, HostPort: host } });
  }
  return mappings;
}

function tryRange(text: string, message: string): [number, number] {
  try {
    return parsePortRange(text);
  } catch {
    throw new InvalidArgumentError(message);
  }
}

/** docker's long `-p published=8080,target=80,protocol=udp` form in the short notation. */
function standardNotation(spec: string): string {
  if (!spec.includes('=')) return spec;
  const params: Record<string, string> = { protocol: 'tcp' };
  for (const param of spec.split(',')) {
    const eq = param.indexOf('=');
    if (eq <= 0) throw new InvalidArgumentError(`invalid publish opts format (should be name=value but got '${param}')`);
    params[param.slice(0, eq)] = param.slice(eq + 1);
  }
  return `${params.published ?? ''}:${params.target ?? ''}/${params.protocol}`;
}

/** `-p` values as Config.ExposedPorts keys and HostConfig.PortBindings, as go-connections' ParsePortSpecs builds them. */
export function parsePublishFlags(specs: string[]): { exposed: string[]; bindings: PortMap } {
  const bindings: PortMap = {};
  for (const spec of specs) {
    for (const { port, binding } of parsePortSpec(standardNotation(spec))) (bindings[port] ??= []).push(binding);
  }
  return { exposed: Object.keys(bindings), bindings };
}

/** `--expose 80`, `--expose 7000-7010/udp`: the container ports they name. */
export function parseExposeFlag(spec: string): string[] {
  if (spec.includes(':')) throw new InvalidArgumentError(`invalid port format for --expose: ${spec}`);
  const [proto, port] = splitProtoPort(spec);
  let range: [number, number];
  try {
    range = parsePortRange(port);
  } catch (err) {
    throw new InvalidArgumentError(`invalid range format for --expose: ${spec}, error: ${(err as Error).message}`);
  }
  const ports: string[] = [];
  for (let p = range[0]; p <= range[1]; p++) ports.push(`${p}/${proto}`);
  return ports;
}
