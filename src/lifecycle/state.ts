// `tsrunc state <id>`: the runtime-spec state as runc prints it.
import { printedState, type PrintedState } from './status.js';
import type { StateStore } from './state-store.js';

export function containerState(store: StateStore, id: string): PrintedState {
  return printedState(store, store.read(id));
}
