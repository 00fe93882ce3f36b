import { randomBytes } from 'node:crypto';
import { InvalidArgumentError } from '@berth/api';

/**
 * Docker's rule for a local volume name. It also keeps the name a single path component: no `/`, and
 * never `.` or `..` (a name starts with a letter or digit), so `a..b` is as legal as in Docker.
 */
const VOLUME_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

/** Label Docker (≥ 23) puts on anonymous volumes; `volume prune` removes only those by default. */
export const ANONYMOUS_LABEL = 'com.docker.volume.anonymous';

/** moby's local driver validateName, with its messages. */
export function validateVolumeName(name: string): void {
  if (name.length === 1) {
    throw new InvalidArgumentError(`create ${name}: volume name is too short, names should be at least two alphanumeric characters`);
  }
  if (!VOLUME_NAME.test(name)) {
    throw new InvalidArgumentError(
      `create ${name}: "${name}" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path`,
    );
  }
}

/** Anonymous volumes are named like container IDs: 64 hex digits. */
export function generateAnonymousName(): string {
  return randomBytes(32).toString('hex');
}
