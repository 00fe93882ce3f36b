// The compared engines' side of `bench.mjs --compare`: podman's API service started on roots of its own, the process
// that serves a socket the user named, and an engine's resident memory.
import { spawn } from 'node:child_process';
import { mkdir, readFile, readdir, readlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { untilDockerAnswers } from './bench-common.mjs';

const PODMAN = '/usr/bin/podman';

/** This process's hard limit of `resource` (a line label of /proc/self/limits, e.g. "Max open files"). */
async function hardLimit(resource) {
  const line = (await readFile('/proc/self/limits', 'utf8')).split('\n').find((l) => l.startsWith(resource));
  return Number(line.slice(resource.length).trim().split(/\s+/)[1]);
}

/**
 * podman's Docker-compatible API service (`podman system service`) with roots, config and network config of its own,
 * runc as its runtime (crun fails on this host's hybrid cgroups) and cgroupfs, run in `netns` (from createBenchNetns):
 * its default network for `docker run` is a netavark bridge with firewall rules.
 */
export async function startPodman(dir, netns, { ownGroup = false } = {}) {
  await mkdir(join(dir, 'tmp'), { recursive: true });
  const socket = join(dir, 'podman.sock');
  // Root podman asks runc for 1048576 open files and processes, more than a process without CAP_SYS_RESOURCE may
  // raise its hard limit to: the service is pinned to limits under this process's, and its containers get the same.
  const nofile = await hardLimit('Max open files');
  const nproc = Math.min(await hardLimit('Max processes'), 32768);
  const containersConf = join(dir, 'containers.conf');
  await writeFile(
    containersConf,
    `[containers]\nlog_driver = "k8s-file"\ndefault_ulimits = ["nofile=${nofile}:${nofile}", "nproc=${nproc}:${nproc}"]\n` +
      `[network]\nnetwork_config_dir = "${join(dir, 'networks')}"\n` +
      `[engine]\ncgroup_manager = "cgroupfs"\nevents_logger = "file"\nevents_logfile_path = "${join(dir, 'events.log')}"\n` +
      `runtime = "runc"\ntmp_dir = "${join(dir, 'tmp')}"\nvolume_path = "${join(dir, 'volumes')}"\n`,
  );
  const storageConf = join(dir, 'storage.conf');
  await writeFile(storageConf, `[storage]\ndriver = "overlay"\ngraphroot = "${join(dir, 'root')}"\nrunroot = "${join(dir, 'runroot')}"\n`);
  const args = ['--root', join(dir, 'root'), '--runroot', join(dir, 'runroot'), '--tmpdir', join(dir, 'tmp'), '--runtime', 'runc', '--cgroup-manager', 'cgroupfs', '--events-backend', 'file', 'system', 'service', '--time', '0', `unix://${socket}`];
  // prlimit and nsenter exec in place: the child's pid is the service's.
  const [command, ...prefix] = ['prlimit', `--nofile=${nofile}:${nofile}`, `--nproc=${nproc}:${nproc}`, '--', ...netns.enter, PODMAN];
  const env = { ...process.env, CONTAINERS_CONF: containersConf, CONTAINERS_STORAGE_CONF: storageConf, CONTAINERS_REGISTRIES_CONF: join(dir, 'registries.conf') };
  await writeFile(env.CONTAINERS_REGISTRIES_CONF, 'unqualified-search-registries = []\n');
  const child = spawn(command, [...prefix, ...args], { stdio: ['ignore', 'ignore', 'pipe'], env, detached: ownGroup });
  let printed = '';
  child.stderr.on('data', (d) => (printed += d));
  const clientEnv = { ...process.env, DOCKER_HOST: `unix://${socket}`, DOCKER_CONFIG: join(dir, 'docker-config') };
  const stop = await untilDockerAnswers(child, dir, socket, clientEnv, () => `podman system service did not start: ${printed.trim().split('\n').at(-1) ?? ''}`);
  return { env: clientEnv, socket, stop, pid: child.pid };
}

const numericDirs = async (dir) => (await readdir(dir).catch(() => [])).filter((name) => /^\d+$/.test(name)).map(Number);

/** The pid of the process that listens on the unix socket at `path` (the lowest, when children share it). */
export async function socketOwner(path) {
  const inodes = new Set(
    (await readFile('/proc/net/unix', 'utf8'))
      .split('\n')
      .map((line) => line.trim().split(/\s+/))
      .filter((fields) => fields[7] === path)
      .map((fields) => `socket:[${fields[6]}]`),
  );
  for (const pid of (await numericDirs('/proc')).sort((a, b) => a - b)) {
    for (const fd of await readdir(`/proc/${pid}/fd`).catch(() => [])) {
      if (inodes.has(await readlink(`/proc/${pid}/fd/${fd}`).catch(() => ''))) return pid;
    }
  }
  throw new Error(`no process serves ${path}`);
}

/** A container's supervisor: berthd's and podman's conmon, dockerd's containerd-shim. */
const isSupervisor = (comm) => comm === 'conmon' || comm.startsWith('containerd-shim');

async function processTable() {
  const table = [];
  for (const pid of await numericDirs('/proc')) {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
    if (!stat) continue;
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    const args = (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).split('\0');
    table.push({ pid, ppid, comm, args });
  }
  return table;
}

const vmRssKiB = async (pid) => Number(/VmRSS:\s+(\d+)/.exec(await readFile(`/proc/${pid}/status`, 'utf8').catch(() => ''))?.[1] ?? 0);

export const RSS_DEFINITION =
  "sum of VmRSS (/proc/<pid>/status) of the engine's daemon processes (the process serving the socket and its descendants, " +
  'up to but not into a container supervisor: berthd; dockerd + containerd; podman system service) and of each container\'s ' +
  'supervisor (conmon; containerd-shim-*), found by the container ID in its command line, never the containers\' own ' +
  'processes; median of 3 samples 0.5 s apart, taken after 3 s without a request to the engine';

/** The engine's resident memory in MiB, as RSS_DEFINITION says, and how much of it its supervisors hold. */
export async function engineRss(rootPid, containerIds) {
  const table = await processTable();
  const children = new Map();
  for (const p of table) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p]);
  const daemon = [];
  const walk = (pid) => {
    daemon.push(pid);
    for (const child of children.get(pid) ?? []) if (!isSupervisor(child.comm)) walk(child.pid);
  };
  walk(rootPid);
  const ids = new Set(containerIds);
  const supervisors = table.filter((p) => isSupervisor(p.comm) && p.args.some((arg) => ids.has(arg))).map((p) => p.pid);
  let daemonKiB = 0;
  let supervisorKiB = 0;
  for (const pid of daemon) daemonKiB += await vmRssKiB(pid);
  for (const pid of supervisors) supervisorKiB += await vmRssKiB(pid);
  return { mib: (daemonKiB + supervisorKiB) / 1024, supervisorMib: supervisorKiB / 1024, supervisors: supervisors.length };
}
