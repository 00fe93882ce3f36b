import { posix } from 'node:path';
import type { Command } from 'commander';
import { InvalidArgumentError, type HostConfig } from '@berth/api';
import { collect } from './repeatable-flags.js';
import { checked, ramInBytes } from './resource-flags.js';

/** The run/create flags for devices, GPUs and block-IO limits. */
export interface DeviceFlags {
  device?: string[];
  deviceCgroupRule?: string[];
  gpus?: string[];
  blkioWeightDevice?: string[];
  deviceReadBps?: string[];
  deviceReadIops?: string[];
  deviceWriteBps?: string[];
  deviceWriteIops?: string[];
}

export function withDeviceOptions(command: Command): Command {
  return command
    .option('--blkio-weight-device <list>', 'Block IO weight (relative device weight) (default [])', collect, [])
    .option('--device <list>', 'Add a host device to the container', collect, [])
    .option('--device-cgroup-rule <list>', 'Add a rule to the cgroup allowed devices list', collect, [])
    .option('--device-read-bps <list>', 'Limit read rate (bytes per second) from a device (default [])', collect, [])
    .option('--device-read-iops <list>', 'Limit read rate (IO per second) from a device (default [])', collect, [])
    .option('--device-write-bps <list>', 'Limit write rate (bytes per second) to a device (default [])', collect, [])
    .option('--device-write-iops <list>', 'Limit write rate (IO per second) to a device (default [])', collect, [])
    .option('--gpus <gpu-request>', "GPU devices to add to the container ('all' to pass all GPUs)", collect, []);
}

export interface DeviceMapping {
  PathOnHost: string;
  PathInContainer: string;
  CgroupPermissions: string;
}

export interface DeviceRequest {
  Driver: string;
  Count: number;
  DeviceIDs: string[] | null;
  Capabilities: string[][] | null;
  Options: Record<string, string>;
}

/** Only r, w and m, each at most once. */
function isDeviceMode(mode: string): boolean {
  return mode !== '' && /^[rwm]+$/.test(mode) && new Set(mode).size === mode.length;
}

/** Go's path.Clean: normalised, without a trailing slash. */
function cleanPath(path: string): string {
  const clean = posix.normalize(path);
  return clean.length > 1 && clean.endsWith('/') ? clean.slice(0, -1) : clean;
}

/** docker/cli validateLinuxPath: `host[:container][:mode]`, the container path absolute; returns it cleaned as docker does. */
function validateDevicePath(text: string): string {
  const parts = text.split(':');
  if (parts.length > 3 || parts[0] === '') throw new InvalidArgumentError(`bad format for path: ${text}`);
  const [source, second, mode] = parts as [string, string | undefined, string | undefined];
  let containerPath = source;
  let validated = cleanPath(source);
  if (second !== undefined && mode === undefined) {
    if (isDeviceMode(second)) validated = `${cleanPath(source)}:${second}`;
    else [containerPath, validated] = [second, `${source}:${cleanPath(second)}`];
  } else if (second !== undefined && mode !== undefined) {
    containerPath = second;
    if (!isDeviceMode(mode)) throw new InvalidArgumentError(`bad mode specified: ${mode}`);
    validated = text;
  }
  if (!posix.isAbsolute(containerPath)) throw new InvalidArgumentError(`${containerPath} is not an absolute path`);
  return validated;
}

/** docker/cli parseLinuxDevice after validateLinuxPath: `--device /dev/x[:/dev/y][:rwm]` as a DeviceMapping. */
export function parseDevice(text: string): DeviceMapping {
  const [source, second, mode] = validateDevicePath(text).split(':') as [string, string | undefined, string | undefined];
  const target = second !== undefined && !isDeviceMode(second) ? second : source;
  return { PathOnHost: source, PathInContainer: target, CgroupPermissions: mode ?? (second !== undefined && isDeviceMode(second) ? second : 'rwm') };
}

/** A fully qualified CDI device name (`vendor.com/class=name`), which docker sends as a CDI device request. */
function isCdiName(text: string): boolean {
  return /^[a-zA-Z][a-zA-Z0-9._-]*\/[a-zA-Z][a-zA-Z0-9_-]*=[a-zA-Z0-9][a-zA-Z0-9_.:-]*$/.test(text);
}

/** docker/cli validateDeviceCgroupRule. */
function validateCgroupRule(rule: string): string {
  if (!/^[acb] ([0-9]+|\*):([0-9]+|\*) [rwm]{1,3}$/.test(rule)) throw new Error(`invalid device cgroup format '${rule}'`);
  return rule;
}

/** Splits one CSV record as Go's encoding/csv reads it (quoted fields with doubled quotes). */
function csvFields(text: string): string[] {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    let field = '';
    if (text[i] === '"') {
      for (i++; ; i++) {
        if (i >= text.length) throw new Error('parse error on line 1, column ' + (i + 1) + ': extraneous or missing " in quoted-field');
        if (text[i] === '"' && text[i + 1] === '"') {
          field += '"';
          i++;
        } else if (text[i] === '"') {
          i++;
          break;
        } else field += text[i];
      }
    } else {
      while (i < text.length && text[i] !== ',') field += text[i++];
    }
    fields.push(field);
    if (i >= text.length) return fields;
    i++;
  }
}

