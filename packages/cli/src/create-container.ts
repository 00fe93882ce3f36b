import { closeSync, existsSync, openSync, rmSync, writeSync } from 'node:fs';
import { InvalidArgumentError, NotFoundError, type ContainerCreateRequest, type ContainerCreateResponse } from '@berth/api';
import { isDaemonError } from '@berth/client';
import { pullImage } from './commands/registry.js';
import type { CommandContext } from './context.js';
import type { CreateFlags } from './create-flags.js';
import { splitTag, withDefaultTag } from './format/image-reference.js';

/** What `run` and `create` pass on besides the request: the name and the --pull, -q and --platform flags. */
export interface CreateOptions extends CreateFlags {
  name?: string | undefined;
}

/**
 * Creates the container of `run` and `create` as the docker CLI does: --pull always pulls first; when the daemon
 * has no such image, --pull missing (the default) says so unless -q, pulls it (progress on stderr unless -q) and
 * tries again; a failed pull is the command's error. --cidfile is refused if it exists, made before the create
 * and removed again if no ID was written to it.
 */
export async function createContainer(ctx: CommandContext, config: ContainerCreateRequest, options: CreateOptions = {}): Promise<ContainerCreateResponse> {
  const cidfile = openCidFile(config.HostConfig?.ContainerIDFile ?? '');
  let written = false;
  try {
    const created = await createPulling(ctx, config, options);
    if (cidfile) {
      writeSync(cidfile.fd, created.Id);
      written = true;
    }
    return created;
  } finally {
    if (cidfile) {
      closeSync(cidfile.fd);
      if (!written) rmSync(cidfile.path, { force: true });
    }
  }
}

function openCidFile(path: string): { path: string; fd: number } | undefined {
  if (!path) return undefined;
  if (existsSync(path)) throw new InvalidArgumentError(`container ID file found, make sure the other container isn't running or delete ${path}`);
  try {
    return { path, fd: openSync(path, 'wx') };
  } catch (err) {
    throw new InvalidArgumentError(`failed to create the container ID file: ${(err as Error).message}`);
  }
}

async function createPulling(ctx: CommandContext, config: ContainerCreateRequest, options: CreateOptions): Promise<ContainerCreateResponse> {
  const client = ctx.client();
  const image = config.Image ?? '';
  const pull = () => {
    const at = image.indexOf('@');
    const tag = at >= 0 ? image.slice(at + 1) : (splitTag(image).tag ?? 'latest');
    return pullImage(ctx, image, { tag, platform: options.platform, quiet: Boolean(options.quiet), out: ctx.io.stderr });
  };
  const create = () => client.createContainer(config, { name: options.name, platform: options.platform });
  if (options.pull === 'always') await pull();
  try {
    return await create();
  } catch (err) {
    // As docker, any 404 (a missing image, or one of another platform) means: pull, then try again.
    const missing = err instanceof NotFoundError && isDaemonError(err);
    if (!missing || (options.pull ?? 'missing') !== 'missing') throw err;
    if (!options.quiet) ctx.err(`Unable to find image '${withDefaultTag(image)}' locally\n`);
    await pull();
    return create();
  }
}
