import { createReadStream, readFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import type { Command } from 'commander';
import { InvalidArgumentError } from '@berth/api';
import { parseHost } from '@berth/client';
import { isSshHost, sshCommand } from '../ssh-dialer.js';
import type { CommandContext } from '../context.js';
import { DEFAULT_CONTEXT, TLS_FILES, checkNewContextName, type StoredContext, type TlsFileName } from '../contexts/context-store.js';
import { DEFAULT_CONTEXT_DESCRIPTION, defaultEndpoint, hostFromEnv } from '../contexts/endpoint.js';
import { exportContext, importContext } from '../contexts/context-archive.js';
import { DockerConfig } from '../docker-config.js';
import { ellipsis } from '../format/ellipsis.js';
import { goParseBool } from '../go-bool.js';
import { systemMessage } from '../go-errors.js';
import { checkListFormat, formatList, type Headers } from '../format/list-format.js';
import { INSPECT_FORMAT_HELP, LIST_FORMAT_HELP } from '../format/format-help.js';
import { FlagValueError } from '../flag-value-error.js';
import { inspectEach } from '../inspect-each.js';
import { collect } from '../repeatable-flags.js';
import { describeError } from '../error-message.js';

const DEFAULT_CONTEXT_TABLE = 'table {{.Name}}{{if .Current}} *{{end}}\t{{.Description}}\t{{.DockerEndpoint}}\t{{.Error}}';
// No header for Current: docker's table marks the current row's name with `*` under NAME.
const CONTEXT_HEADERS: Headers = { Name: 'NAME', Description: 'DESCRIPTION', DockerEndpoint: 'DOCKER ENDPOINT', Error: 'ERROR' };
/** docker cuts a context's error in `context ls` to this many columns. */
const MAX_ERROR_LENGTH = 45;
const ENDPOINT_KEYS = ['from', 'host', 'ca', 'cert', 'key', 'skip-tls-verify'];
const TLS_KEYS: Record<string, TlsFileName> = { ca: 'ca.pem', cert: 'cert.pem', key: 'key.pem' };
const HOST_OVERRIDE_WARNING = 'Warning: DOCKER_HOST environment variable overrides the active context. To use a context, either set the global --context flag, or unset DOCKER_HOST environment variable.\n';

/** The long description docker gives create and update: the `--docker` keys, and an example. */
function endpointHelp(verb: 'create' | 'update', summary: string): string {
  return `${summary}

Docker endpoint config:

NAME                DESCRIPTION
from                Copy named context's Docker endpoint configuration
host                Docker endpoint on which to connect
ca                  Trust certs signed only by this CA
cert                Path to TLS certificate file
key                 Path to TLS key file
skip-tls-verify     Skip TLS certificate validation

Example:

$ docker context ${verb} my-context --description "some description" --docker "host=tcp://myserver:2376,ca=~/ca-file,cert=~/cert-file,key=~/key-file"`;
}

interface EndpointFlags {
  description?: string;
  docker: string[];
}

/** `berth context create|ls|use|rm|inspect|show|update|export|import`, over the context store docker keeps in its config directory. */
export function registerContext(program: Command, ctx: CommandContext): void {
  const context = program.command('context').description('Manage contexts');

  context
    .command('create')
    .summary('Create a context')
    .description(endpointHelp('create', 'Create a context'))
    .usage('[OPTIONS] CONTEXT')
    .argument('<context>')
    .option('--description <string>', 'Description of the context')
    .option('--docker <stringToString>', 'set the docker endpoint (default [])', collect, [])
    .option('--from <string>', 'create context from a named context')
    .action((name: string, options: EndpointFlags & { from?: string }) => {
      // Flag values are refused first, as pflag does before the command runs.
      const docker = endpointSettings(options.docker);
      const store = ctx.contexts();
      checkNewContextName(name, store);
      let created: StoredContext;
      if (docker && !options.from) created = newContext(ctx, name, docker);
      else {
        if (docker) throw new InvalidArgumentError('cannot use --docker flag when --from is set');
        created = copiedContext(ctx, name, options.from ?? ctx.contextName());
      }
      if (options.description) created.meta.Metadata = { ...created.meta.Metadata, Description: options.description };
      store.save(created);
      ctx.out(`${name}\n`);
      ctx.err(`Successfully created context "${name}"\n`);
    });

  context
    .command('ls')
    .alias('list')
    .description('List contexts')
    .option('--format <string>', LIST_FORMAT_HELP)
    .option('-q, --quiet', 'Only show context names')
    .action((options: { format?: string; quiet?: boolean }) => {
      checkListFormat(options.format);
      const current = ctx.contextName();
      const rows = [
        { Current: current === DEFAULT_CONTEXT, Description: DEFAULT_CONTEXT_DESCRIPTION, DockerEndpoint: defaultEndpoint(ctx.globals(), ctx.env).host, Error: '', Name: DEFAULT_CONTEXT },
        ...ctx
          .contexts()
          .list()
          .map(({ meta }) => ({ Current: current === meta.Name, Description: meta.Metadata.Description ?? '', DockerEndpoint: meta.Endpoints.docker.Host ?? '', Error: '', Name: meta.Name })),
      ];
      // A current context that does not exist is still listed, with what went wrong.
      if (!rows.some((row) => row.Current)) {
        let error = '';
        try {
          ctx.contexts().get(current);
        } catch (err) {
          error = describeError(err);
        }
        rows.push({ Current: true, Description: '', DockerEndpoint: '', Error: error, Name: current });
      }
      rows.sort((a, b) => (a.Name < b.Name ? -1 : a.Name > b.Name ? 1 : 0));
      if (options.quiet) ctx.out(rows.map((row) => `${row.Name}\n`).join(''));
      else {
        const shown = rows.map((row) => ({ ...row, Error: ellipsis(row.Error, MAX_ERROR_LENGTH) }));
        ctx.out(formatList(options.format === 'json' ? rows : shown, options.format || DEFAULT_CONTEXT_TABLE, CONTEXT_HEADERS, DEFAULT_CONTEXT_TABLE));
      }
      if (hostFromEnv(ctx.env)) ctx.err(HOST_OVERRIDE_WARNING);
    });

  context
    .command('use')
    .description('Set the current docker context')
    .usage('CONTEXT')
    .argument('<context>')
    .action(async (name: string) => {
      if (name !== DEFAULT_CONTEXT) ctx.contexts().get(name);
      const config = await DockerConfig.open(ctx.configDir(), ctx.env);
      // As docker, the file is left alone when nothing changes (no file is made to record the default).
      if ((ctx.settings().currentContext ?? '') !== (name === DEFAULT_CONTEXT ? '' : name)) await config.setCurrentContext(name === DEFAULT_CONTEXT ? undefined : name);
      ctx.out(`${name}\n`);
      ctx.err(`Current context is now "${name}"\n`);
      if (name !== DEFAULT_CONTEXT && hostFromEnv(ctx.env)) {
        ctx.err(`Warning: DOCKER_HOST environment variable overrides the active context. To use "${name}", either set the global --context flag, or unset DOCKER_HOST environment variable.\n`);
      }
    });

  context
    .command('rm')
    .alias('remove')
    .description('Remove one or more contexts')
    .usage('CONTEXT [CONTEXT...]')
    .argument('<context...>')
    .option('-f, --force', 'Force the removal of a context in use')
    .action(async (names: string[], options: { force?: boolean }) => {
      const current = ctx.contextName();
      const failures: string[] = [];
      for (const name of names) {
        try {
          await removeContext(ctx, name, name === current, Boolean(options.force));
          ctx.out(`${name}\n`);
        } catch (err) {
          failures.push(describeError(err));
        }
      }
      if (failures.length) throw new InvalidArgumentError(failures.join('\n'));
    });

  context
    .command('inspect')
    .description('Display detailed information on one or more contexts')
    .usage('[OPTIONS] [CONTEXT] [CONTEXT...]')
    .argument('[context...]')
    .option('-f, --format <string>', INSPECT_FORMAT_HELP)
    .action(async (names: string[], options: { format?: string }) => {
      const wanted = names.length ? names : [ctx.contextName()];
      ctx.exitCode = await inspectEach(ctx, wanted, async (name) => inspectContext(ctx, name), undefined, options.format);
    });

  context
    .command('export')
    .description('Export a context to a tar archive FILE or a tar stream on STDOUT.')
    .usage('[OPTIONS] CONTEXT [FILE|-]')
    .argument('<context>')
    .argument('[file]')
    .action(async (name: string, file: string | undefined) => {
      const source = name === DEFAULT_CONTEXT ? defaultContext(ctx, {}) : ctx.contexts().get(name);
      if (file === '-') {
        // As docker: a tar holding keys is not for a terminal.
        if ((ctx.io.stdout as { isTTY?: boolean }).isTTY) throw new InvalidArgumentError('cowardly refusing to export to a terminal, specify a file path');
        await pipeline(exportContext(source), ctx.io.stdout, { end: false });
        return;
      }
      const target = file ?? `${name}.dockercontext`;
      // As docker: an existing file is never overwritten.
      const handle = await open(target, 'wx', 0o600).catch((err: NodeJS.ErrnoException) => {
        throw new InvalidArgumentError(`open ${target}: ${systemMessage(err)}`);
      });
      await pipeline(exportContext(source), handle.createWriteStream());
      ctx.err(`Written file "${target}"\n`);
    });

  context
    .command('import')
    .description('Import a context from a tar or zip file')
    .usage('CONTEXT FILE|-')
    .argument('<context>')
    .argument('<file>')
    .action(async (name: string, file: string) => {
      const store = ctx.contexts();
      checkNewContextName(name, store);
      const input: Readable = file === '-' ? ctx.io.stdin : createReadStream(file);
      const opened = new Promise<void>((resolve, reject) => {
        if (file === '-') resolve();
        input.once('open', () => resolve()).once('error', (err: NodeJS.ErrnoException) => reject(new InvalidArgumentError(`open ${file}: ${systemMessage(err)}`)));
      });
      await opened;
      store.save(await importContext(input, name));
      ctx.out(`${name}\n`);
      ctx.err(`Successfully imported context "${name}"\n`);
    });

  context
    .command('show')
    .description('Print the name of the current context')
    .action(() => {
      ctx.out(`${ctx.contextName()}\n`);
    });

  context
    .command('update')
    .summary('Update a context')
    .description(endpointHelp('update', 'Update a context'))
    .usage('[OPTIONS] CONTEXT')
    .argument('<context>')
    .option('--description <string>', 'Description of the context')
    .option('--docker <stringToString>', 'set the docker endpoint (default [])', collect, [])
    .action((name: string, options: EndpointFlags) => {
      const docker = endpointSettings(options.docker);
      if (name === DEFAULT_CONTEXT) throw new InvalidArgumentError(`"${DEFAULT_CONTEXT}" is a reserved context name`);
      const store = ctx.contexts();
      const existing = store.get(name);
      const updated = docker ? newContext(ctx, name, docker) : existing;
      updated.meta.Metadata = existing.meta.Metadata;
      if (options.description) updated.meta.Metadata = { ...updated.meta.Metadata, Description: options.description };
      store.save(updated);
      ctx.out(`${name}\n`);
      ctx.err(`Successfully updated context "${name}"\n`);
    });
}

/** The settings of `--docker` flags (comma-separated key=value lists, as pflag's stringToString), or undefined when none was given. */
function endpointSettings(flags: string[]): Record<string, string> | undefined {
  if (flags.length === 0) return undefined;
  const settings: Record<string, string> = {};
  for (const flag of flags) {
    for (const item of splitCsv(flag)) {
      const eq = item.indexOf('=');
      if (eq < 0) throw new FlagValueError('--docker', flag, `${item} must be formatted as key=value`);
      settings[item.slice(0, eq)] = item.slice(eq + 1);
    }
  }
  return settings;
}

/** One CSV record, as pflag reads a stringToString value: fields split on commas, double quotes group. */
function splitCsv(text: string): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"' && quoted && text[i + 1] === '"') {
      field += '"';
      i++;
    } else if (c === '"') quoted = !quoted;
    else if (c === ',' && !quoted) {
      fields.push(field);
      field = '';
    } else field += c;
  }
  fields.push(field);
  return fields;
}

