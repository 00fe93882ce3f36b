export type {
  AttachOptions,
  AttachSession,
  BundleSpec,
  ExitSpec,
  ExitStatus,
  RuntimeDriver,
  RuntimeDriverOptions,
  RuntimeState,
  RuntimeStatus,
  TaskSpec,
} from './runtime-driver.js';
export { createRuntimeDriver } from './oci-runtime-driver.js';
export { OciRuntimeError, RuntimeConfigError } from './runtime-errors.js';
export type { ReadLogOptions } from './container-log.js';
export { LogLines, type LogRecord } from './log-lines.js';
export { createContainerLogs } from './container-logs.js';
export type { LogRotation } from './log-rotation.js';
export type { ExecExit, ExecProcess } from './exec-process.js';
export { checkRuntimeFixes } from './runtime-fix-check.js';
export { createMonitorReaper, type MonitorReaper } from './monitor-reaper.js';
export { readProcStat } from './proc-stat.js';
export { installRuntime, selectRuntime, type RuntimeName } from './runtime-selection.js';
export { tasksOfOtherRuntime } from './runtime-state-owner.js';
