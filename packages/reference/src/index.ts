export {
  isNamedReference,
  isValidRepositoryPath,
  isValidTag,
  referenceString,
  trimNamed,
  withDigest,
  withTag,
  type NamedReference,
} from './named-reference.js';
export {
  DEFAULT_DOMAIN,
  DEFAULT_TAG,
  LEGACY_DEFAULT_DOMAIN,
  OFFICIAL_REPO_PREFIX,
  familiarName,
  familiarString,
  parseDockerRef,
  parseNormalizedNamed,
  parseReference,
  withDefaultTag,
} from './normalize.js';
export {
  createDigester,
  digestString,
  isDigest,
  parseDigest,
  sha256Digest,
  type Digest,
  type DigestAlgorithm,
  type Digester,
} from './digest.js';
export { isImageIdPrefix, isImageIdentifier, shortId } from './image-id.js';
