import type { Command } from 'commander';
import { InvalidArgumentError, NotFoundError } from '@berth/api';
import type { CommandContext } from '../context.js';
import { describeError } from '../error-message.js';
import { networkTemplateData } from '../format/network-table.js';
import { inspectEach } from '../inspect-each.js';
import { INSPECT_FORMAT_HELP } from '../format/format-help.js';

const OBJECT_TYPES = ['container', 'image', 'network', 'volume'] as const;
type ObjectType = (typeof OBJECT_TYPES)[number];
/** Every type docker's inspect accepts, in the order its message lists them. */
const DOCKER_OBJECT_TYPES: string[] = ['config', 'container', 'image', 'network', 'node', 'plugin', 'secret', 'service', 'task', 'volume'];

export function registerInspect(program: Command, ctx: CommandContext): void {
  program
    .command('inspect')
    .description('Return low-level information on Docker objects')
    .usage('[OPTIONS] NAME|ID [NAME|ID...]')
    .argument('<name...>')
    .option('-f, --format <string>', INSPECT_FORMAT_HELP)
    .option('--type <string>', 'Only inspect objects of the given type')
    .action(async (names: string[], options: { type?: string; format?: string }) => {
      const type = options.type as ObjectType | undefined;
      if (type !== undefined && !OBJECT_TYPES.includes(type)) {
        // Types docker knows are swarm objects berth has none of; anything else gets docker's message.
        if (!DOCKER_OBJECT_TYPES.includes(type)) throw new InvalidArgumentError(`unknown type: "${type}": must be one of ${DOCKER_OBJECT_TYPES.map((t) => `"${t}"`).join(', ')}`);
        throw new InvalidArgumentError(`"${options.type}" is not a valid value for --type`);
      }
      ctx.exitCode = await inspectEach(
        ctx,
        names,
        (name) => inspectObject(ctx, name, type),
        // Asked for one type, docker passes the daemon's answer on; asked for anything, it says no object matched.
        (err, name) => (err instanceof NotFoundError && !type ? `Error: No such object: ${name}` : describeError(err)),
        options.format,
      );
    });
}

/** Without --type, a name is looked up as a container, an image, a network, then a volume, as docker does. */
async function inspectObject(ctx: CommandContext, name: string, type: ObjectType | undefined): Promise<unknown> {
  const client = ctx.client();
  const lookups: Record<ObjectType, () => Promise<unknown>> = {
    container: () => client.inspectContainer(name),
    image: () => client.inspectImage(name),
    network: async () => networkTemplateData(await client.inspectNetwork(name)),
    volume: () => client.inspectVolume(name),
  };
  if (type) return lookups[type]();
  for (const lookup of [lookups.container, lookups.image, lookups.network]) {
    try {
      return await lookup();
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
    }
  }
  return lookups.volume();
}
