import { NotFoundError, type ContainerCreateRequest, type ContainerCreateResponse } from '@berth/api';
import { isDaemonError } from '@berth/client';
import { pullImage } from './commands/registry.js';
import type { CommandContext } from './context.js';
import { splitTag, withDefaultTag } from './format/image-reference.js';

/**
 * Creates the container of `run` and `create` as the docker CLI does: when the daemon has no such image, says
 * so, pulls it (progress on stderr) and tries again; a failed pull is the command's error.
 */
export async function createContainer(ctx: CommandContext, config: ContainerCreateRequest, name: string | undefined): Promise<ContainerCreateResponse> {
  const client = ctx.client();
  try {
    return await client.createContainer(config, { name });
  } catch (err) {
    if (!(err instanceof NotFoundError && isDaemonError(err) && err.message.startsWith('No such image'))) throw err;
    const image = config.Image ?? '';
    ctx.err(`Unable to find image '${withDefaultTag(image)}' locally\n`);
    const at = image.indexOf('@');
    await pullImage(ctx, image, { tag: at >= 0 ? image.slice(at + 1) : (splitTag(image).tag ?? 'latest'), quiet: false, out: ctx.io.stderr });
    return client.createContainer(config, { name });
  }
}
