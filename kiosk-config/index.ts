// The embedded default configuration, bundled into the renderer and read by the shells.
import demoSite from './sites/demo.json';
import services from './catalogue/services.json';
import en from './translations/en.json';
import es from './translations/es.json';
import bzj from './translations/bzj.json';
import tn from './translations/tn.json';

export const embeddedSite: unknown = demoSite;
export const embeddedCatalogue: unknown = services;

/** UI messages (ICU MessageFormat) per language; English is the reference key set. */
export const translations = { en, es, bzj, tn } as const;
export type MessageKey = keyof typeof en;
