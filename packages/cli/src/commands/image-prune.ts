import type { Command } from 'commander';
import type { CommandContext } from '../context.js';
import { humanSize } from '../format/human-size.js';
import { collect, filtersOf } from '../repeatable-flags.js';
import { confirm } from '../prompt.js';

export function defineImagePrune(parent: Command, ctx: CommandContext): void {
  parent
    .command('prune')
    .description('Remove unused images')
    .option('-a, --all', 'Remove all unused images, not just dangling ones')
    .option('-f, --force', 'Do not prompt for confirmation')
    .option('--filter <filter>', 'Provide filter values (e.g. "until=<timestamp>")', collect, [])
    .action(async (options: { all?: boolean; force?: boolean; filter: string[] }) => {
      // Parsed first: docker refuses a bad filter as a flag value, before asking anything.
      const filters = filtersOf(options.filter, '--filter');
      const what = options.all ? 'all images without at least one container associated to them' : 'all dangling images';
      if (!options.force && !(await confirm(ctx.io, `WARNING! This will remove ${what}.\nAre you sure you want to continue?`))) return;
      if (options.all) filters.dangling = ['false'];
      const report = await ctx.client().pruneImages(filters);
      if (report.ImagesDeleted?.length) {
        const lines = report.ImagesDeleted.map((r) => ('Untagged' in r ? `untagged: ${r.Untagged}` : `deleted: ${r.Deleted}`));
        ctx.out(`Deleted Images:\n${lines.join('\n')}\n\n`);
      }
      ctx.out(`Total reclaimed space: ${humanSize(report.SpaceReclaimed)}\n`);
    });
}
