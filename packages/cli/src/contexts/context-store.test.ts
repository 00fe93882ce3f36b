import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ContextStore, checkNewContextName } from './context-store.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'berth-contexts-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('ContextStore', () => {
  it("keeps contexts in docker's layout, keyed by the name's sha256, TLS files beside", async () => {
    const store = new ContextStore(dir);
    store.save({ meta: { Name: 'a<b', Metadata: { Description: 'x&y' }, Endpoints: { docker: { Host: 'unix:///s', SkipTLSVerify: false } } }, tls: { 'ca.pem': Buffer.from('CA') } });
    const digest = createHash('sha256').update('a<b').digest('hex');
    expect(store.metadataPath('a<b')).toBe(join(dir, 'contexts', 'meta', digest));
    expect(store.tlsPath('a<b')).toBe(join(dir, 'contexts', 'tls', digest));
    expect(await readFile(join(store.metadataPath('a<b'), 'meta.json'), 'utf8')).toBe('{"Name":"a\\u003cb","Metadata":{"Description":"x\\u0026y"},"Endpoints":{"docker":{"Host":"unix:///s","SkipTLSVerify":false}}}');
    expect(await readFile(join(store.tlsPath('a<b'), 'docker', 'ca.pem'), 'utf8')).toBe('CA');
    expect(store.get('a<b').tls).toEqual({ 'ca.pem': Buffer.from('CA') });
    expect(store.list().map((c) => c.meta.Name)).toEqual(['a<b']);
    store.remove('a<b');
    expect(store.list()).toEqual([]);
    expect(() => store.get('a<b')).toThrow(/context "a<b": context not found: open .*meta\.json: no such file or directory/);
    expect(() => store.remove('a<b')).toThrow('context "a<b" does not exist');
  });
});

describe('checkNewContextName', () => {
  it("refuses docker's reserved and invalid names and existing contexts, in docker's words", () => {
    const store = new ContextStore(dir);
    expect(() => checkNewContextName('default', store)).toThrow('"default" is a reserved context name');
    expect(() => checkNewContextName('bad name', store)).toThrow('context name "bad name" is invalid, names are validated against regexp "^[a-zA-Z0-9][a-zA-Z0-9_.+-]+$"');
    store.save({ meta: { Name: 'taken', Metadata: {}, Endpoints: { docker: { SkipTLSVerify: false } } }, tls: {} });
    expect(() => checkNewContextName('taken', store)).toThrow('context "taken" already exists');
    expect(() => checkNewContextName('ok.name-1', store)).not.toThrow();
  });
});
