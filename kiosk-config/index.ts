// The embedded default configuration, bundled into the renderer and read by the shells.
import demoSite from './sites/demo.json' with { type: 'json' };
import belize from './catalogue/belize.json' with { type: 'json' };
import botswana from './catalogue/botswana.json' with { type: 'json' };
import type { CountryCode } from './countries';
export { translations } from './messages';
export type { MessageKey } from './messages';

export const embeddedSite: unknown = demoSite;
/** Each country's catalogue, by the code a site profile names in `country`. */
export const embeddedCatalogues: Record<CountryCode, unknown> = { BW: botswana, BZ: belize };
/** The embedded demo site's catalogue (demo.json is in Belize). */
export const embeddedCatalogue: unknown = belize;
