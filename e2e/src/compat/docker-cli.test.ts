import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { busyboxArchive, dockerOk, run, useTestDaemon, type CommandResult } from '../harness.js';
import { startRegistry, writeHtpasswd, type TestRegistry } from '../registry-harness.js';

/**
 * The golden-output suite: each command line runs once through the docker CLI and once through `berth`,
 * both against the same berthd, and their exit statuses, stdout and stderr must match once what
 * legitimately varies between two runs (ids, times, durations) is masked.
 */
// Without a daemon to ask, `docker version` still prints the client's part, then fails.
const DOCKER_VERSION = spawnSync('docker', ['version', '--format', '{{.Client.Version}}'], { encoding: 'utf8' }).stdout.trim();

const d = useTestDaemon();

/** The events window of the scene, in unix seconds: everything beforeAll did. */
let since = 0;
let until = 0;
/** A registry on loopback holding busybox as golden/pulled, for run's pull of a missing image. */
let registry: TestRegistry;
/** A config directory (--config) with psFormat and imagesFormat set and a context `golden-ctx` for this daemon. */
let configDir = '';

beforeAll(async () => {
  registry = await startRegistry();
  configDir = await mkdtemp(join(tmpdir(), 'berth-golden-config-'));
  await writeFile(join(configDir, 'config.json'), JSON.stringify({ psFormat: 'table {{.Names}}\t{{.Image}}', imagesFormat: '{{.Repository}}:{{.Tag}}' }));
  await dockerOk(d, ['--config', configDir, 'context', 'create', 'golden-ctx', '--description', 'the golden daemon', '--docker', `host=${d.host}`]);
  const copied = await run('skopeo', ['copy', '--dest-tls-verify=false', `docker-archive:${await busyboxArchive()}`, `docker://${registry.host}/golden/pulled:latest`]);
  expect(copied.code, copied.stderr).toBe(0);
  since = Math.floor(Date.now() / 1000) - 1;
  await dockerOk(d, ['volume', 'create', '--label', 'tier=gold', 'golden-vol']);
  await dockerOk(d, ['tag', 'busybox', 'golden/box:v1']);
  const done = await d.dockerCli(['run', '--name', 'golden-done', '--label', 'role=batch', 'busybox', 'sh', '-c', 'echo one; echo two >&2; echo three; mkdir /made; exit 3']);
  expect(done.code, done.stderr).toBe(3);
  await dockerOk(d, ['run', '-d', '--name', 'golden-run', '--label', 'role=web', '-v', 'golden-vol:/data', 'busybox', 'sleep', '3600']);
  // The window ends on a whole second already past, so `events --until` returns at once.
  until = Math.floor(Date.now() / 1000) + 1;
  await sleep(until * 1000 - Date.now() + 50);
});

afterAll(async () => {
  await registry?.stop();
  if (configDir) await rm(configDir, { recursive: true, force: true });
});

/** Files the rows write and read (save, load, import), and a registry with a password for login. */
const work = mkdtempSync(join(tmpdir(), 'berth-golden-'));
let authRegistry: TestRegistry;
beforeAll(async () => {
  authRegistry = await startRegistry(async (_host, dir) => `auth:\n  htpasswd:\n    realm: berth\n    path: ${await writeHtpasswd(dir, 'alice', 'secret')}\n`);
});
afterAll(async () => {
  await authRegistry?.stop();
  rmSync(work, { recursive: true, force: true });
});

/** What the docker CLI prints on stderr before a classic build's output. */
const LEGACY_BUILDER_NOTICE =
  'DEPRECATED: The legacy builder is deprecated and will be removed in a future release.\n            Install the buildx component to build images with BuildKit:\n            https://docs.docker.com/go/buildx/\n\n';

/** Masks what differs between two runs of one command: ids, digests, times, durations, the program's name. */
function mask(text: string): string {
  return text
    .replace(/\b[0-9a-f]{64}\b/g, '<id>')
    .replace(/\b[0-9a-f]{12}\b/g, '<short-id>')
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)/g, '<time>')
    .replace(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)? [+-]\d{4} \w+/g, '<time>')
    .replace(/(Less than a|About an?|an?|\d+) (second|minute|hour|day|week|month|year)s?( ago)?/g, '<duration>')
    .replace(/\bberth\b/g, 'docker');
}

interface Output {
  code: number;
  stdout: string;
  stderr: string;
}

interface Row {
  args: string[];
  /** Table output whose columns hold masked values: compared with runs of spaces folded, as widths follow the values. */
  table?: boolean;
  /** docker lists an image's several tags in Go's random map order: the lines are compared as a set. */
  anyRowOrder?: boolean;
  /** Only stdout from the line this matches on is compared (a part printed by the client itself differs, documented). */
  from?: RegExp;
  /** Only stdout before the line this matches is compared (the rest differs, documented). */
  upTo?: RegExp;
  /** berth prints a subset of docker's lines (documented): each of its lines must be one of docker's. */
  subset?: boolean;
  /** docker commands run before each of the two runs, for a row that changes what it finds (their failures are not the row's). */
  setup?: string[][];
  /** What both get on stdin (a prune's confirmation). */
  input?: string;
  /** A classic `build`: the docker CLI's deprecation notice of its legacy builder is taken off its stderr (documented). */
  legacyBuilder?: boolean;
  /** A difference listed in docs/compatibility.md ("Golden-output differences"): what each prints instead, masked. */
  differs?: { docker: Partial<Output>; berth: Partial<Output> };
}

