import type { Command } from 'commander';
import type { CommandContext } from '../context.js';
import { humanSize } from '../format/human-size.js';
import { checkListFormat, formatList } from '../format/list-format.js';
import { defineDialStdio } from './dial-stdio.js';
import { defineSystemPrune } from './system-prune.js';
import { LIST_FORMAT_HELP } from '../format/format-help.js';

/** docker's disk usage formatter prints every size with units.HumanSize: four significant digits. */
const size = (bytes: number): string => humanSize(bytes, 4);

function reclaimable(bytes: number, total: number): string {
  const percent = total > 0 ? ` (${Math.floor((bytes * 100) / total)}%)` : '';
  return `${size(bytes)}${percent}`;
}

const DEFAULT_DF_TABLE = 'table {{.Type}}\t{{.TotalCount}}\t{{.Active}}\t{{.Size}}\t{{.Reclaimable}}';
const DF_HEADERS = { Active: 'ACTIVE', Reclaimable: 'RECLAIMABLE', Size: 'SIZE', TotalCount: 'TOTAL', Type: 'TYPE' };

/** The `system` group: df and prune here, events and info added beside them by the program. */
export function registerSystem(program: Command, ctx: CommandContext): Command {
  const system = program.command('system').description('Manage Docker');
  defineSystemPrune(system, ctx);
  defineDialStdio(system, ctx);
  system
    .command('df')
    .description('Show docker disk usage')
    .option('--format <string>', LIST_FORMAT_HELP)
    .action(async (options: { format?: string }) => {
      checkListFormat(options.format);
      const df = await ctx.client().systemDf();
      const activeImages = df.Images.filter((i) => i.Containers > 0);
      const unusedImagesSize = df.Images.filter((i) => i.Containers === 0).reduce((sum, i) => sum + i.Size, 0);
      const containersSize = df.Containers.reduce((sum, c) => sum + (c.SizeRw ?? 0), 0);
      const stoppedSize = df.Containers.filter((c) => c.State !== 'running').reduce((sum, c) => sum + (c.SizeRw ?? 0), 0);
      const volumeSize = (v: (typeof df.Volumes)[number]) => Math.max(0, v.UsageData?.Size ?? 0);
      const volumesSize = df.Volumes.reduce((sum, v) => sum + volumeSize(v), 0);
      // As docker: the cache's size counts records not shared with others; what is in use is not reclaimable.
      const cache = df.BuildCache ?? [];
      const cacheSize = cache.filter((r) => !r.Shared).reduce((sum, r) => sum + r.Size, 0);
      const cacheInUse = cache.filter((r) => r.InUse && !r.Shared).reduce((sum, r) => sum + r.Size, 0);
      const unusedVolumes = df.Volumes.filter((v) => (v.UsageData?.RefCount ?? 0) === 0).reduce((sum, v) => sum + volumeSize(v), 0);
      const row = (Type: string, TotalCount: number, Active: number, Size: string, Reclaimable: string) => ({ Active: String(Active), Reclaimable, Size, TotalCount: String(TotalCount), Type });
      const rows = [
        row('Images', df.Images.length, activeImages.length, size(df.LayersSize), reclaimable(unusedImagesSize, df.LayersSize)),
        row('Containers', df.Containers.length, df.Containers.filter((c) => c.State === 'running').length, size(containersSize), reclaimable(stoppedSize, containersSize)),
        row('Local Volumes', df.Volumes.length, df.Volumes.filter((v) => (v.UsageData?.RefCount ?? 0) > 0).length, size(volumesSize), reclaimable(unusedVolumes, volumesSize)),
        row('Build Cache', cache.length, cache.filter((r) => r.InUse).length, size(cacheSize), size(cacheSize - cacheInUse)),
      ];
      ctx.out(formatList(rows, options.format || DEFAULT_DF_TABLE, DF_HEADERS, DEFAULT_DF_TABLE));
    });
  return system;
}
