// Our schemas (compiled at build time into validators.generated.js) against the
// upstream runtime-spec v1.3.0 JSON Schema (compiled here, at test time, with
// ajv-draft-04): they must agree on every document of our corpus, accept the
// upstream good documents and reject the upstream bad Linux ones.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import ajvDraft04 from 'ajv-draft-04';
import { fixtureDir, jsonFiles, upstreamSpecDir } from './helpers.js';
import { checkConfig } from '../../src/spec/semantic.js';
import type { Spec } from '../../src/spec/types.js';
import { schemaErrorsOfConfig, schemaErrorsOfFeatures, schemaErrorsOfState } from '../../src/spec/validate.js';

const upstream = upstreamSpecDir();
const Ajv04 = ajvDraft04.default;
const ajv = new Ajv04({ strict: false, allErrors: false });
for (const f of jsonFiles(upstream)) {
  // Upstream defs.json has one malformed reference ("#definitions/uint32" in
  // ArrayOfUint32) that ajv refuses to resolve; mend it in memory.
  const schema: unknown = JSON.parse(f.text.replaceAll('"#definitions/', '"#/definitions/'));
  // The upstream files refer to each other by file name.
  ajv.addSchema(schema as object, f.name);
}
const upstreamConfig = ajv.getSchema('config-schema.json');
const upstreamState = ajv.getSchema('state-schema.json');
if (!upstreamConfig || !upstreamState) throw new Error('cannot compile the upstream schema');

function ours(doc: unknown): boolean {
  return schemaErrorsOfConfig(doc) === null;
}
function theirs(doc: unknown): boolean {
  return upstreamConfig!(doc) === true;
}

/** Expected verdicts where the spec text and the upstream schema disagree. */
const divergent: Record<string, { ours: boolean; upstream: boolean; why: string }> = JSON.parse(
  readFileSync(join(fixtureDir, 'divergent.json'), 'utf8'),
);

t.test('corpus: our schema agrees with upstream', async (t) => {
  let count = 0;
  for (const dir of ['good', 'bad']) {
    for (const f of jsonFiles(join(fixtureDir, dir))) {
      const doc: unknown = JSON.parse(f.text);
      const expected = dir === 'good';
      t.equal(theirs(doc), expected, `upstream verdict on ${dir}/${f.name}`);
      t.equal(ours(doc), theirs(doc), `our verdict agrees on ${dir}/${f.name}`, { errors: schemaErrorsOfConfig(doc) });
      count++;
    }
  }
  t.ok(count >= 40, `corpus has at least 40 configs (${count})`);
});

t.test('corpus: documented divergences from upstream', async (t) => {
  const files = jsonFiles(join(fixtureDir, 'divergent'));
  t.same(files.map((f) => f.name).sort(), Object.keys(divergent).sort(), 'every divergent fixture is documented');
  for (const f of files) {
    const want = divergent[f.name];
    if (!want) continue;
    const doc: unknown = JSON.parse(f.text);
    t.equal(theirs(doc), want.upstream, `upstream verdict on divergent/${f.name}`);
    t.equal(ours(doc), want.ours, `our verdict on divergent/${f.name} (${want.why})`);
  }
});

t.test('upstream test documents', async (t) => {
  const checks = { config: schemaErrorsOfConfig, state: schemaErrorsOfState, features: schemaErrorsOfFeatures };
  for (const kind of ['config', 'state', 'features'] as const) {
    const check = checks[kind];
    for (const f of jsonFiles(join(upstream, 'test', kind, 'good'))) {
      t.equal(check(JSON.parse(f.text)), null, `accepts ${kind}/good/${f.name}`);
    }
    for (const f of jsonFiles(join(upstream, 'test', kind, 'bad'))) {
      // Other platforms' sections are not modelled: only Linux documents and
      // documents that are not JSON at all are required to fail.
      if (/^(freebsd|zos|windows|solaris|vm)-/.test(f.name)) continue;
      let doc: unknown;
      try {
        doc = JSON.parse(f.text);
      } catch {
        t.pass(`${kind}/bad/${f.name} is not JSON`);
        continue;
      }
      t.not(check(doc), null, `rejects ${kind}/bad/${f.name}`);
    }
  }
});

