import { describe, expect, it } from 'vitest';
import { ForbiddenError, InternalError, InvalidArgumentError } from '@berth/api';
import { activatePlugins, PluginAuthorization } from './plugin-authorization.js';
import type { PluginCall } from './plugin-client.js';

const request = { RequestMethod: 'POST', RequestUri: '/containers/create', RequestHeaders: { 'Content-Type': 'application/json' }, RequestBody: Buffer.from('{"a":1}') };

/** A plugin answering every call with `answer`, recording the calls. */
function plugin(name: string, answer: unknown, calls: Array<[string, string, unknown]>): { name: string; call: PluginCall } {
  return {
    name,
    call: async (method, payload) => {
      calls.push([name, method, payload]);
      if (answer instanceof Error) throw answer;
      return answer;
    },
  };
}

describe('PluginAuthorization', () => {
  it("asks each plugin in order with Docker's JSON (body in base64, empty fields left out)", async () => {
    const calls: Array<[string, string, unknown]> = [];
    const policy = new PluginAuthorization([plugin('a', { Allow: true }, calls), plugin('b', { Allow: true }, calls)]);
    await policy.authorizeRequest(request);
    const wire = { RequestMethod: 'POST', RequestUri: '/containers/create', RequestHeaders: { 'Content-Type': 'application/json' }, RequestBody: 'eyJhIjoxfQ==' };
    expect(calls).toEqual([
      ['a', 'AuthZPlugin.AuthZReq', wire],
      ['b', 'AuthZPlugin.AuthZReq', wire],
    ]);
    expect(policy.names).toEqual(['a', 'b']);
  });

  it('sends each peer certificate as Go marshals a []byte holding its PEM: base64 of the PEM text', async () => {
    const calls: Array<[string, string, unknown]> = [];
    const pem = '-----BEGIN CERTIFICATE-----\nMIIBAA==\n-----END CERTIFICATE-----\n';
    await new PluginAuthorization([plugin('a', { Allow: true }, calls)]).authorizeRequest({ ...request, User: 'client', UserAuthNMethod: 'TLS', RequestPeerCertificates: [pem] });
    const wire = calls[0]![2] as { RequestPeerCertificates: string[] };
    expect(wire).toMatchObject({ User: 'client', UserAuthNMethod: 'TLS' });
    expect(wire.RequestPeerCertificates).toEqual(['LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUJBQT09Ci0tLS0tRU5EIENFUlRJRklDQVRFLS0tLS0K']);
    expect(Buffer.from(wire.RequestPeerCertificates[0]!, 'base64').toString('utf8')).toBe(pem);
  });

  it('stops at the first refusal, with its message', async () => {
    const calls: Array<[string, string, unknown]> = [];
    const policy = new PluginAuthorization([plugin('a', { Allow: false, Msg: 'no privileged' }, calls), plugin('b', { Allow: true }, calls)]);
    const refusal = policy.authorizeRequest(request);
    await expect(refusal).rejects.toThrow(ForbiddenError);
    await expect(refusal).rejects.toThrow('authorization denied by plugin a: no privileged');
    expect(calls.map(([name]) => name)).toEqual(['a']);
  });

  it('takes an answer without Allow: true as a refusal', async () => {
    await expect(new PluginAuthorization([plugin('a', { Err: 'odd' }, [])]).authorizeRequest(request)).rejects.toThrow('authorization denied by plugin a: ');
  });

  it('fails the request when a plugin cannot answer', async () => {
    const policy = new PluginAuthorization([plugin('a', new Error('Post "http://plugin.moby.localhost/AuthZPlugin.AuthZReq": connect ECONNREFUSED /x.sock'), [])]);
    const failure = policy.authorizeRequest(request);
    await expect(failure).rejects.toThrow(InternalError);
    await expect(failure).rejects.toThrow('plugin a failed with error: Post "http://plugin.moby.localhost/AuthZPlugin.AuthZReq": connect ECONNREFUSED /x.sock');
  });

  it('sends the request and the response to AuthZRes', async () => {
    const calls: Array<[string, string, unknown]> = [];
    await new PluginAuthorization([plugin('a', { Allow: true }, calls)]).authorizeResponse(request, { ResponseStatusCode: 201, ResponseHeaders: {}, ResponseBody: Buffer.from('{}') });
    expect(calls[0]![1]).toBe('AuthZPlugin.AuthZRes');
    expect(calls[0]![2]).toMatchObject({ RequestUri: '/containers/create', ResponseStatusCode: 201, ResponseBody: 'e30=' });
  });
});

describe('activatePlugins', () => {
  it('activates each plugin once, in order', async () => {
    const calls: Array<[string, string, unknown]> = [];
    const policy = await activatePlugins(['a', 'b', 'a'], async (name) => plugin(name, { Implements: ['authz'] }, calls).call);
    expect(policy.names).toEqual(['a', 'b']);
    expect(calls).toEqual([
      ['a', 'Plugin.Activate', undefined],
      ['b', 'Plugin.Activate', undefined],
    ]);
  });

  it('refuses a plugin that is no authorization plugin, or does not answer', async () => {
    await expect(activatePlugins(['vol'], async (name) => plugin(name, { Implements: ['VolumeDriver'] }, []).call)).rejects.toThrow(
      'failed to validate authorization plugin: Plugin does not implement the requested driver: plugin="vol", requested implementation="authz"',
    );
    const unreachable = activatePlugins(['gone'], async (name) => plugin(name, new Error('connect ENOENT'), []).call);
    await expect(unreachable).rejects.toThrow(InvalidArgumentError);
    await expect(unreachable).rejects.toThrow('failed to validate authorization plugin gone: connect ENOENT');
    await expect(
      activatePlugins(['missing'], async () => {
        throw new InvalidArgumentError('could not find plugin missing in v1 plugin registry: plugin not found');
      }),
    ).rejects.toThrow('failed to validate authorization plugin missing: could not find plugin missing in v1 plugin registry: plugin not found');
  });
});