/** A context from `--docker` settings, checked as docker checks them: known keys, readable files, a boolean, a host a client can use. */
function newContext(ctx: CommandContext, name: string, settings: Record<string, string>): StoredContext {
  const fail = (reason: string): never => {
    throw new InvalidArgumentError(`unable to create docker endpoint config: ${reason}`);
  };
  const unknown = Object.keys(settings).find((key) => !ENDPOINT_KEYS.includes(key));
  if (unknown !== undefined) fail(`unrecognized config key: ${unknown}`);
  if (settings.from !== undefined) {
    const source = settings.from === DEFAULT_CONTEXT ? defaultContext(ctx) : ctx.contexts().get(settings.from);
    return { meta: { Name: name, Metadata: {}, Endpoints: { docker: source.meta.Endpoints.docker } }, tls: {} };
  }
  const tls: StoredContext['tls'] = {};
  for (const [key, file] of Object.entries(TLS_KEYS)) {
    const path = settings[key];
    if (!path) continue;
    try {
      tls[file] = readFileSync(path);
    } catch (err) {
      fail(`open ${path}: ${systemMessage(err)}`);
    }
  }
  const skip = settings['skip-tls-verify'];
  const skipTlsVerify = skip === undefined || skip === '' ? false : (goParseBool(skip) ?? fail(`skip-tls-verify: parsing "${skip}": invalid syntax`));
  const host = settings.host || undefined;
  if (host) {
    try {
      if (isSshHost(host)) sshCommand(host);
      else parseHost(host);
    } catch (err) {
      fail(`invalid docker endpoint options: ${(err as Error).message}`);
    }
  }
  return { meta: { Name: name, Metadata: {}, Endpoints: { docker: { ...(host && { Host: host }), SkipTLSVerify: skipTlsVerify } } }, tls };
}

