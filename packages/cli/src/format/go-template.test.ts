import { describe, expect, it } from 'vitest';
import { checkTemplate, renderTemplate } from './go-template.js';
import { GoTime } from './go-time.js';

describe('renderTemplate', () => {
  const data = { Name: 'n', IPAM: { Driver: 'default', Config: [{ Subnet: '10.0.0.0/8' }] }, Labels: { b: '2', a: '1' }, Empty: null };

  it('prints fields, nested fields and map entries as Go does', () => {
    expect(renderTemplate('{{.Name}} {{.IPAM.Driver}} {{index .Labels "a"}} {{.Labels}} {{.Empty}} {{.Missing}}', data)).toBe(
      'n default 1 map[a:1 b:2] <no value> <no value>',
    );
    expect(renderTemplate('{{.IPAM.Config}}', data)).toBe('[map[Subnet:10.0.0.0/8]]');
    expect(renderTemplate('[{{index .Labels "z"}}] [{{index .Empty "z"}}]', data)).toBe('[] []');
  });

  it('prints json', () => {
    expect(renderTemplate('{{json .Labels}} {{json .Empty}}', data)).toBe('{"b":"2","a":"1"} null');
  });

  it('prints a time.Time field with Go\'s String, and as RFC 3339 in json', () => {
    const created = { Created: new GoTime('2026-12-06T12:55:19.001000Z'), Whole: new GoTime('2026-12-06T12:55:19Z') };
    expect(renderTemplate('{{.Created}} | {{.Whole}} | {{json .Created}}', created)).toBe('2026-12-06 12:55:19.001 +0000 UTC | 2026-12-06 12:55:19 +0000 UTC | "2026-12-06T12:55:19.001000Z"');
    expect(JSON.stringify(created)).toBe('{"Created":"2026-12-06T12:55:19.001000Z","Whole":"2026-12-06T12:55:19Z"}');
  });

  it('refuses what it does not implement', () => {
    expect(() => checkTemplate('{{range .X}}{{end}}')).toThrow('template parsing error');
    expect(() => checkTemplate('{{.Name | upper}}')).toThrow('template parsing error');
    expect(() => checkTemplate('{{.Name}} {{json .}}')).not.toThrow();
  });
});
