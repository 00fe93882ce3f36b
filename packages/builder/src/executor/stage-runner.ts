import { posix } from 'node:path';
import { Writable } from 'node:stream';
import { formatGoDuration, InvalidArgumentError } from '@berth/api';
import { exposedPortKeys, withEnv, type ImageRunConfig } from '@berth/oci';
import { prepareCopy } from '../context/copy-step.js';
import type { BuildContext } from '../context/build-context.js';
import type { Command, Heredoc } from '../dockerfile/commands.js';
import { parseTrigger } from '../dockerfile/parse.js';
import type { ShellLex } from '../dockerfile/shell-lex.js';
import type { BuildBackend, StepContainer, StepContainerSpec } from './backend.js';
import { definedOnly, type BuildArgs } from './build-args.js';
import { BuildStepError, type BuildOutput, type BuildRequest } from './build-request.js';
import { directoriesTar } from './directories-tar.js';
import { envMap, shellOf } from './run-config.js';
import { stepKey } from './step-key.js';

/** What every stage of one build shares. */
export interface BuildScope {
  backend: BuildBackend;
  context: BuildContext;
  request: BuildRequest;
  args: BuildArgs;
  output: BuildOutput;
  lex: ShellLex;
  escape: '\\' | '`';
  signal: AbortSignal;
  /** The image an earlier stage ended with, by name or index; undefined when no stage is called so. */
  stageImage(ref: string): string | null | undefined;
}

/** The docker CLI's short image and container IDs. */
export function shortId(id: string): string {
  return id.replace(/^sha256:/, '').slice(0, 12);
}

/** Go's %q of a string list (moby writes CMD and ENTRYPOINT history lines with it). */
function goQuotedList(list: readonly string[]): string {
  return `[${list.map((item) => JSON.stringify(item)).join(' ')}]`;
}

/**
 * One stage of a build, as moby's classic dispatcher runs it: each command changes the stage's run
 * config and makes an image (a committed step container, or a config-only image), found in the cache
 * instead when an earlier build made the same step.
 */
export class StageRunner {
  private imageId: string | null;
  private config: ImageRunConfig;
  private author: string | undefined;
  private cmdSet = false;
  /** While ONBUILD triggers run, their steps' images are not printed. */
  private inTriggers = false;
  /** ARGs declared in this stage, with the values they took. */
  private readonly declared = new Map<string, string | undefined>();

  constructor(
    private readonly scope: BuildScope,
    base: { id: string | null; config: ImageRunConfig; author?: string },
  ) {
    this.imageId = base.id;
    this.config = structuredClone(base.config);
    this.author = base.author;
  }

  /** The image the stage is at: null while a `FROM scratch` stage made none. */
  get image(): string | null {
    return this.imageId;
  }

  get hasTriggers(): boolean {
    return (this.config.OnBuild ?? []).length > 0;
  }

  /** ONBUILD triggers of the base image run first, as moby does, and are not inherited; only the last image is printed. */
  async runTriggers(): Promise<void> {
    const triggers = this.config.OnBuild ?? [];
    if (this.config.OnBuild !== undefined) this.config.OnBuild = null;
    if (triggers.length === 0) return;
    this.write(`# Executing ${triggers.length} build trigger${triggers.length === 1 ? '' : 's'}`);
    this.write('\n');
    this.inTriggers = true;
    try {
      for (const trigger of triggers) await this.dispatch(parseTrigger(trigger, this.scope.escape));
    } finally {
      this.inTriggers = false;
    }
    this.write(` ---> ${this.imageId === null ? '' : shortId(this.imageId)}\n`);
  }

