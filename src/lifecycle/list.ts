// `tsrunc list`: every container under --root, as a table or JSON.
import { printedState, type PrintedState } from './status.js';
import type { StateStore } from './state-store.js';

export function listContainers(store: StateStore): PrintedState[] {
  const out: PrintedState[] = [];
  for (const id of store.list()) {
    try {
      out.push(printedState(store, store.read(id)));
    } catch {
      // removed while we listed
    }
  }
  return out;
}

export function formatTable(states: PrintedState[]): string {
  const rows = [['ID', 'PID', 'STATUS', 'BUNDLE', 'CREATED', 'OWNER']];
  for (const s of states) rows.push([s.id, String(s.pid ?? 0), s.status, s.bundle, s.created, s.owner || 'root']);
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]! + 3))).join('')).join('\n') + '\n';
}
