import type { Command } from 'commander';
import type { CommandContext } from '../context.js';
import { collect } from '../repeatable-flags.js';
import { formatEventLine } from '../format/event-line.js';
import { toApiTimestamp } from '../format/timestamp.js';
import { parseFilters } from './ps.js';

interface EventsOptions {
  since?: string;
  until?: string;
  filter: string[];
}

/** `berth events`: prints the daemon's events as docker does, until `--until` passes or forever. */
export function registerEvents(program: Command, ctx: CommandContext): void {
  program
    .command('events')
    .description('Get real time events from the server')
    .option('--since <time>', 'Show all events created since timestamp')
    .option('--until <time>', 'Stream events until this timestamp')
    .option('-f, --filter <filter>', 'Filter output based on conditions provided', collect, [])
    .action(async (options: EventsOptions) => {
      const now = ctx.now();
      const events = await ctx.client().events({
        since: options.since === undefined ? undefined : toApiTimestamp(options.since, now),
        until: options.until === undefined ? undefined : toApiTimestamp(options.until, now),
        filters: parseFilters(options.filter),
      });
      for await (const event of events) ctx.out(formatEventLine(event));
    });
}
