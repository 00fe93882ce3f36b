import type { Server as TlsServer } from 'node:tls';
import type { FastifyInstance } from 'fastify';
import type { ListenAddress } from './config-http.js';
import { loadRegistryConfig } from './config.js';
import { openBackend, openDriver } from './bin/open-backend.js';
import { openAuth } from './http/auth/open-auth.js';
import { createRegistryServer } from './http/registry-routes.js';
import { createDebugServer } from './ops/debug-server.js';
import { drain } from './ops/drain.js';
import { answerPlainHttp } from './ops/plain-http-refusal.js';
import { accessLog, loggerOptions, messageLog } from './ops/log-output.js';
import { RegistryMetrics } from './ops/metrics.js';
import { limitRequestRate } from './ops/rate-limit.js';
import { addResponseHeaders } from './ops/response-headers.js';
import { observeRequests, type RequestObserver } from './ops/request-observer.js';
import { refuseWhileUnhealthy, StorageHealthCheck } from './ops/storage-health.js';
import { loadTlsOptions } from './ops/tls-options.js';

/**
 * How long a stop waits for requests in flight when `http.draintimeout` is not set. Go's default (0)
 * drops them; 8 seconds lets most uploads finish yet stays inside the 10 seconds `docker stop` and
 * similar supervisors wait before SIGKILL, so the registry still exits on its own, with 0.
 */
export const DEFAULT_DRAIN_TIMEOUT_MS = 8_000;

/** `berth-registry serve`: serves until SIGINT or SIGTERM, then drains; resolves to the exit code. */
export async function serve(configPath: string): Promise<number> {
  let loaded;
  try {
    const parsed = await loadRegistryConfig(configPath);
    const { config } = parsed;
    loaded = { ...parsed, auth: config.auth && (await openAuth(config.auth)), https: config.http.tls && (await loadTlsOptions(config.http.tls)) };
  } catch (err) {
    process.stderr.write(`berth-registry: ${(err as Error).message}\n`);
    return 1;
  }
  const { config, warnings, auth, https } = loaded;
  for (const warning of warnings) process.stderr.write(`berth-registry: warning: ${configPath}: ${warning}\n`);
  const log = messageLog(config.log);
  const opened = await openBackend(config, log);
  if (config.proxy) log(`a pull-through cache of ${config.proxy.remoteUrl}`);
  const app = createRegistryServer(opened.backend, {
    deleteEnabled: config.storage.deleteEnabled,
    authorize: auth?.authorize,
    maxManifestBytes: config.http.limits?.manifestBytes,
    maxBlobBytes: config.http.limits?.blobBytes,
    logger: loggerOptions(config.log),
    ...(https && { https }),
  });
  if (https) answerPlainHttp(app.server as unknown as TlsServer);
  const health = config.health && new StorageHealthCheck(await openDriver(config.storage), config.health);
  const debugConfig = config.http.debug;
  const metrics = debugConfig?.prometheusPath === undefined ? undefined : new RegistryMetrics();
  observeRequests(app, [accessLog(config.log), metrics].filter((observer): observer is RequestObserver => observer !== undefined));
  // Before the hooks that may answer early, so their answers carry the headers too.
  if (config.http.headers) addResponseHeaders(app, config.http.headers);
  if (health) refuseWhileUnhealthy(app, () => health.status());
  if (config.http.rateLimit) limitRequestRate(app, config.http.rateLimit);
  if (auth?.tokenEndpoint) void app.register(auth.tokenEndpoint);
  const debug = debugConfig && createDebugServer({ health: () => health?.status() ?? {}, metrics, prometheusPath: debugConfig.prometheusPath });
  await listen(app, config.http);
  if (debug && debugConfig) await listen(debug, debugConfig);
  health?.start();
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  const drainTimeoutMs = config.http.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS;
  app.log.info({ drainTimeoutMs }, 'stopping: finishing the requests in flight');
  await drain(app, drainTimeoutMs);
  health?.stop();
  await debug?.close();
  await opened.close();
  return 0;
}

/** `:port` listens on every interface, IPv6 and IPv4 as Go does, or IPv4 alone where the host has no IPv6. */
async function listen(app: FastifyInstance, { host, port }: ListenAddress): Promise<void> {
  if (host !== undefined) {
    await app.listen({ host, port });
    return;
  }
  try {
    await app.listen({ host: '::', port });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EAFNOSUPPORT' && (err as NodeJS.ErrnoException).code !== 'EADDRNOTAVAIL') throw err;
    await app.listen({ host: '0.0.0.0', port });
  }
}
