import type { Command } from 'commander';
import { InvalidArgumentError } from '@berth/api';
import type { CommandContext } from '../context.js';
import { naturalCompare } from '../format/natural-order.js';
import { confirm } from '../prompt.js';
import { pruneBuildCache, pruneContainers, pruneImages, pruneNetworks, pruneVolumes, printPruned, printReclaimed, type PruneRun } from '../prune/prune-runs.js';
import { collect, filtersOf } from '../repeatable-flags.js';

interface SystemPruneOptions {
  all?: boolean;
  filter: string[];
  force?: boolean;
  volumes?: boolean;
}

/** `system prune`: the container, network, (volume,) image and build-cache prunes in docker's order, then their total. */
export function defineSystemPrune(system: Command, ctx: CommandContext): void {
  system
    .command('prune')
    .description('Remove unused data')
    .option('-a, --all', 'Remove all unused images not just dangling ones')
    .option('--filter <filter>', 'Provide filter values (e.g. "label=<key>=<value>")', collect, [])
    .option('-f, --force', 'Do not prompt for confirmation')
    .option('--volumes', 'Prune anonymous volumes')
    .action(async (options: SystemPruneOptions) => {
      const filters = filtersOf(options.filter, '--filter');
      const all = Boolean(options.all);
      if (options.volumes && filters.until) throw new InvalidArgumentError('ERROR: The "until" filter is not supported with "--volumes"');
      if (!options.force && !(await confirm(ctx.io, confirmation(options, filters)))) return;
      const prunes: (() => Promise<PruneRun>)[] = [
        () => pruneContainers(ctx, filters),
        () => pruneNetworks(ctx, filters),
        ...(options.volumes ? [() => pruneVolumes(ctx, filters, false)] : []),
        () => pruneImages(ctx, filters, all),
        () => pruneBuildCache(ctx, filters, all),
      ];
      let space = 0;
      for (const prune of prunes) {
        const run = await prune();
        space += run.space;
        printPruned(ctx, run);
      }
      printReclaimed(ctx, space);
    });
}

/** docker's warning: what will go, and the label/until filters that narrow it, in natural order. */
function confirmation(options: SystemPruneOptions, filters: Record<string, string[]>): string {
  const warnings = [
    'all stopped containers',
    'all networks not used by at least one container',
    ...(options.volumes ? ['all anonymous volumes not used by at least one container'] : []),
    options.all ? 'all images without at least one container associated to them' : 'all dangling images',
    options.all ? 'all build cache' : 'unused build cache',
  ];
  const shown = ['label', 'label!', 'until'].flatMap((name) => (filters[name] ?? []).map((value) => `${name}=${value}`)).sort(naturalCompare);
  const narrowing = shown.length ? `\n  Items to be pruned will be filtered with:${shown.map((filter) => `\n  - ${filter}`).join('')}\n` : '';
  return `WARNING! This will remove:${warnings.map((warning) => `\n  - ${warning}`).join('')}\n${narrowing}\nAre you sure you want to continue?`;
}
