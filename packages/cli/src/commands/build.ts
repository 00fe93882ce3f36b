import { rm, writeFile } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import { ProgressStreamError } from '@berth/client';
import { prepareBuildContext } from '../build-context.js';
import { buildOptions, UNSUPPORTED_BUILD_FLAGS, type BuildFlags } from '../build-flags.js';
import type { CommandContext } from '../context.js';
import { DockerConfig } from '../docker-config.js';
import { humanSize } from '../format/human-size.js';
import { ProgressDisplay, progressOutput } from '../progress-display.js';
import { collect } from '../repeatable-flags.js';

/** docker's progress reader reports the context sent so far after each 512 KiB, at most once per 100 ms. */
const SENDING_UPDATE_BYTES = 512 * 1024;
const SENDING_UPDATE_MS = 100;

/**
 * The context as it is sent: `progress` with the bytes sent so far now and then (for a terminal, where docker
 * redraws the "Sending build context" line), and once all of it is, `done` with its size.
 */
async function* announced(tar: AsyncIterable<Buffer>, done: (bytes: number) => void, progress?: (bytes: number) => void): AsyncGenerator<Buffer> {
  let bytes = 0;
  let reported = 0;
  let reportedAt = -Infinity;
  for await (const chunk of tar) {
    bytes += chunk.length;
    if (progress && bytes - reported > SENDING_UPDATE_BYTES && Date.now() - reportedAt >= SENDING_UPDATE_MS) {
      progress(bytes);
      reported = bytes;
      reportedAt = Date.now();
    }
    yield chunk;
  }
  done(bytes);
}

/** The aux message of a build carries the new image's ID. */
function imageIdOf(aux: unknown): string | undefined {
  const id = (aux as { ID?: unknown } | null)?.ID;
  return typeof id === 'string' ? id : undefined;
}

/** `berth build` / `berth image build` / `berth builder build`: docker 28's classic builder client. */
export function defineBuild(parent: Command, ctx: CommandContext): void {
  const command = parent
    .command('build')
    .description('Build an image from a Dockerfile')
    .usage('[OPTIONS] PATH | URL | -')
    .argument('<context>', 'PATH | URL | -')
    .option('-t, --tag <list>', 'Name and optionally a tag in the "name:tag" format', collect, [])
    .option('-f, --file <string>', 'Name of the Dockerfile (Default is "PATH/Dockerfile")')
    .option('--build-arg <list>', 'Set build-time variables', collect, [])
    .option('--label <list>', 'Set metadata for an image', collect, [])
    .option('--no-cache', 'Do not use cache when building the image')
    .option('--pull', 'Always attempt to pull a newer version of the image')
    .option('-q, --quiet', 'Suppress the build output and print image ID on success')
    .option('--rm', 'Remove intermediate containers after a successful build (default true)', true)
    .option('--force-rm', 'Always remove intermediate containers')
    .option('--iidfile <string>', 'Write the image ID to the file')
    .option('--network <string>', 'Set the networking mode for the RUN instructions during build (default "default")', 'default')
    .option('--target <string>', 'Set the target build stage to build.')
    .option('--platform <string>', 'Set platform if server is multi-platform capable', ctx.env.DOCKER_DEFAULT_PLATFORM || undefined)
    .option('--disable-content-trust', 'Skip image verification (default true)', true);
  // docker lists --squash only for an experimental daemon.
  const refused = Object.entries(UNSUPPORTED_BUILD_FLAGS).map(([flags, usage]) => new Option(flags, usage).hideHelp(flags === '--squash'));
  for (const option of refused) command.addOption(option);
  command.action(async (context: string, raw: Record<string, unknown>) => {
    const unsupported: Record<string, unknown> = Object.fromEntries(refused.map((option) => [option.long!.slice(2), raw[option.attributeName()]]));
    if (raw.disableContentTrust === false) unsupported['disable-content-trust'] = 'false';
    // commander's --no-cache is a negation: cache false means the flag was given.
    const flags = { ...(raw as unknown as BuildFlags), noCache: raw.cache === false, unsupported };
    await runBuild(ctx, context, flags);
  });
}

async function runBuild(ctx: CommandContext, context: string, flags: BuildFlags): Promise<void> {
  const options = buildOptions(flags, ctx.env);
  // As docker: a stale ID file is removed first, so that a failed build leaves none.
  if (flags.iidfile) await rm(flags.iidfile, { force: true });
  const { tar, dockerfile } = await prepareBuildContext(context, flags.file, ctx.io.stdin);
  const registryConfig = await (await DockerConfig.open(ctx.configDir(), ctx.env)).allCredentials();
  // With -q what would have been printed is kept, for stderr if the build fails; off a terminal docker prints only the
  // last update of the "Sending" line, on a terminal each update overwrites the one before.
  let held = '';
  const sending = (bytes: number): string => `Sending build context to Docker daemon ${humanSize(bytes, 4).padStart(8)}\r`;
  const sent = (bytes: number): void => {
    const line = `${sending(bytes)}\r\n`;
    if (flags.quiet) held += line;
    else ctx.out(line);
  };
  const redraw = !flags.quiet && (ctx.io.stdout as { isTTY?: boolean }).isTTY ? (bytes: number) => ctx.out(sending(bytes)) : undefined;
  let quietOutput = '';
  const display = new ProgressDisplay(flags.quiet ? { write: (text) => (quietOutput += text), terminalWidth: () => undefined } : progressOutput(ctx.io.stdout));
  let imageId = '';
  try {
    const messages = ctx.client().build(announced(tar, sent, redraw), { ...options, ...(dockerfile && { dockerfile }), ...(Object.keys(registryConfig).length && { registryConfig }) });
    for await (const message of messages) {
      if (message.aux !== undefined) imageId = imageIdOf(message.aux) ?? imageId;
      else display.show(message);
    }
  } catch (err) {
    if (flags.quiet) ctx.err(held + quietOutput);
    if (!(err instanceof ProgressStreamError)) throw err;
    // docker's StatusError: the message alone (no "Error response from daemon"), the failed command's exit code, else 1.
    ctx.err(`${err.message}\n`);
    ctx.exitCode = err.code ?? 1;
    return;
  }
  // With -q docker prints what the daemon streamed (the ID and a newline) and writes that to --iidfile too.
  if (flags.quiet) {
    imageId = quietOutput;
    ctx.out(imageId);
  }
  if (flags.iidfile) {
    if (!imageId) throw new Error(`Server did not provide an image ID. Cannot write ${flags.iidfile}`);
    await writeFile(flags.iidfile, imageId, { mode: 0o666 });
  }
}
