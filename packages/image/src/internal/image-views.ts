import type { ImageInspect, ImageSummary } from '@berth/api';
import type { ImageConfig, ImageRunConfig } from '@berth/oci';

/** What the store knows about one image. */
export interface ImageRecord {
  id: string;
  config: ImageConfig;
  /** Chain ID of each layer prefix, bottom first; the last is the image's top layer. */
  chain: string[];
  /** Sum of the layers' own sizes. */
  size: number;
  lastTagTime?: string;
  cacheKey?: string;
  intermediate?: boolean;
}

export interface ImageNames {
  repoTags: string[];
  repoDigests: string[];
}

const ZERO_TIME = '0001-01-01T00:00:00Z';

function createdSeconds(created: string | undefined): number {
  const ms = created === undefined ? NaN : Date.parse(created);
  return Number.isNaN(ms) ? 0 : Math.floor(ms / 1000);
}

export function toSummary(record: ImageRecord, names: ImageNames): ImageSummary {
  return {
    Id: record.id,
    ParentId: '',
    RepoTags: names.repoTags,
    RepoDigests: names.repoDigests,
    Created: createdSeconds(record.config.created),
    Size: record.size,
    SharedSize: -1,
    Labels: record.config.config?.Labels ?? {},
    Containers: -1,
  };
}

/** Run defaults (the image's, or its `container_config`) in the container-config shape Docker's inspect shows. */
function inspectConfig(run: ImageRunConfig): NonNullable<ImageInspect['Config']> {
  return {
    Hostname: '',
    Domainname: '',
    User: run.User ?? '',
    AttachStdin: false,
    AttachStdout: false,
    AttachStderr: false,
    ...(run.ExposedPorts !== undefined ? { ExposedPorts: run.ExposedPorts } : {}),
    Tty: false,
    OpenStdin: false,
    StdinOnce: false,
    Env: run.Env ?? null,
    Cmd: run.Cmd ?? null,
    ...(run.Healthcheck !== undefined ? { Healthcheck: run.Healthcheck } : {}),
    ...(run.ArgsEscaped !== undefined ? { ArgsEscaped: run.ArgsEscaped } : {}),
    Image: '',
    Volumes: run.Volumes ?? null,
    WorkingDir: run.WorkingDir ?? '',
    Entrypoint: run.Entrypoint ?? null,
    // Not in the typed schema (it is open), but Docker shows it.
    ...{ OnBuild: run.OnBuild ?? null },
    Labels: run.Labels ?? null,
    ...(run.StopSignal !== undefined ? { StopSignal: run.StopSignal } : {}),
    ...(run.Shell !== undefined ? { Shell: run.Shell } : {}),
  };
}

export function toInspect(record: ImageRecord, names: ImageNames, graphDriverData: Record<string, string> | null): ImageInspect {
  const { config } = record;
  return {
    Id: record.id,
    RepoTags: names.repoTags,
    RepoDigests: names.repoDigests,
    Parent: '',
    Comment: config.comment ?? '',
    Created: config.created ?? ZERO_TIME,
    DockerVersion: config.docker_version ?? '',
    Author: config.author ?? '',
    Config: inspectConfig(config.config ?? {}),
    Architecture: config.architecture,
    ...(config.variant !== undefined ? { Variant: config.variant } : {}),
    Os: config.os,
    Size: record.size,
    GraphDriver: { Name: 'overlay2', Data: graphDriverData },
    RootFS: { Type: 'layers', Layers: config.rootfs.diff_ids },
    Metadata: { LastTagTime: record.lastTagTime ?? ZERO_TIME },
    // Deprecated, and shown only to clients of API < 1.45 (the daemon drops them for newer ones), as moby does.
    Container: config.container ?? '',
    ContainerConfig: inspectConfig(config.container_config ?? {}),
  };
}
