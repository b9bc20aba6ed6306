import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCatalogue, parseSiteConfig } from '../../kiosk-config/load';
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

/**
 * Reads and validates the site config and catalogue. Throws one clear message naming the file
 * and the field when either is invalid.
 */
export function loadKioskConfig(
  options: { siteFile?: string; catalogueFile?: string } = {},
): LoadedConfig {
  const siteFile = options.siteFile ?? path.join(kioskConfigDir, 'sites', 'demo.json');
  const catalogueFile =
    options.catalogueFile ?? path.join(kioskConfigDir, 'catalogue', 'services.json');
  const site = parseSiteConfig(readText(siteFile), path.basename(siteFile));
  if (!site.ok) throw new Error(site.error);
  const catalogue = parseCatalogue(readText(catalogueFile), path.basename(catalogueFile));
  if (!catalogue.ok) throw new Error(catalogue.error);
  return { site: site.value, catalogue: catalogue.value };
}
