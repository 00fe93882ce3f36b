/** A container-breakout flaw of an OCI runtime, and the upstream releases that fix it. */
export interface RuntimeVulnerability {
  cve: string;
  /**
   * The first fixed release of each release branch: a version is fixed when it is at least the one
   * listed for its major.minor branch, or when its branch is newer than every branch listed.
   */
  fixedIn: readonly string[];
}

const RUNC_2025_BREAKOUT_FIXES = ['1.2.8', '1.3.3', '1.4.0-rc.3'];

/**
 * The flaws berthd will not run containers with unless the operator accepts each by name. From the
 * runc advisories (GHSA-xr7r-f8xq-vfvv; GHSA-9493-h29p-rfm2, GHSA-qw9x-cqr3-wc7r, GHSA-cgrx-mc8f-2prm)
 * and runc's CHANGELOG. crun has none here: CVE-2024-21626 was an fd leak of runc's own, and crun's
 * maintainers found the 2025 breakouts do not reproduce with crun (containers/crun#1906).
 */
export const RUNTIME_VULNERABILITIES: Record<'runc' | 'crun', readonly RuntimeVulnerability[]> = {
  runc: [
    { cve: 'CVE-2024-21626', fixedIn: ['1.1.12'] },
    { cve: 'CVE-2025-31133', fixedIn: RUNC_2025_BREAKOUT_FIXES },
    { cve: 'CVE-2025-52565', fixedIn: RUNC_2025_BREAKOUT_FIXES },
    { cve: 'CVE-2025-52881', fixedIn: RUNC_2025_BREAKOUT_FIXES },
  ],
  crun: [],
};

type Version = [major: number, minor: number, patch: number, candidate: number];

/**
 * "1.1.5+ds1", "1.4.0-rc.3" or "1.0.0-rc95" as comparable numbers; a release sorts after its release
 * candidates, and any other pre-release before them. Undefined when it is no version at all.
 */
export function parseRuntimeVersion(text: string): Version | undefined {
  const match = /^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+\S*)?$/.exec(text.trim());
  if (!match) return undefined;
  const [, major, minor, patch, pre] = match;
  const candidate = pre === undefined ? Infinity : Number(/^rc\.?(\d+)$/.exec(pre)?.[1] ?? -1);
  return [Number(major), Number(minor), Number(patch), candidate];
}

function compare(a: Version, b: Version): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  return 0;
}

function isFixedIn(version: Version, fixedIn: readonly string[]): boolean {
  const fixes = fixedIn.map((fix) => parseRuntimeVersion(fix)!);
  const sameBranch = fixes.find((fix) => fix[0] === version[0] && fix[1] === version[1]);
  if (sameBranch) return compare(version, sameBranch) >= 0;
  return fixes.every((fix) => compare(version, [fix[0], fix[1], Infinity, Infinity]) > 0);
}

/**
 * The runtime's flaws this build has no fix for: neither its version is a fixed release, nor its
 * distribution changelog (Debian's backports keep the old version number) names the CVE. An
 * unreadable version counts as unfixed.
 */
export function unfixedVulnerabilities(
  vulnerabilities: readonly RuntimeVulnerability[],
  version: string,
  changelog = '',
): RuntimeVulnerability[] {
  const parsed = parseRuntimeVersion(version);
  return vulnerabilities.filter((v) => !(parsed && isFixedIn(parsed, v.fixedIn)) && !changelog.includes(v.cve));
}
