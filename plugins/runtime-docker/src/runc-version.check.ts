import semver from 'semver';

/** A runc escape that a version lacks the fix for. */
export interface RuncFinding {
  cve: string;
  what: string;
  fixedIn: string;
}

export interface RuncAssessment {
  /** What the engine reported. */
  raw: string;
  /** The upstream version it is built from (semver, `-rc.N` for release candidates), if readable. */
  version?: string;
  /** A distribution build (`+ds1-1+deb12u1`, `-0ubuntu2~22.04.1`): fixes may be backported. */
  vendorBuild: boolean;
  missing: RuncFinding[];
}

interface KnownEscape extends RuncFinding {
  vulnerable(version: string): boolean;
}

const lt = (a: string, b: string): boolean => semver.lt(a, b);
const within = (v: string, from: string, to: string): boolean => semver.gte(v, from) && semver.lt(v, to);

/** Container escapes through runc itself, with the upstream releases that fixed them. */
const KNOWN_ESCAPES: KnownEscape[] = [
  {
    cve: 'CVE-2019-5736',
    what: 'a container process can overwrite the host runc binary through /proc/self/exe',
    fixedIn: '1.0.0-rc7',
    vulnerable: (v) => lt(v, '1.0.0-rc.7'),
  },
  {
    cve: 'CVE-2021-30465',
    what: 'a symlink-exchange race in mount setup mounts host paths into the container',
    fixedIn: '1.0.0-rc95',
    vulnerable: (v) => lt(v, '1.0.0-rc.95'),
  },
  {
    cve: 'CVE-2024-21626',
    what: '"Leaky Vessels": a leaked host directory fd as the working directory (/proc/self/fd/N) opens the host filesystem',
    fixedIn: '1.1.12',
    vulnerable: (v) => lt(v, '1.1.12'),
  },
  ...(
    [
      ['CVE-2025-31133', 'a /dev/null bind-mount race lets masked paths (/proc/sysrq-trigger, ...) be written'],
      ['CVE-2025-52565', 'a /dev/console bind-mount race exposes writable procfs files'],
      ['CVE-2025-52881', "redirected procfs writes (LSM labels, sysctls) bypass the container's protections"],
    ] as const
  ).map(([cve, what]) => ({
    cve,
    what,
    fixedIn: '1.2.8, 1.3.3, 1.4.0-rc.3',
    vulnerable: (v: string) => lt(v, '1.2.8') || within(v, '1.3.0-0', '1.3.3') || within(v, '1.4.0-0', '1.4.0-rc.3'),
  })),
];

/** "1.1.5+ds1-1+deb12u1", "v1.1.12", "1.0-rc95", "1.0.0-rc6", "1.4.0-rc.3" → a comparable semver. */
const VERSION = /^v?(\d+)\.(\d+)(?:\.(\d+))?(?:-rc\.?(\d+))?/;

export function assessRunc(raw: string): RuncAssessment {
  const text = String(raw ?? '').trim();
  const m = VERSION.exec(text);
  if (!m) return { raw: text, vendorBuild: false, missing: [] };
  const version = `${m[1]}.${m[2]}.${m[3] ?? '0'}${m[4] !== undefined ? `-rc.${Number(m[4])}` : ''}`;
  if (!semver.valid(version)) return { raw: text, vendorBuild: false, missing: [] };
  return {
    raw: text,
    version,
    vendorBuild: text.replace(/^v/, '') !== m[0].replace(/^v/, ''),
    missing: KNOWN_ESCAPES.filter((e) => e.vulnerable(version)).map(({ cve, what, fixedIn }) => ({
      cve,
      what,
      fixedIn,
    })),
  };
}

/** The boot warning for an assessment, or undefined when runc has every known fix. */
export function runcWarning(a: RuncAssessment): string | undefined {
  if (!a.version) {
    return (
      `cannot tell which runc the Docker engine uses (it reported "${a.raw.slice(0, 80)}"), so cannot check it ` +
      'for known container escapes (CVE-2019-5736, CVE-2021-30465, CVE-2024-21626, CVE-2025-31133/52565/52881)'
    );
  }
  if (a.missing.length === 0) return undefined;
  const build = a.vendorBuild ? ` (build ${a.raw})` : '';
  const lacks = a.missing.map((f) => `${f.cve} (${f.what}; fixed in ${f.fixedIn})`).join('; ');
  const vendor = a.vendorBuild
    ? ' This is a distribution build, and distributions backport fixes: check its security advisories before relying on it.'
    : '';
  return `runc ${a.version}${build} lacks the fixes for ${lacks}. Upgrade runc (or the engine that ships it).${vendor}`;
}
