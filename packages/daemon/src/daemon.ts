import type { Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { Stats } from 'node:fs';
import { chmod, chown, mkdir, readFile, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { InvalidArgumentError, NotFoundError, UnavailableError } from '@berth/api';
import { LayerSources } from '@berth/distribution';
import { ImageStore } from '@berth/image';
import { IdmappedLayers, LayerStore, rootPairOf, ShiftedLayers, writeFileAtomic, type IdMappings, type Owner, type RemappedLayers } from '@berth/layer';
import { VolumeStore } from '@berth/volume';
import { hostInterfaces, hostPortProbe, hostRoutes, namespaceFiles, netavarkDriver, NetworkManager } from '@berth/network';
import { ContainerStore } from './adapters/container-store.js';
import { createContainerServices } from './container/container-services.js';
import { bundleDirIn } from './container/task-paths.js';
import { VolumeMounts } from './adapters/volume-mounts.js';
import { EventLog } from './events/event-log.js';
import { engineEvents } from './events/engine-events.js';
import { ExecService } from './exec/exec-service.js';
import { ArchiveService } from './archive/archive.js';
import { BuildService } from './build/build-service.js';
import { keptContextsDir, removeSetAsideContexts, setAsideKeptContexts } from './build/kept-contexts.js';
import { imageCreation } from './image/image-creation.js';
import { RegistryHosts } from './image/registry-hosts.js';
import { RegistryService } from './image/registry-service.js';
import { ImageStoreService } from './image/image-service.js';
import { VolumeStoreService } from './volume/volume-service.js';
import { createCgroupfsAdapter } from './adapters/cgroupfs.js';
import { createContainerHost } from './adapters/host-files.js';
import { hostFacts } from './adapters/host-facts.js';
import { containerNetworks } from './adapters/container-networks.js';
import { NetworkApi } from './network/network-api.js';
import { layerRootfs } from './adapters/layer-rootfs.js';
import { loadRemappedRoot, ROOT_REMAP_WARNING } from './adapters/remapped-root.js';
import { DiskUsageService } from './system/disk-usage.js';
import { SystemInfoService } from './system/system-info.js';
import { checkRuntimeFixes, createContainerLogs, createMonitorReaper, createRuntimeDriver, installRuntime, readProcStat, selectRuntime, tasksOfOtherRuntime, type RuntimeName } from './runtime/index.js';
import { DEFAULT_SOCKET_GROUP, parseListenAddress, type DaemonConfig } from './config.js';
import { createServer } from './server/create-server.js';
import { createListener } from './server/listener.js';
import { IdleMemoryRelease, watchActivity } from './idle-memory.js';
import { releaseFreedMemory } from './adapters/process-memory.js';
import { isUpgradeRequest } from './server/upgrade-route.js';
import { listenOnTcp, tcpTls } from './server/tcp-listener.js';
import { listenOnUnixSocket } from './server/unix-listener.js';
import { socketGroupId } from './socket-group.js';
import { authorizationPlugins } from './authz/plugins.js';
import type { Engine } from './server/engine.js';

export interface RunningDaemon {
  engine: Engine;
  app: FastifyInstance;
  /** Stops serving; containers keep running (live restore). */
  close(): Promise<void>;
}

async function readOrCreateEngineId(dataRoot: string): Promise<string> {
  const path = join(dataRoot, 'engine-id');
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch {
    const id = randomUUID();
    await writeFileAtomic(path, id, 0o600);
    return id;
  }
}

/** True when `pid` is a live (not zombie) berthd, so a pid file left by a crash is not mistaken for one. */
async function isLiveBerthd(pid: number): Promise<boolean> {
  const [state = ''] = await readProcStat(pid).catch(() => []);
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  return state !== '' && state !== 'Z' && cmdline.includes('berthd');
}

/** Refuses to start beside a live daemon on the same exec root; a stale pid file is taken over. */
async function claimPidFile(path: string): Promise<void> {
  const pid = Number((await readFile(path, 'utf8').catch(() => '')).trim());
  if (pid && pid !== process.pid && (await isLiveBerthd(pid))) {
    throw new UnavailableError(`pid file found, ensure berthd is not running or delete ${path}`);
  }
  await writeFileAtomic(path, String(process.pid), 0o644);
}

/**
 * Refuses a runtime other than the one the running containers were started with: it could not exec into,
 * stop or remove them (the runtime is the daemon's, not recorded per container).
 */
async function refuseTasksOfOtherRuntime(stateRoot: string, runtime: RuntimeName, store: ContainerStore): Promise<void> {
  const foreign = await tasksOfOtherRuntime(stateRoot, runtime);
  if (foreign.length === 0) return;
  const needed = foreign[0]!.runtime;
  const names = foreign.map((task) => store.find(task.id)?.name.replace(/^\//, '') ?? task.id);
  throw new UnavailableError(
    `cannot use --runtime ${runtime}: containers ${names.join(', ')} were started with ${needed}, which alone can stop or remove them: start berthd with --runtime ${needed}`,
  );
}

/** An image's config labels for its events; none once it is gone (a `delete`). */
function imageLabels(images: ImageStore, id: string): Record<string, string> | undefined {
  try {
    return images.resolve(id).config.config?.Labels;
  } catch (err) {
    if (err instanceof NotFoundError) return undefined;
    throw err;
  }
}

/** Debian's netavark and aardvark-dns (packages netavark, aardvark-dns) live with podman's helpers. */
const NETAVARK = '/usr/lib/podman/netavark';
const AARDVARK_DNS = '/usr/lib/podman/aardvark-dns';

/** Whether the remapped root may search `dir`: others, or its owner or group, have x (dockerd's canAccess). */
function letsThrough(dir: Stats, rootPair: Owner): boolean {
  return (dir.mode & 0o001) !== 0 || (dir.uid === rootPair.uid && (dir.mode & 0o100) !== 0) || (dir.gid === rootPair.gid && (dir.mode & 0o010) !== 0);
}

/**
 * dockerd's check of a remapped data root: each directory above it but `/` must let the remapped root
 * through, or its containers could not reach their layers. The message names the remapped data root, as dockerd's.
 */
async function checkTraversable(remappedRoot: string, rootPair: Owner): Promise<void> {
  for (let dir = dirname(resolve(remappedRoot)); dir !== dirname(dir); dir = dirname(dir)) {
    const stats = await stat(dir).catch(() => undefined);
    if (stats === undefined || !letsThrough(stats, rootPair)) {
      throw new InvalidArgumentError(
        `a subdirectory in your graphroot path (${remappedRoot}) restricts access to the remapped root uid/gid; please fix by allowing 'o+x' permissions on existing directories`,
      );
    }
  }
}

interface RemappedRoot {
  dataRoot: string;
  layers: RemappedLayers;
  /** Whether the layers are chowned copies (no idmapped mounts here). */
  copiedLayers: boolean;
  rootPair: Owner;
  close(): void;
}

/**
 * `--userns-remap`: the remap user's maps; its containers' layers, through idmapped mounts where the kernel
 * and the data root's filesystem have them (probed once), else as chowned copies; and the data root dockerd
 * uses for a remapped daemon, `<root>/<uid>.<gid>`, which the container root's group may traverse.
 */
async function openRemappedRoot(mappings: IdMappings, root: string): Promise<RemappedRoot> {
  const rootPair = rootPairOf(mappings);
  // As dockerd: the data root is made searchable by all (0711) rather than refused.
  await chmod(root, 0o711);
  const idmapped = await IdmappedLayers.open(mappings, root);
  const dataRoot = join(root, `${rootPair.uid}.${rootPair.gid}`);
  try {
    await mkdir(dataRoot, { recursive: true, mode: 0o710 });
    await chown(dataRoot, 0, rootPair.gid);
    await checkTraversable(dataRoot, rootPair);
    if (await idmapped.supportedUnder(dataRoot)) return { dataRoot, layers: idmapped, copiedLayers: false, rootPair, close: () => idmapped.close() };
  } catch (err) {
    idmapped.close();
    throw err;
  }
  idmapped.close();
  return { dataRoot, layers: new ShiftedLayers(mappings), copiedLayers: true, rootPair, close: () => undefined };
}

/** The composition root: opens the stores, wires the adapters, restores containers and listens. */
export async function startDaemon(config: DaemonConfig): Promise<RunningDaemon> {
  // Refusals come first, before anything on disk changes.
  // One lookup of the runtime binary: the one checked is the one that runs containers.
  const runtimeSelection = await selectRuntime(config.runtime);
  const runtimeWarnings = await checkRuntimeFixes({ runtime: runtimeSelection.name, path: runtimeSelection.binary, allowed: config.allowUnpatchedRuntime });
  // An engine told to authorize requests never serves one unasked: a plugin it cannot reach fails the start.
  const authorization = config.authorizationPlugins.length > 0 ? await authorizationPlugins(config.authorizationPlugins, config.pluginDirs) : undefined;
  const socketGid = socketGroupId(config.group, await readFile('/etc/group', 'utf8').catch(() => ''), config.group === DEFAULT_SOCKET_GROUP);
  // The remap user's refusals too (for `default`, the user and its ranges are made here, as dockerd does).
  const remapUser = config.usernsRemap === undefined ? undefined : await loadRemappedRoot(config.usernsRemap);
  const remapWarnings = config.usernsRemap !== undefined && remapUser === undefined ? [ROOT_REMAP_WARNING] : [];
  await mkdir(config.dataRoot, { recursive: true, mode: 0o711 });
  await mkdir(config.execRoot, { recursive: true, mode: 0o700 });
  const pidFile = join(config.execRoot, 'berthd.pid');
  await claimPidFile(pidFile);
  const runtimePath = await installRuntime(runtimeSelection, config.execRoot);
  const remap = remapUser === undefined ? undefined : await openRemappedRoot(remapUser.mappings, config.dataRoot);
  const dataRoot = remap?.dataRoot ?? config.dataRoot;

  const app = { log: undefined as unknown as FastifyInstance['log'] };
  // The logger exists once the server does; what the stores report while opening waits for it.
  const storeNotes: string[] = [];
  const eventLog = new EventLog();
  const events = engineEvents(eventLog, { imageLabels: (id) => imageLabels(images, id) });
  const layers = await LayerStore.open(join(dataRoot, 'layers'), { maxDecompressedBytes: config.maxLayerSize, log: (m) => storeNotes.push(m) });
  const images = await ImageStore.open(join(dataRoot, 'image'), layers, {
    log: (m) => storeNotes.push(m),
    layersInUse: () => containers.inspection.imageLayersInUse(),
    onEvent: (e) => events.image(e.action, e.id, e.name),
  });
  const store = await ContainerStore.open(join(dataRoot, 'containers'), (dir, err) => app.log?.warn(`skipping unreadable container ${dir}: ${String(err)}`), remap?.rootPair.gid);
  store.onDeletionFailed = (dir, err) => app.log?.warn(`deleting removed container's files ${dir} (left for the next start): ${String(err)}`);
  const volumes = await VolumeStore.open(join(dataRoot, 'volumes'), { onEvent: (e) => events.volume(e.action, e.name, { driver: e.driver }), dataOwner: remap?.rootPair });
  const mounts = new VolumeMounts(volumes, events);
  const runtimeStateRoot = join(config.execRoot, 'runtime');
  await refuseTasksOfOtherRuntime(runtimeStateRoot, runtimeSelection.name, store);
  await mounts.restore(store.all());
  // Made by creates the daemon died in: no container has them, none ever will.
  for (const name of store.abandonedVolumes) {
    await volumes.remove(name, { force: true }).catch((err: unknown) => storeNotes.push(`keeping volume ${name} of an unfinished create: ${String(err)}`));
  }
  const networkRun = join(config.execRoot, 'network');
  const networks = await NetworkManager.open({
    stateDir: join(dataRoot, 'network'),
    runDir: networkRun,
    driver: netavarkDriver({ binary: NETAVARK, aardvarkBinary: AARDVARK_DNS, ip: 'ip', configDir: join(networkRun, 'netavark') }),
    namespaces: namespaceFiles({ unshare: 'unshare', ip: 'ip', umount: 'umount' }),
    ports: hostPortProbe(),
    hostRoutes,
    interfaces: () => hostInterfaces(),
    addressPools: config.defaultAddressPools,
    ...(config.bridge === 'none' ? {} : { defaultBridge: { interfaceName: config.bridge, ...(config.bip ? { bip: config.bip } : {}) } }),
    iptables: config.iptables,
    onEvent: (e) => events.network(e.action, e.network, e.containerId),
    log: { warn: (m) => (app.log ? app.log.warn(m) : storeNotes.push(m)) },
  });
  const reaper = createMonitorReaper();
  const runtime = createRuntimeDriver({ runtime: runtimeSelection.name, runtimePath, stateRoot: runtimeStateRoot, reaper });
  const host = createContainerHost();
  const rootfs = layerRootfs(layers, remap?.layers);
  const containers = createContainerServices({
    store,
    images,
    rootfs,
    runtime,
    mounts,
    host,
    cgroups: createCgroupfsAdapter(),
    network: containerNetworks({ manager: networks, findContainer: (ref) => store.get(ref) }),
    logs: createContainerLogs(),
    events,
    execRoot: config.execRoot,
    remap: remap?.layers.mappings,
    initPath: config.initPath,
    // Called only once a container is removed, after `execs` exists.
    onRemoved: (id) => execs.forgetContainer(id),
    log: { warn: (m) => app.log?.warn(m), error: (m) => app.log?.error(m) },
  });
  const execs = new ExecService({
    lifecycle: containers.lifecycle,
    inspection: containers.inspection,
    host,
    runtime,
    bundleDirOf: (id) => bundleDirIn(store.dirOf(id)),
    events,
    log: { error: (m) => app.log?.error(m) },
  });
  const registryHosts = new RegistryHosts({
    insecureRegistries: config.insecureRegistries,
    registryMirrors: config.registryMirrors,
    registryMirrorsFor: config.registryMirrorsFor,
    certsDir: config.registryCertsDir,
  });
  const registries = new RegistryService({
    images,
    hosts: registryHosts,
    sources: await LayerSources.open(join(dataRoot, 'image', 'distribution', 'layer-sources.json')),
    log: { warn: (m) => app.log?.warn(m) },
    downloadDir: join(dataRoot, 'image', 'downloads'),
    maxConcurrentDownloads: config.maxConcurrentDownloads,
    maxConcurrentUploads: config.maxConcurrentUploads,
  });
  await registries.cleanDownloads();
  const archives = new ArchiveService({ store, rootfs, host, runtime, locks: containers.locks, log: { warn: (m) => app.log?.warn(m) }, remap: remap?.layers.mappings });
  const isImageInUse = (id: string): boolean => containers.inspection.usersOfImage(id).length > 0;
  const builds = new BuildService({
    steps: { lifecycle: containers.lifecycle, io: containers.io, inspection: containers.inspection, archives, images },
    images,
    registries,
    isInUse: isImageInUse,
    tmpDir: join(dataRoot, 'builder', 'tmp'),
    contextCacheDir: keptContextsDir(join(dataRoot, 'builder')),
  });
  // Contexts a crash left unpacked.
  await rm(join(dataRoot, 'builder', 'tmp'), { recursive: true, force: true });
  // The context kept for reuse: which files it holds is known only to the daemon that kept it. Moved aside now, deleted once listening.
  await setAsideKeptContexts(join(dataRoot, 'builder'));
  const engine: Engine = {
    lifecycle: containers.lifecycle,
    io: containers.io,
    inspection: containers.inspection,
    maintenance: containers.maintenance,
    events: eventLog,
    execs,
    archives,
    images: new ImageStoreService({ store: images, containers: containers.inspection, events }),
    imageCreation: imageCreation({ images, inspection: containers.inspection, lifecycle: containers.lifecycle, events }),
    registries,
    volumes: new VolumeStoreService({ store: volumes, events }),
    networks: new NetworkApi({ manager: networks, lifecycle: containers.lifecycle, events }),
    builds,
    diskUsage: new DiskUsageService({ images, containers: containers.inspection, volumes, buildCache: builds }),
    system: new SystemInfoService({ containers: containers.inspection, images, events: eventLog, dataRoot, runtime: runtimeSelection.name, id: await readOrCreateEngineId(dataRoot), warnings: runtimeWarnings.map((warning) => `WARNING: ${warning}`), host: hostFacts(), registries: registryHosts.info(), authorizationPlugins: authorization?.names, usernsRemap: remap !== undefined }),
  };
  const server = createServer(engine, { logLevel: config.logLevel, authorization });
  app.log = server.log;
  for (const warning of [...runtimeWarnings, ...registryHosts.warnings, ...remapWarnings]) app.log.warn(warning);
  if (remap) {
    const runAs = `--userns-remap: containers run as ${remap.rootPair.uid}:${remap.rootPair.gid}`;
    // The copies cost a layer's disk space again per mapping: worth a warning.
    if (remap.copiedLayers) app.log.warn(`${runAs}; layers copied and chowned (no idmapped mounts on this kernel or data root's filesystem)`);
    else app.log.info(`${runAs}; layers shown through idmapped mounts`);
  }
  if (config.group !== '' && socketGid === undefined) app.log.info(`group "${config.group}" does not exist: the API sockets are root's alone`);
  // Sandboxes whose container is gone or was never recorded running (a daemon that died before tearing
  // them down, or between setting one up and starting the task): before restore restarts any container.
  for (const id of networks.sandboxIds()) {
    if (!store.find(id)?.state.running) await networks.detach(id);
  }
  await containers.maintenance.restore();
  for (const note of [...storeNotes, ...(await images.check())]) app.log.warn(note);
  await server.ready();

  const listeners: Server[] = [];
  const addresses = config.hosts.map((host) => parseListenAddress(host, config.tls));
  const sockets = addresses.flatMap((address) => (address.kind === 'unix' ? [address.path] : []));
  const tls = addresses.some((address) => address.kind === 'tcp') && config.tls ? await tcpTls(config) : undefined;
  for (const address of addresses) {
    if (address.kind === 'unix') {
      const listener = createListener(server.server, isUpgradeRequest);
      await listenOnUnixSocket(listener, address.path, socketGid);
      listeners.push(listener);
      continue;
    }
    if (!config.tlsVerify) app.log.warn(`the API on tcp://${address.host}:${address.port} has no client verification (--insecure-tcp): anyone who can reach it is root on this host`);
    const listener = createListener(server.server, isUpgradeRequest, tls);
    await listenOnTcp(listener, address.host, address.port);
    listeners.push(listener);
  }
  // Start-up's freed memory, and each burst of requests', goes back to the system once the daemon is quiet.
  const idleMemory = new IdleMemoryRelease(releaseFreedMemory);
  watchActivity(server.server, idleMemory);
  idleMemory.touch();
  // After listening: deleting a big container dir a crash left half-removed must not delay the start.
  void store.emptyTrash().catch((err: unknown) => app.log.warn(`emptying the containers' trash: ${String(err)}`));
  void removeSetAsideContexts(join(dataRoot, 'builder')).catch((err: unknown) => app.log.warn(`removing the kept build contexts: ${String(err)}`));

  return {
    engine,
    app: server,
    async close() {
      // Builds first: each removes its step container as it stops.
      await builds.close();
      idleMemory.close();
      containers.shutdown();
      reaper.close();
      await Promise.all(
        listeners.map(
          (l) =>
            new Promise<void>((resolve) => {
              l.close(() => resolve());
              l.closeAllConnections();
            }),
        ),
      );
      await networks.close();
      // A removal's files are deleted after it answered: a stop lets them go, leaving the trash empty.
      await store.deletionsDone();
      await Promise.all(sockets.map((p) => rm(p, { force: true })));
      remap?.close();
      await rm(pidFile, { force: true });
    },
  };
}
