import type { Command } from 'commander';
import { InvalidArgumentError } from '@berth/api';
import type { CommandContext } from '../context.js';
import { collect } from '../repeatable-flags.js';
import { containerId, containerTableRows } from '../format/container-table.js';
import { formatTable } from '../format/tabwriter.js';

interface PsOptions {
  all?: boolean;
  quiet?: boolean;
  trunc: boolean;
  filter: string[];
  last?: string;
  latest?: boolean;
}

export function registerPs(program: Command, ctx: CommandContext): void {
  program
    .command('ps')
    .description('List containers')
    .option('-a, --all', 'Show all containers (default shows just running)')
    .option('-q, --quiet', 'Only display container IDs')
    .option('--no-trunc', "Don't truncate output")
    .option('-f, --filter <filter>', 'Filter output based on conditions provided', collect, [])
    .option('-n, --last <n>', 'Show n last created containers (includes all states)')
    .option('-l, --latest', 'Show the latest created container (includes all states)')
    .action(async (options: PsOptions) => {
      const limit = options.latest ? 1 : options.last !== undefined ? Number(options.last) : undefined;
      const containers = await ctx.client().listContainers({ all: options.all, limit, filters: parseFilters(options.filter) });
      if (options.quiet) {
        for (const container of containers) ctx.out(`${containerId(container, options.trunc)}\n`);
        return;
      }
      ctx.out(formatTable(containerTableRows(containers, { truncate: options.trunc, now: ctx.now() })));
    });
}

/** `-f key=value` flags as the API's filters map. */
export function parseFilters(flags: string[]): Record<string, string[]> {
  const filters: Record<string, string[]> = {};
  for (const flag of flags) {
    const separator = flag.indexOf('=');
    if (separator <= 0) throw new InvalidArgumentError(`bad format of filter (expected name=value)`);
    const key = flag.slice(0, separator).trim().toLowerCase();
    (filters[key] ??= []).push(flag.slice(separator + 1));
  }
  return filters;
}
