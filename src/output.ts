// What tsrunc prints goes straight to fds 1 and 2 with write(2): the first
// use of process.stdout/stderr builds a stream (and loads Node's stream
// modules, ~3 ms of every call's start-up). Terminal streams (run with a
// terminal) still use process.stdout; nothing else does.
import { writeSync } from 'node:fs';
import { errnoCode } from './errors.js';

const pause = new Int32Array(new SharedArrayBuffer(4));

/** Writes all of `text` to `fd`, waiting out a non-blocking fd's EAGAIN
 *  (another process may have set O_NONBLOCK on a shared pipe). */
export function writeAll(fd: number, text: string): void {
  let buf = Buffer.from(text);
  while (buf.length > 0) {
    let n: number;
    try {
      n = writeSync(fd, buf);
    } catch (err) {
      if (errnoCode(err) !== 'EAGAIN') throw err;
      Atomics.wait(pause, 0, 0, 1);
      continue;
    }
    buf = buf.subarray(n);
  }
}

export function writeStdout(text: string): void {
  writeAll(1, text);
}

/** stderr may be closed (engines sometimes start us so): nowhere to report. */
export function writeStderr(text: string): void {
  try {
    writeAll(2, text);
  } catch {
    // nothing to do
  }
}
