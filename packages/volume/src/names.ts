import { randomBytes } from 'node:crypto';
import { InvalidArgumentError } from '@berth/api';

/** Docker's rule for a local volume name; it also keeps the name a single path component. */
const VOLUME_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

/** Label Docker (≥ 23) puts on anonymous volumes; `volume prune` removes only those by default. */
export const ANONYMOUS_LABEL = 'com.docker.volume.anonymous';

export function validateVolumeName(name: string): void {
  if (!VOLUME_NAME.test(name) || name.includes('..')) {
    throw new InvalidArgumentError(
      `create ${name}: "${name}" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path`,
    );
  }
}

/** Anonymous volumes are named like container IDs: 64 hex digits. */
export function generateAnonymousName(): string {
  return randomBytes(32).toString('hex');
}
