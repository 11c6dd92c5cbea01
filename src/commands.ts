// The hot commands (create, run, start, state, kill, delete) as plain calls:
// the fast parser and yargs both end here, so each behaves the same whichever
// parsed the line. Each command's module is imported only when it runs.
import { RuntimeError } from './errors.js';
import { defaultRoot } from './lifecycle/root.js';
import { StateStore } from './lifecycle/state-store.js';
import { mark } from './trace.js';
import { writeStdout } from './output.js';

export interface GlobalOptions {
  root?: string;
  log?: string;
  logFormat?: string;
  debug?: boolean;
  /** runc's --rootless true|false|auto */
  rootless?: string;
}

export interface CreateCallOptions {
  id: string;
  bundle: string;
  consoleSocket?: string;
  pidFile?: string;
  noPivot: boolean;
  noNewKeyring: boolean;
  preserveFds: number;
}

export type CommandCall =
  | { name: 'create'; global: GlobalOptions; opts: CreateCallOptions }
  | { name: 'run'; global: GlobalOptions; opts: CreateCallOptions & { detach: boolean } }
  | { name: 'start' | 'state'; global: GlobalOptions; id: string }
  | { name: 'kill'; global: GlobalOptions; id: string; signal?: string; all: boolean }
  | { name: 'delete'; global: GlobalOptions; id: string; force: boolean };

export function storeFor(g: GlobalOptions): StateStore {
  return new StateStore(g.root ?? defaultRoot());
}

function checkCreate(o: CreateCallOptions): CreateCallOptions {
  if (!Number.isInteger(o.preserveFds) || o.preserveFds < 0) throw new RuntimeError('--preserve-fds must be a non-negative integer');
  return o;
}

/** Runs one hot command; returns the exit code. */
export async function runCommand(call: CommandCall): Promise<number> {
  const store = storeFor(call.global);
  switch (call.name) {
    case 'create': {
      const { createContainer } = await import('./lifecycle/create.js');
      mark('load command modules');
      createContainer(store, checkCreate(call.opts));
      return 0;
    }
    case 'run': {
      const { runContainer } = await import('./lifecycle/run.js');
      mark('load command modules');
      return runContainer(store, { ...checkCreate(call.opts), detach: call.opts.detach });
    }
    case 'start': {
      const { startContainer } = await import('./lifecycle/start.js');
      mark('load command modules');
      startContainer(store, call.id);
      return 0;
    }
    case 'state': {
      const { containerState } = await import('./lifecycle/state.js');
      mark('load command modules');
      writeStdout(JSON.stringify(containerState(store, call.id), null, '  ') + '\n');
      return 0;
    }
    case 'kill': {
      const { killContainer } = await import('./lifecycle/kill.js');
      mark('load command modules');
      killContainer(store, call.id, call.signal, call.all);
      return 0;
    }
    case 'delete': {
      const { deleteContainer } = await import('./lifecycle/delete.js');
      mark('load command modules');
      deleteContainer(store, call.id, call.force);
      return 0;
    }
  }
}
