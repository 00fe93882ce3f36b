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

  it('runs range (with variables), if/else, with, pipelines, methods and docker\'s functions', () => {
    const row = { Names: 'web', Labels: 'a=1,b=2', Cmd: ['sleep', '1'], Mounts: [{ Name: 'v', Destination: '/d' }], Map: { b: '2', a: '1' }, Label: (k: string) => `<${k}>` };
    expect(renderTemplate('{{range .Mounts}}{{.Name}}:{{.Destination}} {{end}}|{{range .Empty}}x{{else}}none{{end}}', row)).toBe('v:/d |none');
    expect(renderTemplate('{{range $k, $v := .Map}}{{$k}}={{$v}};{{end}} {{range $i, $c := .Cmd}}{{$i}}{{$c}}{{end}} {{range .Cmd}}{{$.Names}}{{end}}', row)).toBe('a=1;b=2; 0sleep11 webweb');
    expect(renderTemplate('{{join .Cmd " "}} {{range (split .Labels ",")}}[{{.}}]{{end}} {{.Names | upper}} {{len .Cmd}} {{printf "%s-%d" .Names 3}}', row)).toBe('sleep 1 [a=1][b=2] WEB 2 web-3');
    expect(renderTemplate('{{if eq .Names "web"}}yes{{else}}no{{end}} {{with .Mounts}}{{len .}}{{end}} {{.Label "x"}} {{title "ab cd"}} {{truncate .Names 2}}{{pad "x" 1 1}}', row)).toBe('yes 1 <x> Ab Cd we x ');
    expect(renderTemplate('a  {{- .Names -}}  b{{/* note */}}', row)).toBe('awebb');
    expect(renderTemplate('{{json .Label}}|{{json "<&>"}}', { ...row, Label: null })).toBe('null|"\\u003c\\u0026\\u003e"');
  });

  it('chains else if (not else with, as docker 28), binds with/if variables, and reads Go string escapes and trim markers', () => {
    const chain = '{{if .A}}a{{else if .B}}b{{else}}c{{end}}';
    expect([{ A: 1 }, { B: 1 }, {}].map((data) => renderTemplate(chain, data))).toEqual(['a', 'b', 'c']);
    expect(() => checkTemplate('{{with .A}}{{.}}{{else with .B}}B{{.}}{{end}}')).toThrow('unexpected <with> in input');
    expect(renderTemplate('{{range .L}}{{if eq . 1}}one{{else if eq . 2}}two{{else}}x{{end}}{{end}}', { L: [1, 2, 3] })).toBe('onetwox');
    expect(renderTemplate('{{with $x := .N}}{{$x}}{{end}}', { N: 'v' })).toBe('v');
    expect(renderTemplate('{{"\\x41\\u00e9\\101\\t"}}|{{"}}"}}|{{-\t"x"\n-}} y', {})).toBe('A\u00e9A\t|}}|xy');
    expect(() => checkTemplate('{{if .A}}a{{else}}b{{else}}c{{end}}')).toThrow('expected end; found {{else}}');
  });

  it('formats printf as Go does: flags, width, precision, verbs, missing and extra arguments', () => {
    expect(renderTemplate('{{printf "%-8s|%5d|%05d|%x|%X|%t|%.2f|%q|%3.1s|%+d" .N 42 -7 255 255 true 3.14159 "a" "xyz" 5}}', { N: 't1' })).toBe(
      't1      |   42|-0007|ff|FF|true|3.14|"a"|  x|+5',
    );
    expect(renderTemplate('{{printf "%s"}}|{{printf "%s" 1 "b"}}|{{printf "%d" "x"}}', {})).toBe('%!s(MISSING)|1%!(EXTRA string=b)|%!d(string=x)');
    expect(renderTemplate('{{if gt (len .L) 1}}many{{end}} {{lt 1.5 2}} {{ge "b" "a"}}', { L: [1, 2] })).toBe('many true true');
  });

  it('refuses what does not parse with Go\'s messages', () => {
    expect(() => checkTemplate('{{.Name')).toThrow('template parsing error: template: :1: unclosed action');
    expect(() => checkTemplate('{{range .X}}')).toThrow('template parsing error: template: :1: unexpected EOF');
    expect(() => checkTemplate('{{.Name | nosuch}}')).toThrow('template parsing error: template: :1: function "nosuch" not defined');
    expect(() => renderTemplate('{{$x}}', {})).toThrow('undefined variable "$x"');
    expect(() => checkTemplate('{{.Name}} {{json .}}')).not.toThrow();
  });
});
