import type { Command } from 'commander';
import { InvalidArgumentError, NotFoundError } from '@berth/api';
import type { CommandContext } from '../context.js';
import { describeError } from '../error-message.js';
import { inspectEach } from '../inspect-each.js';

type ObjectType = 'container' | 'image';

export function registerInspect(program: Command, ctx: CommandContext): void {
  program
    .command('inspect')
    .description('Return low-level information on Berth objects')
    .argument('<name...>')
    .option('--type <type>', 'Only inspect objects of the given type (container or image)')
    .action(async (names: string[], options: { type?: string }) => {
      if (options.type !== undefined && options.type !== 'container' && options.type !== 'image') {
        throw new InvalidArgumentError(`"${options.type}" is not a valid value for --type`);
      }
      const type = options.type;
      ctx.exitCode = await inspectEach(
        ctx,
        names,
        (name) => inspectObject(ctx, name, type),
        // Asked for one type, docker passes the daemon's answer on; asked for anything, it says no object matched.
        (err, name) => (err instanceof NotFoundError && !type ? `Error: No such object: ${name}` : describeError(err)),
      );
    });
}

/** Without --type, a name is looked up as a container first, then as an image. */
async function inspectObject(ctx: CommandContext, name: string, type: ObjectType | undefined): Promise<unknown> {
  const client = ctx.client();
  if (type === 'image') return client.inspectImage(name);
  if (type === 'container') return client.inspectContainer(name);
  try {
    return await client.inspectContainer(name);
  } catch (err) {
    if (!(err instanceof NotFoundError)) throw err;
    return client.inspectImage(name);
  }
}
