import { describe, expect, it } from 'vitest';
import { Socket } from 'node:net';
import { AUTHORIZATION_BODY_LIMIT, canonicalHeaderName, describeRequest, describeResponse, flattenHeaders, isLogin } from './request-description.js';

const received = (uri: string, rawHeaders: string[] = []) => ({ method: 'POST', uri, rawHeaders, socket: new Socket() });

describe('describing a request for the policy', () => {
  it("spells header names as Go does, keeps each one's last value and never the credentials or Host", () => {
    expect(canonicalHeaderName('content-type')).toBe('Content-Type');
    expect(canonicalHeaderName('X-REGISTRY-AUTH')).toBe('X-Registry-Auth');
    expect(flattenHeaders(['accept', 'a', 'Accept', 'b', 'Authorization', 'Basic x', 'X-Registry-Auth', 'e30=', 'x-registry-config', 'e30=', 'Host', 'docker'])).toEqual({ Accept: 'b' });
  });

  it('shows a JSON body, but never a login', () => {
    const body = Buffer.from('{"password":"p"}');
    expect(describeRequest(received('/v1.47/containers/create'), body).RequestBody).toEqual(body);
    expect(isLogin('/auth')).toBe(true);
    expect(isLogin('/v1.47/auth?x=1')).toBe(true);
    expect(isLogin('/v1.47/containers/auth/json')).toBe(false);
    expect(describeRequest(received('/v1.47/auth'), body).RequestBody).toBeUndefined();
  });

  it('refuses a body beyond the bound instead of passing the request unseen', () => {
    expect(() => describeRequest(received('/containers/create'), Buffer.alloc(AUTHORIZATION_BODY_LIMIT + 1, 0x20))).toThrow(/request body too large for authorization plugin/);
    expect(describeRequest(received('/containers/create'), Buffer.alloc(AUTHORIZATION_BODY_LIMIT, 0x20)).RequestBody).toHaveLength(AUTHORIZATION_BODY_LIMIT);
  });

  it('names no user on a connection without a client certificate', () => {
    expect(describeRequest(received('/_ping'), undefined)).toEqual({ RequestMethod: 'POST', RequestUri: '/_ping', RequestHeaders: {} });
  });

  it('shows a response body only when it is JSON', () => {
    expect(describeResponse('/version', 200, { 'content-type': 'application/json; charset=utf-8' }, Buffer.from('{}'))).toEqual({
      ResponseStatusCode: 200,
      ResponseHeaders: { 'Content-Type': 'application/json; charset=utf-8' },
      ResponseBody: Buffer.from('{}'),
    });
    expect(describeResponse('/_ping', 200, { 'content-type': 'text/plain', 'content-length': 2 }, Buffer.from('OK'))).toEqual({
      ResponseStatusCode: 200,
      ResponseHeaders: { 'Content-Type': 'text/plain', 'Content-Length': '2' },
    });
  });
});
