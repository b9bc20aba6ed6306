/** See node-bundle.mjs. */
export declare function checkBundle(
  repoRoot: string,
  outDir: string,
  entryFile: string,
  extraInputs?: readonly string[],
): { current: true } | { current: false; reason: string };

export declare function ensureNodeBundle(options: {
  repoRoot: string;
  entry: string;
  outDir: string;
  extraInputs?: readonly string[];
}): Promise<{ file: string; action: 'reused' | 'built'; reason: string }>;
