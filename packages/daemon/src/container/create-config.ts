import { hostname } from 'node:os';
import { InvalidArgumentError, type ContainerConfig, type ContainerCreateRequest, type HostConfig } from '@berth/api';
import type { ImageRunConfig } from '@berth/oci';
import { mergeImageEnv } from './env.js';
import { resolveHealthcheck } from './health-config.js';

/** Docker's strslice: a JSON string is a one-element list. */
function toList(value: string[] | string | null | undefined): string[] | undefined {
  if (value === null || value === undefined) return undefined;
  return typeof value === 'string' ? [value] : value;
}

/** moby's newContainer: the host's name under host networking, else the short container ID. */
export function defaultHostname(id: string, hc: HostConfig): string {
  return hc.NetworkMode === 'host' ? hostname() : id.slice(0, 12);
}

export interface MergedConfig {
  config: ContainerConfig;
  hostConfig: HostConfig;
  path: string;
  args: string[];
}

/**
 * Folds the image's defaults into a create request the way Docker does: a user entrypoint drops the
 * image's Cmd, `--entrypoint ""` clears the entrypoint, env merges by key, labels merge.
 */
export function mergeCreateConfig(request: ContainerCreateRequest, imageRef: string, image: ImageRunConfig | undefined): MergedConfig {
  const { HostConfig: hostConfig, NetworkingConfig: _networking, ...requested } = request;
  const userEntrypoint = toList(requested.Entrypoint);
  const userCmd = toList(requested.Cmd);
  let entrypoint: string[];
  let cmd: string[];
  if (userEntrypoint !== undefined) {
    entrypoint = userEntrypoint.length === 1 && userEntrypoint[0] === '' ? [] : userEntrypoint;
    cmd = userCmd ?? [];
  } else {
    entrypoint = image?.Entrypoint ?? [];
    cmd = userCmd && userCmd.length > 0 ? userCmd : (image?.Cmd ?? []);
  }
  if (hostConfig?.UTSMode === 'host' && requested.Hostname) throw new InvalidArgumentError('conflicting options: hostname and the UTS mode');
  const argv = [...entrypoint, ...cmd];
  if (argv.length === 0) throw new InvalidArgumentError('No command specified');
  const config: ContainerConfig = {
    Hostname: '',
    Domainname: '',
    User: image?.User ?? '',
    AttachStdin: false,
    AttachStdout: false,
    AttachStderr: false,
    Tty: false,
    OpenStdin: false,
    StdinOnce: false,
    WorkingDir: image?.WorkingDir ?? '',
    StopSignal: image?.StopSignal,
    ...requested,
    Image: imageRef,
    Env: mergeImageEnv(image?.Env, requested.Env),
    Cmd: cmd.length > 0 ? cmd : null,
    Entrypoint: entrypoint.length > 0 ? entrypoint : null,
    Labels: { ...(image?.Labels ?? {}), ...(requested.Labels ?? {}) },
    Healthcheck: resolveHealthcheck(requested.Healthcheck, image?.Healthcheck),
    // The image's VOLUME entries join the requested ones; each becomes an anonymous volume unless mounted.
    Volumes: image?.Volumes || requested.Volumes ? { ...(image?.Volumes ?? {}), ...(requested.Volumes ?? {}) } : null,
  };
  if (!requested.User) config.User = image?.User ?? '';
  if (!requested.WorkingDir) config.WorkingDir = image?.WorkingDir ?? '';
  if (config.WorkingDir && !config.WorkingDir.startsWith('/')) {
    throw new InvalidArgumentError(`the working directory '${config.WorkingDir}' is invalid, it needs to be an absolute path`);
  }
  return { config, hostConfig: { NetworkMode: 'default', ...(hostConfig ?? {}) }, path: argv[0]!, args: argv.slice(1) };
}
