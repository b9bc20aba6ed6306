import type { ZodMiniType, core } from 'zod/mini';
import { catalogueSchema, siteConfigSchema } from './schema';
import { countries } from './countries';
import type { Catalogue, LanguageCode, SiteConfig } from './schema';

export type ConfigResult<T> = { ok: true; value: T } | { ok: false; error: string };

/** Problems listed in one config error; the rest are counted. */
export const MAX_CONFIG_PROBLEMS = 10;

/**
 * One message naming every bad field (the first `MAX_CONFIG_PROBLEMS`, then how many more), so
 * a profile is fixed in one pass: `site.json: languages[2]: …; gatewayUrl: …`.
 */
export function describeConfigError(source: string, error: core.$ZodError): string {
  if (error.issues.length === 0) return `${source}: invalid`;
  const problems = error.issues.slice(0, MAX_CONFIG_PROBLEMS).map((issue) => {
    const where = issue.path
      .map((part, index) =>
        typeof part === 'number' ? `[${part}]` : `${index === 0 ? '' : '.'}${String(part)}`,
      )
      .join('');
    return `${where || '(top level)'}: ${issue.message}`;
  });
  const more = error.issues.length - problems.length;
  return `${source}: ${problems.join('; ')}${more > 0 ? `; and ${more} more` : ''}`;
}

function parseWith<T>(schema: ZodMiniType<T>, source: string, input: unknown): ConfigResult<T> {
  let value = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input) as unknown;
    } catch (error) {
      return { ok: false, error: `${source}: not valid JSON (${(error as Error).message})` };
    }
  }
  const parsed = schema.safeParse(value);
  return parsed.success
    ? { ok: true, value: parsed.data }
    : { ok: false, error: describeConfigError(source, parsed.error) };
}

/** Parses a site config (object or JSON text) without throwing. */
export function parseSiteConfig(input: unknown, source = 'site config'): ConfigResult<SiteConfig> {
  return parseWith(siteConfigSchema, source, input);
}

/** Parses a service catalogue (object or JSON text) without throwing. */
export function parseCatalogue(input: unknown, source = 'catalogue'): ConfigResult<Catalogue> {
  return parseWith(catalogueSchema, source, input);
}

const languageNames: Record<LanguageCode, string> = {
  en: 'English',
  es: 'Spanish',
  bzj: 'Kriol',
  tn: 'Setswana',
};

/** Where, in a catalogue, a text lacks one of `languages` (`services[2].title`), or undefined. */
function missingText(
  value: unknown,
  languages: readonly LanguageCode[],
  path: string,
): { path: string; language: LanguageCode } | undefined {
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const found = missingText(item, languages, `${path}[${index}]`);
      if (found) return found;
    }
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const record = value as Record<string, unknown>;
  if (typeof record.en === 'string') {
    const language = languages.find((code) => typeof record[code] !== 'string');
    return language ? { path, language } : undefined;
  }
  for (const [key, child] of Object.entries(record)) {
    const found = missingText(child, languages, path ? `${path}.${key}` : key);
    if (found) return found;
  }
  return undefined;
}

/**
 * Whether a site and a catalogue belong together: the catalogue is the site's country's, and
 * every catalogue text is written in every language the site offers (a Setswana screen never
 * falls back to English words). One sentence naming the problem, or undefined when they fit.
 */
export function checkSiteCatalogue(
  site: SiteConfig,
  catalogue: Catalogue,
  source = 'catalogue',
): string | undefined {
  if (catalogue.country !== site.country) {
    return `${source}: country: is ${countries[catalogue.country].name} (${catalogue.country}), but site ${site.kioskId} is in ${countries[site.country].name} (${site.country})`;
  }
  const missing = missingText(catalogue, site.languages, '');
  if (missing) {
    return `${source}: ${missing.path}: has no ${languageNames[missing.language]} (${missing.language}) text, which site ${site.kioskId} offers`;
  }
  return undefined;
}
