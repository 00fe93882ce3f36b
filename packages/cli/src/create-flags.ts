import type { Command } from 'commander';
import { InvalidArgumentError, type ContainerCreateRequest } from '@berth/api';
import type { CommandContext } from './context.js';
import { endpointOf } from './contexts/endpoint.js';
import { DockerConfig } from './docker-config.js';

/** The run/create flags about the image and the client rather than the container: --pull, -q, --platform…. */
export interface CreateFlags {
  pull?: string;
  quiet?: boolean;
  platform?: string;
  disableContentTrust?: boolean;
  useApiSocket?: boolean;
}

/** `verb` is the command's: docker's --pull usage differs between run and create (create's has a stray `|`). */
export function withCreateOptions(command: Command, verb: 'run' | 'create', env: NodeJS.ProcessEnv): Command {
  const choices = verb === 'run' ? '("always", "missing", "never")' : '("always", "|missing", "never")';
  return command
    .option('--disable-content-trust', 'Skip image verification (default true)', true)
    .option('--platform <string>', 'Set platform if server is multi-platform capable', env.DOCKER_DEFAULT_PLATFORM || undefined)
    .option('--pull <string>', `Pull image before ${verb === 'run' ? 'running' : 'creating'} ${choices} (default "missing")`, 'missing')
    .option('-q, --quiet', 'Suppress the pull output')
    .option('--use-api-socket', 'Bind mount Docker API socket and required auth');
}

/** docker/cli validatePullOpt, checked before anything else. */
export function checkPullFlag(flags: CreateFlags): void {
  if (!['always', 'missing', 'never'].includes(flags.pull ?? 'missing')) {
    throw new InvalidArgumentError(`invalid pull option: '${flags.pull}': must be one of "always", "missing" or "never"`);
  }
  if (flags.disableContentTrust === false) throw new InvalidArgumentError('berth does not support content trust (--disable-content-trust=false)');
}

/**
 * --use-api-socket: the daemon's unix socket mounted at /var/run/docker.sock, as docker does. docker also copies
 * the stored registry credentials into the container (/run/secrets/docker/config.json, between create and start);
 * berth does not do that yet, so it refuses the flag when there are any rather than start a container without them.
 */
export async function applyApiSocket(ctx: CommandContext, config: ContainerCreateRequest, flags: CreateFlags): Promise<void> {
  if (!flags.useApiSocket) return;
  const { host } = endpointOf(ctx.contextName(), ctx.contexts(), ctx.globals(), ctx.env);
  if (!host.startsWith('unix://')) throw new InvalidArgumentError(`flag --use-api-socket can only be used with unix sockets: docker endpoint ${host} incompatible`);
  const hasDockerConfig = (config.Env ?? []).some((entry) => entry.startsWith('DOCKER_CONFIG='));
  if (!hasDockerConfig && Object.keys(await (await DockerConfig.open(ctx.configDir(), ctx.env)).allCredentials()).length) {
    throw new InvalidArgumentError('berth does not support --use-api-socket with stored registry credentials yet');
  }
  const hostConfig = (config.HostConfig ??= {});
  hostConfig.Mounts = [...(hostConfig.Mounts ?? []), { Type: 'bind', Source: host.slice('unix://'.length), Target: '/var/run/docker.sock', BindOptions: {} }];
}
