import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ConflictError, InvalidArgumentError, NotFoundError } from '@berth/api';
import { writeFileAtomic } from '../atomic-file.js';
import { goJson } from '../format/go-template.js';

/** The TLS files a context may hold for its docker endpoint, by docker's file names. */
export const TLS_FILES = ['ca.pem', 'cert.pem', 'key.pem'] as const;
export type TlsFileName = (typeof TLS_FILES)[number];

/** A context as docker stores it in `meta.json`. */
export interface ContextMetadata {
  Name: string;
  Metadata: { Description?: string };
  /** Other endpoints docker may have stored (kubernetes, once) are kept as they are. */
  Endpoints: { docker: { Host?: string; SkipTLSVerify: boolean }; [endpoint: string]: unknown };
}

/** A stored context with the TLS material it carries (PEM bytes by file name). */
export interface StoredContext {
  meta: ContextMetadata;
  tls: Partial<Record<TlsFileName, Buffer>>;
}

export const DEFAULT_CONTEXT = 'default';
const NAME_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9_.+-]+$/;

/**
 * The docker CLI's context store under its config directory, in docker's layout so both CLIs share it:
 * `contexts/meta/<sha256 of the name>/meta.json` and `contexts/tls/<sha256>/docker/{ca,cert,key}.pem`.
 */
export class ContextStore {
  constructor(private readonly configDir: string) {}

  metadataPath(name: string): string {
    return join(this.configDir, 'contexts', 'meta', digestOf(name));
  }

  tlsPath(name: string): string {
    return join(this.configDir, 'contexts', 'tls', digestOf(name));
  }

  /** The context, or docker's "context not found" error naming the file it looked for. */
  get(name: string): StoredContext {
    const file = join(this.metadataPath(name), 'meta.json');
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new NotFoundError(`context "${name}": context not found: open ${file}: no such file or directory`);
      throw err;
    }
    return { meta: parseMetadata(text, file), tls: this.readTls(name) };
  }

  exists(name: string): boolean {
    return existsSync(join(this.metadataPath(name), 'meta.json'));
  }

  /** Every stored context; one whose metadata cannot be read is skipped, as docker lists what it can. */
  list(): StoredContext[] {
    let dirs: string[];
    try {
      dirs = readdirSync(join(this.configDir, 'contexts', 'meta'));
    } catch {
      return [];
    }
    const found: StoredContext[] = [];
    for (const dir of dirs) {
      const file = join(this.configDir, 'contexts', 'meta', dir, 'meta.json');
      try {
        const meta = parseMetadata(readFileSync(file, 'utf8'), file);
        found.push({ meta, tls: this.readTls(meta.Name) });
      } catch {
        continue;
      }
    }
    return found;
  }

  /** Writes the context's metadata and replaces its TLS material. */
  save(context: StoredContext): void {
    const metaDir = this.metadataPath(context.meta.Name);
    mkdirSync(metaDir, { recursive: true, mode: 0o755 });
    // As docker's encoding/json, with <, > and & escaped.
    writeFileAtomic(join(metaDir, 'meta.json'), goJson(context.meta), 0o644);
    const tlsDir = join(this.tlsPath(context.meta.Name), 'docker');
    rmSync(this.tlsPath(context.meta.Name), { recursive: true, force: true });
    const files = TLS_FILES.filter((name) => context.tls[name]);
    if (files.length === 0) return;
    mkdirSync(tlsDir, { recursive: true, mode: 0o700 });
    for (const name of files) writeFileAtomic(join(tlsDir, name), context.tls[name]!, 0o600);
  }

  remove(name: string): void {
    if (!this.exists(name)) throw new NotFoundError(`context "${name}" does not exist`);
    rmSync(this.metadataPath(name), { recursive: true, force: true });
    rmSync(this.tlsPath(name), { recursive: true, force: true });
  }

  private readTls(name: string): StoredContext['tls'] {
    const tls: StoredContext['tls'] = {};
    for (const file of TLS_FILES) {
      try {
        tls[file] = readFileSync(join(this.tlsPath(name), 'docker', file));
      } catch {
        continue;
      }
    }
    return tls;
  }
}

/** A name a new context may take, as docker checks it. */
export function checkNewContextName(name: string, store: ContextStore): void {
  if (name === DEFAULT_CONTEXT) throw new InvalidArgumentError(`"${DEFAULT_CONTEXT}" is a reserved context name`);
  if (!NAME_PATTERN.test(name)) throw new InvalidArgumentError(`context name "${name}" is invalid, names are validated against regexp "${NAME_PATTERN.source}"`);
  if (store.exists(name)) throw new ConflictError(`context "${name}" already exists`);
}

function digestOf(name: string): string {
  return createHash('sha256').update(name).digest('hex');
}

export function parseMetadata(text: string, file: string): ContextMetadata {
  let parsed: Partial<ContextMetadata>;
  try {
    parsed = JSON.parse(text) as Partial<ContextMetadata>;
  } catch {
    throw new InvalidArgumentError(`parsing ${file}: invalid JSON`);
  }
  if (typeof parsed.Name !== 'string') throw new InvalidArgumentError(`parsing ${file}: no context name`);
  return {
    Name: parsed.Name,
    Metadata: parsed.Metadata ?? {},
    Endpoints: { ...parsed.Endpoints, docker: { ...parsed.Endpoints?.docker, SkipTLSVerify: parsed.Endpoints?.docker?.SkipTLSVerify ?? false } },
  };
}
