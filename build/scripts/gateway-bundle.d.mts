/** See gateway-bundle.mjs. */
export declare function ensureGatewayBundle(
  repoRoot: string,
): Promise<{ file: string; action: 'reused' | 'built'; reason: string }>;
