import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { InvalidArgumentError } from '@berth/api';
import type { RegistryCredentials } from '@berth/client';

// The key the docker CLI files Docker Hub's credentials under.
export const DOCKER_HUB_KEY = 'https://index.docker.io/v1/';

interface DockerConfigFile {
  auths?: Record<string, { auth?: string }>;
  credsStore?: string;
  credHelpers?: Record<string, string>;
  [key: string]: unknown;
}

/**
 * The docker CLI's config file (`$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`), whose
 * `auths` berth shares with docker: a `docker login` serves `berth pull`, and the other way round.
 */
export class DockerConfig {
  private constructor(
    readonly path: string,
    private readonly file: DockerConfigFile,
  ) {}

  static async open(env: NodeJS.ProcessEnv): Promise<DockerConfig> {
    const path = join(env.DOCKER_CONFIG || join(homedir(), '.docker'), 'config.json');
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return new DockerConfig(path, {});
      throw err;
    }
    try {
      return new DockerConfig(path, JSON.parse(text) as DockerConfigFile);
    } catch {
      throw new InvalidArgumentError(`loading config file ${path}: invalid JSON`);
    }
  }

  /** The credentials stored for the registry, if any. */
  credentials(registry: string): RegistryCredentials | undefined {
    this.refuseHelpers(registry);
    const encoded = this.file.auths?.[registry]?.auth;
    if (!encoded) return undefined;
    const decoded = Buffer.from(encoded, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) throw new InvalidArgumentError(`invalid auth configuration file: the entry for ${registry} is not user:password`);
    return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1), serveraddress: registry };
  }

  async store(registry: string, credentials: RegistryCredentials): Promise<void> {
    this.refuseHelpers(registry);
    const auths = { ...this.file.auths, [registry]: { auth: Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64') } };
    await this.save({ ...this.file, auths });
  }

  /** Removes the registry's credentials; false when there were none. */
  async remove(registry: string): Promise<boolean> {
    if (this.file.auths?.[registry] === undefined) return false;
    const { [registry]: _removed, ...rest } = this.file.auths;
    await this.save({ ...this.file, auths: rest });
    return true;
  }

  // Credential helpers are programs of their own (docker-credential-*): refused rather than bypassed.
  private refuseHelpers(registry: string): void {
    const helper = this.file.credHelpers?.[registry] ?? this.file.credsStore;
    if (helper) throw new InvalidArgumentError(`credential helpers are not supported by berth yet: ${this.path} names "${helper}" for ${registry}`);
  }

  private async save(file: DockerConfigFile): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
    const temporary = `${this.path}.${process.pid}.tmp`;
    await writeFile(temporary, `${JSON.stringify(file, null, '\t')}\n`, { mode: 0o600 });
    await rename(temporary, this.path);
    Object.assign(this.file, file);
  }
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
