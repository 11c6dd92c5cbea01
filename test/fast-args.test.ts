// The fast parser takes engines' exact calls and hands everything else to
// yargs (null): both the accepted shapes and the fallbacks are checked.
import t from 'tap';
import { parseFast } from '../src/fast-args.js';

t.test('containerd-style calls are parsed without yargs', async (t) => {
  const c = parseFast(['--root', '/run/r', '--log', '/l/log.json', '--log-format', 'json', 'create', '--bundle', '/b', '--pid-file', '/b/pid', 'id1']);
  t.same(c, {
    name: 'create',
    global: { root: '/run/r', log: '/l/log.json', logFormat: 'json', debug: false },
    opts: { id: 'id1', bundle: '/b', consoleSocket: undefined, pidFile: '/b/pid', noPivot: false, noNewKeyring: false, preserveFds: 0 },
  });
  t.same(parseFast(['--root=/r', 'kill', '--all', 'x', 'KILL']), { name: 'kill', global: { root: '/r', log: undefined, logFormat: 'text', debug: false }, id: 'x', signal: 'KILL', all: true });
  t.same(parseFast(['delete', '-f', 'x']), { name: 'delete', global: { root: undefined, log: undefined, logFormat: 'text', debug: false }, id: 'x', force: true });
  const r = parseFast(['run', '-d', '-b', 'bb', '--preserve-fds', '2', '--no-pivot=true', 'x', '--debug']);
  t.equal(r?.name, 'run');
  if (r?.name === 'run') {
    t.equal(r.opts.detach, true);
    t.equal(r.opts.bundle, 'bb');
    t.equal(r.opts.preserveFds, 2);
    t.equal(r.opts.noPivot, true);
    t.equal(r.global.debug, true, 'a global flag after the command');
  }
  t.same(parseFast(['state', '--', '-odd']), { name: 'state', global: { root: undefined, log: undefined, logFormat: 'text', debug: false }, id: '-odd' });
});

t.test('anything else goes to yargs', async (t) => {
  for (const args of [
    [],
    ['--help'],
    ['state'],
    ['state', 'a', 'b'],
    ['kill', 'a', 'b', 'c'],
    ['create', '--bundle'],
    ['create', '--preserve-fds', 'x', 'id'],
    ['create', '--no-such-flag', 'id'],
    ['create', '-bd', 'x', 'id'],
    ['delete', '--force=maybe', 'id'],
    ['delete', '--no-force', 'id'],
    ['list'],
    ['exec', 'id', 'sh'],
    ['state', '--help', 'x'],
    ['--root', '/a', '--root', '/b', 'state', 'x'],
  ]) {
    t.equal(parseFast(args), null, JSON.stringify(args));
  }
});
