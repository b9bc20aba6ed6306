/** See build-stamp.mjs. */
export declare function inputsHash(root: string, inputs: readonly string[]): string;
