import type { Command } from 'commander';
import type { CommandContext } from '../context.js';
import { splitTag } from '../format/image-reference.js';
import { collect } from '../repeatable-flags.js';

export function registerCommit(program: Command, ctx: CommandContext): void {
  program
    .command('commit')
    .description("Create a new image from a container's changes")
    .argument('<container>')
    .usage('[OPTIONS] CONTAINER [REPOSITORY[:TAG]]')
    .argument('[reference]', 'REPOSITORY[:TAG]')
    .option('-a, --author <string>', 'Author (e.g., "John Hannibal Smith <hannibal@a-team.com>")')
    .option('-c, --change <list>', 'Apply Dockerfile instruction to the created image', collect, [])
    .option('-m, --message <string>', 'Commit message')
    .option('-p, --pause', 'Pause container during commit (default true)', true)
    .action(async (container: string, reference: string | undefined, options: { author?: string; change: string[]; message?: string; pause: boolean }) => {
      const target: { repository?: string; tag?: string } = reference === undefined ? {} : splitTag(reference);
      const { Id } = await ctx.client().commitContainer(container, {
        repo: target.repository,
        tag: target.tag,
        author: options.author,
        comment: options.message,
        changes: options.change,
        pause: options.pause,
      });
      ctx.out(`${Id}\n`);
    });
}
