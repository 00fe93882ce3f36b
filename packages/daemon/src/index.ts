export { startDaemon, type RunningDaemon } from './daemon.js';
export { DEFAULT_CONFIG, readConfigFile, resolveConfig, type DaemonConfig } from './config.js';
export type { AuthorizationPolicy, AuthorizationRequest, AuthorizationResponse } from './authz/authorization.js';
