import { constants, readFileSync } from 'node:fs';
import { access, mkdir, readFile, stat } from 'node:fs/promises';
import { delimiter, dirname, join } from 'node:path';
import { InvalidArgumentError } from '@berth/api';
import type { RegistryCredentials } from '@berth/client';
import { CredentialHelper } from './credential-helper.js';
import { writeFileAtomic } from './atomic-file.js';

// The key the docker CLI files Docker Hub's credentials under.
export const DOCKER_HUB_KEY = 'https://index.docker.io/v1/';

interface DockerConfigFile extends CliSettings {
  auths?: Record<string, { auth?: string; [key: string]: unknown }>;
  credsStore?: string;
  credHelpers?: Record<string, string>;
  [key: string]: unknown;
}

/** The keys of config.json that shape the CLI's behaviour, as docker's. */
export interface CliSettings {
  /** The default `ps` format (a `--format` overrides it). */
  psFormat?: string;
  /** The default `images` format. */
  imagesFormat?: string;
  /** The default detach sequence of attach, run, start -a and exec. */
  detachKeys?: string;
  /** The context `context use` chose. */
  currentContext?: string;
}

/** Where a registry's credentials live: config.json itself, or a credential helper. */
export interface CredentialStore {
  /** True for config.json's `auths`, where docker warns that a password is stored unencrypted. */
  readonly inConfigFile: boolean;
  /** The credentials stored for the server, if any. */
  get(server: string): Promise<RegistryCredentials | undefined>;
  store(server: string, credentials: { username: string; password: string }): Promise<void>;
  /** Removes the server's credentials; nothing to remove is not an error for config.json, it may be for a helper. */
  erase(server: string): Promise<void>;
}

/**
 * The docker CLI's config file (`config.json` in the config directory: --config, DOCKER_CONFIG, ~/.docker), shared
 * with docker: credentials in its `auths`, or in the credential helper that `credHelpers` names for
 * the registry, else `credsStore`. A file naming neither, and holding no credentials, gets the
 * helper docker would pick on Linux (`pass`, else `secretservice`, when installed).
 */
export class DockerConfig {
  private constructor(
    readonly path: string,
    private file: DockerConfigFile,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  static async open(dir: string, env: NodeJS.ProcessEnv): Promise<DockerConfig> {
    const path = join(dir, 'config.json');
    const file = parseConfig(await readFile(path, 'utf8').catch(missingAsEmpty), path);
    const holdsCredentials = file.credsStore || Object.keys(file.credHelpers ?? {}).length > 0 || Object.keys(file.auths ?? {}).length > 0;
    if (!holdsCredentials) {
      const helper = await defaultHelper(env);
      if (helper) file.credsStore = helper;
    }
    return new DockerConfig(path, file, env);
  }

  /**
   * Every credential the file knows of, by server, as docker's GetAllCredentials feeds `X-Registry-Config`
   * for a build: the servers config.json names (in `auths` or `credHelpers`), each read from its store.
   * A helper that fails leaves its server out, as docker does.
   */
  async allCredentials(): Promise<Record<string, RegistryCredentials>> {
    const servers = new Set([...Object.keys(this.file.auths ?? {}), ...Object.keys(this.file.credHelpers ?? {})]);
    const found: Record<string, RegistryCredentials> = {};
    for (const server of servers) {
      const credentials = await this.credentialStore(server).get(server).catch(() => undefined);
      if (credentials) found[server] = credentials;
    }
    return found;
  }

  /** The store that keeps the server's credentials, as docker chooses it. */
  credentialStore(server: string): CredentialStore {
    const helper = this.file.credHelpers?.[server] || this.file.credsStore;
    return helper ? this.helperStore(new CredentialHelper(helper, this.env)) : this.fileStore();
  }

  private fileStore(): CredentialStore {
    return {
      inConfigFile: true,
      get: async (server) => {
        const auths = this.file.auths ?? {};
        // An entry filed under a URL (`https://host/v1/`) serves its host too.
        const key = server in auths ? server : Object.keys(auths).find((candidate) => convertToHostname(candidate) === server);
        const encoded = key === undefined ? undefined : auths[key]?.auth;
        if (!encoded) return undefined;
        const decoded = Buffer.from(encoded, 'base64').toString('utf8');
        const colon = decoded.indexOf(':');
        if (colon < 0) throw new InvalidArgumentError(`invalid auth configuration file: the entry for ${server} is not user:password`);
        return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1), serveraddress: server };
      },
      store: (server, { username, password }) => this.saveEntry(server, { auth: Buffer.from(`${username}:${password}`).toString('base64') }),
      erase: async (server) => {
        if (this.file.auths?.[server] === undefined) return;
        const { [server]: _erased, ...rest } = this.file.auths;
        await this.save({ ...this.file, auths: rest });
      },
    };
  }

  // As docker, the helper keeps the secret and config.json an empty entry naming the server.
  private helperStore(helper: CredentialHelper): CredentialStore {
    const file = this.fileStore();
    return {
      inConfigFile: false,
      get: async (server) => {
        const found = await helper.get(server);
        return found && { username: found.Username, password: found.Secret, serveraddress: server };
      },
      store: async (server, { username, password }) => {
        await helper.store({ ServerURL: server, Username: username, Secret: password });
        await this.saveEntry(server, {});
      },
      erase: async (server) => {
        await helper.erase(server);
        await file.erase(server);
      },
    };
  }

  /** Records the context `context use` chose; the default one is recorded by removing the key, as docker does. */
  async setCurrentContext(name: string | undefined): Promise<void> {
    const { currentContext: _previous, ...rest } = this.file;
    await this.save(name ? { ...rest, currentContext: name } : rest);
  }

  // auths comes first, where docker writes it.
  private saveEntry(server: string, entry: { auth?: string }): Promise<void> {
    const { auths, ...rest } = this.file;
    return this.save({ auths: { ...auths, [server]: entry }, ...rest });
  }

  private async save(file: DockerConfigFile): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
    writeFileAtomic(this.path, `${JSON.stringify(file, null, '\t')}\n`, 0o600);
    this.file = file;
  }
}

