import { InvalidArgumentError } from '@berth/api';
import { exposedPortKeys, withEnv, type ImageRunConfig } from '@berth/oci';

/** Dockerfile instructions that `commit --change` and `import --change` accept (moby's list). */
const ALLOWED = new Set(['CMD', 'ENTRYPOINT', 'ENV', 'EXPOSE', 'LABEL', 'ONBUILD', 'STOPSIGNAL', 'USER', 'VOLUME', 'WORKDIR']);

/** Dockerfile's JSON form, a JSON array of strings; undefined when the text is not one, so the other form applies. */
function jsonForm(text: string): string[] | undefined {
  if (!text.startsWith('[')) return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    if (Array.isArray(parsed) && parsed.every((item) => typeof item === 'string')) return parsed;
  } catch {
    // Not JSON: the caller falls back to the plain form.
  }
  return undefined;
}

/** Exec form (a JSON array of strings) or shell form, as Dockerfile CMD/ENTRYPOINT read it. */
function commandOf(args: string): string[] {
  const text = args.trim();
  return jsonForm(text) ?? ['/bin/sh', '-c', text];
}

/** Splits on unquoted whitespace, removing double or single quotes and backslash escapes. */
function words(text: string): string[] {
  const result: string[] = [];
  let current = '';
  let inWord = false;
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote !== undefined) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"' && i + 1 < text.length) current += text[++i];
      else current += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      inWord = true;
    } else if (c === '\\' && i + 1 < text.length) {
      current += text[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) result.push(current);
      current = '';
      inWord = false;
    } else {
      current += c;
      inWord = true;
    }
  }
  if (quote !== undefined) throw new InvalidArgumentError(`unterminated quote in ${JSON.stringify(text)}`);
  if (inWord) result.push(current);
  return result;
}

/** `k=v k2=v2`, or the legacy single `k v` form. */
function keyValues(instruction: string, args: string): Array<[string, string]> {
  const parts = words(args);
  if (parts.length === 0) throw new InvalidArgumentError(`${instruction} requires at least one argument`);
  if (!parts[0].includes('=')) {
    const space = args.trim().search(/\s/);
    if (space < 0) throw new InvalidArgumentError(`${instruction} names can not be blank`);
    return [[parts[0], words(args.trim().slice(space))[0] ?? '']];
  }
  return parts.map((part) => {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new InvalidArgumentError(`${instruction} names can not be blank`);
    return [part.slice(0, eq), part.slice(eq + 1)];
  });
}

function listOrWords(args: string): string[] {
  const text = args.trim();
  return jsonForm(text) ?? words(text);
}

/** Applies `--change` instructions in order to a copy of `base`, as moby's BuildFromConfig does. */
export function applyChanges(base: ImageRunConfig, changes: readonly string[]): ImageRunConfig {
  const config: ImageRunConfig = structuredClone(base);
  let cmdSet = false;
  for (const change of changes) {
    const text = change.trim();
    if (text === '' || text.startsWith('#')) continue;
    const space = text.search(/\s/);
    const instruction = (space < 0 ? text : text.slice(0, space)).toUpperCase();
    const args = space < 0 ? '' : text.slice(space + 1);
    if (!ALLOWED.has(instruction)) throw new InvalidArgumentError(`${instruction.toLowerCase()} is not a valid change command`);
    switch (instruction) {
      case 'CMD':
        config.Cmd = commandOf(args);
        cmdSet = true;
        break;
      case 'ENTRYPOINT':
        config.Entrypoint = commandOf(args);
        if (!cmdSet) config.Cmd = null;
        break;
      case 'ENV':
        config.Env = withEnv(config.Env, keyValues('ENV', args));
        break;
      case 'LABEL':
        config.Labels = { ...(config.Labels ?? {}), ...Object.fromEntries(keyValues('LABEL', args)) };
        break;
      case 'EXPOSE':
        config.ExposedPorts = { ...(config.ExposedPorts ?? {}) };
        for (const spec of words(args)) for (const key of exposedPortKeys(spec)) config.ExposedPorts[key] = {};
        break;
      case 'VOLUME':
        config.Volumes = { ...(config.Volumes ?? {}) };
        for (const path of listOrWords(args)) config.Volumes[path] = {};
        break;
      case 'WORKDIR':
        config.WorkingDir = args.trim();
        break;
      case 'USER':
        config.User = args.trim();
        break;
      case 'STOPSIGNAL':
        config.StopSignal = args.trim();
        break;
      case 'ONBUILD':
        config.OnBuild = [...(config.OnBuild ?? []), args.trim()];
        break;
    }
  }
  return config;
}