  async dispatch(command: Command): Promise<void> {
    switch (command.kind) {
      case 'RUN':
        return this.run(command);
      case 'COPY':
      case 'ADD':
        return this.copy(command);
      case 'WORKDIR':
        return this.workdir(this.word(command.path));
      case 'ENV': {
        const pairs = command.pairs.map(({ key, value }) => [this.word(key), this.word(value)] as const);
        if (pairs.some(([key]) => key === '')) throw new InvalidArgumentError('ENV names can not be blank');
        this.config.Env = withEnv(this.config.Env, pairs);
        return this.commitConfig(`ENV ${pairs.map(([k, v]) => `${k}=${v}`).join(' ')}`);
      }
      case 'LABEL': {
        const pairs = command.pairs.map(({ key, value }) => [this.word(key), this.word(value)] as const);
        this.config.Labels = { ...(this.config.Labels ?? {}), ...Object.fromEntries(pairs) };
        return this.commitConfig(`LABEL ${pairs.map(([k, v]) => `${k}=${v}`).join(' ')}`);
      }
      case 'ARG':
        return this.arg(command.args);
      case 'CMD':
        this.config.Cmd = this.commandLine(command);
        this.cmdSet = true;
        return this.commitConfig(`CMD ${goQuotedList(this.config.Cmd)}`);
      case 'ENTRYPOINT':
        this.config.Entrypoint = this.commandLine(command);
        if (!this.cmdSet) this.config.Cmd = null;
        return this.commitConfig(`ENTRYPOINT ${goQuotedList(this.config.Entrypoint)}`);
      case 'SHELL':
        this.config.Shell = command.shell;
        return this.commitConfig(`SHELL [${command.shell.join(' ')}]`);
      case 'EXPOSE': {
        const ports = command.ports.flatMap((port) => this.scope.lex.processWords(port, this.env()));
        this.config.ExposedPorts = { ...(this.config.ExposedPorts ?? {}) };
        for (const port of ports) for (const key of exposedPortKeys(port)) this.config.ExposedPorts[key] = {};
        return this.commitConfig(`EXPOSE ${ports.join(' ')}`);
      }
      case 'VOLUME': {
        const volumes = command.volumes.map((volume) => this.word(volume));
        if (volumes.some((volume) => volume.trim() === '')) throw new InvalidArgumentError('VOLUME specified can not be an empty string');
        this.config.Volumes = { ...(this.config.Volumes ?? {}), ...Object.fromEntries(volumes.map((volume) => [volume, {}])) };
        return this.commitConfig(`VOLUME [${volumes.join(' ')}]`);
      }
      case 'USER':
        this.config.User = this.word(command.user);
        return this.commitConfig(`USER ${this.config.User}`);
      case 'STOPSIGNAL':
        this.config.StopSignal = this.word(command.signal);
        return this.commitConfig(`STOPSIGNAL ${this.config.StopSignal}`);
      case 'HEALTHCHECK':
        return this.healthcheck(command);
      case 'ONBUILD':
        this.config.OnBuild = [...(this.config.OnBuild ?? []), command.expression];
        return this.commitConfig(`ONBUILD ${command.expression}`);
      case 'MAINTAINER':
        this.author = this.word(command.maintainer);
        return this.commitConfig(`MAINTAINER ${this.author}`);
    }
  }

  /** What words expand with: the stage's ARGs, overridden by its ENV (moby's order). */
  private env(): Map<string, string> {
    const env = definedOnly(this.declared);
    for (const [key, value] of envMap(this.config.Env)) env.set(key, value);
    return env;
  }

  private word(word: string): string {
    return this.scope.lex.processWord(word, this.env());
  }

  private write(text: string): void {
    this.scope.output.write(text);
  }

  private commandLine(command: Extract<Command, { kind: 'CMD' | 'ENTRYPOINT' | 'RUN' }>): string[] {
    return command.prependShell ? [...shellOf(this.config), command.args[0] ?? ''] : [...command.args];
  }

  private async arg(args: { key: string; value?: string }[]): Promise<void> {
    const written: string[] = [];
    for (const { key, value } of args) {
      const expanded = value === undefined ? undefined : this.word(value);
      this.declared.set(key, this.scope.args.resolve(key, expanded));
      written.push(expanded === undefined ? key : `${key}=${expanded}`);
    }
    await this.commitConfig(`ARG ${written.join(' ')}`);
  }

  private async healthcheck(command: Extract<Command, { kind: 'HEALTHCHECK' }>): Promise<void> {
    if (command.none) {
      this.config.Healthcheck = { Test: ['NONE'] };
    } else {
      const test = command.test.prependShell ? ['CMD-SHELL', command.test.args[0] ?? ''] : ['CMD', ...command.test.args];
      const { interval, timeout, startPeriod, startInterval, retries } = command.options;
      this.config.Healthcheck = {
        Test: test,
        ...(interval !== 0 ? { Interval: interval } : {}),
        ...(timeout !== 0 ? { Timeout: timeout } : {}),
        ...(startPeriod !== 0 ? { StartPeriod: startPeriod } : {}),
        ...(startInterval !== 0 ? { StartInterval: startInterval } : {}),
        ...(retries !== 0 ? { Retries: retries } : {}),
      };
    }
    const h = this.config.Healthcheck;
    const durations = [h.Interval, h.Timeout, h.StartPeriod].map((ns) => JSON.stringify(formatGoDuration(ns ?? 0)));
    await this.commitConfig(`HEALTHCHECK &{${goQuotedList(h.Test ?? [])} ${durations.join(' ')} '\\x${(h.Retries ?? 0).toString(16).padStart(2, '0')}'}`);
  }

