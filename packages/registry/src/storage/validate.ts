import { isDigest, isValidRepositoryPath, isValidTag } from '@berth/reference';
import { RegistryError } from '../registry-error.js';

const SHA256_DIGEST = /^sha256:[a-f0-9]{64}$/;
// Our own ids are UUIDs; anything with a separator could reach outside the session's directory.
const UPLOAD_ID = /^[A-Za-z0-9_-]{1,128}$/;

/** The spec's repository name grammar, at most 255 characters. */
export function checkRepository(name: string): void {
  if (!isValidRepositoryPath(name)) throw new RegistryError('NAME_INVALID', 'invalid repository name', { name });
}

export function checkTag(tag: string): void {
  if (!isValidTag(tag)) throw new RegistryError('TAG_INVALID', 'manifest tag did not match URI', { tag });
}

/** Only sha256 is stored: another well-formed algorithm is refused as unsupported, not as malformed. */
export function checkDigest(digest: string): void {
  if (SHA256_DIGEST.test(digest)) return;
  const message = isDigest(digest) ? 'unsupported digest algorithm' : 'invalid digest';
  throw new RegistryError('DIGEST_INVALID', message, { digest });
}

export function isDigestReference(reference: string): boolean {
  return reference.includes(':');
}

/** A reference as a tag or a digest, validated as whichever it is. */
export function checkReference(reference: string): 'tag' | 'digest' {
  if (isDigestReference(reference)) {
    checkDigest(reference);
    return 'digest';
  }
  checkTag(reference);
  return 'tag';
}

export function checkUploadId(id: string): void {
  if (!UPLOAD_ID.test(id)) throw new RegistryError('BLOB_UPLOAD_UNKNOWN', 'blob upload unknown to registry', { id });
}
