import type { Command } from 'commander';
import type { CommandContext } from '../context.js';
import { ellipsis } from '../format/ellipsis.js';
import { timeAgo } from '../format/human-duration.js';
import { humanSize } from '../format/human-size.js';
import { truncateId } from '../format/ids.js';
import { formatTable } from '../format/tabwriter.js';

export function defineImageHistory(parent: Command, name: string, ctx: CommandContext): void {
  parent
    .command(name)
    .description('Show the history of an image')
    .argument('<image>')
    .option('-q, --quiet', 'Only show image IDs')
    .option('--no-trunc', "Don't truncate output")
    .option('-H, --human', 'Print sizes and dates in human readable format (default true)', true)
    .action(async (image: string, options: { quiet?: boolean; trunc: boolean }) => {
      const history = await ctx.client().imageHistory(image);
      const id = (value: string) => (value === '<missing>' || !options.trunc ? value : truncateId(value));
      if (options.quiet) {
        for (const row of history) ctx.out(`${id(row.Id)}\n`);
        return;
      }
      const rows = history.map((row) => [
        id(row.Id),
        timeAgo(row.Created, ctx.now()),
        options.trunc ? ellipsis(row.CreatedBy, 45) : row.CreatedBy,
        humanSize(row.Size),
        row.Comment,
      ]);
      ctx.out(formatTable([['IMAGE', 'CREATED', 'CREATED BY', 'SIZE', 'COMMENT'], ...rows]));
    });
}
