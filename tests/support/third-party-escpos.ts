import { createRequire } from 'node:module';

/**
 * The ESC/POS command parser of `npos` (taoyuan/npos on npm), a third-party parser nobody on this
 * project wrote: it splits a byte stream into commands by its own rule table and leaves everything
 * else as text. Its table predates the QR code command, so `GS ( k` is added with npos's own
 * two-byte length splitter (`d16`), exactly as its README shows for custom rules.
 */
export interface ParsedNode {
  /** `ESC`, `GS`, `FS`, `DLE`, `LF`…, or `STX` for a run of text. */
  ascii: string;
  /** The command's function characters, e.g. `t` for `ESC t`, `(k` for `GS ( k`. */
  fn: string;
  bytes: Uint8Array;
}

interface NposNode {
  ascii: string;
  fn?: string;
  offset: number;
  length: number;
}
interface NposParser {
  analyze(raw: Buffer): { error?: Error; tree: NposNode[] | null };
}
interface NposModule {
  parser(rules?: unknown): NposParser;
}

const require = createRequire(import.meta.url);
const npos = require('npos') as NposModule;
const rules = require('npos/lib/parser/rules') as Record<number, Record<string, unknown>>;
const GS = 0x1d;
const gs = rules[GS];
if (gs) gs['(k'] = [0, 'd16'];
const parser = npos.parser(rules);

/** Parses ESC/POS bytes; throws the parser's own error on a command it does not know. */
export function parseEscPosThirdParty(bytes: Uint8Array): ParsedNode[] {
  const raw = Buffer.from(bytes);
  const { error, tree } = parser.analyze(raw);
  if (error || !tree) throw error ?? new Error('npos returned no tree');
  return tree.map((node) => ({
    ascii: node.ascii,
    fn: node.fn ?? '',
    bytes: new Uint8Array(raw.subarray(node.offset, node.offset + node.length)),
  }));
}
