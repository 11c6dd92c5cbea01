// tsrunc-init end to end: real containers from a busybox bundle, driven by
// the minimal parent in test/lib/init-session.ts.
import t, { type Test } from 'tap';
import { createContainer } from './lib/init-session.js';
import { makeBundle } from './lib/bundle.js';
import type { Spec } from '../src/spec/types.js';

async function runIn(t: Test, args: string[], edit?: (spec: Spec) => void) {
  const bundle = makeBundle(args, edit);
  t.teardown(() => bundle.cleanup());
  const run = createContainer(bundle);
  t.teardown(() => run.cleanup());
  if (run.error) throw new Error(`create failed: ${run.error}`);
  return run.start();
}

t.test('echo through a pipe, exit 0', async (t) => {
  const r = await runIn(t, ['echo', 'hi']);
  t.equal(r.stdout, 'hi\n');
  t.equal(r.exit.exitCode, 0);
});
