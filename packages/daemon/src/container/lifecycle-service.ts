import {
  ConflictError,
  ForbiddenError,
  InvalidArgumentError,
  NotFoundError,
  type ContainerCreateRequest,
  type ContainerCreateResponse,
  type ContainerUpdateRequest,
  type ContainerUpdateResponse,
  type ContainerWaitResponse,
  type EndpointRequest,
  type HostConfig,
  type WaitCondition,
} from '@berth/api';
import { formatPlatform, parsePlatform, platformMatches } from '@berth/oci';
import type { ContainerCgroups, ContainerHost, ContainerMounts, ImageResolver, NetworkService } from '../ports.js';
import type { ContainerCore } from './container-core.js';
import { defaultHostname, mergeCreateConfig } from './create-config.js';
import { withHostConfigDefaults } from './host-config-defaults.js';
import { generateContainerId, generateContainerName, normalizeContainerName } from './ids.js';
import { parseLink, storedLink } from './links.js';
import { logSettings } from './log-config.js';
import { checkUserNamespaceConflicts } from './namespace-modes.js';
import type { ContainerRecord } from './record.js';
import type { ContainerRemoval } from './removal.js';
import { renameContainer } from './rename.js';
import { initialRunState, markPaused, markUnpaused } from './state.js';
import type { TaskSupervisor } from './task-supervisor.js';
import type { Transition } from './transitions.js';
import type { ContainerTermination } from './termination.js';
import { refuseUnsupportedSettings } from './unsupported-settings.js';
import { updateContainer } from './update.js';
import { traceStep } from '../util/step-trace.js';
import { checkRuntimeName, validateHostConfig } from './validate-host-config.js';

export interface CreateOptions {
  name?: string;
  /** `docker create --platform`. */
  platform?: string;
  /** No anonymous volumes for the image's VOLUMEs: a build step writing files into the image's own tree (COPY, WORKDIR). */
  withoutImageVolumes?: boolean;
  /** The container is removed once its files are taken (a build's step container): see ContainerRecord.throwawayRoot. */
  throwawayRoot?: boolean;
}

/** A container's life as the API drives it: every state change a user asks for. */
export interface ContainerLifecycle {
  /** `platform` (`docker create --platform`, `os[/arch[/variant]]`) must be one the image serves, as moby's image lookup requires. */
  create(request: ContainerCreateRequest, options?: CreateOptions): Promise<ContainerCreateResponse>;
  start(ref: string): Promise<void>;
  stop(ref: string, timeoutSeconds?: number, signal?: string): Promise<void>;
  kill(ref: string, signal?: string): Promise<void>;
  restart(ref: string, timeoutSeconds?: number, signal?: string): Promise<void>;
  pause(ref: string): Promise<void>;
  unpause(ref: string): Promise<void>;
  rename(ref: string, newName: string): Promise<void>;
  update(ref: string, update: ContainerUpdateRequest): Promise<ContainerUpdateResponse>;
  remove(ref: string, options?: { force?: boolean; volumes?: boolean }): Promise<void>;
  /**
   * Records a stopped container as being removed (moby's Dead) ahead of the `remove` its owner makes next: it can no
   * longer be started or written into, and a restart of the daemon finishes its removal. False when it could not be
   * recorded (it is then as it was).
   */
  markForRemoval(ref: string, options?: { volumes?: boolean }): Promise<boolean>;
  /** `docker rm --link /parent/alias`: the parent forgets that link; a container's own name is refused, as moby does. */
  removeLink(ref: string): Promise<void>;
  /** `network connect`: recorded for the next start, and set up at once in a running container. */
  connectNetwork(ref: string, network: string, settings: EndpointRequest | null | undefined): Promise<void>;
  /** `network disconnect`: `force` (swarm's) changes nothing here. */
  disconnectNetwork(ref: string, network: string): Promise<void>;
  /**
   * Blocks until the condition holds. Registration is synchronous, so a caller that sends response
   * headers after calling this cannot miss an exit that happens later. Aborting `signal` (the client
   * left) drops the wait and rejects with the signal's reason.
   */
  wait(ref: string, condition?: WaitCondition, signal?: AbortSignal): Promise<ContainerWaitResponse>;
  /** The container's id once its state allows the transition; moby's refusal otherwise (exec checks this first). */
  assertCan(ref: string, transition: Transition): string;
}

export interface LifecycleServiceOptions {
  images: ImageResolver;
  mounts: ContainerMounts;
  cgroups: ContainerCgroups;
  host: Pick<ContainerHost, 'securityModules'>;
  network: NetworkService;
  tasks: TaskSupervisor;
  termination: ContainerTermination;
  removal: ContainerRemoval;
  initPath?: string;
}

export class LifecycleService implements ContainerLifecycle {
  /** Generated names of creates under way (see generatedName). */
  private readonly namesInFlight = new Set<string>();

  constructor(
    private readonly core: ContainerCore,
    private readonly o: LifecycleServiceOptions,
  ) {}

