// Schema errors rendered as `file: pointer: rule`, one case per kind of rule.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { repoRoot } from './helpers.js';
import { ConfigError, pointer } from '../../src/spec/errors.js';
import {
  toConfigError,
  validateConfigSchema,
  validateFeaturesSchema,
  validateProcessSchema,
  validateStateSchema,
} from '../../src/spec/validate.js';

function messageOf(fn: () => void): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
  return '(accepted)';
}

const root = { ociVersion: '1.3.0', root: { path: 'rootfs' } };
const proc = { cwd: '/', args: ['sh'], user: { uid: 0, gid: 0 } };

const cases: [string, unknown, string][] = [
  ['required points at the missing property', { ...root, process: { args: ['sh'] } }, 'config.json: /process/cwd: is required'],
  ['required at the top', { root: { path: 'r' } }, 'config.json: /ociVersion: is required'],
  ['type string', { ...root, hostname: 5 }, 'config.json: /hostname: must be a string'],
  ['type array', { ...root, process: { ...proc, args: 'sh' } }, 'config.json: /process/args: must be an array'],
  ['type object', { ...root, linux: [] }, 'config.json: /linux: must be an object'],
  ['type boolean', { ...root, process: { ...proc, terminal: 'yes' } }, 'config.json: /process/terminal: must be a boolean'],
  ['type integer', { ...root, process: { ...proc, oomScoreAdj: 1.5 } }, 'config.json: /process/oomScoreAdj: must be an integer'],
  ['document not an object', [], 'config.json: /: must be an object'],
  [
    'enum lists the allowed values',
    { ...root, linux: { rootfsPropagation: 'rshared' } },
    'config.json: /linux/rootfsPropagation: must be one of "shared", "slave", "private", "unbindable"',
  ],
  [
    'enum inside arrays',
    { ...root, linux: { namespaces: [{ type: 'pid' }, { type: 'net' }] } },
    'config.json: /linux/namespaces/1/type: must be one of "pid", "network", "mount", "ipc", "uts", "user", "cgroup", "time"',
  ],
  ['uint32 minimum', { ...root, process: { ...proc, user: { uid: -1, gid: 0 } } }, 'config.json: /process/user/uid: must be >= 0'],
  ['uint32 maximum', { ...root, process: { ...proc, user: { uid: 4294967296, gid: 0 } } }, 'config.json: /process/user/uid: must be <= 4294967295 (uint32)'],
  [
    'uint16 maximum',
    { ...root, linux: { resources: { blockIO: { weight: 65536 } } } },
    'config.json: /linux/resources/blockIO/weight: must be <= 65535 (uint16)',
  ],
  [
    'int64 maximum shown exactly',
    { ...root, linux: { resources: { memory: { limit: 1e19 } } } },
    'config.json: /linux/resources/memory/limit: must be <= 9223372036854775807 (int64)',
  ],
  [
    'uint64 maximum shown exactly',
    { ...root, process: { ...proc, rlimits: [{ type: 'RLIMIT_CORE', soft: 1e20, hard: 1 }] } },
    'config.json: /process/rlimits/0/soft: must be <= 18446744073709551615 (uint64)',
  ],
  ['hook timeout minimum', { ...root, hooks: { poststart: [{ path: '/x', timeout: 0 }] } }, 'config.json: /hooks/poststart/0/timeout: must be >= 1'],
  [
    'rlimit pattern',
    { ...root, process: { ...proc, rlimits: [{ type: 'nofile', soft: 1, hard: 1 }] } },
    'config.json: /process/rlimits/0/type: must be an RLIMIT_* name such as RLIMIT_NOFILE',
  ],
  [
    'hugepage pattern',
    { ...root, linux: { resources: { hugepageLimits: [{ pageSize: '64kB', limit: 1 }] } } },
    'config.json: /linux/resources/hugepageLimits/0/pageSize: must be a hugepage size such as 64KB, 2MB or 1GB',
  ],
  [
    'minItems 1',
    { ...root, linux: { seccomp: { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: [], action: 'SCMP_ACT_LOG' }] } } },
    'config.json: /linux/seccomp/syscalls/0/names: must be a non-empty array',
  ],
  [
    'anyOf of required: at least one of',
    { ...root, linux: { resources: { blockIO: { weightDevice: [{ major: 8, minor: 0 }] } } } },
    'config.json: /linux/resources/blockIO/weightDevice/0: must set at least one of weight, leafWeight',
  ],
  [
    'if/then required',
    { ...root, linux: { devices: [{ type: 'b', path: '/dev/sda', major: 8 }] } },
    'config.json: /linux/devices/0/minor: is required',
  ],
  [
    'dependencies',
    { ...root, mounts: [{ destination: '/d', uidMappings: [{ containerID: 0, hostID: 1, size: 1 }] }] },
    'config.json: /mounts/0/gidMappings: is required when uidMappings is set',
  ],
  ['empty annotation key', { ...root, annotations: { '': 'x' } }, 'config.json: /annotations: keys must not be empty'],
  ['pointer escaping', { ...root, annotations: { 'a/b~c': 1 } }, 'config.json: /annotations/a~1b~0c: must be a string'],
];

