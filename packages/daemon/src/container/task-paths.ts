import { join } from 'node:path';

/** The runtime bundle (the OCI config.json) in a container's dir. */
export function bundleDirIn(containerDir: string): string {
  return join(containerDir, 'bundle');
}

/** conmon's log of the container's output, in its dir. */
export function logPathIn(containerDir: string): string {
  return join(containerDir, 'container.log');
}