  async create(request: ContainerCreateRequest, options: CreateOptions = {}): Promise<ContainerCreateResponse> {
    const { core } = this;
    const platform = options.platform ? parsePlatform(options.platform) : undefined;
    if (!request.Image) throw new InvalidArgumentError('config cannot be empty in order to create a container');
    const image = this.o.images.resolve(request.Image);
    if (platform && !platformMatches(platform, image.config)) {
      const wanted = formatPlatform(platform);
      throw new NotFoundError(`image with reference ${request.Image} was found but its platform (${formatPlatform(image.config)}) does not match the specified platform (${wanted})`);
    }
    const merged = mergeCreateConfig(request, request.Image, image.config.config);
    refuseUnsupportedSettings(merged.hostConfig);
    checkRuntimeName(merged.hostConfig, core.runtime.name);
    logSettings(merged.hostConfig.LogConfig);
    const { endpoints, warnings } = this.o.network.plan(merged.hostConfig, request.NetworkingConfig);
    const id = generateContainerId();
    const name = options.name ? normalizeContainerName(options.name) : this.generatedName();
    try {
      merged.hostConfig.Links = this.checkLinks(merged.hostConfig, name);
      const record: ContainerRecord = {
        id,
        name,
        created: new Date().toISOString(),
        imageRef: request.Image,
        imageId: image.id,
        imageChainId: image.chainId,
        path: merged.path,
        args: merged.args,
        config: { ...merged.config, Hostname: merged.config.Hostname || defaultHostname(id, merged.hostConfig) },
        hostConfig: withHostConfigDefaults(merged.hostConfig),
        state: initialRunState(),
        restartCount: 0,
        manuallyStopped: false,
        endpoints,
        ...(options.throwawayRoot ? { throwawayRoot: true } : {}),
      };
      validateHostConfig(record, { initPath: this.o.initPath, securityModules: this.o.host.securityModules });
      checkUserNamespaceConflicts(record.hostConfig, core.remapped);
      // The container's dir comes first: it lists the anonymous volumes being made until the record exists.
      await core.store.reserve(id);
      const anonymous: string[] = [];
      record.mounts = await this.o.mounts
        .plan({
          containerId: id,
          hostConfig: record.hostConfig,
          volumes: options.withoutImageVolumes ? (request.Volumes ?? {}) : (record.config.Volumes ?? {}),
          lookup: (ref) => core.store.get(ref),
          beforeAnonymous: (name) => {
            anonymous.push(name);
            return core.store.notePendingVolumes(id, anonymous);
          },
        })
        .catch(async (err: unknown) => {
          await core.store.unreserve(id);
          throw err;
        });
      await core.store.add(record).catch(async (err: unknown) => {
        await this.o.mounts.release(record, true);
        // A refused name leaves the reserved dir (and its list of volumes, released above) behind otherwise.
        await core.store.unreserve(id);
        throw err;
      });
      traceStep(id, 'create: record stored');
      core.events.container('create', record);
      return { Id: id, Warnings: warnings };
    } finally {
      if (!options.name) this.namesInFlight.delete(name);
    }
  }

  /**
   * A free generated name, held until its create ends: a name is claimed only when the record is
   * stored, so two creates under way at once could otherwise both pick it and one fail with a 409.
   */
  private generatedName(): string {
    const name = generateContainerName((n) => this.core.store.isNameTaken(n) || this.namesInFlight.has(n));
    this.namesInFlight.add(name);
    return name;
  }

  /** moby's registerLinks on the default bridge: each linked container exists, neither side uses the host's network; stored as `/child:/parent/alias`. */
  private checkLinks(hc: HostConfig, parent: string): string[] | null {
    const links = (hc.Links ?? []).map(parseLink);
    if (links.length === 0) return hc.Links ?? null;
    // On a user-defined network links are names the container may get later, as moby has them.
    const mode = hc.NetworkMode || 'default';
    if (mode !== 'default' && mode !== 'bridge' && mode !== 'host') return hc.Links ?? null;
    if (hc.NetworkMode === 'host') throw new InvalidArgumentError("conflicting options: host type networking can't be used with links. This would result in undefined behavior");
    for (const link of links) {
      const child = this.core.store.find(link.child);
      if (!child) throw new InvalidArgumentError(`could not get container for ${link.child}`);
      if (child.hostConfig.NetworkMode === 'host') throw new InvalidArgumentError("conflicting options: host type networking can't be used with links. This would result in undefined behavior");
    }
    return links.map((link) => storedLink(link, parent));
  }

  start(ref: string): Promise<void> {
    const { core } = this;
    const c = core.store.get(ref);
    return core.lock.run(c.id, async () => {
      core.assert('start', c);
      // A user's start begins a new life for the restart policy (moby's ResetRestartManager(true)).
      c.restartCount = 0;
      core.restarts.forget(c.id);
      await this.o.tasks.start(c);
    });
  }

  stop(ref: string, timeoutSeconds?: number, signal?: string): Promise<void> {
    return this.o.termination.stop(ref, timeoutSeconds, signal);
  }

  kill(ref: string, signal?: string): Promise<void> {
    return this.o.termination.kill(ref, signal);
  }

