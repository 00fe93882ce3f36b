import { describe, expect, it } from 'vitest';
import { RUNTIME_VULNERABILITIES, parseRuntimeVersion, unfixedVulnerabilities } from './runtime-vulnerabilities.js';

const runc = RUNTIME_VULNERABILITIES.runc;
const unfixedIn = (version: string, changelog?: string) => unfixedVulnerabilities(runc, version, changelog).map((v) => v.cve);
const BREAKOUTS_2025 = ['CVE-2025-31133', 'CVE-2025-52565', 'CVE-2025-52881'];

describe('runtime vulnerabilities', () => {
  it('parses the versions runc prints', () => {
    expect(parseRuntimeVersion('1.1.5+ds1')).toEqual([1, 1, 5, Infinity]);
    expect(parseRuntimeVersion('1.4.0-rc.3')).toEqual([1, 4, 0, 3]);
    expect(parseRuntimeVersion('1.0.0-rc95')).toEqual([1, 0, 0, 95]);
    expect(parseRuntimeVersion('1.2.8-dev')).toEqual([1, 2, 8, -1]);
    expect(parseRuntimeVersion('unknown')).toBeUndefined();
  });

  it('knows which releases fix each CVE, branch by branch', () => {
    expect(unfixedIn('1.1.11')).toEqual(['CVE-2024-21626', ...BREAKOUTS_2025]);
    expect(unfixedIn('1.1.12')).toEqual(BREAKOUTS_2025);
    expect(unfixedIn('1.2.0-rc.1')).toEqual(BREAKOUTS_2025);
    expect(unfixedIn('1.2.7')).toEqual(BREAKOUTS_2025);
    expect(unfixedIn('1.2.8')).toEqual([]);
    expect(unfixedIn('1.3.2')).toEqual(BREAKOUTS_2025);
    expect(unfixedIn('1.3.3')).toEqual([]);
    expect(unfixedIn('1.4.0-rc.2')).toEqual(BREAKOUTS_2025);
    expect(unfixedIn('1.4.0-rc.3')).toEqual([]);
    expect(unfixedIn('1.4.0')).toEqual([]);
    expect(unfixedIn('1.5.0-rc.1')).toEqual([]);
    expect(unfixedIn('1.0.0-rc95')).toEqual(['CVE-2024-21626', ...BREAKOUTS_2025]);
  });

  it("counts a fix a distribution backported when its changelog names the CVE (Debian's runc 1.1.5+ds1-1+deb12u1)", () => {
    const bookworm = 'runc (1.1.5+ds1-1+deb12u1) bookworm-security; urgency=high\n\n  * CVE-2024-21626: several container breakouts due to internally leaked fds\n';
    expect(unfixedIn('1.1.5+ds1', bookworm)).toEqual(BREAKOUTS_2025);
    expect(unfixedIn('1.1.5+ds1', `${bookworm}  * CVE-2025-31133 CVE-2025-52565 CVE-2025-52881\n`)).toEqual([]);
  });

  it('treats a version it cannot read as unfixed', () => {
    expect(unfixedIn('')).toEqual(['CVE-2024-21626', ...BREAKOUTS_2025]);
  });

  it('checks nothing for crun, which none of these affect', () => {
    expect(unfixedVulnerabilities(RUNTIME_VULNERABILITIES.crun, '1.8.1')).toEqual([]);
  });
});
