import type { Command } from 'commander';
import type { CommandContext } from '../context.js';
import { ellipsis } from '../format/ellipsis.js';
import { timeAgo } from '../format/human-duration.js';
import { humanSize } from '../format/human-size.js';
import { truncateId } from '../format/ids.js';
import { checkListFormat, formatList } from '../format/list-format.js';
import { LIST_FORMAT_HELP } from '../format/format-help.js';

const DEFAULT_HISTORY_TABLE = 'table {{.ID}}\t{{.CreatedSince}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}';
const HISTORY_HEADERS = { Comment: 'COMMENT', CreatedAt: 'CREATED AT', CreatedBy: 'CREATED BY', CreatedSince: 'CREATED', ID: 'IMAGE', Size: 'SIZE' };

export function defineImageHistory(parent: Command, name: string, ctx: CommandContext): void {
  parent
    .command(name)
    .description('Show the history of an image')
    .argument('<image>')
    .option('-q, --quiet', 'Only show image IDs')
    .option('--no-trunc', "Don't truncate output")
    .option('-H, --human', 'Print sizes and dates in human readable format (default true)', true)
    .option('--format <string>', LIST_FORMAT_HELP)
    .action(async (image: string, options: { quiet?: boolean; trunc: boolean; format?: string }) => {
      checkListFormat(options.format);
      const history = await ctx.client().imageHistory(image);
      const id = (value: string) => (value === '<missing>' || !options.trunc ? value : truncateId(value));
      if (options.quiet) {
        for (const row of history) ctx.out(`${id(row.Id)}\n`);
        return;
      }
      const rows = history.map((row) => {
        const createdBy = row.CreatedBy.replaceAll('\t', ' ');
        return {
          Comment: row.Comment,
          CreatedAt: new Date(row.Created * 1000).toISOString().replace('.000Z', 'Z'),
          CreatedBy: options.trunc ? ellipsis(createdBy, 45) : createdBy,
          CreatedSince: timeAgo(row.Created, ctx.now()),
          ID: id(row.Id),
          Size: humanSize(row.Size),
        };
      });
      ctx.out(formatList(rows, options.format || DEFAULT_HISTORY_TABLE, HISTORY_HEADERS, DEFAULT_HISTORY_TABLE));
    });
}
