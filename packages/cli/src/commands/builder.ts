import type { Command } from 'commander';
import type { CommandContext } from '../context.js';
import { FlagValueError } from '../flag-value-error.js';
import { confirm } from '../prompt.js';
import { parseRamBytes } from '../resource-flags.js';
import { collect, filtersOf } from '../repeatable-flags.js';
import { defineBuild } from './build.js';
import { pruneBuildCache, printPruned, printReclaimed } from '../prune/prune-runs.js';

function parseKeepStorage(text: string): number {
  try {
    return parseRamBytes(text);
  } catch {
    throw new FlagValueError('--keep-storage', text, 'invalid size');
  }
}

/** `berth builder build|prune`, docker 28's layout without buildx. */
export function registerBuilder(program: Command, ctx: CommandContext): void {
  const builder = program.command('builder').description('Manage builds');
  defineBuild(builder, ctx);
  builder
    .command('prune')
    .description('Remove build cache')
    .option('-a, --all', 'Remove all unused build cache, not just dangling ones')
    .option('--filter <filter>', 'Provide filter values (e.g. "until=24h")', collect, [])
    .option('-f, --force', 'Do not prompt for confirmation')
    .option('--keep-storage <bytes>', 'Amount of disk space to keep for cache')
    .action(async (options: { all?: boolean; filter: string[]; force?: boolean; keepStorage?: string }) => {
      const keepStorage = options.keepStorage === undefined ? undefined : parseKeepStorage(options.keepStorage);
      const what = options.all ? 'all build cache' : 'all dangling build cache';
      if (!options.force && !(await confirm(ctx.io, `WARNING! This will remove ${what}. Are you sure you want to continue?`))) return;
      const pruned = await pruneBuildCache(ctx, filtersOf(options.filter, '--filter'), options.all === true, keepStorage);
      printPruned(ctx, pruned);
      printReclaimed(ctx, pruned.space);
    });
}
