// src/linux/protocol.ts must mirror csrc/protocol.h exactly, and the
// RecordWriter must lay records out as the C structs expect.
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChildMsg, HookKind, MAX_PACKET, Mode, MountKind, ParentMsg, PROTOCOL_VERSION, Rec, RecordWriter, UNSET } from '../src/linux/protocol.js';

const header = readFileSync(new URL('../../csrc/protocol.h', import.meta.url), 'utf8');

function enumValues(prefix: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of header.matchAll(new RegExp(`\\b${prefix}(\\w+)\\s*=\\s*(\\d+)`, 'g'))) out.set(m[1]!, Number(m[2]));
  return out;
}

const groups: [string, Record<string, number>][] = [
  ['TSR_P_', ParentMsg],
  ['TSR_C_', ChildMsg],
  ['TSR_R_', Rec],
  ['TSR_MODE_', Mode],
  ['TSR_MOUNT_', MountKind],
  ['TSR_HOOK_', HookKind],
];

for (const [prefix, ts] of groups) {
  t.test(`${prefix}* constants`, async (t) => {
    const c = enumValues(prefix);
    t.ok(c.size > 0, 'found in protocol.h');
    t.same(Object.fromEntries(Object.entries(ts)), Object.fromEntries(c), 'same names and values both ways');
  });
}

t.test('defines', async (t) => {
  t.equal(Number(/#define TSR_PROTOCOL_VERSION (\d+)/.exec(header)?.[1]), PROTOCOL_VERSION);
  t.equal(/#define TSR_MAX_PACKET \((\w+) << (\d+)\)/.exec(header)?.slice(1).join('<<'), '4u<<20');
  t.equal(MAX_PACKET, 4 << 20);
  t.equal(/#define TSR_UNSET (0x[0-9a-f]+)u/.exec(header)?.[1], '0x' + UNSET.toString(16));
});

t.test('records are framed and padded to 4 bytes', async (t) => {
  const buf = new RecordWriter().str(Rec.CWD, 'ab').u32(Rec.MODE, 2).finish();
  t.equal(buf.length, 8 + 4 + 8 + 4);
  t.equal(buf.readUInt32LE(0), Rec.CWD);
  t.equal(buf.readUInt32LE(4), 3, 'len counts the NUL, not the padding');
  t.equal(buf.toString('latin1', 8, 11), 'ab\0');
  t.equal(buf.readUInt32LE(12), Rec.MODE);
  t.equal(buf.readUInt32LE(20), 2);
  t.throws(() => new RecordWriter().str(Rec.CWD, 'a\0b'), /NUL/);
});

// The struct sizes the TS encoder produces must be the C sizeof()s.
t.test('struct sizes match the C compiler', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tsrunc-sizes-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const names = ['tsr_hdr', 'tsr_mount', 'tsr_device', 'tsr_hook', 'tsr_rlimit', 'tsr_user', 'tsr_caps', 'tsr_seccomp', 'tsr_sched', 'tsr_console'];
  const src = `#include <stdio.h>\n#include "protocol.h"\nint main(void){${names.map((n) => `printf("%zu\\n", sizeof(struct ${n}));`).join('')}return 0;}\n`;
  writeFileSync(join(dir, 'sizes.c'), src);
  const csrc = new URL('../../csrc', import.meta.url).pathname;
  execFileSync('cc', ['-I', csrc, '-o', join(dir, 'sizes'), join(dir, 'sizes.c')]);
  const sizes = execFileSync(join(dir, 'sizes'), { encoding: 'utf8' }).trim().split('\n').map(Number);
  // what src/linux/init-config.ts writes for each
  t.same(sizes, [8, 24, 32, 16, 24, 16, 48, 16, 40, 8]);
});