function gpuCount(text: string): number {
  if (text === 'all') return -1;
  if (!/^[+-]?\d+$/.test(text)) throw new Error(`invalid count (${text}): value must be either "all" or an integer: invalid syntax`);
  return Number(text);
}

/** docker/cli opts.GpuOpts.Set: `all`, `2`, or `count=…,driver=…,device=…,capabilities=…,options=…`. */
export function parseGpus(text: string): DeviceRequest {
  const request: DeviceRequest = { Driver: '', Count: 0, DeviceIDs: null, Capabilities: null, Options: {} };
  const seen = new Set<string>();
  for (const field of csvFields(text)) {
    const eq = field.indexOf('=');
    const key = eq < 0 ? field : field.slice(0, eq);
    const value = field.slice(eq + 1);
    if (seen.has(key)) throw new Error(`gpu request key '${key}' can be specified only once`);
    seen.add(key);
    if (eq < 0) {
      seen.add('count');
      request.Count = gpuCount(key);
      continue;
    }
    switch (key) {
      case 'driver': request.Driver = value; break;
      case 'count': request.Count = gpuCount(value); break;
      case 'device': request.DeviceIDs = value.split(','); break;
      case 'capabilities': request.Capabilities = [[...value.split(','), 'gpu']]; break;
      case 'options':
        request.Options = Object.fromEntries(csvFields(value).map((kv) => (kv.includes('=') ? [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)] : [kv, ''])));
        break;
      default: throw new Error(`unexpected key '${key}' in '${field}'`);
    }
  }
  if (!seen.has('count') && request.DeviceIDs === null) request.Count = 1;
  request.Capabilities ??= [['gpu']];
  return request;
}

/** `/dev/x:rate` for the block-IO flags. */
function devicePath(text: string): [string, string] {
  const colon = text.indexOf(':');
  const path = colon < 0 ? '' : text.slice(0, colon);
  if (path === '') throw new Error(`bad format: ${text}`);
  if (!path.startsWith('/dev/')) throw new Error(`bad format for device path: ${text}`);
  return [path, text.slice(colon + 1)];
}

/** docker/cli opts.ValidateWeightDevice: a weight between 10 and 1000, or 0. */
export function parseWeightDevice(text: string): { Path: string; Weight: number } {
  const [path, value] = devicePath(text);
  const weight = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!(weight <= 65535) || (weight > 0 && (weight < 10 || weight > 1000))) throw new Error(`invalid weight for device: ${text}`);
  return { Path: path, Weight: weight };
}

/** docker/cli opts.ValidateThrottleBpsDevice: a size in bytes per second. */
export function parseBpsDevice(text: string): { Path: string; Rate: number } {
  const [path, value] = devicePath(text);
  let rate: number;
  try {
    rate = ramInBytes(value);
  } catch {
    rate = -1;
  }
  if (rate < 0) throw new Error(`invalid rate for device: ${text}. The correct format is <device-path>:<number>[<unit>]. Number must be a positive integer. Unit is optional and can be kb, mb, or gb`);
  return { Path: path, Rate: rate };
}

/** docker/cli opts.ValidateThrottleIOpsDevice: a count of operations per second. */
export function parseIopsDevice(text: string): { Path: string; Rate: number } {
  const [path, value] = devicePath(text);
  if (!/^\d+$/.test(value)) throw new Error(`invalid rate for device: ${text}. The correct format is <device-path>:<number>. Number must be a positive integer`);
  return { Path: path, Rate: Number(value) };
}

/** The device and block-IO fields of the HostConfig docker/cli sends for these flags. */
export function deviceConfig(flags: DeviceFlags): HostConfig {
  const requests = checked('--gpus', flags.gpus ?? [], parseGpus);
  const cdi = (flags.device ?? []).filter(isCdiName);
  if (cdi.length) requests.push({ Driver: 'cdi', Count: 0, DeviceIDs: cdi, Capabilities: null, Options: {} });
  const rules = checked('--device-cgroup-rule', flags.deviceCgroupRule ?? [], validateCgroupRule);
  return {
    BlkioWeightDevice: checked('--blkio-weight-device', flags.blkioWeightDevice ?? [], parseWeightDevice),
    BlkioDeviceReadBps: checked('--device-read-bps', flags.deviceReadBps ?? [], parseBpsDevice),
    BlkioDeviceWriteBps: checked('--device-write-bps', flags.deviceWriteBps ?? [], parseBpsDevice),
    BlkioDeviceReadIOps: checked('--device-read-iops', flags.deviceReadIops ?? [], parseIopsDevice),
    BlkioDeviceWriteIOps: checked('--device-write-iops', flags.deviceWriteIops ?? [], parseIopsDevice),
    Devices: (flags.device ?? []).filter((device) => !isCdiName(device)).map(parseDevice),
    DeviceCgroupRules: rules.length ? rules : null,
    DeviceRequests: requests.length ? requests : null,
  };
}
