import { readFile, realpath } from 'node:fs/promises';
import { basename } from 'node:path';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { UnavailableError } from '@berth/api';
import { resolveExecutable } from './executable.js';
import { RUNTIME_VULNERABILITIES, unfixedVulnerabilities, type RuntimeVulnerability } from './runtime-vulnerabilities.js';
import { runProgram } from '../system-tools.js';

const gunzipAsync = promisify(gunzip);

export interface RuntimeFixCheck {
  runtime: 'runc' | 'crun';
  /** The binary the engine will run (default: `runtime` looked up in $PATH). */
  path?: string;
  /** CVEs the operator runs without, each named (`--allow-unpatched-runtime`). */
  allowed: readonly string[];
}

/**
 * Refuses to run an OCI runtime that lacks the fix for a known container breakout, unless the operator
 * accepted that CVE by name. Returns a warning for each accepted one, to be logged on every start.
 */
export async function checkRuntimeFixes({ runtime, path: binary, allowed }: RuntimeFixCheck): Promise<string[]> {
  const known = RUNTIME_VULNERABILITIES[runtime];
  if (known.length === 0) return [];
  const path = await realpath(binary ?? resolveExecutable(runtime));
  const version = await runtimeVersion(path);
  let unfixed = unfixedVulnerabilities(known, version);
  if (unfixed.length > 0) unfixed = unfixedVulnerabilities(unfixed, version, await debianChangelog(path));
  const refused = unfixed.filter((v) => !allowed.includes(v.cve));
  const label = `${runtime} ${version || '(unknown version)'} (${path})`;
  if (refused.length > 0) {
    const flags = refused.map((v) => `--allow-unpatched-runtime=${v.cve}`).join(' ');
    throw new UnavailableError(`${label} lacks the fixes for container breakouts ${listWithFixes(runtime, refused)}: upgrade it, or run at that risk with ${flags}`);
  }
  const accepted = unfixed.map((v) => v.cve);
  return accepted.length === 0 ? [] : [`running ${label} without the fixes for ${accepted.join(', ')} (allowed by --allow-unpatched-runtime): a container may break out to the host`];
}

/** "CVE-A (fixed in runc 1.1.12), CVE-B, CVE-C (fixed in runc 1.2.8, 1.3.3, 1.4.0-rc.3)". */
function listWithFixes(runtime: string, vulnerabilities: RuntimeVulnerability[]): string {
  const byFix = new Map<string, string[]>();
  for (const v of vulnerabilities) byFix.set(v.fixedIn.join(', '), [...(byFix.get(v.fixedIn.join(', ')) ?? []), v.cve]);
  return [...byFix].map(([fixes, cves]) => `${cves.join(', ')} (fixed in ${runtime} ${fixes})`).join(', ');
}

/** `runc --version` prints "runc version 1.1.5+ds1" first. */
async function runtimeVersion(path: string): Promise<string> {
  // A runtime that cannot tell its version counts as lacking every fix (unless its changelog names them).
  const stdout = await runProgram(path, ['--version']).catch(() => '');
  return /^\S+ version (\S+)/m.exec(stdout)?.[1] ?? '';
}

/**
 * The Debian changelog of the package that installed the binary: Debian backports security fixes
 * without changing the upstream version, and names each CVE it fixes there. Empty off Debian.
 */
async function debianChangelog(path: string): Promise<string> {
  try {
    const pkg = await owningPackage(path);
    if (!pkg) return '';
    return (await gunzipAsync(await readFile(`/usr/share/doc/${pkg}/changelog.Debian.gz`))).toString('utf8');
  } catch {
    // No dpkg, no owning package or no changelog: no backported fix is known, so the version alone decides.
    return '';
  }
}

/**
 * What `dpkg-query -S` answers, trying first the package named after the binary (runc ships runc):
 * its file list is one read, where dpkg-query reads every package's (~50 ms of each start here).
 */
async function owningPackage(path: string): Promise<string | undefined> {
  const guess = basename(path);
  const list = await readFile(`/var/lib/dpkg/info/${guess}.list`, 'utf8').catch(() => '');
  if (list.split('\n').includes(path)) return guess;
  const stdout = await runProgram('dpkg-query', ['-S', path]);
  return /^([^:,\s]+)/.exec(stdout)?.[1];
}
