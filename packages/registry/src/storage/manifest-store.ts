import { sha256Digest } from '@berth/reference';
import type { Descriptor, StoredManifest } from '../registry-backend.js';
import { RegistryError } from '../registry-error.js';
import type { BlobStore } from './blob-store.js';
import { readLink, writeLink } from './links.js';
import { parseManifest, storedMediaType, type ParsedManifest } from './manifest-format.js';
import { repositoryExists } from './repositories.js';
import {
  blobDataPath,
  revisionLinkDir,
  revisionLinkPath,
  revisionsPath,
  tagCurrentLinkPath,
  tagIndexLinkPath,
  tagPath,
  tagsPath,
} from './paths.js';
import { PathNotFoundError, type StorageDriver } from './storage-driver.js';

function manifestUnknown(reference: string): RegistryError {
  return new RegistryError('MANIFEST_UNKNOWN', 'manifest unknown to registry', { reference });
}

/** Manifests stored as blobs, linked as `_manifests/revisions`, named by `_manifests/tags`. */
export class ManifestStore {
  constructor(
    private readonly driver: StorageDriver,
    private readonly blobs: BlobStore,
    private readonly requireReferences: boolean,
  ) {}

  /** True when the repository holds the manifest and its content is there. */
  async has(repository: string, digest: string): Promise<boolean> {
    if ((await readLink(this.driver, revisionLinkPath(repository, digest))) !== digest) return false;
    return (await this.blobs.contentSize(digest)) !== undefined;
  }

  /** The digest a tag or digest reference names in the repository; MANIFEST_UNKNOWN when none. */
  async resolve(repository: string, reference: string, kind: 'tag' | 'digest'): Promise<string> {
    const digest = kind === 'digest' ? reference : await readLink(this.driver, tagCurrentLinkPath(repository, reference));
    if (digest === undefined || !(await this.has(repository, digest))) throw manifestUnknown(reference);
    return digest;
  }

  async get(repository: string, reference: string, kind: 'tag' | 'digest'): Promise<StoredManifest> {
    const digest = await this.resolve(repository, reference, kind);
    const content = await this.content(digest);
    if (content === undefined) throw manifestUnknown(reference);
    return { digest, mediaType: storedMediaType(content), content };
  }

  async put(
    repository: string,
    reference: string,
    kind: 'tag' | 'digest',
    content: Buffer,
    mediaType: string,
  ): Promise<{ digest: string; subject?: string }> {
    const digest = sha256Digest(content);
    if (kind === 'digest' && reference !== digest) {
      throw new RegistryError('DIGEST_INVALID', 'provided digest did not match the manifest', { digest: reference, actual: digest });
    }
    const manifest = parseManifest(content, mediaType);
    await this.checkReferences(repository, manifest);
    const existed = await this.has(repository, digest);
    if ((await this.blobs.contentSize(digest)) !== content.length) await this.driver.putContent(blobDataPath(digest), content);
    await writeLink(this.driver, revisionLinkPath(repository, digest), digest);
    // A garbage collection running beside the server may have taken a blob, or this content, since the
    // first check; from now on its second mark sees this revision.
    try {
      await this.checkReferences(repository, manifest);
    } catch (err) {
      if (!existed) await this.driver.delete(revisionLinkDir(repository, digest));
      throw err;
    }
    if ((await this.blobs.contentSize(digest)) !== content.length) await this.driver.putContent(blobDataPath(digest), content);
    if (kind === 'tag') {
      await writeLink(this.driver, tagIndexLinkPath(repository, reference, digest), digest);
      await writeLink(this.driver, tagCurrentLinkPath(repository, reference), digest);
    }
    return manifest.subject === undefined ? { digest } : { digest, subject: manifest.subject };
  }

  private async checkReferences(repository: string, manifest: ParsedManifest): Promise<void> {
    if (!this.requireReferences) return;
    for (const blob of manifest.blobs) {
      if ((await this.blobs.linkedSize(repository, blob)) === undefined) {
        throw new RegistryError('MANIFEST_BLOB_UNKNOWN', 'blob unknown to registry', { digest: blob });
      }
    }
    for (const child of manifest.children) {
      if (!(await this.has(repository, child))) throw new RegistryError('MANIFEST_BLOB_UNKNOWN', 'manifest unknown to registry', { digest: child });
    }
  }

  /** By digest: the revision and every tag that points at it. By tag: the tag alone. */
  async delete(repository: string, reference: string, kind: 'tag' | 'digest'): Promise<void> {
    const digest = await this.resolve(repository, reference, kind);
    if (kind === 'tag') {
      await this.driver.delete(tagPath(repository, reference));
      return;
    }
    for (const tag of await this.driver.list(tagsPath(repository))) {
      if ((await readLink(this.driver, tagCurrentLinkPath(repository, tag))) === digest) await this.driver.delete(tagPath(repository, tag));
    }
    await this.driver.delete(revisionLinkDir(repository, digest));
  }

  async tags(repository: string): Promise<string[]> {
    if (!(await repositoryExists(this.driver, repository))) {
      throw new RegistryError('NAME_UNKNOWN', 'repository name not known to registry', { name: repository });
    }
    return (await this.driver.list(tagsPath(repository))).sort();
  }

  /** Scans the repository's revisions for manifests whose subject is `digest`. */
  async referrers(repository: string, digest: string): Promise<Descriptor[]> {
    const found: Descriptor[] = [];
    for (const hex of (await this.driver.list(revisionsPath(repository))).sort()) {
      const revision = `sha256:${hex}`;
      const content = await this.readRevision(repository, revision);
      if (content === undefined) continue;
      let manifest;
      try {
        manifest = parseManifest(content, '');
      } catch {
        continue;
      }
      if (manifest.subject !== digest) continue;
      found.push({
        mediaType: manifest.mediaType,
        digest: revision,
        size: content.length,
        ...(manifest.artifactType === undefined ? {} : { artifactType: manifest.artifactType }),
        ...(manifest.annotations === undefined ? {} : { annotations: manifest.annotations }),
      });
    }
    return found;
  }

  private async readRevision(repository: string, digest: string): Promise<Buffer | undefined> {
    if ((await readLink(this.driver, revisionLinkPath(repository, digest))) !== digest) return undefined;
    return this.content(digest);
  }

  private async content(digest: string): Promise<Buffer | undefined> {
    try {
      return await this.driver.getContent(blobDataPath(digest));
    } catch (err) {
      if (err instanceof PathNotFoundError) return undefined;
      throw err;
    }
  }
}
