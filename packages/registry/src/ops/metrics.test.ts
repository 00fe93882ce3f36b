import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { createRegistryServer } from '../http/registry-routes.js';
import { MemoryBackend, sha256 } from '../http/test-support/memory-backend.js';
import { RegistryMetrics } from './metrics.js';
import { observeRequests, type RequestRecord } from './request-observer.js';

let app: FastifyInstance | undefined;
afterEach(() => app?.close());

/** A registry on a loopback port with the metrics and a recorder observing it. */
async function serve(): Promise<{ base: string; metrics: RegistryMetrics; records: RequestRecord[] }> {
  const metrics = new RegistryMetrics();
  const records: RequestRecord[] = [];
  app = createRegistryServer(new MemoryBackend(), { logLevel: 'silent' });
  observeRequests(app, [metrics, { finished: (record) => records.push(record) }]);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as { port: number };
  return { base: `http://127.0.0.1:${port}`, metrics, records };
}

describe('request observation and metrics', () => {
  it('records each request with its handler, status and bytes, and counts them by code, handler and method as Go names them', async () => {
    const { base, metrics, records } = await serve();
    const blob = 'x'.repeat(1000);
    expect((await fetch(`${base}/v2/app/blobs/uploads/?digest=${sha256(blob)}`, { method: 'POST', body: blob, headers: { 'content-type': 'application/octet-stream' } })).status).toBe(201);
    expect((await fetch(`${base}/v2/app/manifests/absent`)).status).toBe(404);
    expect((await fetch(`${base}/nowhere`)).status).toBe(404);
    expect(records.map(({ method, handler, status }) => [method, handler, status])).toEqual([
      ['POST', 'blob_upload', 201],
      ['GET', 'manifest', 404],
      ['GET', 'other', 404],
    ]);
    expect(records[0]!.bytesReceived).toBeGreaterThan(1000);
    expect(records[0]!.path).toBe('/v2/app/blobs/uploads/');
    const text = await metrics.registry.metrics();
    expect(text).toContain('registry_http_requests_total{code="201",handler="blob_upload",method="post"} 1');
    expect(text).toContain('registry_http_requests_total{code="404",handler="manifest",method="get"} 1');
    expect(text).toContain('registry_http_request_duration_seconds_count{handler="blob_upload",method="post"} 1');
    expect(text).toMatch(/registry_http_request_size_bytes_sum\{handler="blob_upload"\} \d{4}/);
    expect(text).toMatch(/registry_http_response_size_bytes_count\{handler="other"\} 1/);
    expect(text).toContain('registry_http_in_flight_requests{handler="manifest"} 0');
    expect(text).toContain('registry_uploads_in_progress 0');
    expect(text).toContain('process_cpu_user_seconds_total');
  });
});
