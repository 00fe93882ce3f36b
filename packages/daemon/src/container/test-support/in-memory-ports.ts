import { ConflictError, NotFoundError } from '@berth/api';
import type { RuntimeSpec } from '@berth/oci';
import type { EngineEvents } from '../../events/engine-events.js';
import { LogLines, type ExitStatus, type LogRecord, type RuntimeDriver, type TaskSpec } from '../../runtime/index.js';
import type { ContainerCgroups, ContainerHost, ContainerLogs, ContainerMounts, ContainerRepository, ContainerRootfs, ImageResolver, NetworkService } from '../../ports.js';
import type { ContainerPorts } from '../container-services.js';
import type { ContainerRecord } from '../record.js';
import { emptyStats } from '../stats.js';

// In-memory fakes of the container services' ports, for unit tests of the services' logic alone. The
// real adapters are proven by runtime-driver.test.ts and the e2e suites.

/** Container records in a map, found by id, id prefix or name as the real store finds them. */
export class InMemoryContainers implements ContainerRepository {
  readonly records = new Map<string, ContainerRecord>();
  /** Each save, with the state it saved: the persisted transitions in order. */
  readonly saved: Array<{ id: string; state: string }> = [];

  all(): ContainerRecord[] {
    return [...this.records.values()];
  }
  find(ref: string): ContainerRecord | undefined {
    const name = ref.startsWith('/') ? ref : `/${ref}`;
    return this.records.get(ref) ?? this.all().find((c) => c.name === name || c.id.startsWith(ref));
  }
  get(ref: string): ContainerRecord {
    const record = this.find(ref);
    if (!record) throw new NotFoundError(`No such container: ${ref}`);
    return record;
  }
  dirOf(id: string): string {
    return `/containers/${id}`;
  }
  isNameTaken(name: string): boolean {
    return this.all().some((c) => c.name === name);
  }
  /** Reserved dirs, and the pending anonymous volumes noted in each. */
  readonly reserved = new Map<string, string[]>();

  async reserve(id: string): Promise<void> {
    this.reserved.set(id, []);
  }
  async notePendingVolumes(id: string, names: string[]): Promise<void> {
    this.reserved.set(id, [...names]);
  }
  async unreserve(id: string): Promise<void> {
    this.reserved.delete(id);
  }
  async add(record: ContainerRecord): Promise<void> {
    // As the real store: a taken name is refused before the reserved dir becomes the container's.
    if (this.isNameTaken(record.name)) throw new ConflictError(`The container name "${record.name}" is already in use`);
    this.reserved.delete(record.id);
    this.records.set(record.id, record);
  }
  async save(record: ContainerRecord): Promise<void> {
    this.saved.push({ id: record.id, state: JSON.stringify(record.state) });
  }
  async rename(record: ContainerRecord, name: string): Promise<void> {
    record.name = name;
  }
  async delete(id: string): Promise<void> {
    this.records.delete(id);
  }
}

/** One image, `busybox`, with `sh` as its command. */
export const fakeImages: ImageResolver = {
  resolve(nameOrId) {
    if (nameOrId !== 'busybox') throw new NotFoundError(`No such image: ${nameOrId}`);
    return {
      id: `sha256:${'b'.repeat(64)}`,
      chainId: `sha256:${'c'.repeat(64)}`,
      config: { architecture: 'amd64', os: 'linux', config: { Cmd: ['sh'] }, rootfs: { type: 'layers', diff_ids: [] } },
      repoTags: ['busybox:latest'],
      repoDigests: [],
    };
  },
};

/**
 * An OCI runtime in memory: a created task runs once started and exits when signalled, with the
 * shell's exit code for the signal (128 + its number).
 */
export class FakeRuntime implements RuntimeDriver {
  readonly name = 'runc' as const;
  readonly calls: string[] = [];
  readonly bundles = new Map<string, RuntimeSpec>();
  private readonly exits = new Map<string, (exit: ExitStatus) => void>();
  private readonly running = new Set<string>();
  /** Tasks created and not started yet. */
  private readonly created = new Set<string>();
  /** Exits conmon recorded while no daemon watched (what a restarted daemon finds). */
  readonly recordedExits = new Map<string, ExitStatus>();
  private nextPid = 100;

  async create(spec: TaskSpec, prepareBundle?: () => Promise<void>): Promise<{ pid: number }> {
    await prepareBundle?.();
    this.calls.push(`create ${spec.id}`);
    this.created.add(spec.id);
    return { pid: this.nextPid++ };
  }
  async writeBundle(spec: TaskSpec, runtimeSpec: RuntimeSpec): Promise<void> {
    this.bundles.set(spec.id, runtimeSpec);
  }
  async readBundle(spec: { id: string }): Promise<RuntimeSpec> {
    const bundle = this.bundles.get(spec.id);
    if (!bundle) throw new NotFoundError(`no bundle for ${spec.id}`);
    return bundle;
  }
  async removeTaskFiles(spec: { id: string }): Promise<void> {
    this.calls.push(`remove-files ${spec.id}`);
  }
  async start(id: string): Promise<void> {
    this.calls.push(`start ${id}`);
    this.created.delete(id);
    this.running.add(id);
  }
  async kill(id: string, signal: number): Promise<void> {
    this.calls.push(`kill ${id} ${signal}`);
    if (!this.running.delete(id)) return;
    const number = typeof signal === 'number' ? signal : signal === 'SIGKILL' ? 9 : 15;
    this.exits.get(id)?.({ exitCode: 128 + number, finishedAt: new Date(), oomKilled: false });
  }
  async pause(id: string): Promise<void> {
    this.calls.push(`pause ${id}`);
  }
  async resume(id: string): Promise<void> {
    this.calls.push(`resume ${id}`);
  }
  async delete(id: string): Promise<void> {
    this.calls.push(`delete ${id}`);
    this.created.delete(id);
  }
  async state(id: string) {
    if (this.created.has(id)) return { status: 'created' as const, pid: 1 };
    return this.running.has(id) ? { status: 'running' as const, pid: 1 } : null;
  }
  async hasState(id: string): Promise<boolean> {
    return this.created.has(id) || this.running.has(id);
  }
  waitExit(spec: { id: string }, signal?: AbortSignal): Promise<ExitStatus> {
    return new Promise((resolve, reject) => {
      this.exits.set(spec.id, resolve);
      signal?.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
    });
  }
  async readExit(spec: { id: string }): Promise<ExitStatus | null> {
    return this.recordedExits.get(spec.id) ?? null;
  }
  async isMonitorAlive(): Promise<boolean> {
    return false;
  }
  attach(): never {
    throw new ConflictError('the fake runtime has no attach socket');
  }
  async resize(): Promise<void> {}
  execProcess(): never {
    throw new ConflictError('the fake runtime runs no exec processes');
  }
}

