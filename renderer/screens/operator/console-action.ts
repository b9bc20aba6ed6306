/**
 * Runs one console action: its result (or its error's message) becomes the console's notice,
 * and the console's figures are read again afterwards.
 */
export type ConsoleAction = (work: () => Promise<string>) => Promise<void>;
