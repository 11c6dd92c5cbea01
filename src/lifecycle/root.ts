// Where container state lives: /run/tsrunc as root (like runc's /run/runc),
// $XDG_RUNTIME_DIR/tsrunc for an unprivileged user; and whether we run
// rootless (runc's --rootless true|false|auto).
export function defaultRoot(): string {
  if (process.geteuid?.() !== 0 && process.env.XDG_RUNTIME_DIR) return `${process.env.XDG_RUNTIME_DIR}/tsrunc`;
  return '/run/tsrunc';
}

let rootlessFlag: string | undefined;

/** The global --rootless value ("true", "false", "auto" or unset). */
export function setRootlessFlag(value: string | undefined): void {
  if (value !== undefined && !['true', 'false', 'auto', ''].includes(value)) {
    throw new Error(`invalid --rootless value ${JSON.stringify(value)} (true, false or auto)`);
  }
  rootlessFlag = value;
}

/** Rootless: cgroup errors that come from missing privilege are skipped, as
 *  runc does. "auto" (the default) means: not running as root. */
export function isRootless(): boolean {
  if (rootlessFlag === 'true' || rootlessFlag === '') return true;
  if (rootlessFlag === 'false') return false;
  return process.geteuid?.() !== 0;
}
