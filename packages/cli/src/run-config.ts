import type { ContainerCreateRequest } from '@berth/api';
import { applyMountFlags, type MountFlags } from './mount-flags.js';

export interface RunOptions extends MountFlags {
  rm?: boolean;
  detach?: boolean;
  name?: string;
  env: string[];
  workdir?: string;
  entrypoint?: string;
  interactive?: boolean;
  tty?: boolean;
}

/** The create request `docker run` sends for these flags. */
export function buildRunConfig(image: string, command: string[], options: RunOptions, env: NodeJS.ProcessEnv): ContainerCreateRequest {
  const attached = !options.detach;
  const interactive = Boolean(options.interactive);
  const config: ContainerCreateRequest = {
    Image: image,
    Tty: Boolean(options.tty),
    OpenStdin: interactive,
    StdinOnce: interactive && attached,
    AttachStdin: interactive && attached,
    AttachStdout: attached,
    AttachStderr: attached,
    Env: options.env.map((entry) => resolveEnv(entry, env)),
    HostConfig: { AutoRemove: Boolean(options.rm) },
  };
  if (command.length) config.Cmd = command;
  // An empty --entrypoint is meaningful: it clears the image's entrypoint.
  if (options.entrypoint !== undefined) config.Entrypoint = [options.entrypoint];
  if (options.workdir) config.WorkingDir = options.workdir;
  applyMountFlags(config, options);
  return config;
}

/** `-e NAME` without a value takes NAME from the CLI's environment, as docker does. */
function resolveEnv(entry: string, env: NodeJS.ProcessEnv): string {
  if (entry.includes('=')) return entry;
  const value = env[entry];
  return value === undefined ? entry : `${entry}=${value}`;
}
