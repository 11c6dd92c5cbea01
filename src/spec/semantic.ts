// Interim semantic checks (replaced by the full checker).
import { RuntimeError } from '../errors.js';
import type { Spec } from './types.js';

export function checkStartable(spec: Spec): void {
  if (!spec.process) throw new RuntimeError('config.json: /process: is required to start a container');
}
