import { InvalidArgumentError } from '@berth/api';
import { familiarString, parseNormalizedNamed, withDefaultTag } from '@berth/reference';
import type { BuildContext } from '../context/build-context.js';
import type { Command, Dockerfile, Stage } from '../dockerfile/commands.js';
import { parseDockerfile } from '../dockerfile/parse.js';
import { ShellLex } from '../dockerfile/shell-lex.js';
import type { BuildBackend } from './backend.js';
import { BuildArgs } from './build-args.js';
import type { BuildOutput, BuildRequest } from './build-request.js';
import { shortId, StageRunner, type BuildScope } from './stage-runner.js';

export interface BuildResult {
  imageId: string;
}

/** The tags a build was asked for, checked before anything runs (moby refuses a bad one with a 400). */
export function checkTags(tags: readonly string[]): string[] {
  return tags.map((tag) => {
    const ref = withDefaultTag(parseNormalizedNamed(tag));
    if (ref.digest !== undefined) throw new InvalidArgumentError(`invalid reference format: ${tag} (a build tag cannot hold a digest)`);
    return familiarString(ref);
  });
}

/** The stages a build runs: up to the target, and of those only the ones the last one needs. */
function neededStages(dockerfile: Dockerfile, target: string | undefined, lex: ShellLex, metaEnv: Map<string, string>): Stage[] {
  const { stages } = dockerfile;
  let last = stages.length - 1;
  if (target !== undefined && target !== '') {
    last = stages.findIndex((stage) => stage.name === target.toLowerCase());
    if (last < 0) throw new InvalidArgumentError(`failed to reach build target ${target} in Dockerfile`);
  }
  const indexOf = (ref: string, before: number): number | undefined => {
    const lower = ref.toLowerCase();
    const byName = stages.findIndex((stage, index) => index < before && stage.name === lower);
    if (byName >= 0) return byName;
    return /^\d+$/.test(ref) && Number(ref) < before ? Number(ref) : undefined;
  };
  const needed = new Set<number>();
  const visit = (index: number): void => {
    if (needed.has(index)) return;
    needed.add(index);
    const stage = stages[index]!;
    const refs = [lex.processWord(stage.base, metaEnv)];
    for (const command of stage.commands) {
      const from = command.kind === 'COPY' ? command.flags.from : undefined;
      if (typeof from !== 'string') continue;
      // A `--from` naming the stage's own ARG or ENV is known only when the step runs: every earlier stage may be needed.
      if (from.includes('$')) {
        for (let earlier = 0; earlier < index; earlier++) visit(earlier);
        continue;
      }
      refs.push(from);
    }
    for (const ref of refs) {
      const dependency = indexOf(ref, index);
      if (dependency !== undefined) visit(dependency);
    }
  };
  visit(last);
  return stages.filter((_, index) => needed.has(index));
}

/** moby's build-time `--label`: one more LABEL step per label, sorted by key, at the end of the final stage; values are not expanded. */
function labelCommands(labels: Record<string, string>, line: number): Command[] {
  const literal = (text: string): string => `'${text.replace(/'/g, "'\\''")}'`;
  return Object.keys(labels)
    .sort()
    .map((key) => ({ kind: 'LABEL', flags: {}, line, original: `LABEL ${key}=${labels[key]}`, pairs: [{ key: literal(key), value: literal(labels[key]!) }] }));
}

/**
 * Runs a classic build: the Dockerfile from the context, its stages in order with `Step N/M :` lines,
 * and the last stage's image published with the requested tags.
 */
