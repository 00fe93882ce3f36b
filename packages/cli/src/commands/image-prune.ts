import type { Command } from 'commander';
import type { CommandContext } from '../context.js';
import { collect, filtersOf } from '../repeatable-flags.js';
import { confirm } from '../prompt.js';
import { pruneImages, printPruned, printReclaimed } from '../prune/prune-runs.js';

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
      const pruned = await pruneImages(ctx, filters, Boolean(options.all));
      printPruned(ctx, pruned);
      printReclaimed(ctx, pruned.space);
    });
}
