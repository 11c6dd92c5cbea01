// Schema validation of config.json, state.json and process.json with the
// validators that scripts/build-validators.mjs generated from schemas/ at build
// time. ajv itself is never loaded at run time: the generated module is plain
// code, so importing this file costs a few milliseconds.

import { ConfigError, escapePointerToken } from './errors.js';
import type { Features, Process, Spec, State } from './types.js';

/** The shape of one error reported by an ajv-generated validator. */
export interface SchemaErrorObject {
  instancePath: string;
  schemaPath: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
}

type GeneratedValidator = ((data: unknown) => boolean) & { errors?: SchemaErrorObject[] | null };

interface GeneratedModule {
  validateConfig: GeneratedValidator;
  validateState: GeneratedValidator;
  validateProcess: GeneratedValidator;
  validateFeatures: GeneratedValidator;
}

function isGeneratedModule(m: unknown): m is GeneratedModule {
  if (typeof m !== 'object' || m === null) return false;
  const r = m as Record<string, unknown>;
  return ['validateConfig', 'validateState', 'validateProcess', 'validateFeatures'].every((k) => typeof r[k] === 'function');
}

// Resolved relative to this file, so it works from dist/src/spec/ wherever the
// package is installed. A variable specifier keeps tsc from resolving it.
const generatedUrl = new URL('./validators.generated.js', import.meta.url).href;
const generated: GeneratedModule = await (async () => {
  let mod: unknown;
  try {
    mod = await import(generatedUrl);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new Error(`cannot load the config validators (${generatedUrl}): ${why}; run "npm run build:validators"`);
  }
  if (!isGeneratedModule(mod)) throw new Error(`${generatedUrl} does not export the expected validators`);
  return mod;
})();

/**
 * The integer types of the spec by their limits as doubles (2^63 and 2^64 are
 * not exact in JSON), with the exact value to show.
 */
const INTEGER_LIMITS: Record<string, { type: string; exact: string }> = {
  '65535': { type: 'uint16', exact: '65535' },
  '4294967295': { type: 'uint32', exact: '4294967295' },
  '18446744073709552000': { type: 'uint64', exact: '18446744073709551615' },
  '2147483647': { type: 'int32', exact: '2147483647' },
  '-2147483648': { type: 'int32', exact: '-2147483648' },
  '9223372036854776000': { type: 'int64', exact: '9223372036854775807' },
  '-9223372036854776000': { type: 'int64', exact: '-9223372036854775808' },
};

/** Human rules for the schema's patterns, keyed by the pattern text. */
const PATTERN_RULES: Record<string, string> = {
  '^RLIMIT_[A-Z]+$': 'must be an RLIMIT_* name such as RLIMIT_NOFILE',
  '^[1-9][0-9]*[KMG]B$': 'must be a hugepage size such as 64KB, 2MB or 1GB',
  '^MB:[^\\n]*$': 'must start with "MB:" and contain no newline',
  '^[^\\n]*$': 'must not contain a newline',
  '^[0-9, -]*$': 'must be a CPU list such as "0-3,7"',
};

const TYPE_WORDS: Record<string, string> = {
  object: 'an object',
  array: 'an array',
  string: 'a string',
  integer: 'an integer',
  number: 'a number',
  boolean: 'a boolean',
  null: 'null',
};

function typeRule(type: unknown): string {
  const types = Array.isArray(type) ? type : String(type).split(',');
  return `must be ${types.map((t) => TYPE_WORDS[String(t)] ?? String(t)).join(' or ')}`;
}

