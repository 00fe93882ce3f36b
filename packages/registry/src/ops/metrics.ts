import type { FastifyReply, FastifyRequest } from 'fastify';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { RequestObserver, RequestRecord } from './request-observer.js';

/** Requests that carry blob data in: a chunk, a last chunk, a monolithic upload. */
function isUpload(method: string, handler: string): boolean {
  return (handler === 'blob_upload_chunk' && (method === 'PATCH' || method === 'PUT')) || (handler === 'blob_upload' && method === 'POST');
}

const SIZE_BUCKETS = [256, 1024, 16 * 1024, 256 * 1024, 4 * 1024 * 1024, 64 * 1024 * 1024, 1024 * 1024 * 1024];

/**
 * The registry's Prometheus metrics: the Go registry's `registry_http_*` names and labels (`handler`,
 * lower-case `method`, `code`), so its dashboards work, plus uploads in progress and Node's process metrics.
 */
export class RegistryMetrics implements RequestObserver {
  readonly registry = new Registry();
  private readonly requests = new Counter({ name: 'registry_http_requests_total', help: 'Total number of HTTP requests made.', labelNames: ['code', 'handler', 'method'], registers: [this.registry] });
  private readonly durations = new Histogram({ name: 'registry_http_request_duration_seconds', help: 'The HTTP request latencies in seconds.', labelNames: ['handler', 'method'], buckets: [0.005, 0.025, 0.1, 0.25, 1, 2.5, 10, 30, 60, 300], registers: [this.registry] });
  private readonly received = new Histogram({ name: 'registry_http_request_size_bytes', help: 'The HTTP request sizes in bytes, as read from the connection (headers included).', labelNames: ['handler'], buckets: SIZE_BUCKETS, registers: [this.registry] });
  private readonly sent = new Histogram({ name: 'registry_http_response_size_bytes', help: 'The HTTP response sizes in bytes, as written to the connection (headers included).', labelNames: ['handler'], buckets: SIZE_BUCKETS, registers: [this.registry] });
  private readonly inFlight = new Gauge({ name: 'registry_http_in_flight_requests', help: 'The in-flight HTTP requests', labelNames: ['handler'], registers: [this.registry] });
  private readonly uploads = new Gauge({ name: 'registry_uploads_in_progress', help: 'Blob uploads whose data is streaming in now.', registers: [this.registry] });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  started(request: FastifyRequest, reply: FastifyReply, handler: string): void {
    const upload = isUpload(request.method, handler);
    this.inFlight.inc({ handler });
    if (upload) this.uploads.inc();
    // `close` comes whether the request was answered or cut off.
    reply.raw.once('close', () => {
      this.inFlight.dec({ handler });
      if (upload) this.uploads.dec();
    });
  }

  finished({ method, handler, status, durationMs, bytesReceived, bytesSent }: RequestRecord): void {
    const lowerMethod = method.toLowerCase();
    this.requests.inc({ code: String(status), handler, method: lowerMethod });
    this.durations.observe({ handler, method: lowerMethod }, durationMs / 1000);
    this.received.observe({ handler }, bytesReceived);
    this.sent.observe({ handler }, bytesSent);
  }
}
