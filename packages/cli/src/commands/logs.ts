import type { Command } from 'commander';
import type { CommandContext } from '../context.js';
import { apiLogTime } from '../log-time.js';

interface LogsOptions {
  follow?: boolean;
  tail?: string;
  since?: string;
  until?: string;
  timestamps?: boolean;
}

export function registerLogs(program: Command, ctx: CommandContext): void {
  program
    .command('logs')
    .description('Fetch the logs of a container')
    .argument('<container>')
    .option('-f, --follow', 'Follow log output')
    .option('-n, --tail <string>', 'Number of lines to show from the end of the logs (default "all")', 'all')
    .option('--since <string>', 'Show logs since timestamp (e.g. "2013-01-02T13:23:37Z") or relative (e.g. "42m" for 42 minutes)')
    .option('--until <string>', 'Show logs before a timestamp (e.g. "2013-01-02T13:23:37Z") or relative (e.g. "42m" for 42 minutes)')
    .option('-t, --timestamps', 'Show timestamps')
    .action(async (container: string, options: LogsOptions) => {
      const client = ctx.client();
      const inspected = await client.inspectContainer(container);
      const logs = await client.containerLogs(container, {
        follow: options.follow,
        tail: options.tail,
        since: options.since ? apiLogTime(options.since, ctx.now()) : undefined,
        until: options.until ? apiLogTime(options.until, ctx.now()) : undefined,
        timestamps: options.timestamps,
        tty: inspected.Config.Tty ?? false,
      });
      await logs.copyOutput(ctx.io.stdout, ctx.io.stderr);
    });
}
