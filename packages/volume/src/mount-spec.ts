import { posix } from 'node:path';

/** One user mount of a container, normalised from `-v` (Binds) or `--mount` (Mounts). */
export interface MountSpec {
  type: 'bind' | 'volume' | 'tmpfs';
  /** Host path for a bind, volume name for a volume ('' for an anonymous one), '' for tmpfs. */
  source: string;
  /** Absolute path inside the container. */
  target: string;
  readOnly: boolean;
  /** The mode Docker shows in `Mounts` (the `-v` option string; '' for `--mount`). */
  mode: string;
  /** Bind propagation (rprivate unless set); '' for other types. */
  propagation: string;
  /** Skip copying the image's content at the target into an empty volume. */
  noCopy: boolean;
  /** `-v` creates a missing bind source directory; `--mount` refuses it. */
  createSource: boolean;
  /** tmpfs mount data such as size=…, mode=…. */
  tmpfsOptions: string[];
  /** For a volume created by this mount. */
  volumeLabels: Record<string, string>;
  driverOpts: Record<string, string>;
}

export const PROPAGATION_MODES = new Set(['private', 'rprivate', 'shared', 'rshared', 'slave', 'rslave']);

export const DEFAULT_PROPAGATION = 'rprivate';

export function emptySpec(type: MountSpec['type'], target: string): MountSpec {
  return {
    type,
    source: '',
    target,
    readOnly: false,
    mode: '',
    propagation: type === 'bind' ? DEFAULT_PROPAGATION : '',
    noCopy: false,
    createSource: false,
    tmpfsOptions: [],
    volumeLabels: {},
    driverOpts: {},
  };
}

/** A path in canonical form: normalised, without a trailing slash (Go's filepath.Clean). */
export function cleanPath(path: string): string {
  const normalized = posix.normalize(path);
  return normalized.length > 1 ? normalized.replace(/\/+$/, '') : normalized;
}
