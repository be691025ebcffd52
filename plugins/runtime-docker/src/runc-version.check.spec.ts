import { describe, expect, it } from '@jest/globals';
import { assessRunc, runcWarning } from './runc-version.check.js';

const cves = (raw: string): string[] => assessRunc(raw).missing.map((f) => f.cve);

describe('runc version check', () => {
  it.each([
    [
      '1.0.0-rc6',
      ['CVE-2019-5736', 'CVE-2021-30465', 'CVE-2024-21626', 'CVE-2025-31133', 'CVE-2025-52565', 'CVE-2025-52881'],
    ],
    ['1.0-rc92', ['CVE-2021-30465', 'CVE-2024-21626', 'CVE-2025-31133', 'CVE-2025-52565', 'CVE-2025-52881']],
    ['1.0.0-rc95', ['CVE-2024-21626', 'CVE-2025-31133', 'CVE-2025-52565', 'CVE-2025-52881']],
    ['1.1.5', ['CVE-2024-21626', 'CVE-2025-31133', 'CVE-2025-52565', 'CVE-2025-52881']],
    ['1.1.12', ['CVE-2025-31133', 'CVE-2025-52565', 'CVE-2025-52881']],
    ['v1.2.7', ['CVE-2025-31133', 'CVE-2025-52565', 'CVE-2025-52881']],
    ['1.2.8', []],
    ['1.3.0', ['CVE-2025-31133', 'CVE-2025-52565', 'CVE-2025-52881']],
    ['1.3.2', ['CVE-2025-31133', 'CVE-2025-52565', 'CVE-2025-52881']],
    ['1.3.3', []],
    ['1.4.0-rc.2', ['CVE-2025-31133', 'CVE-2025-52565', 'CVE-2025-52881']],
    ['1.4.0-rc.3', []],
    ['1.4.0', []],
    ['1.5.1', []],
  ])('runc %s lacks %j', (raw, missing) => {
    expect(cves(raw)).toEqual(missing);
  });

  it('reads distribution builds and says that vendors backport fixes', () => {
    const a = assessRunc('1.1.5+ds1-1+deb12u1');
    expect(a).toMatchObject({ version: '1.1.5', raw: '1.1.5+ds1-1+deb12u1', vendorBuild: true });
    const warning = runcWarning(a)!;
    expect(warning).toContain('runc 1.1.5 (build 1.1.5+ds1-1+deb12u1)');
    expect(warning).toContain('CVE-2024-21626');
    expect(warning).toContain('fixed in 1.1.12');
    expect(warning).toMatch(/backport/);
    expect(assessRunc('1.1.12-0ubuntu2~22.04.1')).toMatchObject({ version: '1.1.12', vendorBuild: true });
    expect(assessRunc('1.2.8')).toMatchObject({ vendorBuild: false });
  });

  it('names the version and every missing fix, and says nothing for a current runc', () => {
    const warning = runcWarning(assessRunc('1.0.0-rc95'))!;
    expect(warning).toMatch(/^runc 1\.0\.0-rc\.95 .*lacks/);
    for (const cve of ['CVE-2024-21626', 'CVE-2025-31133', 'CVE-2025-52565', 'CVE-2025-52881']) {
      expect(warning).toContain(cve);
    }
    expect(warning).not.toContain('CVE-2021-30465');
    expect(runcWarning(assessRunc('1.3.3'))).toBeUndefined();
  });

  it('says so when the version cannot be read', () => {
    expect(assessRunc('').version).toBeUndefined();
    expect(runcWarning(assessRunc('unknown'))).toMatch(/cannot tell which runc/i);
  });
});
