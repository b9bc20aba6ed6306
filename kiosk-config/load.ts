import type { z } from 'zod';
import { catalogueSchema, siteConfigSchema } from './schema';
import type { Catalogue, SiteConfig } from './schema';

export type ConfigResult<T> = { ok: true; value: T } | { ok: false; error: string };

/** One clear sentence naming the first bad field, e.g. `services[2].fee.currency: must be ...`. */
export function describeConfigError(source: string, error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return `${source}: invalid`;
  const path = issue.path
    .map((part, index) =>
      typeof part === 'number' ? `[${part}]` : `${index === 0 ? '' : '.'}${String(part)}`,
    )
    .join('');
  return `${source}: ${path || '(top level)'}: ${issue.message}`;
}

function parseWith<T>(schema: z.ZodType<T>, source: string, input: unknown): ConfigResult<T> {
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
