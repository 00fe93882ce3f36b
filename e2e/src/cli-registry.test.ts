import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { busyboxArchive, run, useTestDaemon, type CommandResult } from './harness.js';
import { BERTH, PRIVATE_TOOLS } from './paths.js';
import { startRegistry, writeHtpasswd, type TestRegistry } from './registry-harness.js';
import { startTmuxServer } from './tmux-harness.js';

const d = useTestDaemon({ busybox: false });
const BERTH_COMMAND = `${process.execPath} ${BERTH}`;

/** Copies busybox into the registry with skopeo, as `repository:latest`. */
async function pushBusybox(registry: TestRegistry, repository: string, creds?: string): Promise<void> {
  const args = ['copy', '--dest-tls-verify=false', ...(creds ? ['--dest-creds', creds] : [])];
  const pushed = await run('skopeo', [...args, `docker-archive:${await busyboxArchive()}`, `docker://${registry.host}/${repository}:latest`], {
    env: { REGISTRY_AUTH_FILE: join(registry.work, 'auth.json') },
  });
  expect(pushed.code, pushed.stderr).toBe(0);
}

async function removeAllImages(): Promise<void> {
  for (const listed of await d.docker.listImages()) await d.docker.getImage(listed.Id).remove({ force: true });
}

/** Writes the client config (`$DOCKER_CONFIG/config.json`) both CLIs read. */
async function writeClientConfig(config: object): Promise<void> {
  await mkdir(d.env.DOCKER_CONFIG!, { recursive: true });
  await writeFile(join(d.env.DOCKER_CONFIG!, 'config.json'), JSON.stringify(config));
}

const readClientConfig = async (): Promise<{ auths?: Record<string, object> }> => JSON.parse(await readFile(join(d.env.DOCKER_CONFIG!, 'config.json'), 'utf8')) as { auths?: Record<string, object> };