/** Converts one ajv error into a pointer and a rule a person can act on. */
function ruleOf(e: SchemaErrorObject): { pointer: string; rule: string } {
  const p = e.params;
  switch (e.keyword) {
    case 'required':
      // Point at the property that is missing, not at its parent.
      return { pointer: `${e.instancePath}/${escapePointerToken(String(p.missingProperty))}`, rule: 'is required' };
    case 'dependencies':
      return {
        pointer: `${e.instancePath}/${escapePointerToken(String(p.missingProperty))}`,
        rule: `is required when ${String(p.property)} is set`,
      };
    case 'type':
      return { pointer: e.instancePath, rule: typeRule(p.type) };
    case 'enum': {
      const allowed = Array.isArray(p.allowedValues) ? p.allowedValues.map((v) => JSON.stringify(v)).join(', ') : '';
      return { pointer: e.instancePath, rule: `must be one of ${allowed}` };
    }
    case 'minimum':
    case 'maximum': {
      const limit = INTEGER_LIMITS[String(p.limit)];
      const op = e.keyword === 'minimum' ? '>=' : '<=';
      return { pointer: e.instancePath, rule: limit ? `must be ${op} ${limit.exact} (${limit.type})` : `must be ${op} ${String(p.limit)}` };
    }
    case 'pattern': {
      const pattern = String(p.pattern);
      return { pointer: e.instancePath, rule: PATTERN_RULES[pattern] ?? `must match the pattern ${pattern}` };
    }
    case 'minItems':
      return { pointer: e.instancePath, rule: p.limit === 1 ? 'must be a non-empty array' : `must have at least ${String(p.limit)} items` };
    case 'propertyNames':
      return { pointer: e.instancePath, rule: 'keys must not be empty' };
    case 'not':
      return { pointer: e.instancePath, rule: 'must not be empty' };
    case 'additionalProperties':
      return {
        pointer: `${e.instancePath}/${escapePointerToken(String(p.additionalProperty))}`,
        rule: 'is not an allowed property here',
      };
    default:
      return { pointer: e.instancePath, rule: e.message ?? `fails the "${e.keyword}" rule` };
  }
}

/**
 * Picks the error that explains the failure best and renders it. ajv stops at
 * the first failing keyword, but an anyOf reports each branch before itself and
 * an if/then reports the "then" errors before the "if".
 */
export function toConfigError(errors: readonly SchemaErrorObject[], file = 'config.json'): ConfigError {
  const anyOf = errors.find((e) => e.keyword === 'anyOf');
  if (anyOf) {
    const branches = errors.filter((e) => e.instancePath === anyOf.instancePath && e.schemaPath.startsWith('#/anyOf/'));
    if (branches.length > 0 && branches.every((e) => e.keyword === 'required')) {
      const names = branches.map((e) => String(e.params.missingProperty)).join(', ');
      return new ConfigError(anyOf.instancePath, `must set at least one of ${names}`, file);
    }
  }
  // A propertyNames failure is reported after the failure of the key itself.
  const names = errors.find((e) => e.keyword === 'propertyNames');
  const primary = names ?? errors.find((e) => e.keyword !== 'if' && e.keyword !== 'anyOf') ?? errors[0];
  if (!primary) return new ConfigError('', 'is not valid', file);
  const { pointer, rule } = ruleOf(primary);
  return new ConfigError(pointer, rule, file);
}

function run(validator: GeneratedValidator, doc: unknown, file: string): void {
  if (!validator(doc)) throw toConfigError(validator.errors ?? [], file);
}

/** Checks a parsed config.json against the schema; throws ConfigError. */
export function validateConfigSchema(doc: unknown, file = 'config.json'): asserts doc is Spec {
  run(generated.validateConfig, doc, file);
}

/** Checks a parsed state document (runtime.md "State"); throws ConfigError. */
export function validateStateSchema(doc: unknown, file = 'state.json'): asserts doc is State {
  run(generated.validateState, doc, file);
}

/** Checks a standalone process document (`exec --process`); throws ConfigError. */
export function validateProcessSchema(doc: unknown, file = 'process.json'): asserts doc is Process {
  run(generated.validateProcess, doc, file);
}

/** Checks a Features structure (features.md), e.g. the output of `tsrunc features`. */
export function validateFeaturesSchema(doc: unknown, file = 'features.json'): asserts doc is Features {
  run(generated.validateFeatures, doc, file);
}

/** Schema verdict without throwing: null when valid. For tests and tools. */
export function schemaErrorsOfConfig(doc: unknown): SchemaErrorObject[] | null {
  const v = generated.validateConfig;
  return v(doc) ? null : [...(v.errors ?? [])];
}

/** Schema verdict on a state document without throwing: null when valid. */
export function schemaErrorsOfState(doc: unknown): SchemaErrorObject[] | null {
  const v = generated.validateState;
  return v(doc) ? null : [...(v.errors ?? [])];
}

/** Schema verdict on a Features structure without throwing: null when valid. */
export function schemaErrorsOfFeatures(doc: unknown): SchemaErrorObject[] | null {
  const v = generated.validateFeatures;
  return v(doc) ? null : [...(v.errors ?? [])];
}
