export { parseRestartPolicy, formatRestartPolicy } from './policy.js';
export type { RestartPolicy, RestartPolicyName, ApiRestartPolicy } from './policy.js';
export { decideRestart, shouldStartOnDaemonStart } from './decide.js';
export type { RestartInput, RestartDecision, StoppedContainerState } from './decide.js';
export { INITIAL_RESTART_DELAY_MS, MAX_RESTART_DELAY_MS, BACKOFF_RESET_AFTER_MS } from './backoff.js';
export { RestartTimer } from './restart-timer.js';
export type { TimerClock } from './restart-timer.js';
