// Wires a pty master to tsrunc's own terminal, for `run` and `exec` in the
// foreground without a console socket.
import type { ReadStream } from 'node:tty';
import { tty } from '../lazy-builtins.js';
import * as addon from '../linux/addon.js';

/** Copies our stdin to the pty and the pty to our stdout; returns the undo. */
export function wireTerminal(master: number): () => void {
  const pty = new (tty().ReadStream)(master);
  const stdin = process.stdin;
  const raw = stdin.isTTY === true;
  if (raw) {
    (stdin as ReadStream).setRawMode(true);
    const resize = (): void => {
      const out = process.stdout;
      if (out.isTTY) addon.setWinsize(master, out.rows, out.columns);
    };
    resize();
    process.stdout.on('resize', resize);
  }
  stdin.pipe(pty);
  pty.on('data', (chunk: Buffer) => process.stdout.write(chunk));
  pty.on('error', () => undefined); // EIO once the container side closes
  return () => {
    stdin.unpipe(pty);
    if (raw) (stdin as ReadStream).setRawMode(false);
    stdin.pause();
    pty.destroy();
  };
}
