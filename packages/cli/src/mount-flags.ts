import { resolve } from 'node:path';
import { InvalidArgumentError, type ContainerCreateRequest, type Mount } from '@berth/api';
import { ramInBytes } from './resource-flags.js';

export interface MountFlags {
  volume?: string[];
  mount?: string[];
  tmpfs?: string[];
  volumesFrom?: string[];
}

function parseBool(key: string, value: string | undefined): boolean {
  if (value === undefined) return true;
  const v = value.toLowerCase();
  if (['1', 't', 'true'].includes(v)) return true;
  if (['0', 'f', 'false'].includes(v)) return false;
  throw new InvalidArgumentError(`invalid value for ${key}: ${value}`);
}

function keyValue(field: string, text: string): [string, string] {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new InvalidArgumentError(`invalid field '${field}' must be a key=value pair`);
  return [text.slice(0, eq), text.slice(eq + 1)];
}

/** One `--mount` value (`type=volume,src=x,dst=/data,volume-nocopy`) as the API's Mount, as the docker CLI builds it. */
export function parseMountFlag(value: string): Mount {
  const mount: Mount = { Type: 'volume' };
  const volume: { NoCopy?: boolean; Labels?: Record<string, string>; DriverConfig?: { Name?: string; Options?: Record<string, string> } } = {};
  const bind: { Propagation?: string } = {};
  const tmpfs: { SizeBytes?: number; Mode?: number } = {};
  for (const field of value.split(',').map((f) => f.trim()).filter((f) => f !== '')) {
    const eq = field.indexOf('=');
    const key = (eq < 0 ? field : field.slice(0, eq)).toLowerCase();
    const val = eq < 0 ? undefined : field.slice(eq + 1);
    const required = (): string => {
      if (val === undefined) throw new InvalidArgumentError(`invalid field '${field}' must be a key=value pair`);
      return val;
    };
    switch (key) {
      case 'type': mount.Type = required(); break;
      case 'source': case 'src': mount.Source = required(); break;
      case 'target': case 'destination': case 'dst': mount.Target = required(); break;
      case 'readonly': case 'ro': mount.ReadOnly = parseBool(key, val); break;
      case 'consistency': mount.Consistency = required(); break;
      case 'bind-propagation': bind.Propagation = required(); break;
      case 'volume-nocopy': volume.NoCopy = parseBool(key, val); break;
      case 'volume-label': {
        const [k, v] = keyValue(field, required());
        volume.Labels = { ...volume.Labels, [k]: v };
        break;
      }
      case 'volume-driver': volume.DriverConfig = { ...volume.DriverConfig, Name: required() }; break;
      case 'volume-opt': {
        const [k, v] = keyValue(field, required());
        volume.DriverConfig = { ...volume.DriverConfig, Options: { ...volume.DriverConfig?.Options, [k]: v } };
        break;
      }
      case 'tmpfs-size': tmpfs.SizeBytes = ramInBytes(required()); break;
      case 'tmpfs-mode': {
        const mode = Number.parseInt(required(), 8);
        if (Number.isNaN(mode)) throw new InvalidArgumentError(`invalid value for ${key}: ${val}`);
        tmpfs.Mode = mode;
        break;
      }
      default: throw new InvalidArgumentError(`unexpected key '${key}' in '${field}'`);
    }
  }
  if (!mount.Target) throw new InvalidArgumentError('target is required');
  if (Object.keys(volume).length) mount.VolumeOptions = volume;
  if (Object.keys(bind).length) mount.BindOptions = bind;
  if (Object.keys(tmpfs).length) mount.TmpfsOptions = tmpfs;
  return mount;
}

/** `-v`: a lone container path is an anonymous volume (config.Volumes); anything else a bind entry. */
function splitVolumeFlags(flags: string[]): { binds: string[]; volumes: Record<string, object> } {
  const binds: string[] = [];
  const volumes: Record<string, object> = {};
  for (const flag of flags) {
    if (!flag.includes(':')) {
      volumes[flag] = {};
      continue;
    }
    // Like the docker CLI, a relative host path is made absolute against the working directory.
    binds.push(flag.startsWith('.') ? `${resolve(flag.slice(0, flag.indexOf(':')))}${flag.slice(flag.indexOf(':'))}` : flag);
  }
  return { binds, volumes };
}

/** Adds -v, --mount, --tmpfs and --volumes-from to a create request. */
export function applyMountFlags(config: ContainerCreateRequest, flags: MountFlags): void {
  const { binds, volumes } = splitVolumeFlags(flags.volume ?? []);
  const hostConfig = (config.HostConfig ??= {});
  if (binds.length) hostConfig.Binds = binds;
  if (Object.keys(volumes).length) config.Volumes = volumes;
  if (flags.mount?.length) hostConfig.Mounts = flags.mount.map(parseMountFlag);
  if (flags.tmpfs?.length) {
    hostConfig.Tmpfs = Object.fromEntries(
      flags.tmpfs.map((t) => (t.includes(':') ? [t.slice(0, t.indexOf(':')), t.slice(t.indexOf(':') + 1)] : [t, ''])),
    );
  }
  if (flags.volumesFrom?.length) hostConfig.VolumesFrom = flags.volumesFrom;
}
