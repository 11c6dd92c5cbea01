// Reading a bundle's config.json (and `exec --process` files): JSON parse with a
// line/column on errors, schema validation, semantic checks, and the rootfs
// resolved against the bundle. Every problem is a ConfigError.

import { readFileSync, statSync } from 'node:fs';
import { basename, isAbsolute, join, resolve } from 'node:path';
import { ConfigError } from './errors.js';
import { CheckContext, checkProcess } from './semantic-process.js';
import { checkConfig, type SemanticOptions } from './semantic.js';
import type { Process, Spec } from './types.js';
import { validateConfigSchema, validateProcessSchema } from './validate.js';

export interface LoadedConfig {
  spec: Spec;
  /** Absolute path of the root filesystem (root.path resolved against the bundle). */
  rootfs: string;
  /** Absolute path of the bundle directory. */
  bundle: string;
  /** Problems the spec says to log but not fail on (e.g. unknown capabilities). */
  warnings: string[];
}

export interface LoadedProcess {
  process: Process;
  warnings: string[];
}

function errnoCode(err: unknown): string {
  return typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : '';
}

function readDocument(path: string, label: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    const code = errnoCode(err);
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (err as Error).message;
    throw new ConfigError('', `cannot read ${path}: ${why}`, label);
  }
}

/** 1-based line and column of a character offset. */
function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}

/** JSON.parse with the error position as line and column. */
export function parseJsonDocument(text: string, label = 'config.json'): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const pos = /at position (\d+)/.exec(message);
    // "Unexpected end of JSON input" carries no position: it is the end.
    const offset = pos ? Number(pos[1]) : text.length;
    const { line, column } = lineColumn(text, offset);
    const why = message.replace(/\s*in JSON at position \d+.*$/s, '').replace(/^Unexpected end of JSON input$/, 'unexpected end of input');
    throw new ConfigError('', `invalid JSON at line ${line}, column ${column}: ${why}`, label);
  }
}

/**
 * Loads `<bundle>/config.json`: parse, schema, semantic checks (including the
 * namespace files named by path), and checks that the rootfs directory exists.
 */
export function loadConfig(bundleDir: string, opts: SemanticOptions = {}): LoadedConfig {
  const label = opts.file ?? 'config.json';
  const bundle = resolve(bundleDir);
  const doc = parseJsonDocument(readDocument(join(bundle, 'config.json'), label), label);
  validateConfigSchema(doc, label);
  const { warnings } = checkConfig(doc, { ...opts, file: label });
  const rootPath = doc.root?.path ?? '';
  // config.md: root.path is absolute or relative to the bundle; a directory MUST exist there.
  const rootfs = isAbsolute(rootPath) ? resolve(rootPath) : resolve(bundle, rootPath);
  let isDir: boolean;
  try {
    isDir = statSync(rootfs).isDirectory();
  } catch {
    throw new ConfigError('/root/path', `directory ${rootfs} does not exist`, label);
  }
  if (!isDir) throw new ConfigError('/root/path', `${rootfs} is not a directory`, label);
  return { spec: doc, rootfs, bundle, warnings };
}

/** Loads a standalone process JSON (runc `exec --process <file>`). */
export function loadProcess(file: string, opts: { strictCapabilities?: boolean } = {}): LoadedProcess {
  const label = basename(file);
  const doc = parseJsonDocument(readDocument(file, label), label);
  validateProcessSchema(doc, label);
  const ctx = new CheckContext(label, opts.strictCapabilities ?? false);
  checkProcess(doc, '', ctx);
  return { process: doc, warnings: ctx.warnings };
}