/** A copy of another context's metadata, endpoint and TLS material under a new name (`--from`, or the current context). */
function copiedContext(ctx: CommandContext, name: string, from: string): StoredContext {
  const source = from === DEFAULT_CONTEXT ? defaultContext(ctx) : ctx.contexts().get(from);
  return { meta: { ...source.meta, Name: name }, tls: { ...source.tls } };
}

/**
 * The implicit context as a stored one: what -H, the host variables and the TLS flags say. docker lists and
 * copies it with its description, but inspects and exports it without one.
 */
function defaultContext(ctx: CommandContext, metadata: StoredContext['meta']['Metadata'] = { Description: DEFAULT_CONTEXT_DESCRIPTION }): StoredContext {
  const endpoint = defaultEndpoint(ctx.globals(), ctx.env);
  const tls: StoredContext['tls'] = {};
  if (endpoint.tls?.ca) tls['ca.pem'] = Buffer.from(endpoint.tls.ca);
  if (endpoint.tls?.cert) tls['cert.pem'] = Buffer.from(endpoint.tls.cert);
  if (endpoint.tls?.key) tls['key.pem'] = Buffer.from(endpoint.tls.key);
  return {
    meta: { Name: DEFAULT_CONTEXT, Metadata: metadata, Endpoints: { docker: { Host: endpoint.host, SkipTLSVerify: endpoint.tls ? !endpoint.tls.verify : false } } },
    tls,
  };
}

