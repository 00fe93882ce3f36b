import type { Command } from 'commander';
import { API_VERSION, type VersionResponse } from '@berth/api';
import { CLI_VERSION } from '../cli-version.js';
import type { CommandContext } from '../context.js';
import { tabwrite } from '../format/tabwriter.js';

/** docker version aligns its "Key:<tab>value" lines with tabwriter.NewWriter(out, 20, 1, 1, ' ', 0). */
const VERSION_LAYOUT = { minWidth: 20, padding: 1 };

export function registerVersion(program: Command, ctx: CommandContext): void {
  program
    .command('version')
    .description('Show the Berth version information')
    .action(async () => {
      const apiVersion = await ctx.client().apiVersion().catch(() => API_VERSION);
      const downgraded = apiVersion === API_VERSION ? '' : ` (downgraded from ${API_VERSION})`;
      const client = [
        'Client:',
        ` Version:\t${CLI_VERSION}`,
        ` API version:\t${apiVersion}${downgraded}`,
        ` Node.js version:\t${process.version}`,
        ` OS/Arch:\t${process.platform}/${goArch(process.arch)}`,
        ` Context:\tdefault`,
        '',
      ];
      ctx.out(tabwrite(client, VERSION_LAYOUT));
      ctx.out(tabwrite(serverLines(await ctx.client().version()), VERSION_LAYOUT));
    });
}

function serverLines(server: VersionResponse): string[] {
  const lines = [
    `Server: ${server.Platform?.Name ?? ''}`.trimEnd(),
    ' Engine:',
    `  Version:\t${server.Version}`,
    `  API version:\t${server.ApiVersion} (minimum version ${server.MinAPIVersion})`,
    `  Go version:\t${server.GoVersion}`,
    `  Git commit:\t${server.GitCommit}`,
    `  Built:\t${server.BuildTime}`,
    `  OS/Arch:\t${server.Os}/${server.Arch}`,
    `  Experimental:\t${String((server as { Experimental?: boolean }).Experimental ?? false)}`,
  ];
  for (const component of server.Components ?? []) {
    if (component.Name === 'Engine') continue;
    lines.push(` ${component.Name}:`, `  Version:\t${component.Version}`);
    const details = component.Details as Record<string, unknown> | undefined;
    if (details && typeof details.GitCommit === 'string') lines.push(`  GitCommit:\t${details.GitCommit}`);
  }
  return lines;
}

/** Node's architecture names in Go's spelling, as docker reports them. */
function goArch(arch: string): string {
  return ({ x64: 'amd64', ia32: '386' } as Record<string, string>)[arch] ?? arch;
}
