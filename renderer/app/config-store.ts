import { z } from '../../kiosk-config/zod-mini';
import { kioskInfoSchema } from '../../sync/bridge/channels';
import type { KioskInfo } from '../../sync/bridge/channels';
import { checkSiteCatalogue, parseCatalogue, parseSiteConfig } from '../../kiosk-config/load';
import { languageCodes } from '../../kiosk-config/schema';
import type { Catalogue, LanguageCode, SiteConfig } from '../../kiosk-config/schema';

/** The storage the last good config is kept in (localStorage in the page, a Map in tests). */
export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

export const LAST_GOOD_KEY = 'service-point:last-good-config';

/**
 * What the kiosk needs to start without its shell: the kiosk identity and the last site config
 * and catalogue that passed validation. Nothing personal and no secret (the one-time enrolment
 * token is left out), so it may sit in the origin's localStorage.
 */
const snapshotSchema = z.strictObject({
  info: z.omit(kioskInfoSchema, { enrolmentToken: true }),
  site: z.unknown(),
  catalogue: z.unknown(),
});

export interface LoadedConfiguration {
  info: KioskInfo;
  site: SiteConfig;
  catalogue: Catalogue;
  /** Where it came from: the shell now, or the last good copy when the shell's was refused. */
  source: 'shell' | 'last-good';
  /** The refused config's error, naming the field, when the last good copy is in use. */
  refused?: string;
}

export interface FromShell {
  info: KioskInfo;
  site: unknown;
  catalogue: unknown;
}

function readLastGood(
  store: KeyValueStore,
): { info: KioskInfo; site: SiteConfig; catalogue: Catalogue } | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(store.getItem(LAST_GOOD_KEY) ?? 'null');
  } catch {
    return undefined;
  }
  const parsed = snapshotSchema.safeParse(raw);
  if (!parsed.success) return undefined;
  const site = parseSiteConfig(parsed.data.site);
  const catalogue = parseCatalogue(parsed.data.catalogue);
  if (!site.ok || !catalogue.ok || checkSiteCatalogue(site.value, catalogue.value))
    return undefined;
  return { info: parsed.data.info, site: site.value, catalogue: catalogue.value };
}

/**
 * The languages to say "out of service" in when the kiosk cannot start: this kiosk's own (from
 * the last good site config), or, on a kiosk that never started, every language the app speaks.
 */
export function outOfServiceLanguages(store: KeyValueStore): LanguageCode[] {
  return readLastGood(store)?.site.languages ?? [...languageCodes];
}

/**
 * Validates the config the shell sent. An invalid site config or catalogue is refused with one
 * message naming the field and the last good one is used instead; a valid pair becomes the new
 * last good one. When the shell cannot be reached at all, the last good copy starts the kiosk.
 * Throws only when there is nothing good to run on.
 */
export async function loadConfiguration(
  fromShell: () => Promise<FromShell>,
  store: KeyValueStore,
): Promise<LoadedConfiguration> {
  let shell: FromShell;
  try {
    shell = await fromShell();
  } catch (error) {
    const lastGood = readLastGood(store);
    if (!lastGood) throw error;
    return { ...lastGood, source: 'last-good' };
  }
  const site = parseSiteConfig(shell.site);
  const parsedCatalogue = parseCatalogue(shell.catalogue);
  // A catalogue of another country, or one lacking a language the site offers, is refused too.
  const mismatch =
    site.ok && parsedCatalogue.ok
      ? checkSiteCatalogue(site.value, parsedCatalogue.value)
      : undefined;
  const catalogue: typeof parsedCatalogue = mismatch
    ? { ok: false, error: mismatch }
    : parsedCatalogue;
  if (site.ok && catalogue.ok) {
    // JSON drops the undefined token: the one-time secret never reaches storage.
    const info = { ...shell.info, enrolmentToken: undefined };
    try {
      store.setItem(
        LAST_GOOD_KEY,
        JSON.stringify({ info, site: shell.site, catalogue: shell.catalogue }),
      );
    } catch {
      // A full store only costs the fallback, never the start.
    }
    return { info: shell.info, site: site.value, catalogue: catalogue.value, source: 'shell' };
  }
  const refused = !site.ok ? site.error : !catalogue.ok ? catalogue.error : 'invalid';
  const lastGood = readLastGood(store);
  if (!lastGood) throw new Error(refused);
  // The good half of the shell's pair is kept only if it still fits the last good other half.
  let running = {
    site: site.ok ? site.value : lastGood.site,
    catalogue: catalogue.ok ? catalogue.value : lastGood.catalogue,
  };
  if (checkSiteCatalogue(running.site, running.catalogue)) running = lastGood;
  return {
    // The shell's identity is current even when its catalogue is not.
    info: shell.info,
    site: running.site,
    catalogue: running.catalogue,
    source: 'last-good',
    refused,
  };
}

/** Races a promise against a timer, so a shell that never answers cannot hold the start. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what}: no answer in ${ms} ms`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
