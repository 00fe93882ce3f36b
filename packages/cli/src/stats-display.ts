import type { BerthClient } from '@berth/client';
import type { CommandContext } from './context.js';
import { describeError } from './error-message.js';
import { formatStats, statsFrame } from './format/stats-row.js';
import { StatsCollector } from './stats-collector.js';

/** docker's repaint interval for the live table. */
const REPAINT_MS = 500;

export interface StatsOptions {
  all?: boolean;
  stream: boolean;
  trunc: boolean;
  format?: string;
}

/**
 * `docker stats`: containers named on the command line, or every running one (every one with `--all`),
 * followed through the daemon's events as they start, stop, are created or removed. Prints one table
 * after the first samples with `--no-stream`; otherwise repaints it in place until interrupted.
 */
export async function runStats(ctx: CommandContext, names: string[], options: StatsOptions): Promise<void> {
  const client = ctx.client();
  const collector = new StatsCollector(
    { sample: (container) => client.containerStats(container), stream: (container, signal) => client.containerStatsStream(container, { signal }) },
    options.stream,
  );
  const render = (): string => formatStats(collector.entries(), options.format || 'table', options.trunc);
  try {
    const following = names.length ? undefined : await followAll(client, collector, options);
    for (const name of names) collector.add(name);
    await collector.firstSamples();
    const errors = names.length ? collector.errors() : [];
    if (errors.length) throw new Error(errors.map(describeError).join('\n'));
    if (!options.stream) {
      ctx.out(render());
      return;
    }
    await repaint(() => {
      ctx.out(statsFrame(render()));
      return !following && collector.size === 0;
    }, following?.ended);
  } finally {
    collector.close();
  }
}

/** Calls `paint` every REPAINT_MS until it says it is done, `ended` settles, or it throws. */
function repaint(paint: () => boolean, ended: Promise<void> | undefined): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const timer = setInterval(() => {
      try {
        if (paint()) finish();
      } catch (err) {
        finish(err);
      }
    }, REPAINT_MS);
    const finish = (err?: unknown): void => {
      clearInterval(timer);
      if (err === undefined) resolve();
      else reject(err instanceof Error ? err : new Error(String(err)));
    };
    ended?.then(() => finish(), finish);
  });
}

/**
 * Follows every running container (every container with `all`): subscribes to container events before
 * listing, so none is missed, as docker does. `ended` settles when the events end (never without streaming).
 */
async function followAll(client: BerthClient, collector: StatsCollector, options: StatsOptions): Promise<{ ended?: Promise<void> }> {
  const events = options.stream ? await client.events({ filters: { type: ['container'] } }) : undefined;
  for (const container of await client.listContainers({ all: options.all })) collector.add(container.Id.slice(0, 12));
  if (!events) return {};
  const ended = (async () => {
    for await (const event of events) {
      const id = event.Actor.ID.slice(0, 12);
      if (event.Action === 'start' || (options.all && event.Action === 'create')) collector.add(id);
      // Without --all a container leaves when it stops; with it, when it is removed.
      if (event.Action === 'destroy' || (!options.all && event.Action === 'die')) collector.remove(id);
    }
  })();
  return { ended };
}
