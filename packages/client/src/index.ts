export { BerthClient, type BerthClientOptions, type AttachOptions, type EventsOptions, type ContainerAttachment, type PendingWait } from './client.js';
export type { ImageDeleteRecord, ImagePruneReport, SystemDfResponse } from './client.js';
export type { ContainerLogsOptions, ContainerOutput } from './client.js';
export { parseHost, defaultHost, DEFAULT_HOST, type HostAddress } from './host.js';
export { isDaemonError } from './daemon-errors.js';
export { demuxOutput, copyRawOutput } from './output-copy.js';
export { negotiateApiVersion } from './api-version.js';
