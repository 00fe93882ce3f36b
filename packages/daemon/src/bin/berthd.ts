#!/usr/bin/env -S node --max-semi-space-size=1 --initial-old-space-size=64 --external-memory-accounted-in-global-limit --single-threaded-gc
// A 1 MB young generation keeps idle RSS under budget (DESIGN §7); `node berthd.js` runs with node's defaults.
// External memory (the ArrayBuffers under every Buffer) counted in V8's global limit rather than added to the
// old generation's: with an old generation this small, each ~10 MB of buffers a pull or push went through
// started a full collection (50 in a 300 MB pull); half as many with the flag, and ~15% less CPU per pull.
// V8 itself turned this on by default later and then removed the flag (crbug 361124432), so a Node whose V8
// no longer knows the flag needs it taken out here.
// A floor of 64 MB under the old generation's limit (V8 starts from a few MB, and never goes below the floor
// since): every ~15 MB of buffers a large COPY, build context or layer went through started a full collection
// (about 20 in a cold build of a 300 MB context, ~40 ms of marking each; none with this, and such a build ~18%
// faster). Nothing is reserved: RSS at start is the same, and 5 s after three such builds it was 107 MB against
// 117 MB without (V8's memory reducer collects an idle heap).
// GC on the main thread only: berthd's heap is small (~20 MB), and V8's helper threads spent far more CPU marking
// and scavenging it in parallel than the main thread spends doing it alone (a 300 MB pull: 0.57 s of helper
// threads against 0.1 s more on the main thread), CPU that a pull's extraction and the containers need.
import { Command, Option } from 'commander';
import { ENGINE_VERSION } from '@berth/api';
import { readConfigFile, resolveConfig, type DaemonConfig } from '../config.js';
import { startDaemon } from '../daemon.js';
import { keepServingOnUnexpectedErrors } from '../last-resort.js';

const program = new Command('berthd')
  .description('The Berth container engine: serves the Docker Engine API')
  .version(ENGINE_VERSION, '-v, --version')
  .option('--data-root <dir>', 'root directory of persistent engine state (default "/var/lib/berth")')
  .option('--exec-root <dir>', 'root directory for execution state files (default "/run/berth")')
  .option('-H, --host <address>', 'daemon socket to listen on, repeatable (default "unix:///run/berth/berth.sock")', (v: string, all: string[] = []) => [...all, v])
  .addOption(new Option('--runtime <name>', 'OCI runtime (default "runc")').choices(['runc', 'crun']))
  .addOption(new Option('-l, --log-level <level>', 'logging level (default "info")').choices(['debug', 'info', 'warn', 'error', 'fatal']))
  .option('-G, --group <group>', 'group for the unix sockets, which get mode 0660 (default "berth"; root only when it does not exist)')
  .option(
    '--allow-unpatched-runtime <CVE>',
    'run an OCI runtime that lacks the fix for this CVE, at the risk of a container breakout (repeatable; warns on every start)',
    (v: string, all: string[] = []) => [...all, v],
  )
  .option('--max-concurrent-downloads <n>', 'layers a pull downloads at once (default 3)', Number)
  .option('--max-concurrent-uploads <n>', 'layers a push uploads at once (default 5)', Number)
  .option('--insecure-registry <registry>', 'a registry (host[:port] or CIDR) reached without TLS verification, repeatable', (v: string, all: string[] = []) => [...all, v])
  .option('--registry-mirror <url>', 'a Docker Hub mirror, repeatable', (v: string, all: string[] = []) => [...all, v])
  .option('--registry-mirror-for <registry=url>', "a mirror of another registry, repeatable (e.g. 127.0.0.1:5000=http://127.0.0.1:5001)", (v: string, all: string[] = []) => [...all, v])
  .option('--registry-certs-dir <dir>', 'per-registry CAs and client certificates, certs.d layout (default "/etc/docker/certs.d")')
  .option('--tls', 'serve TLS on TCP listeners; implied by --tlsverify')
  .option('--tlsverify', 'serve TLS on TCP listeners and accept only clients with a certificate signed by --tlscacert')
  .option('--tlscacert <file>', 'CA that signs client certificates (default "$DOCKER_CERT_PATH/ca.pem" or "~/.docker/ca.pem")')
  .option('--tlscert <file>', 'TLS certificate (default "$DOCKER_CERT_PATH/cert.pem" or "~/.docker/cert.pem")')
  .option('--tlskey <file>', 'TLS key (default "$DOCKER_CERT_PATH/key.pem" or "~/.docker/key.pem")')
  .option('--insecure-tcp', 'accept a TCP listener without --tlsverify (anyone who reaches it is root on this host); warns on every start')
  .option('-b, --bridge <name>', 'interface of the default bridge network, or "none" for no default bridge (default "berth0")')
  .option('--bip <cidr>', "the default bridge's address and prefix length (e.g. 172.17.0.1/16)")
  .option('--iptables [bool]', 'let the network driver set up firewall rules; false refuses bridge networks (default true)', parseBool)
  .option('--default-address-pool <base=CIDR,size=N>', 'a pool new networks take their subnets from, repeatable (default: Docker\'s)', (v: string, all: string[] = []) => [...all, v])
  .option('--authorization-plugin <name>', 'an authorization plugin (Docker protocol) asked about every request, repeatable: asked in order, any refusal denies', (v: string, all: string[] = []) => [...all, v])
  .option('--plugin-dir <dir>', 'a directory searched for plugin sockets (NAME.sock) and spec files (NAME.spec, NAME.json) before /run/docker/plugins, /etc/docker/plugins and /usr/lib/docker/plugins, repeatable', (v: string, all: string[] = []) => [...all, v])
  .option('--userns-remap <user/group>', 'user namespace remapping: "default" (the dockremap user, created if missing), USER[:GROUP] or UID[:GID] with ranges in /etc/subuid and /etc/subgid')
  .option('--config-file <file>', 'daemon configuration file (JSON, daemon.json keys)');

