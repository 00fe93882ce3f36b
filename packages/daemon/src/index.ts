export { startDaemon, type RunningDaemon } from './daemon.js';
export { DEFAULT_CONFIG, readConfigFile, resolveConfig, type DaemonConfig } from './config.js';
export type { AuthorizationPolicy, AuthorizationRequest, AuthorizationResponse } from './authz/authorization.js';
export { decideExample, type PluginRequest, type PluginVerdict } from './authz/example-policy.js';
export { serveExamplePlugin, type Decision } from './authz/example-plugin.js';
