import type { Command } from 'commander';
import { InvalidArgumentError, type ProgressMessage } from '@berth/api';
import type { CommandContext } from '../context.js';
import { DOCKER_HUB_KEY, DockerConfig, registryOf } from '../docker-config.js';
import { splitTag } from '../format/image-reference.js';

/** `pull`, `push`, `login` and `logout`, with credentials shared with docker through its config file. */
export function registerRegistryCommands(program: Command, ctx: CommandContext): void {
  program
    .command('pull')
    .description('Download an image from a registry')
    .argument('<name>', 'NAME[:TAG|@DIGEST]')
    .option('-a, --all-tags', 'Download all tagged images in the repository')
    .option('--platform <platform>', 'Set platform if server is multi-platform capable')
    .option('-q, --quiet', 'Suppress verbose output')
    .action(async (name: string, options: { allTags?: boolean; platform?: string; quiet?: boolean }) => {
      const { repository, tag } = referenceParts(name);
      if (options.allTags && tag !== undefined) throw new InvalidArgumentError('tag can\'t be used with --all-tags/-a');
      if (!options.allTags && tag === undefined && !options.quiet) ctx.out('Using default tag: latest\n');
      const auth = (await DockerConfig.open(ctx.env)).credentials(registryOf(name));
      const pullTag = options.allTags ? undefined : (tag ?? 'latest');
      const messages = ctx.client().pullImage(repository, { ...(pullTag !== undefined && { tag: pullTag }), ...(options.platform && { platform: options.platform }), ...(auth && { auth }) });
      await printProgress(ctx, messages, options.quiet === true);
      if (!options.allTags) ctx.out(`${fullName(repository)}${name.includes('@') ? '@' : ':'}${pullTag}\n`);
      else if (!options.quiet) ctx.out(`${fullName(repository)}\n`);
    });

  program
    .command('push')
    .description('Upload an image to a registry')
    .argument('<name>', 'NAME[:TAG]')
    .option('-a, --all-tags', 'Push all tags of an image to the repository')
    .option('-q, --quiet', 'Suppress verbose output')
    .action(async (name: string, options: { allTags?: boolean; quiet?: boolean }) => {
      const { repository, tag } = referenceParts(name);
      if (name.includes('@')) throw new InvalidArgumentError(`invalid reference format: cannot push a digest reference: ${name}`);
      if (options.allTags && tag !== undefined) throw new InvalidArgumentError('tag can\'t be used with --all-tags/-a');
      if (!options.allTags && tag === undefined && !options.quiet) ctx.out('Using default tag: latest\n');
      const auth = (await DockerConfig.open(ctx.env)).credentials(registryOf(name));
      const pushTag = options.allTags ? undefined : (tag ?? 'latest');
      await printProgress(ctx, ctx.client().pushImage(repository, { ...(pushTag !== undefined && { tag: pushTag }), ...(auth && { auth }) }), options.quiet === true);
      if (options.quiet) ctx.out(`${repository}${pushTag === undefined ? '' : `:${pushTag}`}\n`);
    });

  program
    .command('login')
    .description('Authenticate to a registry')
    .argument('[server]', 'the registry (Docker Hub when absent)')
    .option('-u, --username <username>', 'Username')
    .option('-p, --password <password>', 'Password or Personal Access Token (PAT)')
    .option('--password-stdin', 'Take the Password or Personal Access Token (PAT) from stdin')
    .action(async (server: string | undefined, options: { username?: string; password?: string; passwordStdin?: boolean }) => {
      if (options.password !== undefined && options.passwordStdin) throw new InvalidArgumentError('--password and --password-stdin are mutually exclusive');
      if (options.passwordStdin && !options.username) throw new InvalidArgumentError('Must provide --username with --password-stdin');
      if (!options.username) throw new InvalidArgumentError('berth login needs --username: interactive prompts are not supported yet');
      let password = options.password;
      if (options.passwordStdin) password = (await readAll(ctx)).replace(/\r?\n$/, '');
      if (password === undefined) throw new InvalidArgumentError('berth login needs --password-stdin or --password: interactive prompts are not supported yet');
      if (options.password !== undefined) ctx.err('WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n');
      const registry = server ?? DOCKER_HUB_KEY;
      const config = await DockerConfig.open(ctx.env);
      const credentials = { username: options.username, password, serveraddress: registry };
      await ctx.client().login(credentials);
      await config.store(registry, credentials);
      ctx.err(`WARNING! Your credentials are stored unencrypted in '${config.path}'.\n`);
      ctx.out('Login Succeeded\n');
    });

  program
    .command('logout')
    .description('Log out from a registry')
    .argument('[server]', 'the registry (Docker Hub when absent)')
    .action(async (server: string | undefined) => {
      const registry = server ?? DOCKER_HUB_KEY;
      const removed = await (await DockerConfig.open(ctx.env)).remove(registry);
      ctx.out(removed ? `Removing login credentials for ${registry}\n` : `Not logged in to ${registry}\n`);
    });
}

/** The repository and the tag (or digest) of a reference; a digest comes back as the tag `sha256:…`. */
function referenceParts(name: string): { repository: string; tag: string | undefined } {
  const at = name.indexOf('@');
  if (at >= 0) return { repository: name.slice(0, at), tag: name.slice(at + 1) };
  return splitTag(name);
}

/** The repository as docker prints it after a pull: with its registry, `docker.io/library/` for Docker Hub's. */
function fullName(repository: string): string {
  if (registryOf(repository) !== DOCKER_HUB_KEY) return repository;
  const path = repository.replace(/^(docker\.io|index\.docker\.io)\//, '');
  return `docker.io/${path.includes('/') ? path : `library/${path}`}`;
}

/**
 * Prints progress as the docker CLI does without a terminal: one line per status, `<id>: <status>`
 * for a layer's, leaving out byte counts (Downloading, Extracting, Pushing) and aux messages.
 */
async function printProgress(ctx: CommandContext, messages: AsyncIterable<ProgressMessage>, quiet: boolean): Promise<void> {
  for await (const message of messages) {
    if (quiet || message.status === undefined || message.progressDetail?.total !== undefined) continue;
    ctx.out(message.id ? `${message.id}: ${message.status}\n` : `${message.status}\n`);
  }
}

async function readAll(ctx: CommandContext): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of ctx.io.stdin) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}
