import type { Command } from 'commander';
import type { EventMessage } from '@berth/api';
import { checkTemplate, objectTemplate, renderTemplate } from '../format/go-template.js';
import type { CommandContext } from '../context.js';
import { collect, filtersOf } from '../repeatable-flags.js';
import { formatEventLine } from '../format/event-line.js';
import { toApiTimestamp } from '../format/timestamp.js';
import { INSPECT_FORMAT_HELP } from '../format/format-help.js';

interface EventsOptions {
  since?: string;
  until?: string;
  filter: string[];
  format?: string;
}

/** An event as docker's templates see it: events.Message's Go field names, and its JSON as it came. */
function eventFields(event: EventMessage): object {
  return {
    Status: event.status,
    ID: event.id,
    From: event.from,
    Type: event.Type,
    Action: event.Action,
    Actor: event.Actor,
    Scope: event.scope,
    Time: event.time,
    TimeNano: event.timeNano,
    toJSON: () => event,
  };
}

/** `berth events`: prints the daemon's events as docker does, until `--until` passes or forever. */
export function registerEvents(program: Command, ctx: CommandContext): void {
  program
    .command('events')
    .description('Get real time events from the server')
    .option('--since <string>', 'Show all events created since timestamp')
    .option('--until <string>', 'Stream events until this timestamp')
    .option('-f, --filter <filter>', 'Filter output based on conditions provided', collect, [])
    .option('--format <string>', INSPECT_FORMAT_HELP)
    .action(async (options: EventsOptions) => {
      const template = options.format && objectTemplate(options.format);
      if (template) checkTemplate(template);
      const now = ctx.now();
      const events = await ctx.client().events({
        since: options.since === undefined ? undefined : toApiTimestamp(options.since, now),
        until: options.until === undefined ? undefined : toApiTimestamp(options.until, now),
        filters: filtersOf(options.filter),
      });
      for await (const event of events) ctx.out(template ? `${renderTemplate(template, eventFields(event))}\n` : formatEventLine(event));
    });
}
