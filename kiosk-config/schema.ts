import { z } from 'zod';

/** Languages the kiosk can speak. Codes are BCP 47: Belize Kriol is `bzj`, Setswana is `tn`. */
export const languageCodes = ['en', 'es', 'bzj', 'tn'] as const;
export const languageCodeSchema = z.enum(languageCodes);
export type LanguageCode = z.infer<typeof languageCodeSchema>;

/** Text shown to a citizen, one entry per language; English is always present as the fallback. */
export const localizedTextSchema = z
  .object({
    en: z.string().min(1),
    es: z.string().min(1).optional(),
    bzj: z.string().min(1).optional(),
    tn: z.string().min(1).optional(),
  })
  .strict();
export type LocalizedText = z.infer<typeof localizedTextSchema>;

const fieldBase = {
  id: z.string().regex(/^[a-z][a-zA-Z0-9]*$/, 'must be camelCase letters and digits'),
  label: localizedTextSchema,
  hint: localizedTextSchema.optional(),
  required: z.boolean().default(true),
  /** Personal fields are encrypted at rest and purged after the retention period. */
  personal: z.boolean().default(false),
};

export const fieldSchema = z.discriminatedUnion('type', [
  z
    .object({
      ...fieldBase,
      type: z.literal('text'),
      minLength: z.number().int().min(0).default(0),
      maxLength: z.number().int().min(1).max(2000).default(200),
      pattern: z.string().optional(),
    })
    .strict(),
  z
    .object({
      ...fieldBase,
      type: z.literal('number'),
      min: z.number().optional(),
      max: z.number().optional(),
      integer: z.boolean().default(false),
    })
    .strict(),
  z.object({ ...fieldBase, type: z.literal('date') }).strict(),
  z.object({ ...fieldBase, type: z.literal('phone') }).strict(),
  z
    .object({
      ...fieldBase,
      type: z.literal('choice'),
      options: z
        .array(z.object({ value: z.string().min(1), label: localizedTextSchema }).strict())
        .min(2),
    })
    .strict(),
]);
export type FieldDefinition = z.infer<typeof fieldSchema>;

export const moneySchema = z
  .object({
    /** Minor units (cents, thebe) so sums stay exact. */
    amountMinor: z.number().int().min(0),
    currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as BZD'),
  })
  .strict();
export type Money = z.infer<typeof moneySchema>;

/** Icons the kiosk draws itself (inline SVG), so no service depends on an emoji font. */
export const serviceIconNames = [
  'certificate',
  'car',
  'money',
  'passport',
  'id-card',
  'family',
  'school',
  'building',
  'livestock',
  'briefcase',
  'land',
  'search',
  'message',
  'shield',
] as const;
export const serviceIconSchema = z.enum(serviceIconNames);
export type ServiceIconName = z.infer<typeof serviceIconSchema>;

export const serviceSchema = z
  .object({
    id: z.string().regex(/^[a-z][a-z0-9-]*$/, 'must be lower-case kebab-case'),
    icon: serviceIconSchema,
    category: z.string().min(1),
    title: localizedTextSchema,
    description: localizedTextSchema,
    fee: moneySchema,
    fields: z.array(fieldSchema).min(1),
    receiptText: localizedTextSchema,
  })
  .strict()
  .superRefine((service, ctx) => {
    const seen = new Set<string>();
    service.fields.forEach((field, index) => {
      if (seen.has(field.id)) {
        ctx.addIssue({
          code: 'custom',
          path: ['fields', index, 'id'],
          message: `duplicate field id "${field.id}"`,
        });
      }
      seen.add(field.id);
    });
  });
export type ServiceDefinition = z.infer<typeof serviceSchema>;

export const catalogueSchema = z
  .object({
    version: z.string().min(1),
    services: z.array(serviceSchema).min(1),
  })
  .strict()
  .superRefine((catalogue, ctx) => {
    const seen = new Set<string>();
    catalogue.services.forEach((service, index) => {
      if (seen.has(service.id)) {
        ctx.addIssue({
          code: 'custom',
          path: ['services', index, 'id'],
          message: `duplicate service id "${service.id}"`,
        });
      }
      seen.add(service.id);
    });
  });
export type Catalogue = z.infer<typeof catalogueSchema>;

export const siteProfileSchema = z.enum([
  'self-service-kiosk',
  'one-stop-centre',
  'rural-telecentre',
]);
export type SiteProfile = z.infer<typeof siteProfileSchema>;

export const siteConfigSchema = z
  .object({
    kioskId: z.string().regex(/^[A-Za-z0-9-]{3,64}$/, 'must be 3-64 letters, digits or dashes'),
    siteName: z.string().min(1),
    agency: z.string().min(1),
    profile: siteProfileSchema,
    languages: z.array(languageCodeSchema).min(1),
    defaultLanguage: languageCodeSchema,
    gatewayUrl: z.url(),
    /** Seconds without input before the idle warning; the session then ends. */
    idleTimeoutSeconds: z.number().int().min(30).max(3600),
    /** Days after delivery before personal data is purged from the kiosk. */
    retentionDays: z.number().int().min(0).max(3650),
  })
  .strict()
  .refine((site) => site.languages.includes(site.defaultLanguage), {
    path: ['defaultLanguage'],
    message: 'must be one of the site languages',
  });
export type SiteConfig = z.infer<typeof siteConfigSchema>;