export async function buildImage(
  request: BuildRequest,
  context: BuildContext,
  backend: BuildBackend,
  output: BuildOutput,
  signal: AbortSignal,
): Promise<BuildResult> {
  const tags = checkTags(request.tags);
  const dockerfile = parseDockerfile(await context.readDockerfile(request.dockerfile));
  const lex = new ShellLex(dockerfile.escape);
  const args = new BuildArgs(request.buildArgs);
  for (const meta of dockerfile.metaArgs) {
    for (const { key, value } of meta.args) args.declareMeta(key, value === undefined ? undefined : lex.processWord(value, args.metaEnv()));
  }
  const stages = neededStages(dockerfile, request.target, lex, args.metaEnv());
  const finalStage = stages.at(-1)!;
  const labels = labelCommands(request.labels, finalStage.line);
  const commandsOf = (stage: Stage): Command[] => (stage === finalStage ? [...stage.commands, ...labels] : stage.commands);
  const total = dockerfile.metaArgs.length + stages.reduce((sum, stage) => sum + 1 + commandsOf(stage).length, 0);

  const finished = new Map<string, string | null>();
  const scope: BuildScope = {
    backend,
    context,
    request,
    args,
    output,
    lex,
    escape: dockerfile.escape,
    signal,
    stageImage: (ref) => finished.get(ref.toLowerCase()),
  };
  let step = 0;
  const announce = (original: string): void => {
    output.write(`Step ${++step}/${total} : ${original}`);
    output.write('\n');
  };
  // Meta ARGs count as steps, though they run nothing (moby announces them).
  for (const meta of dockerfile.metaArgs) announce(meta.original);
  let runner: StageRunner | undefined;
  for (const stage of stages) {
    announce(stage.original);
    runner = await fromStage(scope, stage, finished);
    for (const command of commandsOf(stage)) {
      signal.throwIfAborted();
      announce(command.original);
      await runner.dispatch(command);
    }
    // moby reports each stage's image as it ends.
    if (runner.image !== null) output.built(runner.image);
    const index = String(dockerfile.stages.indexOf(stage));
    finished.set(index, runner.image);
    if (stage.name !== undefined) finished.set(stage.name, runner.image);
  }
  const imageId = runner?.image ?? null;
  if (imageId === null) throw new InvalidArgumentError('No image was generated. Is your Dockerfile empty?');
  await backend.publish(imageId, tags);
  const unconsumed = args.unconsumed();
  if (unconsumed.length > 0) output.write(`[Warning] One or more build-args [${unconsumed.join(' ')}] were not consumed\n`);
  output.write(`Successfully built ${shortId(imageId)}\n`);
  for (const tag of tags) output.write(`Successfully tagged ${tag}\n`);
  return { imageId };
}

/** FROM: scratch, an earlier stage, or an image (pulled when missing or with `--pull`); then the base's ONBUILD triggers. */
async function fromStage(scope: BuildScope, stage: Stage, finished: Map<string, string | null>): Promise<StageRunner> {
  const metaEnv = scope.args.metaEnv();
  const base = scope.lex.processWord(stage.base, metaEnv);
  const platform = stage.platform === undefined ? undefined : scope.lex.processWord(stage.platform, metaEnv);
  let runner: StageRunner;
  const earlier = finished.get(base.toLowerCase());
  if (base.toLowerCase() === 'scratch') {
    runner = new StageRunner(scope, { id: null, config: {} });
  } else if (earlier !== undefined) {
    const image = earlier === null ? undefined : scope.backend.image(earlier);
    runner = new StageRunner(scope, { id: earlier, config: image?.config.config ?? {}, ...(image?.config.author ? { author: image.config.author } : {}) });
  } else {
    const image = await scope.backend.baseImage(base, {
      pull: scope.request.pull,
      ...(platform !== undefined ? { platform } : {}),
      progress: (message) => scope.output.progress(message),
      signal: scope.signal,
    });
    runner = new StageRunner(scope, { id: image.id, config: image.config.config ?? {} });
  }
  // With triggers, moby prints the stage's image once they ran.
  if (!runner.hasTriggers) scope.output.write(` ---> ${runner.image === null ? '' : shortId(runner.image)}\n`);
  await runner.runTriggers();
  return runner;
}
