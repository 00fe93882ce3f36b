import { describe, expect, it } from 'vitest';
import { NotFoundError } from '@berth/api';
import { createServer } from '../create-server.js';
import type { Engine } from '../engine.js';

/** A server whose image and registry operations record the name they are given, and find nothing. */
function recordingServer() {
  const names: string[] = [];
  const recordSync = (name: string): never => {
    names.push(name);
    throw new NotFoundError(`No such image: ${name}`);
  };
  const record = async (name: string): Promise<never> => recordSync(name);
  const engine = {
    images: { inspect: recordSync, history: record, save: async ([name]: string[]) => record(name!), tag: record, remove: record },
    registries: { inspect: record, push: record },
  };
  return { app: createServer(engine as unknown as Engine, { logLevel: 'silent' }), names };
}

// Found by the fuzz suite: `GET /images/%25/history` was a 500 "URI malformed", the router's decoded
// wildcard being decoded a second time.
describe('image names in wildcard paths', () => {
  const cases: Array<[string, string, string]> = [
    ['GET', '/images/%25/json', '%'],
    ['GET', '/images/%25/history', '%'],
    ['GET', '/images/%25/get', '%'],
    ['GET', '/images/%2525/json', '%25'],
    ['GET', '/images/library%2Fbusybox/json', 'library/busybox'],
    ['POST', '/images/%25/tag?repo=x', '%'],
    ['POST', '/images/%25/push', '%'],
    ['DELETE', '/images/%25', '%'],
    ['GET', '/distribution/%25/json', '%'],
  ];

  it.each(cases)('%s %s reaches the engine as the name %j, decoded once', async (method, url, name) => {
    const { app, names } = recordingServer();
    const answer = await app.inject({ method: method as 'GET', url });
    await app.close();
    expect(answer.statusCode).toBe(404);
    expect(names).toEqual([name]);
  });
});
