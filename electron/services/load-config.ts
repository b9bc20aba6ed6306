import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { countries } from '../../kiosk-config/countries';
import { checkSiteCatalogue, parseCatalogue, parseSiteConfig } from '../../kiosk-config/load';
import type { Catalogue, SiteConfig } from '../../kiosk-config/schema';

export const kioskConfigDir = fileURLToPath(new URL('../../kiosk-config/', import.meta.url));

export interface LoadedConfig {
  site: SiteConfig;
  catalogue: Catalogue;
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(
      `${file}: cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
}

/** A site profile shipped in kiosk-config/sites/ (`demo.json`, `demo-botswana.json`, …). */
export function siteProfilePath(name: string): string {
  return path.join(kioskConfigDir, 'sites', name);
}

/**
 * Reads and validates the site config and its country's catalogue (`catalogue/belize.json` for a
 * site with `"country": "BZ"`, `catalogue/botswana.json` for `"BW"`, unless `catalogueFile` names
 * another). Throws one clear message naming the file and the field when either is invalid, or
 * when they do not belong together (another country, a site language the catalogue lacks).
 */
export function loadKioskConfig(
  options: { siteFile?: string; catalogueFile?: string } = {},
): LoadedConfig {
  const siteFile = options.siteFile ?? siteProfilePath('demo.json');
  // Named as given (relative or absolute), so the operator finds the very file that is wrong.
  const site = parseSiteConfig(readText(siteFile), siteFile);
  if (!site.ok) throw new Error(site.error);
  const catalogueFile =
    options.catalogueFile ??
    path.join(kioskConfigDir, 'catalogue', countries[site.value.country].catalogueFile);
  const catalogueName = options.catalogueFile ?? path.basename(catalogueFile);
  const catalogue = parseCatalogue(readText(catalogueFile), catalogueName);
  if (!catalogue.ok) throw new Error(catalogue.error);
  const mismatch = checkSiteCatalogue(site.value, catalogue.value, catalogueName);
  if (mismatch) throw new Error(mismatch);
  return { site: site.value, catalogue: catalogue.value };
}
