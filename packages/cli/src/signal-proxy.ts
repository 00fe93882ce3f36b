import type { BerthClient } from '@berth/client';

/** Signals docker's --sig-proxy passes on (it skips SIGCHLD, SIGPIPE and SIGURG, which are not for the container). */
const PROXIED_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2'];

/** While attached without a TTY, signals sent to the CLI are delivered to the container instead. */
export function proxySignals(client: BerthClient, containerId: string): { stop(): void } {
  const forward = (signal: NodeJS.Signals): void => {
    client.killContainer(containerId, signal).catch(() => undefined);
  };
  for (const signal of PROXIED_SIGNALS) process.on(signal, forward);
  return {
    stop() {
      for (const signal of PROXIED_SIGNALS) process.off(signal, forward);
    },
  };
}
