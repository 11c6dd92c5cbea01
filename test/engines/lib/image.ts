// The test images, built offline by build-image.sh (no registry is reachable).
import { join } from 'node:path';
import { ENGINE_DIR } from './env.js';
import { mustRun } from './exec.js';

export const BUSYBOX_REF = 'localhost/tsrunc-test/busybox:latest';
export const PAUSE_REF = 'localhost/tsrunc-test/pause:latest';

export interface TestImages {
  /** docker-archive of BUSYBOX_REF (cmd /bin/sh) */
  busybox: string;
  /** docker-archive of PAUSE_REF (sleeps until killed; the CRI sandbox image) */
  pause: string;
}

export async function buildImages(outDir: string): Promise<TestImages> {
  await mustRun('bash', [join(ENGINE_DIR, 'build-image.sh'), outDir], { timeoutMs: 120_000 });
  return { busybox: join(outDir, 'busybox.tar'), pause: join(outDir, 'pause.tar') };
}
