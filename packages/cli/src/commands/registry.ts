import type { Writable } from 'node:stream';
import type { Command } from 'commander';
import { InvalidArgumentError, type ProgressMessage } from '@berth/api';
import type { CommandContext } from '../context.js';
import { DOCKER_HUB_KEY, registryOf } from '../docker-config.js';
import { splitTag } from '../format/image-reference.js';
import { ProgressDisplay, progressOutput } from '../progress-display.js';
import { login, logout, storedCredentials, type LoginOptions } from './login.js';

/** `pull`, `push`, `login` and `logout`, with credentials shared with docker through its config file and credential helpers. */
export function registerRegistryCommands(program: Command, ctx: CommandContext): void {
  definePull(program, ctx);
  definePush(program, ctx);
  defineLogin(program, ctx);
}

/** `pull`, at the top level and in the `image` group. */
export function definePull(parent: Command, ctx: CommandContext): void {
  parent
    .command('pull')
    .description('Download an image from a registry')
    .usage('[OPTIONS] NAME[:TAG|@DIGEST]')
    .argument('<name>', 'NAME[:TAG|@DIGEST]')
    .option('-a, --all-tags', 'Download all tagged images in the repository')
    .option('--platform <string>', 'Set platform if server is multi-platform capable')
    .option('-q, --quiet', 'Suppress verbose output')
    .action(async (name: string, options: { allTags?: boolean; platform?: string; quiet?: boolean }) => {
      const { repository, tag } = referenceParts(name);
      if (options.allTags && tag !== undefined) throw new InvalidArgumentError('tag can\'t be used with --all-tags/-a');
      if (!options.allTags && tag === undefined && !options.quiet) ctx.out('Using default tag: latest\n');
      const pullTag = options.allTags ? undefined : (tag ?? 'latest');
      await pullImage(ctx, name, { tag: pullTag, platform: options.platform, quiet: options.quiet === true, out: ctx.io.stdout });
      if (!options.allTags) ctx.out(`${fullName(repository)}${name.includes('@') ? '@' : ':'}${pullTag}\n`);
      else if (!options.quiet) ctx.out(`${fullName(repository)}\n`);
    });
}

/** `push`, at the top level and in the `image` group. */
export function definePush(parent: Command, ctx: CommandContext): void {
  parent
    .command('push')
    .description('Upload an image to a registry')
    .usage('[OPTIONS] NAME[:TAG]')
    .argument('<name>', 'NAME[:TAG]')
    .option('-a, --all-tags', 'Push all tags of an image to the repository')
    .option('-q, --quiet', 'Suppress verbose output')
    .action(async (name: string, options: { allTags?: boolean; quiet?: boolean }) => {
      const { repository, tag } = referenceParts(name);
      if (name.includes('@')) throw new InvalidArgumentError(`invalid reference format: cannot push a digest reference: ${name}`);
      if (options.allTags && tag !== undefined) throw new InvalidArgumentError('tag can\'t be used with --all-tags/-a');
      if (!options.allTags && tag === undefined && !options.quiet) ctx.out('Using default tag: latest\n');
      const auth = await storedCredentials(ctx, registryOf(name));
      const pushTag = options.allTags ? undefined : (tag ?? 'latest');
      await printProgress(ctx.client().pushImage(repository, { ...(pushTag !== undefined && { tag: pushTag }), ...(auth && { auth }) }), options.quiet === true, ctx.io.stdout);
      if (options.quiet) ctx.out(`${repository}${pushTag === undefined ? '' : `:${pushTag}`}\n`);
    });
}

function defineLogin(program: Command, ctx: CommandContext): void {
  program
    .command('login')
    .summary('Authenticate to a registry')
    .description('Authenticate to a registry.\nDefaults to Docker Hub if no server is specified.')
    .argument('[server]', 'the registry (Docker Hub when absent)')
    .option('-u, --username <string>', 'Username')
    .option('-p, --password <string>', 'Password or Personal Access Token (PAT)')
    .option('--password-stdin', 'Take the Password or Personal Access Token (PAT) from stdin')
    .action((server: string | undefined, options: LoginOptions) => login(ctx, server, options));

  program
    .command('logout')
    .summary('Log out from a registry')
    .description('Log out from a registry.\nIf no server is specified, the default is defined by the daemon.')
    .argument('[server]', 'the registry (Docker Hub when absent)')
    .action((server: string | undefined) => logout(ctx, server));
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

/** Prints the progress stream as the docker CLI does: bars redrawn in place on a terminal, plain lines elsewhere. */
async function printProgress(messages: AsyncIterable<ProgressMessage>, quiet: boolean, out: Writable): Promise<void> {
  const display = new ProgressDisplay(progressOutput(out));
  for await (const message of messages) if (!quiet) display.show(message);
}

/** Pulls `name` (its tag, or `tag`, or every tag when `tag` is undefined and `name` has none) with the stored credentials, its progress written to `out`. */
export async function pullImage(ctx: CommandContext, name: string, options: { tag?: string | undefined; platform?: string | undefined; quiet: boolean; out: Writable }): Promise<void> {
  const { repository } = referenceParts(name);
  const auth = await storedCredentials(ctx, registryOf(name));
  const messages = ctx.client().pullImage(repository, { ...(options.tag !== undefined && { tag: options.tag }), ...(options.platform && { platform: options.platform }), ...(auth && { auth }) });
  await printProgress(messages, options.quiet, options.out);
}