/** What a command writes to a pseudo-terminal of 120 columns (`script`), without script's own first and last lines. */
async function onTerminal(command: string, env: NodeJS.ProcessEnv = {}): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-pty-'));
  try {
    const typescript = join(dir, 'typescript');
    const ran = await run('script', ['-q', '-e', '-c', `stty cols 120 rows 40; ${command}`, typescript], { env: { ...d.env, ...env } });
    expect(ran.code, ran.stderr).toBe(0);
    const lines = (await readFile(typescript, 'utf8')).split('\n');
    return lines.slice(1, lines.findLastIndex((line) => line.startsWith('Script done')) - 1).join('\n') + '\n';
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

// A layer line redrawn with a byte count: how many of them a transfer sends depends on timing.
const COUNTED_FRAME = /\x1b\[\d+A\x1b\[2K\r[0-9a-f]{12}: (Downloading|Extracting|Pushing) [^\r]*\r\x1b\[\d+B/g;

describe('berth pull and push on a terminal', () => {
  let registry: TestRegistry;
  beforeAll(async () => {
    registry = await startRegistry();
    await pushBusybox(registry, 'library/busybox');
  }, 60_000);
  afterAll(() => registry?.stop());

  it('draws a line per layer with docker\'s bars, updated in place, and ends with docker\'s lines', async () => {
    const image = `${registry.host}/library/busybox`;
    const shown: string[] = [];
    for (const cli of ['docker', BERTH_COMMAND]) {
      await removeAllImages();
      shown.push(await onTerminal(`${cli} pull ${image}`));
    }
    const [docker, berth] = shown as [string, string];
    const bar = '\\[=*>? *\\] +[\\d.]+[kMG]?B/[\\d.]+[kMG]?B';
    expect(berth).toMatch(new RegExp(`\\x1b\\[1A\\x1b\\[2K\\r[0-9a-f]{12}: Downloading ${bar}\\r\\x1b\\[1B`));
    expect(berth).toMatch(new RegExp(`\\x1b\\[1A\\x1b\\[2K\\r[0-9a-f]{12}: Extracting ${bar}\\r\\x1b\\[1B`));
    expect(berth).toMatch(new RegExp(`: Pull complete \\r\\x1b\\[1BDigest: sha256:[0-9a-f]{64}\\r\\nStatus: Downloaded newer image for ${image}:latest\\r\\n${image}:latest\\r\\n$`));
    expect(berth.replace(COUNTED_FRAME, '')).toBe(docker.replace(COUNTED_FRAME, ''));
  }, 60_000);

  it('pushes with the docker CLI\'s lines, and keeps plain lines without a terminal', async () => {
    expect((await d.dockerCli(['pull', `${registry.host}/library/busybox`])).code).toBe(0);
    const shown: string[] = [];
    for (const cli of ['docker', BERTH_COMMAND]) {
      // A registry of its own, so that each push uploads its layer (a registry that has it mounts it).
      const target = await startRegistry();
      try {
        expect((await d.dockerCli(['tag', `${registry.host}/library/busybox`, `${target.host}/team/busybox:v1`])).code).toBe(0);
        shown.push((await onTerminal(`${cli} push ${target.host}/team/busybox:v1`)).replace(target.host, 'REGISTRY'));
      } finally {
        await target.stop();
      }
    }
    expect(shown[1]).toMatch(/: Preparing \r\x1b\[1B/);
    expect(shown[1]).toMatch(/: Pushing \[=*>? *\] +[\d.]+[kMG]?B\/[\d.]+[kMG]?B\r\x1b\[1B/);
    expect(shown[1]!.replace(COUNTED_FRAME, '')).toBe(shown[0]!.replace(COUNTED_FRAME, ''));
    const plain = await d.berth(['pull', `${registry.host}/library/busybox`]);
    expect(plain.stdout).not.toContain('\x1b');
    expect(plain.stdout).toBe((await d.dockerCli(['pull', `${registry.host}/library/busybox`])).stdout);
  }, 60_000);
});

/**
 * A credential helper speaking docker's protocol (`get`, `store`, `erase` with JSON or the server URL
 * on stdin), keeping each server's credentials as a file in `store`: a stand-in used besides the real
 * docker-credential-pass, which only runs where pass is installed.
 */
async function writeTestHelper(bin: string, store: string): Promise<void> {
  const script = `#!/bin/sh
set -eu
file() { printf '%s/' '${store}'; printf '%s' "$1" | od -An -tx1 | tr -d ' \\n'; }
case "$1" in
  store) input=$(cat); server=$(printf '%s' "$input" | sed -n 's/.*"ServerURL":"\\([^"]*\\)".*/\\1/p'); printf '%s' "$input" > "$(file "$server")" ;;
  get|erase) f=$(file "$(cat)"); [ -f "$f" ] || { echo 'credentials not found in native keychain'; exit 1; }; if [ "$1" = get ]; then cat "$f"; else rm "$f"; fi ;;
  *) echo "unknown action $1"; exit 1 ;;
esac
`;
  await mkdir(store, { recursive: true });
  await writeFile(join(bin, 'docker-credential-berth-test'), script);
  await chmod(join(bin, 'docker-credential-berth-test'), 0o755);
}

describe('credentials through a credential helper, shared by docker and berth', () => {
  let registry: TestRegistry;
  let work: string;
  let env: NodeJS.ProcessEnv;
  let store: string;
  let image: string;
  const cli = (file: string, args: string[], input?: string): Promise<CommandResult> => run(file, args, { env: { ...d.env, ...env }, input });
  const docker = (args: string[], input?: string): Promise<CommandResult> => cli('docker', args, input);
  const berth = (args: string[], input?: string): Promise<CommandResult> => cli(process.execPath, [BERTH, ...args], input);

  beforeAll(async () => {
    registry = await startRegistry(async (_host, dir) => `auth:\n  htpasswd:\n    realm: berth\n    path: ${await writeHtpasswd(dir, 'alice', 'secret')}\n`);
    await pushBusybox(registry, 'private/busybox', 'alice:secret');
    image = `${registry.host}/private/busybox:latest`;
    work = await mkdtemp(join(tmpdir(), 'berth-helper-'));
    store = join(work, 'store');
    await mkdir(join(work, 'bin'));
    await writeTestHelper(join(work, 'bin'), store);
    env = { PATH: `${join(work, 'bin')}${delimiter}${process.env.PATH}` };
  }, 60_000);
  afterAll(async () => {
    await registry?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('a docker login through credsStore serves berth pull, and berth logout erases it', async () => {
    await removeAllImages();
    await writeClientConfig({ credsStore: 'berth-test' });
    const login = await docker(['login', '-u', 'alice', '--password-stdin', registry.host], 'secret');
    expect(login.code, login.stderr).toBe(0);
    expect(await readdir(store)).toHaveLength(1);
    expect((await readClientConfig()).auths).toEqual({ [registry.host]: {} });
    const pulled = await berth(['pull', image]);
    expect(pulled.code, pulled.stderr).toBe(0);
    expect(pulled.stdout).toContain(`Status: Downloaded newer image for ${image}`);

    const logout = await berth(['logout', registry.host]);
    expect(logout).toEqual({ code: 0, stdout: `Removing login credentials for ${registry.host}\n`, stderr: '' });
    expect(await readdir(store)).toEqual([]);
    expect((await readClientConfig()).auths).toEqual({});
    await removeAllImages();
    const refused = await berth(['pull', image]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`pull access denied for ${registry.host}/private/busybox`);
  }, 60_000);

  it('a berth login through credHelpers stores no password in config.json, warns of none, and serves docker pull', async () => {
    await removeAllImages();
    await writeClientConfig({ credHelpers: { [registry.host]: 'berth-test' } });
    const login = await berth(['login', '-u', 'alice', '--password-stdin', registry.host], 'secret\n');
    expect(login).toEqual({ code: 0, stdout: 'Login Succeeded\n', stderr: '' });
    expect((await readClientConfig()).auths).toEqual({ [registry.host]: {} });
    expect(JSON.parse(await readFile(join(store, (await readdir(store))[0]!), 'utf8'))).toEqual({ ServerURL: registry.host, Username: 'alice', Secret: 'secret' });
    const pulled = await docker(['pull', image]);
    expect(pulled.code, pulled.stderr).toBe(0);
    expect((await docker(['logout', registry.host])).code).toBe(0);
    expect(await readdir(store)).toEqual([]);
  }, 60_000);

  it('an absent helper: login fails with docker\'s error, pull goes anonymous, as with docker', async () => {
    for (const args of [['login', '-u', 'alice', '--password-stdin', registry.host], ['pull', image], ['logout']]) {
      await writeClientConfig({ credsStore: 'absent' });
      const [byDocker, byBerth] = [await docker(args, 'secret'), await berth(args, 'secret')];
      expect(byBerth, args.join(' ')).toEqual(byDocker);
    }
    await writeClientConfig({ credsStore: 'absent' });
    expect((await berth(['login', '-u', 'alice', '--password-stdin', registry.host], 'secret')).stderr).toBe(
      'Error saving credentials: error storing credentials - err: exec: "docker-credential-absent": executable file not found in $PATH, out: ``\n',
    );
  }, 60_000);

  // Debian's golang-docker-credential-helpers with pass, in a throw-away GnuPG home and password store;
  // tools/setup --test unpacks them where only this test looks (on the system's PATH, pass would become docker's default store).
  const passPath = [PRIVATE_TOOLS, ...(process.env.PATH ?? '').split(delimiter)];
  const passInstalled = ['pass', 'docker-credential-pass'].every((program) => passPath.some((dir) => existsSync(join(dir, program))));
  const passTitle = 'the real docker-credential-pass';
  describe.skipIf(!passInstalled)(passInstalled ? passTitle : `${passTitle}: skipped, pass and docker-credential-pass are not installed`, () => {
    let passEnv: NodeJS.ProcessEnv;
    beforeAll(async () => {
      const home = join(work, 'pass');
      passEnv = { HOME: home, GNUPGHOME: join(home, 'gnupg'), PASSWORD_STORE_DIR: join(home, 'store'), PATH: passPath.join(delimiter) };
      await mkdir(passEnv.GNUPGHOME!, { recursive: true, mode: 0o700 });
      const key = await run('gpg', ['--batch', '--passphrase', '', '--quick-gen-key', 'berth-e2e <berth-e2e@test.invalid>', 'default', 'default', 'never'], { env: passEnv });
      expect(key.code, key.stderr).toBe(0);
      expect((await run('pass', ['init', 'berth-e2e@test.invalid'], { env: passEnv })).code).toBe(0);
    }, 60_000);
    afterAll(async () => {
      if (passEnv) await run('gpgconf', ['--kill', 'gpg-agent'], { env: passEnv });
    });

    it('a docker login through pass serves berth pull, berth logout erases it, and a berth login serves docker', async () => {
      env = { ...env, ...passEnv };
      await removeAllImages();
      await writeClientConfig({ credsStore: 'pass' });
      expect((await docker(['login', '-u', 'alice', '--password-stdin', registry.host], 'secret')).code).toBe(0);
      const listed = async (): Promise<unknown> => JSON.parse((await run('docker-credential-pass', ['list'], { env: passEnv })).stdout);
      expect(await listed()).toEqual({ [registry.host]: 'alice' });
      const pulled = await berth(['pull', image]);
      expect(pulled.code, pulled.stderr).toBe(0);
      expect((await berth(['logout', registry.host])).code).toBe(0);
      expect(await listed()).toEqual({});

      const login = await berth(['login', '-u', 'alice', '--password-stdin', registry.host], 'secret');
      expect(login).toEqual({ code: 0, stdout: 'Login Succeeded\n', stderr: '' });
      expect(await listed()).toEqual({ [registry.host]: 'alice' });
      await removeAllImages();
      expect((await docker(['pull', image])).code).toBe(0);
    }, 60_000);
  });
});

describe('berth login on a terminal', () => {
  let registry: TestRegistry;
  const { tmux, screenShows, kill } = startTmuxServer();

  /** Runs `login` in a tmux terminal, answers its prompts, and returns the final screen. */
  async function interactiveLogin(session: string, cli: string, answers: string[]): Promise<string> {
    const vars = Object.entries(d.env).map(([name, value]) => `${name}=${value}`).join(' ');
    await tmux(['new-session', '-d', '-s', session, '-x', '120', '-y', '30', `env ${vars} ${cli} login ${registry.host}; echo "exited $?"; sleep 600`]);
    await screenShows(session, /Username:\s*$/m);
    await tmux(['send-keys', '-t', session, answers[0]!, 'Enter']);
    await screenShows(session, /Password:\s*$/m);
    await tmux(['send-keys', '-t', session, answers[1]!, 'Enter']);
    return screenShows(session, /exited \d+/);
  }

  beforeAll(async () => {
    registry = await startRegistry(async (_host, dir) => `auth:\n  htpasswd:\n    realm: berth\n    path: ${await writeHtpasswd(dir, 'alice', 'secret')}\n`);
  }, 60_000);
  afterAll(async () => {
    await kill();
    await registry?.stop();
  });

  it('prompts for the username and, without echo, the password, as docker does', async () => {
    const screens: string[] = [];
    for (const [session, cli] of [['docker', 'docker'], ['berth', BERTH_COMMAND]] as const) {
      // Credentials already in auths: the file keeps them, even where docker would default to pass.
      await writeClientConfig({ auths: { 'other.invalid': { auth: Buffer.from('x:y').toString('base64') } } });
      screens.push(await interactiveLogin(session, cli, ['alice', 'secret']));
    }
    expect(screens[1]).toMatch(/^Username: alice\nPassword:\n\nWARNING! Your credentials are stored unencrypted in '.*config\.json'\.\n[^]*Login Succeeded\nexited 0\n/);
    expect(screens[1]).not.toContain('secret');
    expect(screens[1]).toBe(screens[0]);
    const stored = (await readClientConfig()).auths?.[registry.host] as { auth: string };
    expect(Buffer.from(stored.auth, 'base64').toString()).toBe('alice:secret');
  }, 60_000);

  it('refuses to prompt without a terminal, with docker\'s error', async () => {
    await writeClientConfig({});
    const [byDocker, byBerth] = [await d.dockerCli(['login', registry.host]), await d.berth(['login', registry.host])];
    expect(byBerth).toEqual({ code: 1, stdout: '', stderr: 'Error: Cannot perform an interactive login from a non TTY device\n' });
    expect(byBerth).toEqual(byDocker);
  });
});
