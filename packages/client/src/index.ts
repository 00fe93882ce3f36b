export { BerthClient, type BerthClientOptions } from './client.js';
export type { AttachOptions, ContainerAttachment, ContainerLogsOptions, ContainerOutput, PendingWait } from './endpoints/container-io.js';
export type { ImageDeleteRecord, ImagePruneReport } from './endpoints/images.js';
export type { PullOptions, PushOptions, RegistryCredentials } from './endpoints/registry.js';
export type { EventsOptions, SystemDfResponse } from './endpoints/system.js';
export { parseHost, defaultHost, DEFAULT_HOST, type HostAddress } from './host.js';
export { isDaemonError } from './daemon-errors.js';
export { demuxOutput, copyRawOutput } from './output-copy.js';
export { negotiateApiVersion } from './api-version.js';