for (const [name, doc, message] of cases) {
  t.test(name, async (t) => {
    t.equal(messageOf(() => validateConfigSchema(doc)), message);
  });
}

t.test('valid documents pass', async (t) => {
  t.equal(messageOf(() => validateConfigSchema({ ...root, process: proc })), '(accepted)');
  t.equal(messageOf(() => validateProcessSchema(proc)), '(accepted)');
  t.equal(messageOf(() => validateStateSchema({ ociVersion: '1.3.0', id: 'a', status: 'stopped', bundle: '/b' })), '(accepted)');
});

t.test('process documents', async (t) => {
  t.equal(messageOf(() => validateProcessSchema({ args: ['sh'] })), 'process.json: /cwd: is required');
  t.equal(messageOf(() => validateProcessSchema({ ...proc, env: [1] }, 'p.json')), 'p.json: /env/0: must be a string');
});

t.test('state documents', async (t) => {
  t.equal(
    messageOf(() => validateStateSchema({ ociVersion: '1.3.0', id: 'a', status: 'running', bundle: '/b' })),
    'state.json: /pid: is required',
    'pid is REQUIRED when running',
  );
  t.equal(
    messageOf(() => validateStateSchema({ ociVersion: '1.3.0', id: 'a', status: 'paused', pid: 1, bundle: '/b' })),
    '(accepted)',
    'paused is a runc state',
  );
  t.equal(
    messageOf(() => validateStateSchema({ ociVersion: '1.3.0', id: 'a', status: 'gone', bundle: '/b' })),
    'state.json: /status: must be one of "creating", "created", "running", "stopped", "paused"',
  );
  t.equal(messageOf(() => validateStateSchema({ ociVersion: '1.3.0', id: '', status: 'stopped', bundle: '/b' })), 'state.json: /id: must not be empty');
});

t.test('features documents refuse unknown properties (features.md)', async (t) => {
  const f = { ociVersionMin: '1.0.0', ociVersionMax: '1.3.0', hooks: ['prestart'], linux: { namespaces: null, cgroup: { v1: true } } };
  t.equal(messageOf(() => validateFeaturesSchema(f)), '(accepted)');
  t.equal(messageOf(() => validateFeaturesSchema({ ...f, bogus: 1 })), 'features.json: /bogus: is not an allowed property here');
  t.equal(messageOf(() => validateFeaturesSchema({ ociVersionMin: '1.0.0' })), 'features.json: /ociVersionMax: is required');
  t.equal(messageOf(() => validateFeaturesSchema({ ...f, linux: { cgroup: { v2: 'yes' } } })), 'features.json: /linux/cgroup/v2: must be a boolean or null');
});

t.test('ConfigError shape', async (t) => {
  const e = new ConfigError('/process/args', 'must be a non-empty array');
  t.equal(e.message, 'config.json: /process/args: must be a non-empty array');
  t.equal(e.pointer, '/process/args');
  t.equal(e.rule, 'must be a non-empty array');
  t.equal(e.file, 'config.json');
  t.ok(e instanceof Error);
  t.equal(e.withFile('x.json').message, 'x.json: /process/args: must be a non-empty array');
  t.equal(new ConfigError('', 'invalid').message, 'config.json: /: invalid');
  t.equal(pointer('annotations', 'a/b', 0, 'c~d'), '/annotations/a~1b/0/c~0d');
  t.equal(toConfigError([]).message, 'config.json: /: is not valid');
});

t.test('the generated validators load nothing at run time', async (t) => {
  const code = readFileSync(join(repoRoot, 'dist', 'src', 'spec', 'validators.generated.js'), 'utf8');
  t.notMatch(code, /\brequire\(/, 'no require()');
  t.notMatch(code, /^\s*import\s/m, 'no import');
  t.notMatch(code, /from\s+["']ajv/, 'no ajv');
  const validate = readFileSync(join(repoRoot, 'dist', 'src', 'spec', 'validate.js'), 'utf8');
  t.notMatch(validate, /["']ajv/, 'validate.js does not import ajv');
});
