import type { ContainerInspect, ContainerSummary } from '@berth/api';
import type { ContainerRecord } from './record.js';
import { mountPointsView } from './container-mount.js';
import { humanStatus, toApiState } from './state.js';
import { healthSuffix } from './health-state.js';
import { etcFilePaths } from './etc-paths.js';
import { join } from 'node:path';
import { containerConfigView, hostConfigView } from './config-views.js';
import type { ContainerNetworkState } from '../ports.js';
import { networkSettingsView, networksView, portSummaries } from './network-view.js';

export interface ContainerPaths {
  dir: string;
  logPath: string;
}

export interface InspectContext {
  paths: ContainerPaths;
  /** The engine's OCI runtime, which every container uses. */
  runtime: string;
  /** The image layers under the container's own, top first. */
  lowerDirs: string[];
  removing: boolean;
  network: ContainerNetworkState;
}

/** `GET /containers/{id}/json`, with Docker's field names. */
export function inspectView(c: ContainerRecord, { paths, runtime, lowerDirs, removing, network }: InspectContext): ContainerInspect {
  const etc = etcFilePaths(paths.dir);
  const hostConfig = hostConfigView(c.hostConfig, runtime);
  return {
    Id: c.id,
    Created: c.created,
    Path: c.path,
    Args: c.args,
    State: { ...toApiState(c.state, removing), ...(c.health ? { Health: c.health } : {}) },
    Image: c.imageId,
    ResolvConfPath: etc.resolvConf,
    HostnamePath: etc.hostname,
    HostsPath: etc.hosts,
    // Docker names only a json-file log: the others are the driver's own business.
    LogPath: hostConfig.LogConfig?.Type === 'json-file' ? paths.logPath : '',
    Name: c.name,
    RestartCount: c.restartCount,
    Driver: 'overlay2',
    Platform: 'linux',
    MountLabel: '',
    ProcessLabel: '',
    AppArmorProfile: '',
    ExecIDs: null,
    HostConfig: hostConfig,
    GraphDriver: {
      Name: 'overlay2',
      Data: {
        ...(lowerDirs.length ? { LowerDir: lowerDirs.join(':') } : {}),
        MergedDir: join(paths.dir, 'rootfs'),
        UpperDir: join(paths.dir, 'upper'),
        WorkDir: join(paths.dir, 'work'),
      },
    },
    Mounts: mountPointsView(c.mounts),
    Config: containerConfigView(c.config),
    NetworkSettings: networkSettingsView(c, network),
  };
}

/** One row of `GET /containers/json`. */
export function summaryView(c: ContainerRecord, now: Date, removing: boolean, network: ContainerNetworkState): ContainerSummary {
  return {
    Id: c.id,
    Names: [c.name],
    Image: c.imageRef,
    ImageID: c.imageId,
    Command: listCommand(c),
    Created: Math.floor(Date.parse(c.created) / 1000),
    Ports: portSummaries(c, network),
    Labels: c.config.Labels ?? {},
    State: toApiState(c.state, removing).Status,
    Status: humanStatus(c.state, now, removing) + (c.state.running && !c.state.paused && !c.state.restarting ? healthSuffix(c.health) : ''),
    HostConfig: { NetworkMode: c.hostConfig.NetworkMode ?? 'default' },
    NetworkSettings: { Networks: networksView(c, network) },
    Mounts: mountPointsView(c.mounts),
  };
}

/** The list view's command line: arguments containing spaces are single-quoted, as moby shows them. */
function listCommand(c: ContainerRecord): string {
  return [c.path, ...c.args.map((arg) => (arg.includes(' ') ? `'${arg}'` : arg))].join(' ');
}
