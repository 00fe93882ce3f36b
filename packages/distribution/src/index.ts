export { MANIFEST_MEDIA_TYPES, RegistryClient, type Blob, type ByteRange, type Manifest, type ManifestHead, type ReferrerDescriptor, type RegistryClientOptions } from './registry-client.js';
export { RegistryAuth, type Credentials } from './registry-auth.js';
export { RegistryClientError } from './registry-client-error.js';
export { parseChallenges, type AuthChallenge } from './www-authenticate.js';
export { verifiedStream } from './verified-stream.js';
