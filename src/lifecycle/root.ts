// Where container state lives: /run/tsrunc as root (like runc's /run/runc),
// $XDG_RUNTIME_DIR/tsrunc for an unprivileged user.
export function defaultRoot(): string {
  if (process.getuid?.() !== 0 && process.env.XDG_RUNTIME_DIR) return `${process.env.XDG_RUNTIME_DIR}/tsrunc`;
  return '/run/tsrunc';
}
