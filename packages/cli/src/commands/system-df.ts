import type { Command } from 'commander';
import type { CommandContext } from '../context.js';
import { humanSize } from '../format/human-size.js';
import { formatTable } from '../format/tabwriter.js';

function reclaimable(bytes: number, total: number): string {
  const percent = total > 0 ? ` (${Math.floor((bytes * 100) / total)}%)` : '';
  return `${humanSize(bytes)}${percent}`;
}

export function registerSystem(program: Command, ctx: CommandContext): void {
  const system = program.command('system').description('Manage Berth');
  system
    .command('df')
    .description('Show berth disk usage')
    .action(async () => {
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
      ctx.out(
        formatTable([
          ['TYPE', 'TOTAL', 'ACTIVE', 'SIZE', 'RECLAIMABLE'],
          ['Images', String(df.Images.length), String(activeImages.length), humanSize(df.LayersSize), reclaimable(unusedImagesSize, df.LayersSize)],
          ['Containers', String(df.Containers.length), String(df.Containers.filter((c) => c.State === 'running').length), humanSize(containersSize), reclaimable(stoppedSize, containersSize)],
          ['Local Volumes', String(df.Volumes.length), String(df.Volumes.filter((v) => (v.UsageData?.RefCount ?? 0) > 0).length), humanSize(volumesSize), reclaimable(unusedVolumes, volumesSize)],
          ['Build Cache', String(cache.length), String(cache.filter((r) => r.InUse).length), humanSize(cacheSize, 4), humanSize(cacheSize - cacheInUse, 4)],
        ]),
      );
    });
}
