// Podman's default seccomp profile (/usr/share/containers/seccomp.json from
// Debian's golang-github-containers-common, installed by scripts/setup.sh,
// never committed) is in the engines' format: archMap, includes/excludes by
// arch and capability. This turns it into the runtime-spec's linux.seccomp
// for x86_64 and a capability set, the way the engines do before calling
// the runtime.
import { readFileSync } from 'node:fs';
import type { Seccomp, SeccompArg, SeccompSyscall } from '../../src/spec/types.js';

export const PODMAN_PROFILE = '/usr/share/containers/seccomp.json';

/** Podman's default capabilities (containers.conf default_capabilities). */
export const PODMAN_DEFAULT_CAPS = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FOWNER', 'CAP_FSETID', 'CAP_KILL',
  'CAP_NET_BIND_SERVICE', 'CAP_SETFCAP', 'CAP_SETGID', 'CAP_SETPCAP',
  'CAP_SETUID', 'CAP_SYS_CHROOT',
];

interface Filter {
  arches?: string[];
  caps?: string[];
}

interface EngineSyscall {
  names: string[];
  action: string;
  errnoRet?: number;
  args?: SeccompArg[] | null;
  includes?: Filter;
  excludes?: Filter;
}

interface EngineProfile {
  defaultAction: string;
  defaultErrnoRet?: number;
  archMap?: { architecture: string; subArchitectures: string[] }[];
  syscalls: EngineSyscall[];
}

// Go's GOARCH spelling used by includes/excludes, for this machine.
const NATIVE_GOARCH = 'amd64';
const NATIVE_SCMP = 'SCMP_ARCH_X86_64';

function applies(sc: EngineSyscall, caps: Set<string>): boolean {
  const inc = sc.includes ?? {};
  const exc = sc.excludes ?? {};
  if (inc.arches && inc.arches.length > 0 && !inc.arches.includes(NATIVE_GOARCH)) return false;
  if (inc.caps && inc.caps.length > 0 && !inc.caps.every((c) => caps.has(c))) return false;
  if (exc.arches && exc.arches.includes(NATIVE_GOARCH)) return false;
  if (exc.caps && exc.caps.some((c) => caps.has(c))) return false;
  return true;
}

/** linux.seccomp for an x86_64 container with capabilities `caps`. */
export function podmanSeccomp(caps: string[] = PODMAN_DEFAULT_CAPS): Seccomp {
  const p = JSON.parse(readFileSync(PODMAN_PROFILE, 'utf8')) as EngineProfile;
  const capSet = new Set(caps);
  const native = (p.archMap ?? []).find((m) => m.architecture === NATIVE_SCMP);
  const syscalls: SeccompSyscall[] = p.syscalls
    .filter((sc) => applies(sc, capSet))
    .map((sc) => ({
      names: sc.names,
      action: sc.action,
      ...(sc.errnoRet !== undefined ? { errnoRet: sc.errnoRet } : {}),
      ...(sc.args && sc.args.length > 0 ? { args: sc.args } : {}),
    }));
  return {
    defaultAction: p.defaultAction,
    ...(p.defaultErrnoRet !== undefined ? { defaultErrnoRet: p.defaultErrnoRet } : {}),
    architectures: native ? [native.architecture, ...native.subArchitectures] : [NATIVE_SCMP],
    syscalls,
  };
}
