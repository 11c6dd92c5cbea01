// The state directory of each container: <root>/<id>/ holding state.json
// (written atomically), exec.fifo while the container is `created`, and a
// copy of the config it was created from (poststop hooks, exec defaults).
import {
  mkdirSync,
  readFileSync,
  writeFileSync,
  renameSync,
  rmSync,
  rmdirSync,
  unlinkSync,
  readdirSync,
  existsSync,
} from 'node:fs';
import { join } from 'node:path';
import { NotExistError, RuntimeError, errnoCode } from '../errors.js';
import type { Spec } from '../spec/types.js';

/** What tsrunc keeps about a container; `status` is derived, never stored. */
export interface StoredState {
  ociVersion: string;
  id: string;
  pid: number;
  /** Field 22 of /proc/<pid>/stat at create: tells a reused PID apart. */
  pidStartTime: string;
  bundle: string;
  rootfs: string;
  created: string;
  owner: string;
  annotations?: Record<string, string>;
  cgroup: { paths: Record<string, string>; createdDirs: string[] };
  /** The container init runs in its own user namespace, etc. */
  namespacePaths?: Record<string, string>;
  rootless: boolean;
}

const ID_PATTERN = /^[\w+\-.]+$/;

const FIFO = 'exec.fifo';
/** What a state directory holds (the FIFO only while created). */
const STATE_FILES = ['state.json', 'config.json', FIFO];

export function validateId(id: string): void {
  if (!id || !ID_PATTERN.test(id) || id === '.' || id === '..') {
    throw new RuntimeError(`invalid container id "${id}": must match ${ID_PATTERN.source} and not be . or ..`);
  }
}

export class StateStore {
  constructor(readonly root: string) {}

  dir(id: string): string {
    return join(this.root, id);
  }

  fifoPath(id: string): string {
    return join(this.dir(id), FIFO);
  }

  /** After `start`: the container is no longer `created`. */
  removeFifo(id: string): void {
    unlinkIfThere(this.fifoPath(id));
  }

  /** Reserves the id: mkdir is atomic, so of two racing creates one fails. */
  reserve(id: string): string {
    validateId(id);
    mkdirSync(this.root, { recursive: true, mode: 0o700 });
    const dir = this.dir(id);
    try {
      mkdirSync(dir, { mode: 0o711 });
    } catch (err) {
      if (errnoCode(err) === 'EEXIST') throw new RuntimeError(`container with id exists: ${id}`);
      throw err;
    }
    return dir;
  }

  write(state: StoredState, spec?: Spec): void {
    const dir = this.dir(state.id);
    if (spec) writeAtomic(join(dir, 'config.json'), JSON.stringify(spec));
    writeAtomic(join(dir, 'state.json'), JSON.stringify(state));
  }

  /** Throws NotExistError when there is no such container. */
  read(id: string): StoredState {
    validateId(id);
    let text: string;
    try {
      text = readFileSync(join(this.dir(id), 'state.json'), 'utf8');
    } catch (err) {
      if (errnoCode(err) === 'ENOENT' || errnoCode(err) === 'ENOTDIR') throw new NotExistError(id);
      throw err;
    }
    return JSON.parse(text) as StoredState;
  }

  readConfig(id: string): Spec {
    return JSON.parse(readFileSync(join(this.dir(id), 'config.json'), 'utf8')) as Spec;
  }

  exists(id: string): boolean {
    return existsSync(this.dir(id));
  }

  /** The files tsrunc keeps are unlinked by name, then the directory goes;
   *  anything else in it (a temp file of a killed write) takes the slower
   *  recursive removal. */
  remove(id: string): void {
    const dir = this.dir(id);
    try {
      for (const f of STATE_FILES) unlinkIfThere(join(dir, f));
      rmdirSync(dir);
    } catch (err) {
      if (errnoCode(err) === 'ENOENT') return;
      rmSync(dir, { recursive: true, force: true });
    }
  }

  list(): string[] {
    try {
      return readdirSync(this.root, { withFileTypes: true })
        .filter((e) => e.isDirectory() && existsSync(join(this.root, e.name, 'state.json')))
        .map((e) => e.name);
    } catch (err) {
      if (errnoCode(err) === 'ENOENT') return [];
      throw err;
    }
  }
}

function unlinkIfThere(path: string): void {
  try {
    unlinkSync(path);
  } catch (err) {
    if (errnoCode(err) !== 'ENOENT') throw err;
  }
}

/** Write to a temp file beside the target, then rename over it. */
export function writeAtomic(path: string, data: string, mode = 0o600): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, data, { mode });
  renameSync(tmp, path);
}
