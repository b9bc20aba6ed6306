import { z } from 'zod/mini';
import en from 'zod/v4/locales/en.js';

/**
 * zod's tree-shakable form, for the schemas the kiosk page parses before its first screen (the
 * site config and catalogue, every bridge channel and event): zod/mini builds only what a schema
 * uses, where classic zod carries every method into the page (about 26 KiB gzip'd against 11).
 * Classic zod sets its English messages when imported; zod/mini does not, so this does, and a
 * refused config names its problem the same in the page, the shell and the gateway.
 */
z.config(en());

export { z };
