// Node builtins that are costly to load (child_process, crypto and tty each
// add ~3 ms to a call's start-up: they pull in net, streams and the like),
// loaded on first use instead of by an import that runs whenever its module
// does. Only calls that run a hook or a map tool, hash a seccomp profile or
// wire a terminal pay.
export function childProcess(): typeof import('node:child_process') {
  return process.getBuiltinModule('node:child_process');
}

export function crypto(): typeof import('node:crypto') {
  return process.getBuiltinModule('node:crypto');
}

export function tty(): typeof import('node:tty') {
  return process.getBuiltinModule('node:tty');
}
