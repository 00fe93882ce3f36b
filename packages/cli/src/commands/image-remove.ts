import type { Command } from 'commander';
import type { CommandContext } from '../context.js';
import { describeError } from '../error-message.js';

/** `rmi` / `image rm`: prints each Untagged/Deleted record; failures after, status 1. */
export function defineImageRemove(parent: Command, name: string, ctx: CommandContext): Command {
  return parent
    .command(name)
    .description('Remove one or more images')
    .argument('<image...>')
    .option('-f, --force', 'Force removal of the image')
    .option('--no-prune', 'Do not delete untagged parents')
    .action(async (images: string[], options: { force?: boolean; prune: boolean }) => {
      const failures: string[] = [];
      for (const image of images) {
        try {
          for (const record of await ctx.client().removeImage(image, { force: options.force, noPrune: !options.prune })) {
            ctx.out('Untagged' in record ? `Untagged: ${record.Untagged}\n` : `Deleted: ${record.Deleted}\n`);
          }
        } catch (err) {
          failures.push(describeError(err));
        }
      }
      for (const failure of failures) ctx.err(`${failure}\n`);
      ctx.exitCode = failures.length ? 1 : 0;
    });
}