const rows: Row[] = [
  // ps / container ls
  { args: ['ps'], table: true },
  { args: ['ps', '-a'], table: true },
  { args: ['ps', '-q'] },
  { args: ['ps', '-aq'] },
  { args: ['ps', '-a', '--no-trunc'], table: true },
  { args: ['ps', '-a', '--format', '{{.Names}} {{.Status}} {{.Image}}'] },
  { args: ['ps', '-a', '--format', 'table {{.Names}}\t{{.Labels}}\t{{.Mounts}}'], table: true },
  { args: ['ps', '-a', '--format', '{{json .}}'] },
  { args: ['ps', '-a', '--format', '{{.Label "role"}}'] },
  { args: ['ps', '-a', '--format', 'table {{.Names}}\t{{.Label "role"}}'], table: true },
  { args: ['ps', '-a', '--filter', 'label=role=batch'], table: true },
  { args: ['ps', '-a', '--filter', 'status=exited', '--format', '{{.Names}}'] },
  { args: ['ps', '-a', '--filter', 'name=golden-run', '-q'] },
  { args: ['ps', '--filter', 'volume=golden-vol', '--format', '{{.Names}}'] },
  { args: ['ps', '-a', '--filter', 'exited=3', '--format', '{{.Names}}'] },
  { args: ['ps', '-a', '--filter', 'ancestor=busybox', '--format', '{{.Names}}'] },
  { args: ['ps', '-a', '--filter', 'label=role', '--filter', 'status=running', '--format', '{{.Names}}'] },
  { args: ['ps', '-a', '--filter', 'before=golden-run', '--format', '{{.Names}}'] },
  { args: ['ps', '-l', '--format', '{{.Names}} {{.State}}'] },
  { args: ['ps', '-a', '--filter', 'name'] },
  { args: ['ps', '-a', '--filter', 'bogus=1'] },
  { args: ['ps', '-n', '1', '--format', '{{.Names}}'] },
  { args: ['ps', '-a', '-s'], table: true },
  { args: ['ps', '--format', 'json'] },
  { args: ['ps', '-a', '--format', 'table'], table: true },
  { args: ['ps', '-a', '--format', '{{range (split .Labels ",")}}[{{.}}]{{end}} {{.Names | upper}} {{printf "%s!" .State}}'] },
  { args: ['ps', '-a', '--format', '{{if eq .State "running"}}up{{else}}down{{end}} {{.LocalVolumes}} {{.Networks}}'] },
  { args: ['ps', '-a', '--format', '{{if eq .State "paused"}}p{{else if eq .State "running"}}r{{else if .Label "role"}}{{.Label "role"}}{{else}}-{{end}}|{{printf "%-14s|%3d|%q" .Names 7 .State}}|{{"\\x41}}"}}'] },
  { args: ['ps', '-q', '--format', '{{.Names}}'] },
  {
    // docker's rows are Go structs: an unknown field is an execution error. berth's are objects: Go's zero for a missing map key.
    args: ['ps', '--format', '{{.Nope}}'],
    differs: {
      docker: { code: 1, stderr: 'failed to execute template: template: :1:2: executing "" at <.Nope>: can\'t evaluate field Nope in type *formatter.ContainerContext\n' },
      berth: { code: 0, stdout: '<no value>\n', stderr: '' },
    },
  },
  { args: ['container', 'ls'], table: true },
  { args: ['container', 'ls', '-a', '--format', '{{.Names}}'] },
  // images
  { args: ['images'], table: true, anyRowOrder: true },
  { args: ['images', '-q'], anyRowOrder: true },
  { args: ['images', '--format', '{{.Repository}}:{{.Tag}} {{.ID}}'], anyRowOrder: true },
  { args: ['images', '--format', '{{json .}}'], anyRowOrder: true },
  { args: ['images', '--filter', 'reference=golden/*'], table: true },
  { args: ['images', '--filter', 'dangling=true', '-q'] },
  { args: ['images', '-a', '--digests'], table: true, anyRowOrder: true },
  { args: ['images', '--no-trunc', '-q'], anyRowOrder: true },
  { args: ['images', '--filter', 'label=nosuch'], table: true },
  { args: ['images', 'nosuch'], table: true },
  { args: ['images', 'golden/box'], table: true },
  { args: ['image', 'ls', '--format', 'table {{.Repository}}\t{{.Tag}}'], anyRowOrder: true },
  { args: ['images', '--format', 'json'], anyRowOrder: true },
  { args: ['images', '--format', '{{.Repository}} {{.Containers}} {{.SharedSize}} {{.VirtualSize}}'], anyRowOrder: true },
  // inspect
  { args: ['inspect', '-f', '{{.Name}} {{.State.Status}} {{.State.ExitCode}}', 'golden-done', 'golden-run'] },
  { args: ['inspect', '-f', '{{.Config.Labels}}', 'golden-run'] },
  { args: ['inspect', '-f', '{{json .Config.Labels}}', 'golden-run'] },
  { args: ['volume', 'inspect', '--format', 'json', 'golden-vol'] },
  { args: ['inspect', '-f', '{{index .Config.Labels "role"}}', 'golden-run'] },
  { args: ['inspect', '-f', '{{range .Mounts}}{{.Name}} {{.Destination}}{{end}}', 'golden-run'] },
  { args: ['inspect', '-f', '{{join .Config.Cmd " "}}', 'golden-run'] },
  { args: ['inspect', '-f', '{{range $k, $v := .Config.Labels}}{{$k}}={{$v}}{{end}} {{len .Mounts}} {{.State.Running}}', 'golden-run'] },
  { args: ['inspect', '-f', '{{with .State}}{{.Status}}{{end}} {{json .Mounts}}', 'golden-done'] },
  { args: ['inspect', '-f', '{{.Nope', 'golden-run'] },
  { args: ['container', 'inspect', '-f', '{{.Name}}', 'golden-run'] },
  { args: ['container', 'inspect', 'nosuch'] },
  { args: ['inspect', '-f', '{{.Os}} {{.Architecture}}', 'busybox'] },
  { args: ['inspect', '-f', '{{.Name}} {{.Driver}} {{.Labels}}', 'golden-vol'] },
  { args: ['inspect', '--type', 'volume', '-f', '{{.Mountpoint}}', 'golden-vol'] },
  { args: ['inspect', 'nosuch'] },
  { args: ['inspect', 'nosuch', 'golden-run', '-f', '{{.Name}}'] },
  { args: ['inspect', '--type', 'image', '-f', '{{.Config.Cmd}}', 'busybox'] },
  { args: ['inspect', '--type', 'container', 'busybox'] },
  { args: ['inspect', '--type', 'bogus', 'busybox'] },
  { args: ['image', 'inspect', '-f', '{{.RepoTags}}', 'golden/box:v1'] },
  { args: ['image', 'inspect', 'nosuch'] },
  // logs
  { args: ['logs', 'golden-done'] },
  { args: ['logs', '--tail', '1', 'golden-done'] },
  { args: ['logs', '-t', 'golden-done'] },
  { args: ['logs', 'nosuch'] },
  { args: ['logs', '-n', '2', '-t', 'golden-done'] },
  { args: ['logs', '--since', '$SINCE', 'golden-done'] },
  { args: ['logs', '--until', '1', 'golden-done'] },
  // history
  { args: ['history', 'busybox'], table: true },
  { args: ['history', '-q', 'busybox'] },
  { args: ['history', '--no-trunc', 'busybox'], table: true },
  { args: ['image', 'history', '-q', '--no-trunc', 'golden/box:v1'] },
  { args: ['history', 'nosuch'] },
  { args: ['history', '--format', '{{.CreatedBy}}', 'busybox'] },
  { args: ['history', '--no-trunc', '--format', 'table {{.CreatedBy}}\t{{.Size}}', 'busybox'] },
  // version / info
  { args: ['version', '--format', '{{.Server.APIVersion}} {{.Server.Os}}'] },
  { args: ['version', '--format', '{{json .Server}}'] },
  {
    // docker's version data is a Go struct, whose field is APIVersion; berth's templates read the JSON.
    args: ['version', '--format', '{{.Server.ApiVersion}}'],
    differs: {
      docker: { code: 1, stdout: '\n', stderr: 'template: version:1:9: executing "version" at <.Server.ApiVersion>: can\'t evaluate field ApiVersion in type *types.Version\n' },
      berth: { code: 0, stdout: '<no value>\n', stderr: '' },
    },
  },
  { args: ['version'], from: /^Server:/m },
  { args: ['info'], from: /^Server:/m, subset: true },
  { args: ['info', '--format', '{{.Driver}} {{json .OSType}} {{.Name | len}}'] },
  { args: ['info', '--format', '{{.Containers}} {{.ContainersRunning}} {{.ContainersStopped}} {{.Images}}'] },
  // volumes
  { args: ['volume', 'ls'], table: true },
  { args: ['volume', 'ls', '-q'] },
  { args: ['volume', 'ls', '--filter', 'label=tier=gold', '--format', '{{.Name}} {{.Labels}}'] },
  { args: ['volume', 'ls', '--format', 'json'] },
  { args: ['volume', 'ls', '--format', 'table {{.Name}}\t{{.Driver}}\t{{.Label "tier"}}\t{{.Scope}}'] },
  { args: ['volume', 'inspect', 'golden-vol'] },
  { args: ['volume', 'inspect', '-f', '{{.Name}}', 'golden-vol'] },
  { args: ['volume', 'inspect', 'nosuch'] },
  { args: ['volume', 'create', 'golden-new'] },
  { args: ['volume', 'rm', 'golden-new'], setup: [['volume', 'create', 'golden-new']] },
  { args: ['volume', 'rm', 'golden-vol'] },
  // networks
  { args: ['network', 'ls'], table: true },
  { args: ['network', 'ls', '--format', '{{.Name}} {{.Driver}} {{.Scope}}'] },
  { args: ['network', 'inspect', '-f', '{{.Name}} {{.Driver}}', 'none', 'host'] },
  { args: ['network', 'inspect', 'nosuch'] },
  { args: ['network', 'ls', '--format', 'json'] },
  // port, top, diff
  { args: ['port', 'golden-run'] },
  { args: ['port', 'golden-run', '80'] },
  { args: ['top', 'golden-run'], table: true },
  { args: ['top', 'golden-done'] },
  { args: ['top', 'golden-run', '-o', 'pid,comm'], table: true },
  { args: ['port', 'golden-run', '80/tcp'] },
  { args: ['wait', 'golden-done'] },
  { args: ['start', 'golden-run'] },
  { args: ['stop', 'nosuch'] },
  { args: ['kill', 'golden-done'] },
  { args: ['pause', 'golden-done'] },
  { args: ['unpause', 'golden-run'] },
  { args: ['exec', 'golden-done', 'true'] },
  { args: ['exec', 'golden-run', 'sh', '-c', 'echo out; echo err >&2; exit 4'] },
  { args: ['run', '--rm', 'busybox', 'sh', '-c', 'echo out; echo err >&2; exit 5'] },
  { args: ['run', '--rm', '--bogus', 'busybox'] },
  { args: ['run', '--rm', '$REGISTRY/golden/nosuch-image:1'] },
  { args: ['create', '$REGISTRY/golden/nosuch-image'] },
  { args: ['run', '--rm', '$REGISTRY/golden/pulled', 'echo', 'pulled'], setup: [['rmi', '$REGISTRY/golden/pulled']] },
  { args: ['pull', '$REGISTRY/golden/pulled'], setup: [['rmi', '$REGISTRY/golden/pulled']] },
  { args: ['pull', '$REGISTRY/golden/nosuch'] },
  { args: ['images', '--filter', 'dangling'] },
  { args: ['volume', 'prune', '-f', '--filter', 'label'] },
  { args: ['run', '--rm', 'busybox', 'nosuchbinary'] },
  { args: ['rename', 'nosuch', 'other'] },
  { args: ['image', 'prune', '-f'] },
  { args: ['volume', 'prune', '-f'] },
  { args: ['network', 'prune', '-f'] },
  { args: ['container', 'prune'], input: 'n\n' },
  { args: ['container', 'prune', '--filter', 'label=golden-prunable'], input: 'y\n', setup: [['create', '--label', 'golden-prunable', 'busybox']] },
  { args: ['image', 'prune'], input: 'N\n' },
  { args: ['image', 'prune', '-a'] },
  { args: ['volume', 'prune'], input: 'no\n' },
  { args: ['volume', 'prune', '-a', '--filter', 'label=nothing'], input: 'Y\n' },
  { args: ['network', 'prune'], input: '\n' },
  { args: ['diff', 'golden-done'] },
  { args: ['container', 'diff', 'golden-done'] },
  { args: ['diff', 'nosuch'] },
  { args: ['port', 'nosuch'] },
  // events
  { args: ['events', '--since', '$SINCE', '--until', '$UNTIL', '--filter', 'type=container', '--format', '{{.Action}} {{.Actor.Attributes.name}}'] },
  { args: ['events', '--since', '$SINCE', '--until', '$UNTIL', '--filter', 'type=volume'] },
  { args: ['events', '--since', '$SINCE', '--until', '$UNTIL', '--filter', 'container=golden-done'] },
  { args: ['events', '--since', '$SINCE', '--until', '$UNTIL', '--filter', 'type=image', '--format', 'json'] },
  { args: ['events', '--since', '$SINCE', '--until', '$UNTIL', '--filter', 'event=die', '--format', '{{json .}}'] },
  // config.json's psFormat and imagesFormat (through --config), and contexts
  { args: ['--config', '$CONFIG', 'ps', '-a'], table: true },
  { args: ['--config', '$CONFIG', 'ps', '-aq'] },
  { args: ['--config', '$CONFIG', 'ps', '-a', '--format', '{{.Names}}'] },
  { args: ['--config', '$CONFIG', 'images', 'golden/*'], anyRowOrder: true },
  { args: ['--config', '$CONFIG', 'images', '-q', 'golden/*'] },
  { args: ['--config', '$CONFIG', 'context', 'ls'] },
  { args: ['--config', '$CONFIG', 'context', 'list', '-q'] },
  { args: ['--config', '$CONFIG', 'context', 'ls', '--format', 'json'] },
  { args: ['--config', '$CONFIG', 'context', 'ls', '--format', '{{.Name}} {{.Current}} {{.DockerEndpoint}}'] },
  { args: ['--config', '$CONFIG', 'context', 'inspect', 'golden-ctx'] },
  { args: ['--config', '$CONFIG', 'context', 'inspect'] },
  { args: ['--config', '$CONFIG', 'context', 'inspect', '-f', '{{.Name}} {{json .Endpoints}} {{.TLSMaterial}}', 'golden-ctx', 'nosuch'] },
  { args: ['--config', '$CONFIG', 'context', 'show'] },
  { args: ['--config', '$CONFIG', '--context', 'golden-ctx', 'ps', '-a', '--format', '{{.Names}}'] },
  { args: ['--config', '$CONFIG', '--context', 'nosuch', 'ps'] },
  { args: ['--config', '$CONFIG', '--context', 'golden-ctx', '-H', 'unix:///nosuch.sock', 'ps'] },
  { args: ['--config', '$CONFIG', 'context', 'create', 'golden-new', '--docker', 'host=unix:///nosuch.sock'], setup: [['--config', '$CONFIG', 'context', 'rm', '-f', 'golden-new']] },
  { args: ['--config', '$CONFIG', 'context', 'create', 'golden-copy', '--from', 'golden-ctx', '--description', 'copied'], setup: [['--config', '$CONFIG', 'context', 'rm', '-f', 'golden-copy']] },
  { args: ['--config', '$CONFIG', 'context', 'create', 'golden-ctx', '--docker', 'host=unix:///nosuch.sock'] },
  { args: ['--config', '$CONFIG', 'context', 'create', 'default'] },
  { args: ['--config', '$CONFIG', 'context', 'create', 'bad name'] },
  { args: ['--config', '$CONFIG', 'context', 'create', 'golden-bad', '--docker', 'nokey=1'] },
  { args: ['--config', '$CONFIG', 'context', 'create', 'golden-bad', '--docker', ''] },
  { args: ['--config', '$CONFIG', 'context', 'create', 'golden-bad', '--docker', 'host=unix:///x,skip-tls-verify=maybe'] },
  { args: ['--config', '$CONFIG', 'context', 'create', 'golden-bad', '--docker', 'host=unix:///x,ca=/nosuch/ca.pem'] },
  { args: ['--config', '$CONFIG', 'context', 'update', 'golden-copy', '--description', 'updated'] },
  { args: ['--config', '$CONFIG', 'context', 'update', 'nosuch', '--description', 'x'] },
  { args: ['--config', '$CONFIG', 'context', 'use', 'nosuch'] },
  { args: ['--config', '$CONFIG', 'context', 'use', 'golden-copy'], setup: [['--config', '$CONFIG', 'context', 'use', 'default']] },
  { args: ['--config', '$CONFIG', 'context', 'rm', 'default', 'nosuch'] },
  { args: ['--config', '$CONFIG', 'context', 'rm', 'golden-new'], setup: [['--config', '$CONFIG', 'context', 'create', 'golden-new', '--docker', 'host=unix:///x']] },
  { args: ['--config', '$CONFIG', 'context', 'rm'] },
  { args: ['--config', '$CONFIG', 'context', 'show', 'extra'] },
  { args: ['--config', '$CONFIG', 'context', 'export'] },
  { args: ['--config', '$CONFIG', 'context', 'import', 'golden-imported', '/nosuch/file.tar'] },
  { args: ['--config', '$CONFIG', 'context', 'import', 'golden-ctx', '/nosuch/file.tar'] },
  { args: ['--config', '$CONFIG', 'context', 'import', 'golden-imported'] },
  // the management groups: each top-level command also under container, image and system
  { args: ['container', 'run', '--rm', 'busybox', 'echo', 'in a group'] },
  { args: ['container', 'ls', '-a', '--format', '{{.Names}} {{.Status}}'] },
  { args: ['container', 'logs', 'golden-done'] },
  { args: ['container', 'top', 'nosuch'] },
  { args: ['container', 'port', 'golden-run'] },
  { args: ['container', 'wait', 'golden-done'] },
  { args: ['container', 'start', 'nosuch'] },
  { args: ['container', 'rm'] },
  { args: ['container', 'create', '--name', 'golden-grouped', 'busybox'], setup: [['rm', '-f', 'golden-grouped']] },
  { args: ['container', 'rename', 'nosuch', 'other'] },
  { args: ['image', 'pull', '$REGISTRY/golden/pulled'], setup: [['rmi', '$REGISTRY/golden/pulled']] },
  { args: ['image', 'push', 'nosuch.invalid/x'] },
  { args: ['image', 'ls', 'golden/*'], anyRowOrder: true },
  { args: ['system', 'info', '--format', '{{.Driver}} {{.Images}}'] },
  { args: ['system', 'events', '--since', '$SINCE', '--until', '$UNTIL', '--filter', 'type=volume'] },
  { args: ['system', 'prune'], input: 'n\n' },
  { args: ['system', 'prune', '-a', '--volumes', '--filter', 'label=a', '--filter', 'until=1h'] },
  { args: ['system', 'prune', '--filter', 'label!=nothing', '--filter', 'label=a=b', '--filter', 'until=10h'], input: 'no\n' },
  { args: ['system', 'prune', '-f', '--filter', 'label=golden-prunable-2'], setup: [['create', '--label', 'golden-prunable-2', 'busybox']] },
  // system df
  { args: ['system', 'df'], table: true },
  { args: ['system', 'df', '--format', '{{.Type}} {{.TotalCount}}'] },
  // tag / rmi
  { args: ['tag', 'busybox', 'golden/box:v2'] },
  { args: ['rmi', 'golden/box:v2'], setup: [['tag', 'busybox', 'golden/box:v2']] },
  { args: ['rmi', 'nosuch:1'] },
  // rm
  { args: ['rm', 'nosuch'] },
  { args: ['rm', 'golden-run'] },
  // usage errors
  { args: ['rm'] },
  { args: ['logs'] },
  { args: ['ps', '--bogus'] },
  { args: ['ps', '-n', 'x'] },
  { args: ['tag', 'busybox'] },
  { args: ['inspect', '-f', '{{.Nope', 'busybox'] },
  { args: ['nosuchcommand'] },
  { args: ['volume'] },
  { args: ['ps', '--help'] },
  { args: ['volume', 'nosuch'] },
  { args: ['ps', 'extra'] },
  { args: ['ps', '-x'] },
  { args: ['ps', '--format'] },
  { args: ['port'] },
  { args: ['top'] },
  { args: ['volume', 'inspect'] },
  { args: ['start'] },
  {
    // berth import reads a file or stdin, not a URL; it takes at most a reference after it, where docker takes anything.
    args: ['import'],
    differs: {
      docker: { code: 1, stderr: "docker: 'docker import' requires at least 1 argument\n\nUsage:  docker import [OPTIONS] file|URL|- [REPOSITORY[:TAG]]\n\nSee 'docker import --help' for more information\n" },
      berth: { code: 1, stderr: "docker: 'docker import' requires at least 1 and at most 2 arguments\n\nUsage:  docker import [OPTIONS] FILE [REFERENCE]\n\nRun 'docker import --help' for more information\n" },
    },
  },
  // help in docker's layout, and pflag's boolean flag values. `subset`: berth lacks some of docker's flags or commands (documented).
  { args: ['--help'], subset: true, upTo: /^Commands:/m },
  { args: ['help'], subset: true, upTo: /^Commands:/m },
  { args: ['container', '--help'], subset: true },
  { args: ['image', '--help'], subset: true },
  { args: ['network', '--help'] },
  { args: ['volume', '--help'] },
  { args: ['system', '--help'], subset: true },
  { args: ['network'] },
  { args: ['images', '--help'], subset: true },
  { args: ['container', 'ls', '--help'] },
  { args: ['run', '--help'] },
  { args: ['create', '--help'] },
  { args: ['exec', '--help'], subset: true },
  { args: ['logs', '--help'], subset: true },
  { args: ['rm', '--help'], subset: true },
  { args: ['rmi', '--help'] },
  { args: ['inspect', '--help'], subset: true },
  { args: ['network', 'create', '--help'], subset: true },
  { args: ['network', 'ls', '--help'] },
  { args: ['volume', 'create', '--help'] },
  { args: ['volume', 'rm', '--help'] },
  { args: ['tag', '--help'] },
  { args: ['stop', '--help'], subset: true },
  { args: ['history', '--help'] },
  { args: ['version', '--help'] },
  { args: ['login', '--help'] },
  { args: ['system', 'df', '--help'], subset: true },
  { args: ['help', 'ps'] },
  { args: ['help', 'volume', 'ls'] },
  { args: ['help', 'nosuch'] },
  { args: ['help', 'ps', 'extra'] },
  { args: ['volume', 'help', 'ls'] },
  { args: ['ps', '-a', '--size=false', '--format', '{{.Names}}'] },
  { args: ['ps', '-a', '--size=true'], table: true },
  { args: ['ps', '-as=0', '--format', '{{.Names}}'] },
  { args: ['ps', '-a=false', '-q=1'] },
  { args: ['ps', '-n=1', '-a', '--no-trunc=false', '--format', '{{.Names}}'] },
  { args: ['ps', '--size=x'] },
  { args: ['ps', '-s='] },
  { args: ['ps', '--no-trunc=maybe'] },
  { args: ['run', '--rm=true', '-d=false', 'busybox', 'echo', 'hi'] },
  { args: ['run', '--rm=nope', 'busybox', 'true'] },
  { args: ['volume', 'ls', '-q=false', '--format', '{{.Name}}'] },
  { args: ['ps', '--bogus=1'] },
  // stats, save/load, build, export/import, commit, rename, update, wait, top, pause/unpause, kill, port, events, login/logout, attach, export, cp
  { args: ['stats', '--no-stream', 'golden-done'], table: true },
  { args: ['stats', '--no-stream', '--format', '{{.Name}} {{.PIDs}} {{.Container}}', 'golden-run', 'golden-done'] },
  { args: ['stats', '--no-stream', '--no-trunc', '--format', '{{.ID}} {{.Name}} {{.CPUPerc}} {{.MemUsage}} {{.NetIO}} {{.BlockIO}}', 'golden-done'] },
  { args: ['stats', '--no-stream', '--format', 'json', 'golden-done'] },
  { args: ['stats', '--no-stream', '--format', 'table {{.Container}}\t{{.Name}}\t{{.PIDs}}', 'golden-run'], table: true },
  { args: ['stats', '--no-stream', '-a', '--format', 'table {{.Name}}\t{{.PIDs}}'], table: true },
  { args: ['container', 'stats', '--no-stream', '--format', '{{.Name}}'] },
  { args: ['stats', '--no-stream', 'nosuch', 'golden-done', 'nosuch2'] },
  { args: ['stats', '--no-stream', '--format', '{{.Nope', 'golden-done'] },
  { args: ['stats', '--bogus'] },
  { args: ['save', '-o', '$WORK/golden.tar', 'golden/box:v1'] },
  { args: ['save', 'golden/box:v1', '-o', '/nonexistent/dir/x.tar'] },
  { args: ['save', '-o', '$WORK/nosuch.tar', 'nosuch:1'] },
  { args: ['save'] },
  { args: ['load', '-i', '$WORK/golden.tar'], setup: [['save', '-o', '$WORK/golden.tar', 'golden/box:v1']] },
  { args: ['load', '-q', '-i', '$WORK/golden.tar'], setup: [['save', '-o', '$WORK/golden.tar', 'golden/box:v1']] },
  { args: ['load', '-i', '$WORK/nosuch.tar'] },
  { args: ['load', '-i', '/etc/hostname'] },
  { args: ['load'], input: '' },
  { args: ['build', '-q', '-'], input: 'FROM busybox\nRUN echo built > /built\nCMD ["cat", "/built"]\n', legacyBuilder: true },
  { args: ['build', '--no-cache', '-t', 'golden/built:1', '-'], input: 'FROM busybox\nRUN echo built > /built\nCMD ["cat", "/built"]\n', legacyBuilder: true },
  { args: ['build', '-'], input: 'FROM busybox\nRUN echo failing; exit 7\n', legacyBuilder: true },
  { args: ['build', '-'], input: 'FROM busybox\nBOGUS x\n', legacyBuilder: true },
  { args: ['build', '-'], input: '', legacyBuilder: true },
  { args: ['build', '$WORK/nosuch-dir'], legacyBuilder: true },
  { args: ['import', '$WORK/exported.tar', 'golden/imported:1'], setup: [['export', '-o', '$WORK/exported.tar', 'golden-done']] },
  { args: ['import', '-m', 'imported', '-c', 'CMD ["true"]', '$WORK/exported.tar'], setup: [['export', '-o', '$WORK/exported.tar', 'golden-done']] },
  { args: ['import', '$WORK/nosuch.tar'] },
  {
    // docker checks the reference before sending anything; berth leaves it to the daemon, whose words are the same.
    args: ['import', '/etc/hostname', 'BAD:REF'],
    differs: {
      docker: { code: 1, stdout: '', stderr: 'invalid reference format: repository name (library/BAD) must be lowercase\n' },
      berth: { code: 1, stdout: '', stderr: 'Error response from daemon: invalid reference format: repository name (library/BAD) must be lowercase\n' },
    },
  },
  { args: ['commit', 'golden-done', 'golden/committed:1'] },
  { args: ['commit', '-a', 'me', '-m', 'msg', '-c', 'CMD ["true"]', 'golden-run'] },
  { args: ['inspect', '-f', '{{.Author}} {{.Comment}} {{.Config.Cmd}}', 'golden/committed:2'], setup: [['commit', '-a', 'me', '-m', 'msg', '-c', 'CMD ["true"]', 'golden-done', 'golden/committed:2']] },
  { args: ['commit', 'nosuch'] },
  { args: ['commit', '-c', 'BOGUS x', 'golden-done'] },
  {
    args: ['commit', 'golden-done', 'BAD:x'],
    differs: {
      docker: { code: 1, stdout: '', stderr: 'invalid reference format: repository name (library/BAD) must be lowercase\n' },
      berth: { code: 1, stdout: '', stderr: 'Error response from daemon: invalid reference format: repository name (library/BAD) must be lowercase\n' },
    },
  },
  { args: ['rename', 'golden-rn-a', 'golden-rn-b'], setup: [['rm', '-f', 'golden-rn-b'], ['create', '--name', 'golden-rn-a', 'busybox']] },
  { args: ['rename', 'golden-rn-b', 'golden-rn-b'] },
  { args: ['rename', 'golden-rn-b', 'golden-done'] },
  { args: ['rename', 'golden-rn-b', 'bad name'] },
  { args: ['rename', 'golden-rn-b'] },
  { args: ['update', '--memory', '64m', '--cpus', '0.5', '--restart', 'on-failure:2', 'golden-rn-b'] },
  { args: ['inspect', '-f', '{{.HostConfig.Memory}} {{.HostConfig.NanoCpus}} {{.HostConfig.RestartPolicy}}', 'golden-rn-b'] },
  { args: ['update', '--memory', 'foo', 'golden-rn-b'] },
  { args: ['update', '--cpus', 'x', 'golden-rn-b'] },
  { args: ['update', '--cpu-shares', 'x', 'golden-rn-b'] },
  { args: ['update', 'golden-rn-b'] },
  { args: ['update', '--restart', 'bogus', 'golden-rn-b'] },
  { args: ['update', '--pids-limit', '10', 'nosuch', 'golden-rn-b'] },
  { args: ['restart', '-t', 'x', 'golden-rn-b'] },
  { args: ['wait', 'golden-done', 'nosuch'] },
  { args: ['wait'] },
  { args: ['top', 'nosuch'] },
  { args: ['top', 'golden-rn-b'] },
  { args: ['pause', 'golden-run'], setup: [['unpause', 'golden-run']] },
  { args: ['ps', '--filter', 'status=paused', '--format', '{{.Names}} {{.State}}'] },
  { args: ['unpause', 'golden-run'], setup: [['pause', 'golden-run']] },
  { args: ['pause', 'nosuch', 'golden-done'] },
  { args: ['unpause', 'golden-run'] },
  { args: ['kill', '-s', 'USR1', 'golden-kill'], setup: [['rm', '-f', 'golden-kill'], ['run', '-d', '--name', 'golden-kill', 'busybox', 'sh', '-c', 'trap "exit 9" USR1; while true; do sleep 1; done']] },
  { args: ['kill', '--signal', 'SIGKILL', 'golden-kill', 'nosuch'], setup: [['rm', '-f', 'golden-kill'], ['run', '-d', '--name', 'golden-kill', 'busybox', 'sleep', '3600']] },
  { args: ['wait', 'golden-kill'] },
  { args: ['kill', '-s', 'BOGUS', 'golden-run'] },
  { args: ['kill', '-s'] },
  { args: ['port', 'golden-run', '80/udp'] },
  { args: ['port', 'golden-run', 'bogus/x'] },
  { args: ['events', '--since', '$SINCE', '--until', '$UNTIL', '--filter', 'event=die', '--filter', 'container=golden-done', '--format', '{{.Status}} {{.Actor.Attributes.exitCode}}'] },
  { args: ['events', '--since', '$SINCE', '--until', '$UNTIL', '--filter', 'label=role=web', '--format', '{{.Type}} {{.Action}}'] },
  { args: ['events', '--since', '$SINCE', '--until', '$UNTIL', '--filter', 'image=busybox', '--format', '{{.Action}} {{.Actor.Attributes.name}}'] },
  { args: ['events', '--since', '$SINCE', '--until', '$UNTIL', '--filter', 'type=volume', '--filter', 'event=mount', '--format', '{{.Actor.ID}}'] },
  { args: ['events', '--since', '$SINCE', '--until', '$UNTIL', '--filter', 'bogus=1'] },
  { args: ['events', '--since', 'x', '--until', '$UNTIL'] },
  { args: ['login', '-u', 'alice', '--password-stdin', '$AUTH_REGISTRY'], input: 'secret\n' },
  { args: ['login', '-u', 'alice', '--password-stdin', '$AUTH_REGISTRY'], input: 'wrong\n' },
  { args: ['login', '-u', 'alice', '$AUTH_REGISTRY'], input: '' },
  { args: ['logout', '$AUTH_REGISTRY'], setup: [['login', '-u', 'alice', '-p', 'secret', '$AUTH_REGISTRY']] },
  { args: ['logout', '$AUTH_REGISTRY'] },
  { args: ['export', '-o', '$WORK/exported.tar', 'golden-done'] },
  { args: ['container', 'export', '-o', '/nonexistent/dir/x.tar', 'golden-done'] },
  { args: ['export', '-o', '$WORK', 'golden-done'] },
  { args: ['export', '-o', '$WORK/x.tar', 'nosuch'] },
  { args: ['export'] },
  // The container speaks after 5 s: the attach must be in place by then, also on a busy machine.
  { args: ['attach', 'golden-attached'], setup: [['rm', '-f', 'golden-attached'], ['run', '-d', '--name', 'golden-attached', 'busybox', 'sh', '-c', 'sleep 5; echo out; echo err >&2; exit 3']] },
  { args: ['container', 'attach', '--no-stdin', '--sig-proxy=false', 'golden-attached'], setup: [['rm', '-f', 'golden-attached'], ['run', '-d', '--name', 'golden-attached', 'busybox', 'sh', '-c', 'sleep 5; echo out; exit 0']] },
  { args: ['attach', 'golden-done'] },
  { args: ['attach', 'nosuch'] },
  { args: ['attach', 'golden-run'], setup: [['pause', 'golden-run']] },
  { args: ['unpause', 'golden-run'], setup: [['pause', 'golden-run']] },
  { args: ['attach', '--sig-proxy=bogus', 'golden-run'] },
  { args: ['attach'] },
  { args: ['cp', 'golden-done:/made', '$WORK/made'] },
  { args: ['cp', 'golden-done:/made', '-'] },
  { args: ['cp', '-q', 'golden-done:/etc/hostname', '-'] },
  { args: ['cp', 'golden-done:/nosuch', '$WORK/x'] },
  { args: ['cp', 'nosuch:/x', '$WORK/x'] },
  { args: ['cp', 'golden-done:/made', '$WORK/nosuch-dir/x'] },
  { args: ['cp', 'golden-done:/etc/hostname', '$WORK/nosuch-dir/'] },
  { args: ['cp', 'golden-done:/etc', '$WORK/golden.tar'], setup: [['save', '-o', '$WORK/golden.tar', 'golden/box:v1']] },
  { args: ['cp', '$WORK/golden.tar', 'golden-run:/tmp/'], setup: [['save', '-o', '$WORK/golden.tar', 'golden/box:v1']] },
  { args: ['exec', 'golden-run', 'ls', '/tmp'] },
  { args: ['cp', '$WORK', 'golden-run:/tmp/golden.tar'] },
  { args: ['cp', '$WORK/nosuch', 'golden-run:/tmp/'] },
  { args: ['cp', '-', 'golden-run:/tmp/golden.tar'], input: '' },
  { args: ['container', 'cp', '/etc/hostname', 'nosuch:/tmp/x'] },
  { args: ['cp', 'golden-done:/made', 'golden-run:/made'] },
  { args: ['cp', '$WORK/a', '$WORK/b'] },
  { args: ['cp', 'golden-done:/made'] },
  { args: ['container', 'cp'] },
  // run and create flags (e2e/src/run-flags-cli.test.ts compares the containers they make, flag by flag)
  { args: ['container', 'create', '--help'] },
  { args: ['container', 'run', '--help'] },
  { args: ['run', '--rm', '-m', 'x', 'busybox'] },
  { args: ['create', '--ulimit', 'nofile', 'busybox'] },
  { args: ['create', '--cpus', '0.0000000001', 'busybox'] },
  { args: ['run', '--pull', 'bogus', 'busybox'] },
  { args: ['create', '--security-opt', 'foo', 'busybox'] },
  { args: ['create', '--cpu-count', '2', 'busybox'] },
  { args: ['create', '--cgroup-parent', 'custom', 'busybox'] },
  { args: ['run', '-d', '-a', 'stdout', 'busybox'] },
  { args: ['run', '--rm', '-a', 'stderr', '-u', '1000:1000', '-e', 'A=1', 'busybox', 'sh', '-c', 'id -u; echo $A >&2'] },
  { args: ['run', '--rm', '--sig-proxy=false', '--init', '--read-only', '--cap-drop', 'all', 'busybox', 'echo', 'ok'] },
  // start -a / -i: the container's streams joined before it starts, its exit status the CLI's
  { args: ['start', '--help'], subset: true },
  { args: ['start', '-a', 'golden-done'] },
  { args: ['container', 'start', '-ai', 'golden-cat'], input: 'hello\n', setup: [['rm', '-f', 'golden-cat'], ['create', '-i', '--name', 'golden-cat', 'busybox', 'cat']] },
  { args: ['start', '-a', 'golden-done', 'golden-run'] },
  { args: ['start', '-i', 'nosuch'] },
];

