import { describe, expect, it } from 'vitest';
import { checkTemplate, renderTemplate } from './go-template.js';

describe('renderTemplate', () => {
  const data = { Name: 'n', IPAM: { Driver: 'default', Config: [{ Subnet: '10.0.0.0/8' }] }, Labels: { b: '2', a: '1' }, Empty: null };

  it('prints fields, nested fields and map entries as Go does', () => {
    expect(renderTemplate('{{.Name}} {{.IPAM.Driver}} {{index .Labels "a"}} {{.Labels}} {{.Empty}} {{.Missing}}', data)).toBe(
      'n default 1 map[a:1 b:2] <no value> <no value>',
    );
    expect(renderTemplate('{{.IPAM.Config}}', data)).toBe('[map[Subnet:10.0.0.0/8]]');
  });

  it('prints json', () => {
    expect(renderTemplate('{{json .Labels}} {{json .Empty}}', data)).toBe('{"b":"2","a":"1"} null');
  });

  it('refuses what it does not implement', () => {
    expect(() => checkTemplate('{{range .X}}{{end}}')).toThrow('template parsing error');
    expect(() => checkTemplate('{{.Name | upper}}')).toThrow('template parsing error');
    expect(() => checkTemplate('{{.Name}} {{json .}}')).not.toThrow();
  });
});