  /** A config-only step: an image without a new layer (moby's `#(nop)` history line). */
  private async commitConfig(comment: string): Promise<void> {
    const createdBy = `${shellOf(this.config).join(' ')} #(nop)  ${comment}`;
    await this.step({ createdBy }, (cacheKey) =>
      this.scope.backend.createImage(this.imageId, { runConfig: this.config, history: { created_by: createdBy }, cacheKey, ...this.authorField() }),
    );
  }

  private authorField(): { author?: string } {
    return this.author === undefined ? {} : { author: this.author };
  }

  /** Finds the step in the cache or makes it; either way the stage moves to its image. */
  private async step(identity: { createdBy: string; checksum?: string }, make: (cacheKey: string) => Promise<string>): Promise<void> {
    const key = stepKey({ parent: this.imageId, config: this.config, ...identity, ...this.authorField() });
    const cached = this.scope.request.noCache ? undefined : this.scope.backend.cached(key);
    if (cached !== undefined) {
      if (!this.inTriggers) this.write(' ---> Using cache\n');
      this.imageId = cached;
    } else {
      this.imageId = await make(key);
    }
    if (!this.inTriggers) this.write(` ---> ${shortId(this.imageId)}\n`);
  }

  /**
   * A step container for `use`. `--rm` (the default) or `--force-rm` removes it afterwards, also after a
   * failure (Docker keeps a failed step's container unless `--force-rm`); `--rm=false` keeps it.
   */
  private async inContainer(
    spec: Omit<StepContainerSpec, 'image' | 'removed'>,
    use: (container: StepContainer) => Promise<string>,
    options: { quiet?: boolean } = {},
  ): Promise<string> {
    const removed = this.scope.request.remove || this.scope.request.forceRemove;
    const container = await this.scope.backend.createContainer({ image: this.imageId, ...spec, removed });
    // COPY and ADD name no container, as moby's.
    if (options.quiet !== true) this.write(` ---> Running in ${shortId(container.id)}\n`);
    try {
      return await use(container);
    } finally {
      if (removed) {
        await container.remove();
        if (options.quiet !== true) this.write(`Removing intermediate container ${shortId(container.id)}\n`);
      }
    }
  }

