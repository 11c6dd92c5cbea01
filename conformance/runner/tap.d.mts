// Types of runner/tap.mjs (plain JS so that conformance/run needs no build).
export interface TapTest { ok: boolean; desc: string; directive: "SKIP" | "TODO" | null }
export interface TapStream { plan: number | null; count: number; yaml: string[] }
export interface Tap { tests: TapTest[]; yaml: string[]; streams: TapStream[]; bail: string | null; empty: boolean }
export interface Exit { code: number | null; signal: string | null; timedOut: boolean; stderr: string }
export function parseTap(text: string): Tap;
export function verdict(tap: Tap, exit: Exit, allowSilence?: boolean): { pass: boolean; reason: string };