t.test('good corpus configs also pass the semantic checks', async (t) => {
  for (const f of jsonFiles(join(fixtureDir, 'good'))) {
    // The containerd fixtures join namespaces of processes that do not exist here.
    t.doesNotThrow(() => checkConfig(JSON.parse(f.text) as Spec, { checkNamespacePaths: false }), f.name);
  }
});

// Paths (array indexes and map keys as '#') where a mutation may make the two
// schemas disagree, each for a reason listed in divergent.json, with our verdict.
const DIVERGENT_PATHS: [RegExp, boolean][] = [
  [/^linux\/devices\/#\/(major|minor|fileMode)$/, false],
  [/^linux\/devices\/#\/fileMode$/, true],
  [/^linux\/personality(\/domain)?$/, false],
  [/^linux\/memoryPolicy(\/mode)?$/, false],
  [/^linux\/resources\/blockIO\/throttle\w+\/#\/rate$/, false],
  [/^linux\/resources\/blockIO\/weightDevice\/#\/(weight|leafWeight)$/, false],
  [/^linux\/resources\/pids(\/limit)?$/, true],
  [/^linux\/resources\/rdma\/#(\/hca\w+)?$/, false],
  [/^linux\/seccomp\/listenerPath$/, false],
  [/^mounts\/#\/(uid|gid)Mappings$/, false],
  [/^process\/ioPriority(\/priority)?$/, false],
  [/^linux\/timeOffsets(\/[^/]+)?$/, false],
];

t.test('seeded mutations of the good corpus: same verdict as upstream', async (t) => {
  let seed = 20251122;
  const random = (): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
  const values: unknown[] = [null, 'x', '', -1, 0, 1.5, 4294967296, 1e20, true, [], {}, ['x'], [1], { a: 1 }, 'RLIMIT_x', '2mb'];
  type Json = Record<string, unknown> | unknown[];
  const isContainer = (v: unknown): v is Json => typeof v === 'object' && v !== null;
  const pathsOf = (v: unknown, prefix: string[] = []): string[][] =>
    isContainer(v) ? Object.keys(v).flatMap((k) => [[...prefix, k], ...pathsOf((v as Record<string, unknown>)[k], [...prefix, k])]) : [];
  let mutations = 0;
  let divergences = 0;
  for (const f of jsonFiles(join(fixtureDir, 'good'))) {
    const original: unknown = JSON.parse(f.text);
    const paths = pathsOf(original);
    for (let i = 0; i < 150; i++) {
      const doc = structuredClone(original);
      const path = paths[Math.floor(random() * paths.length)]!;
      let parent = doc as Record<string, unknown>;
      for (const k of path.slice(0, -1)) parent = parent[k] as Record<string, unknown>;
      const last = path[path.length - 1]!;
      if (random() < 0.2) {
        if (Array.isArray(parent)) parent.splice(Number(last), 1);
        else delete parent[last];
      } else {
        parent[last] = values[Math.floor(random() * values.length)];
      }
      mutations++;
      const a = ours(doc);
      const b = theirs(doc);
      if (a === b) continue;
      const generic = path.map((k) => (/^\d+$/.test(k) || path[path.indexOf(k) - 1] === 'rdma' ? '#' : k)).join('/');
      const known = DIVERGENT_PATHS.some(([re, verdict]) => re.test(generic) && verdict === a);
      if (known) divergences++;
      else t.fail(`${f.name}: ${generic} set to ${JSON.stringify(parent[last])}: ours ${a}, upstream ${b}`);
    }
  }
  t.ok(mutations > 4000, `${mutations} mutations, ${divergences} documented divergences`);
});
