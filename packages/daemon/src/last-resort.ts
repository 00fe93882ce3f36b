/**
 * The net under every handler: an error that escaped them is logged and the daemon keeps serving, since
 * one bad request must not take the API away from every other client (and from `docker stop`). Each such
 * log line is a bug to fix at its root.
 */
export function keepServingOnUnexpectedErrors(log: { error(obj: object, msg: string): void }, proc: NodeJS.EventEmitter = process): void {
  proc.on('uncaughtException', (err: Error) => log.error({ err }, 'uncaught exception; berthd keeps running'));
  proc.on('unhandledRejection', (reason: unknown) => log.error({ err: reason }, 'unhandled promise rejection; berthd keeps running'));
}
