// The standalone binary (`npm run build:binary`, scripts/build-binary.mjs): a
// Node single-executable application whose entry sets this global before the
// bundle runs. It tells where the install's files are (the directory of the
// executable: tsrunc.node, with tsrunc-init beside it) and carries the build
// info, so that nothing is read from the repository at run time. A global
// rather than `node:sea`'s isSea(): zero cost on every ordinary call.
import type { BuildInfo } from './build-info.js';

export interface Standalone {
  /** Directory of the executable (dist/binary/ or wherever it was copied). */
  dir: string;
  buildInfo: BuildInfo;
}

export function standalone(): Standalone | undefined {
  return (globalThis as { __tsruncStandalone?: Standalone }).__tsruncStandalone;
}