async function removeContext(ctx: CommandContext, name: string, isCurrent: boolean, force: boolean): Promise<void> {
  if (name === DEFAULT_CONTEXT) throw new InvalidArgumentError(`context "${DEFAULT_CONTEXT}" cannot be removed`);
  if (isCurrent) {
    if (!force) throw new InvalidArgumentError(`context "${name}" is in use, set -f flag to force remove`);
    // Removing the context in use falls back to the default one, as docker does.
    await (await DockerConfig.open(ctx.configDir(), ctx.env)).setCurrentContext(undefined);
  }
  if (force && !ctx.contexts().exists(name)) return;
  ctx.contexts().remove(name);
}

/** What `context inspect` shows: the metadata, the TLS files held, and where it is stored. */
function inspectContext(ctx: CommandContext, name: string): object {
  const store = ctx.contexts();
  if (name === DEFAULT_CONTEXT) {
    const { meta } = defaultContext(ctx, {});
    return { Name: name, Metadata: meta.Metadata, Endpoints: meta.Endpoints, TLSMaterial: {}, Storage: { MetadataPath: '<IN MEMORY>', TLSPath: '<IN MEMORY>' } };
  }
  const { meta, tls } = store.get(name);
  const files = TLS_FILES.filter((file) => tls[file]);
  return { ...meta, TLSMaterial: files.length ? { docker: files } : {}, Storage: { MetadataPath: store.metadataPath(name), TLSPath: store.tlsPath(name) } };
}

