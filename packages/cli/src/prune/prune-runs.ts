import type { CommandContext } from '../context.js';
import { humanSize } from '../format/human-size.js';

/** What one prune did, as docker's prune functions return it: the bytes freed and the lines to print ('' for nothing). */
export interface PruneRun {
  space: number;
  output: string;
}

type Filters = Record<string, string[]>;

function listed(title: string, items: string[] | null | undefined): string {
  return items?.length ? `${title}:\n${items.map((item) => `${item}\n`).join('')}` : '';
}

export async function pruneContainers(ctx: CommandContext, filters: Filters): Promise<PruneRun> {
  const report = await ctx.client().pruneContainers(filters);
  return { space: report.SpaceReclaimed ?? 0, output: listed('Deleted Containers', report.ContainersDeleted) };
}

export async function pruneNetworks(ctx: CommandContext, filters: Filters): Promise<PruneRun> {
  const report = await ctx.client().pruneNetworks(filters);
  return { space: 0, output: listed('Deleted Networks', report.NetworksDeleted) };
}

/** `all` widens the prune to named volumes, as `volume prune -a` (the API's `all` filter). */
export async function pruneVolumes(ctx: CommandContext, filters: Filters, all: boolean): Promise<PruneRun> {
  const report = await ctx.client().pruneVolumes(all ? { ...filters, all: ['true'] } : filters);
  return { space: report.SpaceReclaimed ?? 0, output: listed('Deleted Volumes', report.VolumesDeleted) };
}

/** `all` prunes every image no container uses, not only dangling ones (the API's `dangling=false`). */
export async function pruneImages(ctx: CommandContext, filters: Filters, all: boolean): Promise<PruneRun> {
  const report = await ctx.client().pruneImages(all ? { ...filters, dangling: ['false'] } : filters);
  const lines = (report.ImagesDeleted ?? []).map((r) => ('Untagged' in r ? `untagged: ${r.Untagged}` : `deleted: ${r.Deleted}`));
  return { space: report.SpaceReclaimed ?? 0, output: listed('Deleted Images', lines) };
}

export async function pruneBuildCache(ctx: CommandContext, filters: Filters, all: boolean, keepStorage?: number): Promise<PruneRun> {
  const report = await ctx.client().buildPrune({ all, filters, ...(keepStorage !== undefined ? { keepStorage } : {}) });
  return { space: report.SpaceReclaimed ?? 0, output: listed('Deleted build cache objects', report.CachesDeleted) };
}

/** Prints a prune's lines followed by a blank line, as docker's Fprintln of them. */
export function printPruned(ctx: CommandContext, run: PruneRun): void {
  if (run.output) ctx.out(`${run.output}\n`);
}

/** docker's closing line, sized with go-units' HumanSize (four significant digits). */
export function printReclaimed(ctx: CommandContext, bytes: number): void {
  ctx.out(`Total reclaimed space: ${humanSize(bytes, 4)}\n`);
}