  private async run(command: Extract<Command, { kind: 'RUN' }>): Promise<void> {
    const argv = this.runArgv(command);
    // The build args the command sees: declared ones ENV does not override; proxies too, but never in the history.
    const env = envMap(this.config.Env);
    const buildArgs = [...definedOnly(this.declared)].filter(([key]) => !env.has(key)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const proxies = [...this.scope.args.proxies()].filter(([key]) => !env.has(key) && !this.declared.has(key));
    const createdBy = buildArgs.length > 0 ? `|${buildArgs.length} ${buildArgs.map(([k, v]) => `${k}=${v}`).join(' ')} ${argv.join(' ')}` : argv.join(' ');
    await this.step({ createdBy }, (cacheKey) =>
      this.inContainer(
        {
          config: { ...this.config, Cmd: argv, Entrypoint: null, Env: withEnv(this.config.Env, [...buildArgs, ...proxies]) },
          networkMode: this.scope.request.networkMode,
          imageVolumes: true,
        },
        async (container) => {
          // The classic builder shows a step's stderr in red.
          const code = await container.run(this.outputStream(), this.outputStream('\u001b[91m', '\u001b[0m'), this.scope.signal);
          if (code !== 0) throw new BuildStepError(`The command '${argv.join(' ')}' returned a non-zero code: ${code}`, code);
          return container.commit({ runConfig: this.config, history: { created_by: createdBy }, cacheKey, ...this.authorField() });
        },
      ),
    );
  }

  /** RUN's argv; a heredoc that is the whole shell-form command runs as the shell's script. */
  private runArgv(command: Extract<Command, { kind: 'RUN' }>): string[] {
    if (command.heredocs.length === 0) return this.commandLine(command);
    const [heredoc] = command.heredocs;
    if (command.heredocs.length > 1 || !command.prependShell || !/^<<-?["']?\w+["']?\s*$/.test((command.args[0] ?? '').trim()) || heredoc === undefined) {
      throw new InvalidArgumentError(`line ${command.line}: RUN supports one here-document as the whole command only`);
    }
    return [...shellOf(this.config), this.heredocText(heredoc)];
  }

  private heredocText(heredoc: Heredoc): string {
    return heredoc.expand ? this.word(heredoc.content) : heredoc.content;
  }

  private outputStream(before = '', after = ''): Writable {
    return new Writable({
      write: (chunk: Buffer, _encoding, done) => {
        this.write(`${before}${chunk.toString('utf8')}${after}`);
        done();
      },
    });
  }

  private async copy(command: Extract<Command, { kind: 'COPY' | 'ADD' }>): Promise<void> {
    const flag = (name: string): string | undefined => {
      const value = command.flags[name];
      return typeof value === 'string' ? this.word(value) : undefined;
    };
    const writtenDest = this.word(command.dest);
    const dest = this.destination(writtenDest);
    const from = flag('from');
    const source = from === undefined ? undefined : await this.sourceContainer(from);
    try {
      const prepared = await prepareCopy(this.scope.context, {
        kind: command.kind,
        sources: command.sources.map((s) => this.word(s)),
        dest,
        heredocs: command.heredocs.map((heredoc) => ({ ...heredoc, content: this.heredocText(heredoc) })),
        ...(flag('chown') !== undefined ? { chown: flag('chown') } : {}),
        ...(flag('chmod') !== undefined ? { chmod: flag('chmod') } : {}),
        ...(source !== undefined ? { from: source } : {}),
      });
      // moby's wording, flags glued to the checksum and the destination as written.
      const flagText = ['chown', 'chmod'].map((name) => (flag(name) === undefined ? '' : `--${name}=${flag(name)}`)).join('');
      const comment = `${command.kind} ${flagText}${prepared.description} in ${writtenDest} `;
      const createdBy = `${shellOf(this.config).join(' ')} #(nop) ${comment}`;
      await this.step({ createdBy, checksum: prepared.checksum }, (cacheKey) =>
        this.inContainer({ config: { ...this.config, Cmd: [...shellOf(this.config), `#(nop) ${comment}`] }, networkMode: 'none', imageVolumes: false }, async (container) => {
          await prepared.apply(container);
          return container.commit({ runConfig: this.config, history: { created_by: createdBy }, cacheKey, ...this.authorField() });
        }, { quiet: true }),
      );
    } finally {
      await source?.remove();
    }
  }

  /** COPY's destination made absolute against WORKDIR; a trailing `/` (or `.`) still marks a directory. */
  private destination(dest: string): string {
    const isDir = dest.endsWith('/') || dest === '.' || dest.endsWith('/.');
    const absolute = posix.resolve(this.config.WorkingDir || '/', dest);
    return isDir && absolute !== '/' ? `${absolute}/` : absolute;
  }

  /** COPY --from: an earlier stage's image, or any image (pulled when missing), read through a container. */
  private async sourceContainer(from: string): Promise<StepContainer> {
    const stage = this.scope.stageImage(from);
    const image =
      stage !== undefined
        ? stage
        : (await this.scope.backend.baseImage(from, { pull: false, progress: (message) => this.scope.output.progress(message), signal: this.scope.signal })).id;
    // Never started: the command only satisfies container creation.
    return this.scope.backend.createContainer({ image, config: { Cmd: [`#(nop) COPY --from=${from}`] }, networkMode: 'none', imageVolumes: false, removed: true });
  }

  private async workdir(path: string): Promise<void> {
    const dir = posix.resolve(this.config.WorkingDir || '/', path);
    this.config.WorkingDir = dir;
    const comment = `WORKDIR ${dir}`;
    const createdBy = `${shellOf(this.config).join(' ')} #(nop) ${comment}`;
    await this.step({ createdBy }, (cacheKey) =>
      this.inContainer({ config: { ...this.config, Cmd: [...shellOf(this.config), `#(nop) ${comment}`] }, networkMode: 'none', imageVolumes: false }, async (container) => {
        const missing: string[] = [];
        for (let at = dir; at !== '/' && (await container.stat(at)) === undefined; at = posix.dirname(at)) missing.unshift(at);
        if (missing.length > 0) await container.put('/', directoriesTar(missing));
        return container.commit({ runConfig: this.config, history: { created_by: createdBy }, cacheKey, ...this.authorField() });
      }),
    );
  }
}
