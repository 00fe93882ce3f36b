import type { Command } from 'commander';
import type { CommandContext } from '../context.js';
import { splitTag } from '../format/image-reference.js';

export function defineImageTag(parent: Command, name: string, ctx: CommandContext): void {
  parent
    .command(name)
    .description('Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE')
    .usage('SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]')
    .argument('<source>', 'SOURCE_IMAGE[:TAG]')
    .argument('<target>', 'TARGET_IMAGE[:TAG]')
    .action(async (source: string, target: string) => {
      const { repository, tag } = splitTag(target);
      await ctx.client().tagImage(source, repository, tag);
    });
}