  async restart(ref: string, timeoutSeconds?: number, signal?: string): Promise<void> {
    const c = this.core.store.get(ref);
    if (this.core.can('stop', c)) await this.stop(c.id, timeoutSeconds, signal);
    await this.start(c.id);
    this.core.events.container('restart', c);
  }

  pause(ref: string): Promise<void> {
    const { core } = this;
    const c = core.store.get(ref);
    return core.lock.run(c.id, async () => {
      core.assert('pause', c);
      await core.runtime.pause(c.id);
      c.state = markPaused(c.state);
      this.o.tasks.health.stop(c.id);
      await core.store.save(c);
      core.events.container('pause', c);
    });
  }

  unpause(ref: string): Promise<void> {
    const { core } = this;
    const c = core.store.get(ref);
    return core.lock.run(c.id, async () => {
      core.assert('unpause', c);
      await core.runtime.resume(c.id);
      c.state = markUnpaused(c.state);
      this.o.tasks.health.start(c, { reset: false });
      await core.store.save(c);
      core.events.container('unpause', c);
    });
  }

  async rename(ref: string, newName: string): Promise<void> {
    const c = this.core.store.get(ref);
    const oldName = await renameContainer(this.core.store, c, newName);
    this.core.events.container('rename', c, { oldName });
  }

  update(ref: string, update: ContainerUpdateRequest): Promise<ContainerUpdateResponse> {
    const { core } = this;
    const c = core.store.get(ref);
    return core.lock.run(c.id, async () => {
      await updateContainer(c, update, {
        securityModules: this.o.host.securityModules,
        apply: (resources) => this.o.cgroups.applyResources(c.id, resources),
        save: (r) => core.store.save(r),
      });
      // An update has no warnings to give here; dockerd's list is then null.
      return { Warnings: null };
    });
  }

  remove(ref: string, options: { force?: boolean; volumes?: boolean } = {}): Promise<void> {
    return this.o.removal.remove(ref, options);
  }

  markForRemoval(ref: string, options: { volumes?: boolean } = {}): Promise<boolean> {
    return this.o.removal.markStoppedForRemoval(ref, options.volumes ?? false);
  }

  removeLink(ref: string): Promise<void> {
    const { core } = this;
    const [, parentName, alias, ...rest] = ref.split('/');
    const parent = ref.startsWith('/') && rest.length === 0 && alias ? core.store.find(parentName!) : undefined;
    const linked = parent?.hostConfig.Links?.find((text) => parseLink(text).alias === alias);
    if (!parent || !linked) {
      core.store.get(ref);
      throw new ConflictError('Conflict, cannot remove the default link name of the container');
    }
    return core.lock.run(parent.id, async () => {
      parent.hostConfig = { ...parent.hostConfig, Links: (parent.hostConfig.Links ?? []).filter((text) => text !== linked) };
      await core.store.save(parent);
    });
  }

  connectNetwork(ref: string, networkRef: string, settings: EndpointRequest | null | undefined): Promise<void> {
    const { core } = this;
    const c = core.store.get(ref);
    const name = this.o.network.resolveName(networkRef);
    return core.lock.run(c.id, async () => {
      const mode = c.hostConfig.NetworkMode || 'default';
      if (mode === 'host' || mode.startsWith('container:')) {
        throw new InvalidArgumentError('container sharing network namespace with another container or host cannot be connected to any other network');
      }
      if (mode === 'none') throw new InvalidArgumentError('container cannot be connected to multiple networks with one of the networks in private (none) mode');
      const endpoints = { ...(c.endpoints ?? {}) };
      if (endpoints[name]) throw new ForbiddenError(`endpoint with name ${c.name.slice(1)} already exists in network ${name}`);
      endpoints[name] = this.o.network.plan({ NetworkMode: name }, { EndpointsConfig: { [name]: settings ?? null } }).endpoints[name]!;
      if (c.state.running) await this.o.network.connectRunning(c, name, endpoints[name]!);
      c.endpoints = endpoints;
      await core.store.save(c);
    });
  }

  disconnectNetwork(ref: string, networkRef: string): Promise<void> {
    const { core } = this;
    const c = core.store.get(ref);
    const name = this.o.network.resolveName(networkRef);
    return core.lock.run(c.id, async () => {
      if (name === 'host') throw new InvalidArgumentError('container cannot be disconnected from host network or connected to host network');
      if (!c.endpoints?.[name]) throw new InvalidArgumentError(`container ${c.id} is not connected to the network ${name}`);
      if (c.state.running) await this.o.network.disconnectRunning(c, name);
      const { [name]: _gone, ...rest } = c.endpoints;
      c.endpoints = rest;
      await core.store.save(c);
    });
  }

  assertCan(ref: string, transition: Transition): string {
    const c = this.core.store.get(ref);
    this.core.assert(transition, c);
    return c.id;
  }

  wait(ref: string, condition: WaitCondition = 'not-running', signal?: AbortSignal): Promise<ContainerWaitResponse> {
    const c = this.core.store.get(ref);
    if (condition === 'not-running' && !c.state.running) return Promise.resolve({ StatusCode: c.state.exitCode, Error: null });
    return this.core.waiters.add(c.id, condition, signal);
  }
}