/** Records the container events, as `action` strings. */
export class RecordedEvents implements EngineEvents {
  readonly actions: string[] = [];
  container(action: string): void {
    this.actions.push(action);
  }
  image(): void {}
  volume(): void {}
  network(): void {}
  pruned(): void {}
}

export class FakeRootfs implements ContainerRootfs {
  readonly mounted = new Set<string>();
  async mountContainerRoot(dir: string): Promise<string> {
    this.mounted.add(dir);
    return `${dir}/rootfs`;
  }
  async unmountContainerRoot(dir: string): Promise<void> {
    this.mounted.delete(dir);
  }
  diffDirs(): string[] {
    return ['/layers/busybox/diff'];
  }
  async readWriteSize(): Promise<number> {
    return 0;
  }
}

/** Loopback only: every container gets an empty namespace of its own, whatever it asks for. */
export class FakeNetworks implements NetworkService {
  readonly connected = new Set<string>();
  plan() {
    return { endpoints: {}, warnings: [] };
  }
  async connect(c: ContainerRecord) {
    this.connected.add(c.id);
    return { namespace: 'none' as const, addresses: [], hostEntries: [], linkEnv: [], ready: Promise.resolve() };
  }
  async disconnect(c: ContainerRecord): Promise<void> {
    this.connected.delete(c.id);
  }
  async connectRunning(): Promise<void> {}
  async disconnectRunning(): Promise<void> {}
  resolveName(ref: string): string {
    return ref;
  }
  state() {
    return { networks: {} };
  }
}

const noMounts: ContainerMounts = {
  plan: async () => [],
  runtimeMounts: async () => [],
  deactivate: async () => undefined,
  release: async () => undefined,
};

const fakeHost: ContainerHost = {
  writeEtcFiles: async (dir) => ({ hostname: `${dir}/hostname`, hosts: `${dir}/hosts`, resolvConf: `${dir}/resolv.conf` }),
  resolveUser: async () => ({ uid: 0, gid: 0, additionalGids: [] }),
  processTable: async () => 'PID CMD\n',
  killProcess: () => false,
  securityModules: { apparmor: false, selinux: false, isApparmorProfileLoaded: () => false },
};

const idleCgroups: ContainerCgroups = {
  pids: async () => [],
  sample: async (id, name) => emptyStats(name, id),
  applyResources: async () => undefined,
};

/** Log records kept per log path, as conmon would have written them; nothing rotates. */
export class InMemoryLogs implements ContainerLogs {
  readonly records = new Map<string, LogRecord[]>();
  readonly kept = new Set<string>();

  write(logPath: string, stream: 'stdout' | 'stderr', line: string, time = new Date()): void {
    const list = this.records.get(logPath) ?? [];
    list.push({ stream, partial: false, data: Buffer.from(`${line}\n`), time, timestamp: time.toISOString() });
    this.records.set(logPath, list);
  }
  async *read(logPath: string): AsyncIterable<LogLines> {
    const records = this.records.get(logPath) ?? [];
    // As conmon writes them (k8s-file), the record's own newline ending its line.
    const line = (r: LogRecord): string => `${r.timestamp} ${r.stream} ${r.partial ? 'P' : 'F'} ${r.data.toString()}${r.partial ? '\n' : ''}`;
    yield new LogLines(Buffer.from(records.map(line).join('')));
  }
  async *readLive(logPath: string): AsyncIterable<LogRecord[]> {
    yield this.records.get(logPath) ?? [];
  }
  keepRotations(id: string): void {
    this.kept.add(id);
  }
  async stopKeeping(id: string): Promise<void> {
    this.kept.delete(id);
  }
  stopAll(): void {
    this.kept.clear();
  }
}

export interface InMemoryPorts extends ContainerPorts {
  store: InMemoryContainers;
  runtime: FakeRuntime;
  rootfs: FakeRootfs;
  network: FakeNetworks;
  logs: InMemoryLogs;
  events: RecordedEvents;
}

export function inMemoryPorts(): InMemoryPorts {
  return {
    store: new InMemoryContainers(),
    images: fakeImages,
    rootfs: new FakeRootfs(),
    runtime: new FakeRuntime(),
    mounts: noMounts,
    host: fakeHost,
    cgroups: idleCgroups,
    network: new FakeNetworks(),
    logs: new InMemoryLogs(),
    events: new RecordedEvents(),
    execRoot: '/run/berth-test',
    log: { warn: () => undefined, error: () => undefined },
  };
}
