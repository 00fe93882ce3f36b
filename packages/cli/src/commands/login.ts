import { InvalidArgumentError, UnauthorizedError } from '@berth/api';
import type { RegistryCredentials } from '@berth/client';
import type { CommandContext } from '../context.js';
import { convertToHostname, DOCKER_HUB_KEY, DockerConfig, type CredentialStore } from '../docker-config.js';
import { describeError } from '../error-message.js';
import { Prompter, PromptTerminated } from '../prompt.js';
import { readAll } from '../read-all.js';

export interface LoginOptions {
  username?: string;
  password?: string;
  passwordStdin?: boolean;
}

type Credentials = Required<RegistryCredentials>;

/**
 * The credentials pull and push send for a registry. As docker, a store that fails (a helper that is
 * missing or broken) means no credentials rather than an error.
 */
export async function storedCredentials(ctx: CommandContext, registry: string): Promise<RegistryCredentials | undefined> {
  const store = (await DockerConfig.open(ctx.configDir(), ctx.env)).credentialStore(registry);
  return store.get(registry).catch(() => undefined);
}

/**
 * `login` as docker 28 does it: with neither flag, stored credentials are tried first; what is
 * missing is then asked for on the terminal (the password without echo), and the credentials are
 * checked by the daemon and kept where config.json says (its `auths`, or a credential helper).
 */
export async function login(ctx: CommandContext, server: string | undefined, options: LoginOptions): Promise<void> {
  const username = options.username ?? '';
  let password = options.password ?? '';
  if (password) {
    ctx.err('WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n');
    if (options.passwordStdin) throw new InvalidArgumentError('--password and --password-stdin are mutually exclusive');
  }
  if (options.passwordStdin) {
    if (!username) throw new InvalidArgumentError('Must provide --username with --password-stdin');
    password = (await readAll(ctx.io.stdin)).toString('utf8').replace(/\n$/, '').replace(/\r$/, '');
  }
  const address = server && server !== 'docker.io' ? server : DOCKER_HUB_KEY;
  const key = address === DOCKER_HUB_KEY ? address : convertToHostname(address);
  const config = await DockerConfig.open(ctx.configDir(), ctx.env);
  const store = config.credentialStore(key);
  const stored = !username && !password ? await store.get(key).catch(() => undefined) : undefined;
  let status: string | undefined;
  if (stored?.username && stored.password) status = await loginWithStored(ctx, store, { ...stored, serveraddress: key });
  if (status === undefined) {
    let credentials: Credentials;
    try {
      credentials = await askMissing(ctx, { username, password, serveraddress: key }, stored?.username ?? '');
    } catch (err) {
      if (err instanceof PromptTerminated) return;
      throw err;
    }
    status = (await ctx.client().login(credentials)).Status;
    await keep(store, credentials);
    if (store.inConfigFile) ctx.err(`\nWARNING! Your credentials are stored unencrypted in '${config.path}'.\nConfigure a credential helper to remove this warning. See\nhttps://docs.docker.com/go/credential-store/\n\n`);
  }
  ctx.out(`${status}\n`);
}

/** Logs in with the stored credentials; undefined when the daemon refuses them. */
async function loginWithStored(ctx: CommandContext, store: CredentialStore, credentials: Credentials): Promise<string | undefined> {
  ctx.err(`Authenticating with existing credentials... [Username: ${credentials.username}]\n\n`);
  ctx.err(`${note(ctx, "To login with a different account, run 'docker logout' followed by 'docker login'")}\n\n\n`);
  let status: string | undefined;
  try {
    status = (await ctx.client().login(credentials)).Status;
  } catch (err) {
    ctx.err(err instanceof UnauthorizedError ? 'Stored credentials invalid or expired\n' : `Login did not succeed, error: ${describeError(err)}\n`);
  }
  await keep(store, credentials);
  return status;
}

/** The docker CLI's "Info" note: coloured on a terminal. */
function note(ctx: CommandContext, text: string): string {
  const terminal = (ctx.io.stderr as { isTTY?: boolean }).isTTY === true;
  return terminal ? `\x1b[1m\x1b[106m\x1b[30mi\x1b[0m\x1b[0m \x1b[96mInfo → \x1b[0m\x1b[0m\x1b[3m${text}\x1b[0m` : ` Info -> ${text}`;
}

/** Asks for the username and password not given, on a terminal only. */
async function askMissing(ctx: CommandContext, given: Credentials, defaultUsername: string): Promise<Credentials> {
  if (given.username && given.password) return given;
  if (!ctx.io.stdin.isTTY) throw new InvalidArgumentError('Error: Cannot perform an interactive login from a non TTY device');
  const prompter = new Prompter(ctx.io);
  try {
    let username = given.username.trim();
    if (!username) {
      username = (await prompter.ask(defaultUsername ? `Username (${defaultUsername}): ` : 'Username: ')) || defaultUsername;
      if (!username) throw new InvalidArgumentError('Error: Non-null Username Required');
    }
    let password = given.password;
    if (!password.trim()) {
      password = await prompter.ask('Password: ', { hidden: true });
      if (!password) throw new InvalidArgumentError('Error: Password Required');
    }
    return { username, password, serveraddress: given.serveraddress };
  } finally {
    prompter.close();
  }
}

async function keep(store: CredentialStore, credentials: Credentials): Promise<void> {
  try {
    await store.store(credentials.serveraddress, credentials);
  } catch (err) {
    throw new InvalidArgumentError(`Error saving credentials: ${describeError(err)}`, { cause: err });
  }
}

/**
 * `logout` as docker 28: the credentials are erased under the address given and its host forms; a
 * warning lists the failures only when every erase failed (docker counts distinct addresses there,
 * so a bare host, listed twice, never warns).
 */
export async function logout(ctx: CommandContext, server: string | undefined): Promise<void> {
  const address = server || DOCKER_HUB_KEY;
  const host = server ? convertToHostname(server) : address;
  const addresses = server ? [address, host, `http://${host}`, `https://${host}`] : [address];
  const config = await DockerConfig.open(ctx.configDir(), ctx.env);
  // Docker Hub's logout first reads the stored login (to revoke an OAuth token) and warns if it cannot.
  if (!server) await config.credentialStore(address).get(address).catch((err: unknown) => ctx.err(`WARNING: ${describeError(err)}\n`));
  ctx.out(`Removing login credentials for ${host}\n`);
  const failures = new Map<string, string>();
  for (const candidate of addresses) {
    await config
      .credentialStore(candidate)
      .erase(candidate)
      .catch((err: unknown) => failures.set(candidate, describeError(err)));
  }
  if (failures.size === addresses.length) ctx.err(`WARNING: could not erase credentials:\n${[...failures].map(([candidate, reason]) => `${candidate}: ${reason}\n`).join('')}`);
}
