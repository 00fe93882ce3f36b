import type { FastifyReply, FastifyRequest } from 'fastify';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { RequestObserver, RequestRecord } from './request-observer.js';

/** Requests that carry blob data in: a chunk, a last chunk, a monolithic upload. */
function isUpload(method: string, endpoint: string): boolean {
  return (endpoint === 'upload' && (method === 'PATCH' || method === 'PUT')) || (endpoint === 'uploads' && method === 'POST');
}

/** The registry's Prometheus metrics (names as the Go registry's `registry_http_*`), with Node's process metrics. */
export class RegistryMetrics implements RequestObserver {
  readonly registry = new Registry();
  private readonly requests = new Counter({ name: 'registry_http_requests_total', help: 'Requests answered, by method, endpoint and status code.', labelNames: ['method', 'endpoint', 'code'], registers: [this.registry] });
  private readonly durations = new Histogram({ name: 'registry_http_request_duration_seconds', help: 'Time from a request\'s arrival to its answer, by method and endpoint.', labelNames: ['method', 'endpoint'], buckets: [0.005, 0.025, 0.1, 0.25, 1, 2.5, 10, 30, 60, 300], registers: [this.registry] });
  private readonly received = new Counter({ name: 'registry_http_received_bytes_total', help: 'Bytes read from clients, headers included.', labelNames: ['endpoint'], registers: [this.registry] });
  private readonly sent = new Counter({ name: 'registry_http_sent_bytes_total', help: 'Bytes written to clients, headers included.', labelNames: ['endpoint'], registers: [this.registry] });
  private readonly uploads = new Gauge({ name: 'registry_uploads_in_progress', help: 'Blob uploads whose data is streaming in now.', registers: [this.registry] });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  started(request: FastifyRequest, reply: FastifyReply, endpoint: string): void {
    if (!isUpload(request.method, endpoint)) return;
    this.uploads.inc();
    // `close` comes whether the upload was answered or cut off.
    reply.raw.once('close', () => this.uploads.dec());
  }

  finished(record: RequestRecord): void {
    const { method, endpoint } = record;
    this.requests.inc({ method, endpoint, code: String(record.status) });
    this.durations.observe({ method, endpoint }, record.durationMs / 1000);
    this.received.inc({ endpoint }, record.bytesReceived);
    this.sent.inc({ endpoint }, record.bytesSent);
  }
}
