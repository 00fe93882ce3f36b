import type { Command } from 'commander';
import type { CommandContext } from '../context.js';
import { collect, filtersOf } from '../repeatable-flags.js';
import { CONTAINER_HEADERS, DEFAULT_CONTAINER_TABLE, containerFields, containerId, containerTableRows } from '../format/container-table.js';
import { checkListFormat, formatList } from '../format/list-format.js';
import { parseIntFlag } from '../resource-flags.js';
import { formatTable } from '../format/tabwriter.js';
import { LIST_FORMAT_HELP } from '../format/format-help.js';

interface PsOptions {
  all?: boolean;
  quiet?: boolean;
  trunc: boolean;
  filter: string[];
  last?: string;
  latest?: boolean;
  format?: string;
  size?: boolean;
}

export function registerPs(program: Command, ctx: CommandContext): void {
  definePs(program, 'ps', ctx);
}

/** `ps`, and `container ls`. */
export function definePs(parent: Command, name: string, ctx: CommandContext): Command {
  return parent
    .command(name)
    .description('List containers')
    .option('-a, --all', 'Show all containers (default shows just running)')
    .option('-q, --quiet', 'Only display container IDs')
    .option('--no-trunc', "Don't truncate output")
    .option('-f, --filter <filter>', 'Filter output based on conditions provided', collect, [])
    .option('-n, --last <int>', 'Show n last created containers (includes all states) (default -1)')
    .option('-l, --latest', 'Show the latest created container (includes all states)')
    .option('--format <string>', LIST_FORMAT_HELP)
    .option('-s, --size', 'Display total file sizes')
    .action(async (options: PsOptions) => {
      const limit = options.latest ? 1 : options.last !== undefined ? parseIntFlag(options.last, '-n, --last') : undefined;
      // As docker, config.json's psFormat stands in for a missing --format, except with -q.
      const chosen = options.format || (options.quiet ? undefined : ctx.settings().psFormat) || undefined;
      checkListFormat(chosen);
      // As docker, sizes are asked for only when a template shows them: -s, `.Size`, or `{{json .}}` (which reads every field).
      const size = options.size || /\.Size\b|json\s+\.\s*\}\}/.test(chosen ?? '');
      const containers = await ctx.client().listContainers({ all: options.all, limit, size, filters: filtersOf(options.filter) });
      if (options.quiet) {
        if (options.format) ctx.err('WARNING: Ignoring custom format, because both --format and --quiet are set.\n');
        for (const container of containers) ctx.out(`${containerId(container, options.trunc)}\n`);
        return;
      }
      // The default table (none given, or a bare `table`) gets docker's SIZE column with -s.
      const format = (!chosen || chosen === 'table') && options.size ? `${DEFAULT_CONTAINER_TABLE}\t{{.Size}}` : chosen;
      if (!format) {
        ctx.out(formatTable(containerTableRows(containers, { truncate: options.trunc, now: ctx.now() })));
        return;
      }
      const rows = containers.map((container) => containerFields(container, { truncate: options.trunc, now: ctx.now() }));
      ctx.out(formatList(rows, format, CONTAINER_HEADERS, DEFAULT_CONTAINER_TABLE));
    });
}