/**
 * config.json's CLI settings, read synchronously: most commands need them before anything else. As docker, a file
 * that cannot be read or parsed is warned about (`warn`) and the command goes on without it.
 */
export function readSettings(dir: string, warn: (text: string) => void): CliSettings {
  const path = join(dir, 'config.json');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    warn(`WARNING: Error loading config file: ${path}: ${(err as Error).message}\n`);
    return {};
  }
  let file: DockerConfigFile;
  try {
    file = text.trim() === '' ? {} : (JSON.parse(text) as DockerConfigFile);
  } catch (err) {
    warn(`WARNING: Error parsing config file (${path}): ${(err as Error).message}\n`);
    return {};
  }
  const { psFormat, imagesFormat, detachKeys, currentContext } = file;
  return { psFormat, imagesFormat, detachKeys, currentContext };
}

function missingAsEmpty(err: unknown): string {
  if ((err as NodeJS.ErrnoException).code === 'ENOENT') return '';
  throw err;
}

function parseConfig(text: string, path: string): DockerConfigFile {
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text) as DockerConfigFile;
  } catch {
    throw new InvalidArgumentError(`loading config file ${path}: invalid JSON`);
  }
}

/** docker's default store on Linux: `pass` when the pass program is installed, else `secretservice`; only if its helper is. */
async function defaultHelper(env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const helper = (await onPath('pass', env)) ? 'pass' : 'secretservice';
  return (await onPath(`docker-credential-${helper}`, env)) ? helper : undefined;
}

async function onPath(program: string, env: NodeJS.ProcessEnv): Promise<boolean> {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir || '.', program);
    const found = await access(candidate, constants.X_OK).then(
      async () => (await stat(candidate)).isFile(),
      () => false,
    );
    if (found) return true;
  }
  return false;
}

/** The host of a registry address, as docker files non-Hub credentials: no scheme, no path. */
export function convertToHostname(address: string): string {
  return address.replace(/^https?:\/\//, '').split('/')[0]!;
}

/**
 * The registry a reference names, as the docker CLI files credentials: its first path component when
 * that is a host (a `.` or `:`, `localhost`, or upper case), else Docker Hub.
 */
export function registryOf(reference: string): string {
  const slash = reference.indexOf('/');
  const first = slash < 0 ? '' : reference.slice(0, slash);
  const isHost = first !== '' && (first.includes('.') || first.includes(':') || first === 'localhost' || first !== first.toLowerCase());
  return isHost ? first : DOCKER_HUB_KEY;
}
