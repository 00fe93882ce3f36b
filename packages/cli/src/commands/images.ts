import type { Command } from 'commander';
import type { CommandContext } from '../context.js';
import { DEFAULT_IMAGE_TABLE, DIGESTS_IMAGE_TABLE, IMAGE_HEADERS, IMAGE_TABLE_HEADER, imageFields, imageRows } from '../format/image-table.js';
import { checkListFormat, formatList } from '../format/list-format.js';
import { formatTable } from '../format/tabwriter.js';
import { collect, filtersOf } from '../repeatable-flags.js';
import { LIST_FORMAT_HELP } from '../format/format-help.js';

interface ImagesOptions {
  all?: boolean;
  quiet?: boolean;
  digests?: boolean;
  trunc: boolean;
  filter: string[];
  format?: string;
}

/** `images` and `image ls`. */
export function defineImageList(parent: Command, name: string, ctx: CommandContext): Command {
  return parent
    .command(name)
    .description('List images')
    .usage('[OPTIONS] [REPOSITORY[:TAG]]')
    .argument('[repository]', 'REPOSITORY[:TAG] to list')
    .option('-a, --all', 'Show all images (default hides intermediate images)')
    .option('-q, --quiet', 'Only show image IDs')
    .option('--digests', 'Show digests')
    .option('--no-trunc', "Don't truncate output")
    .option('-f, --filter <filter>', 'Filter output based on conditions provided', collect, [])
    .option('--format <string>', LIST_FORMAT_HELP)
    .action(async (repository: string | undefined, options: ImagesOptions) => {
      // As docker, config.json's imagesFormat stands in for a missing --format, except with -q.
      const format = options.format || (options.quiet ? undefined : ctx.settings().imagesFormat) || undefined;
      checkListFormat(format);
      const filters = filtersOf(options.filter);
      if (repository !== undefined) (filters.reference ??= []).push(repository);
      const images = await ctx.client().listImages({ all: options.all, digests: options.digests, filters });
      // One row per tag; each image's rows get its full ID (--no-trunc) and digest (--digests).
      const rows = images.flatMap((image) =>
        imageRows([image], ctx.now()).map((row) => ({
          ...row,
          image,
          id: options.trunc ? row.id : image.Id,
          digest: image.RepoDigests?.[0]?.split('@')[1] ?? '<none>',
        })),
      );
      if (options.quiet) {
        for (const row of rows) ctx.out(`${row.id}\n`);
        return;
      }
      if (format) {
        const fields = rows.map((row) => imageFields(row.image, row));
        ctx.out(formatList(fields, format, IMAGE_HEADERS, options.digests ? DIGESTS_IMAGE_TABLE : DEFAULT_IMAGE_TABLE));
        return;
      }
      const header = options.digests ? ['REPOSITORY', 'TAG', 'DIGEST', 'IMAGE ID', 'CREATED', 'SIZE'] : IMAGE_TABLE_HEADER;
      const table = rows.map((row) =>
        options.digests ? [row.repository, row.tag, row.digest, row.id, row.created, row.size] : [row.repository, row.tag, row.id, row.created, row.size],
      );
      ctx.out(formatTable([header, ...table]));
    });
}

export function registerImages(program: Command, ctx: CommandContext): void {
  defineImageList(program, 'images', ctx);
}