async function main(): Promise<void> {
  program.parse();
  const flags = program.opts<{
    dataRoot?: string;
    execRoot?: string;
    host?: string[];
    runtime?: 'runc' | 'crun';
    logLevel?: DaemonConfig['logLevel'];
    group?: string;
    allowUnpatchedRuntime?: string[];
    maxConcurrentDownloads?: number;
    maxConcurrentUploads?: number;
    insecureRegistry?: string[];
    registryMirror?: string[];
    registryMirrorFor?: string[];
    registryCertsDir?: string;
    tls?: boolean;
    tlsverify?: boolean;
    tlscacert?: string;
    tlscert?: string;
    tlskey?: string;
    insecureTcp?: boolean;
    bridge?: string;
    bip?: string;
    iptables?: boolean;
    defaultAddressPool?: string[];
    authorizationPlugin?: string[];
    pluginDir?: string[];
    usernsRemap?: string;
    configFile?: string;
  }>();
  const fromFile = flags.configFile ? await readConfigFile(flags.configFile) : {};
  const fromFlags: Partial<DaemonConfig> = {};
  if (flags.dataRoot) fromFlags.dataRoot = flags.dataRoot;
  if (flags.execRoot) fromFlags.execRoot = flags.execRoot;
  if (flags.host) fromFlags.hosts = flags.host;
  if (flags.runtime) fromFlags.runtime = flags.runtime;
  if (flags.logLevel) fromFlags.logLevel = flags.logLevel;
  if (flags.group !== undefined) fromFlags.group = flags.group;
  if (flags.allowUnpatchedRuntime) fromFlags.allowUnpatchedRuntime = flags.allowUnpatchedRuntime;
  if (flags.maxConcurrentDownloads !== undefined) fromFlags.maxConcurrentDownloads = flags.maxConcurrentDownloads;
  if (flags.maxConcurrentUploads !== undefined) fromFlags.maxConcurrentUploads = flags.maxConcurrentUploads;
  if (flags.insecureRegistry) fromFlags.insecureRegistries = flags.insecureRegistry;
  if (flags.registryMirror) fromFlags.registryMirrors = flags.registryMirror;
  if (flags.registryMirrorFor) fromFlags.registryMirrorsFor = mirrorsByRegistry(flags.registryMirrorFor);
  if (flags.registryCertsDir) fromFlags.registryCertsDir = flags.registryCertsDir;
  if (flags.tls) fromFlags.tls = true;
  if (flags.tlsverify) fromFlags.tlsVerify = true;
  if (flags.tlscacert) fromFlags.tlsCaCert = flags.tlscacert;
  if (flags.tlscert) fromFlags.tlsCert = flags.tlscert;
  if (flags.tlskey) fromFlags.tlsKey = flags.tlskey;
  if (flags.insecureTcp) fromFlags.insecureTcp = true;
  if (flags.bridge !== undefined) fromFlags.bridge = flags.bridge;
  if (flags.bip !== undefined) fromFlags.bip = flags.bip;
  if (flags.iptables !== undefined) fromFlags.iptables = flags.iptables;
  if (flags.defaultAddressPool) fromFlags.defaultAddressPools = flags.defaultAddressPool.map(parseAddressPool);
  if (flags.authorizationPlugin) fromFlags.authorizationPlugins = flags.authorizationPlugin;
  if (flags.pluginDir) fromFlags.pluginDirs = flags.pluginDir;
  if (flags.usernsRemap !== undefined) fromFlags.usernsRemap = flags.usernsRemap;
  const config = resolveConfig(fromFile, fromFlags);
  const daemon = await startDaemon(config);
  keepServingOnUnexpectedErrors(daemon.app.log);
  daemon.app.log.info(`berthd ${ENGINE_VERSION} serving the Engine API on ${config.hosts.join(', ')}`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    daemon.app.log.info(`received ${signal}, shutting down (containers keep running)`);
    daemon.close().then(
      () => process.exit(0),
      (err: unknown) => {
        daemon.app.log.error(`shutdown: ${String(err)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

/** `--registry-mirror-for HOST=URL`, repeated: each registry's mirrors in the order given. */
function mirrorsByRegistry(values: string[]): Record<string, string[]> {
  const mirrors: Record<string, string[]> = {};
  for (const value of values) {
    const at = value.indexOf('=');
    if (at <= 0) throw new Error(`invalid --registry-mirror-for ${JSON.stringify(value)}: REGISTRY=URL`);
    (mirrors[value.slice(0, at)] ??= []).push(value.slice(at + 1));
  }
  return mirrors;
}

/** A Go-style boolean flag value: `--iptables`, `--iptables=false`. */
function parseBool(value: string | true): boolean {
  if (value === true || value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw new Error(`invalid boolean value ${JSON.stringify(value)}`);
}

/** `--default-address-pool base=10.10.0.0/16,size=24`, as dockerd takes it. */
function parseAddressPool(value: string): { base: string; size: number } {
  const fields = Object.fromEntries(value.split(',').map((field) => field.split('=', 2)));
  if (!fields.base || !/^\d+$/.test(fields.size ?? '')) throw new Error(`invalid --default-address-pool ${JSON.stringify(value)}: base=CIDR,size=N`);
  return { base: fields.base, size: Number(fields.size) };
}

main().catch((err: unknown) => {
  process.stderr.write(`berthd: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
