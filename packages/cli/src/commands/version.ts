import type { Command } from 'commander';
import { API_VERSION, type VersionResponse } from '@berth/api';
import { CLI_VERSION } from '../cli-version.js';
import type { CommandContext } from '../context.js';
import { checkTemplate, objectTemplate, renderTemplate } from '../format/go-template.js';
import { sortedEntries } from '../format/go-order.js';
import { tabwrite } from '../format/tabwriter.js';
import { INSPECT_FORMAT_HELP } from '../format/format-help.js';

/** docker version aligns its "Key:<tab>value" lines with tabwriter.NewWriter(out, 20, 1, 1, ' ', 0). */
const VERSION_LAYOUT = { minWidth: 20, padding: 1 };

export function registerVersion(program: Command, ctx: CommandContext): void {
  program
    .command('version')
    .description('Show the Docker version information')
    .option('-f, --format <string>', INSPECT_FORMAT_HELP)
    .action(async (options: { format?: string }) => {
      const format = options.format && objectTemplate(options.format);
      if (format) checkTemplate(format);
      const apiVersion = await ctx.client().apiVersion().catch(() => API_VERSION);
      if (format) {
        const server = await ctx.client().version();
        ctx.out(`${renderTemplate(format, { Client: clientFields(apiVersion), Server: serverFields(server) })}\n`);
        return;
      }
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

/**
 * A part as docker's version template sees it: Go's field names (`APIVersion`) for `{{.Field}}`, and the JSON
 * docker's structs encode to (`ApiVersion`, Go maps in key order) for `{{json …}}`.
 */
function templateFields(fields: Record<string, unknown>, json: unknown): object {
  return Object.defineProperty({ ...fields }, 'toJSON', { value: () => json, enumerable: false });
}

/** The client part, with berth's own values. */
function clientFields(apiVersion: string): object {
  const part = { Version: CLI_VERSION, ApiVersion: apiVersion, DefaultAPIVersion: API_VERSION, Os: process.platform, Arch: goArch(process.arch), Context: 'default' };
  const { ApiVersion, ...rest } = part;
  return templateFields({ ...rest, APIVersion: ApiVersion }, part);
}

/** The server part: the daemon's answer, its components' details in key order as Go encodes a map. */
function serverFields(server: VersionResponse): object {
  const { ApiVersion, ...rest } = server;
  const components = server.Components?.map((component) => (component.Details ? { ...component, Details: Object.fromEntries(sortedEntries(component.Details as Record<string, unknown>)) } : component));
  return templateFields({ ...rest, APIVersion: ApiVersion }, components ? { ...server, Components: components } : server);
}

/**
 * docker's server part: each component in the daemon's order, the Engine's fields read from its Details (as
 * docker's template reads them, the build time in Go's ANSIC layout), the others' details in key order.
 */
function serverLines(server: VersionResponse): string[] {
  const lines = [`Server: ${server.Platform?.Name ?? ''}`.trimEnd()];
  for (const component of server.Components ?? []) {
    const details = (component.Details ?? {}) as Record<string, unknown>;
    const detail = (key: string) => String(details[key] ?? '');
    lines.push(` ${component.Name}:`, `  Version:\t${component.Version}`);
    if (component.Name === 'Engine') {
      lines.push(
        `  API version:\t${detail('ApiVersion')} (minimum version ${detail('MinAPIVersion')})`,
        `  Go version:\t${detail('GoVersion')}`,
        `  Git commit:\t${detail('GitCommit')}`,
        `  Built:\t${ansicTime(detail('BuildTime'))}`,
        `  OS/Arch:\t${detail('Os')}/${detail('Arch')}`,
        `  Experimental:\t${detail('Experimental')}`,
      );
    } else {
      for (const key of Object.keys(details).sort()) lines.push(`  ${key}:\t${detail(key)}`);
    }
  }
  return lines;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Go's time.ANSIC ("Mon Jan  2 15:04:05 2006", in UTC) for an RFC 3339 time; anything else as it is, as docker's reformatDate. */
function ansicTime(rfc3339: string): string {
  const date = /^\d{4}-\d\d-\d\dT/.test(rfc3339) ? new Date(rfc3339) : undefined;
  if (!date || Number.isNaN(date.getTime())) return rfc3339;
  const day = String(date.getUTCDate()).padStart(2, ' ');
  return `${DAYS[date.getUTCDay()]} ${MONTHS[date.getUTCMonth()]} ${day} ${date.toISOString().slice(11, 19)} ${date.getUTCFullYear()}`;
}

/** Node's architecture names in Go's spelling, as docker reports them. */
function goArch(arch: string): string {
  return ({ x64: 'amd64', ia32: '386' } as Record<string, string>)[arch] ?? arch;
}