const substitute = (args: string[]): string[] =>
  args.map((a) =>
    a
      .replace('$SINCE', String(since))
      .replace('$UNTIL', String(until))
      .replace('$REGISTRY', registry.host)
      .replace('$AUTH_REGISTRY', authRegistry.host)
      .replace('$WORK', work)
      .replace('$CONFIG', configDir),
  );

function normalise(result: CommandResult, row: Row): Output {
  const from = (text: string) => {
    const start = row.from ? text.slice(Math.max(0, text.search(row.from))) : text;
    return row.upTo && start.search(row.upTo) >= 0 ? start.slice(0, start.search(row.upTo)) : start;
  };
  const fold = (text: string) => (row.table ? mask(text).replace(/ {2,}/g, '  ') : mask(text));
  // The docker CLI's own log lines (logrus, e.g. a tar writer cut off when cp gives up) come and go with timing.
  const logged = result.stderr.replace(/^time="[^"]*" level=\w+ msg=".*"\n/gm, '');
  const stderr = row.legacyBuilder ? logged.replace(LEGACY_BUILDER_NOTICE, '') : logged;
  const order = (text: string) => (row.anyRowOrder ? text.split('\n').sort().join('\n') : text);
  return { code: result.code, stdout: order(fold(from(result.stdout))), stderr: fold(stderr) };
}

describe(`docker CLI ${DOCKER_VERSION} golden output vs berth`, () => {
  it.each(rows.map((row) => [row.args.join(' '), row] as const))('%s', async (_, row) => {
    const args = substitute(row.args);
    const setUp = async () => {
      for (const step of row.setup ?? []) await d.dockerCli(substitute(step));
    };
    await setUp();
    const docker = normalise(await d.dockerCli(args, row.input), row);
    await setUp();
    const berth = normalise(await d.berth(args, row.input), row);
    if (row.differs) {
      expect(docker).toMatchObject(row.differs.docker);
      expect(berth).toMatchObject(row.differs.berth);
    } else if (row.subset) {
      expect({ ...berth, stdout: '' }).toEqual({ ...docker, stdout: '' });
      const lines = new Set(docker.stdout.split('\n'));
      expect(berth.stdout.split('\n').filter((line) => !lines.has(line))).toEqual([]);
    } else {
      expect(berth).toEqual(docker);
    }
  });
});
