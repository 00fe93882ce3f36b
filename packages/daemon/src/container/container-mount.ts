import type { MountPoint } from '@berth/api';

/** A container's user mount as persisted on its record (moby's MountPoint). */
export interface ContainerMount {
  type: 'bind' | 'volume' | 'tmpfs';
  /** Volume name, for type volume. */
  name?: string;
  /** Host path: the bind source or the volume's data directory; '' for tmpfs. */
  source: string;
  destination: string;
  readOnly: boolean;
  mode: string;
  propagation: string;
  noCopy: boolean;
  /** A volume made for this container without a name from the user: `rm -v` and `--rm` remove it. */
  anonymous: boolean;
  /** A `-v` bind: its missing source directory is created rather than refused. */
  createSource?: boolean;
  /** tmpfs mount data (size=…, mode=…). */
  tmpfsOptions?: string[];
}

/** `Mounts` of container inspect and list, in Docker's shape. */
export function mountPointsView(mounts: readonly ContainerMount[] | undefined): MountPoint[] {
  return (mounts ?? []).map((m) => ({
    Type: m.type,
    ...(m.type === 'volume' ? { Name: m.name, Driver: 'local' } : {}),
    Source: m.source,
    Destination: m.destination,
    Mode: m.mode,
    RW: !m.readOnly,
    Propagation: m.propagation,
  }));
}
