import { z } from 'zod';
import { countries, countryCodes, languageCodes } from './countries';
import { devicesConfigSchema } from './devices-schema';
import {
  httpsRequiredMessage,
  isAllowedKioskUrl,
  isLoopbackUrl,
} from './gateway-url';

export { languageCodes } from './countries';

/**
 * The catalogue service a citizen's SMS sign-up is committed as (on the receipt): a transaction
 * of its own that names the receipt's reference; it never has an agency's decision.
 */
export const SMS_OPT_IN_SERVICE = 'sms-alerts';
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

const idSchema = z.string().regex(/^[a-z][a-zA-Z0-9]*$/, 'must be camelCase letters and digits');

/**
 * Shows a field only when an earlier answer matches: `{ field, equals }` or `{ field, in }`.
 * A hidden field is never asked, never checked and never submitted.
 */
export const showIfSchema = z
  .object({
    field: idSchema,
    equals: z.string().min(1).optional(),
    in: z.array(z.string().min(1)).min(1).optional(),
  })
  .strict()
  .refine((rule) => (rule.equals === undefined) !== (rule.in === undefined), {
    message: 'needs exactly one of "equals" or "in"',
  });
export type ShowIf = z.infer<typeof showIfSchema>;

const fieldBase = {
  id: idSchema,
  label: localizedTextSchema,
  hint: localizedTextSchema.optional(),
  required: z.boolean().default(true),
  /** Personal fields are encrypted at rest and purged after the retention period. */
  personal: z.boolean().default(false),
  showIf: showIfSchema.optional(),
};

const compilableRegex = z.string().refine(
  (source) => {
    try {
      new RegExp(source, 'u');
      return true;
    } catch {
      return false;
    }
  },
  { message: 'is not a valid regular expression' },
);

/** Check-digit algorithms a national id field may name (see field-validation.ts). */
export const checkDigitAlgorithms = ['none', 'luhn', 'mod11'] as const;

/** How a citizen may pay a fee. The kiosk records the method and a reference; it never charges. */
export const paymentMethodNames = ['counter', 'mobile-money', 'card-terminal'] as const;
export const paymentMethodSchema = z.enum(paymentMethodNames);
export type PaymentMethod = z.infer<typeof paymentMethodSchema>;

/** A date field's limit: `YYYY-MM-DD`, `today`, or today moved by days or years (`today-130y`). */
export const dateBoundSchema = z
  .string()
  .regex(
    /^(today([+-]\d{1,5}[dy])?|\d{4}-\d{2}-\d{2})$/,
    'must be YYYY-MM-DD, today, or today with days or years added (today-130y, today+30d)',
  );
export type DateBound = z.infer<typeof dateBoundSchema>;

/** One digit of an id number that may only take some values (1-based position). */
export const digitRuleSchema = z
  .object({
    position: z.number().int().min(1).max(64),
    allowed: z
      .array(z.string().regex(/^[0-9]$/, 'must be one digit'))
      .min(1)
      .max(9),
    message: localizedTextSchema,
  })
  .strict();
export type DigitRule = z.infer<typeof digitRuleSchema>;

export const fieldSchema = z.discriminatedUnion('type', [
  z
    .object({
      ...fieldBase,
      type: z.literal('text'),
      minLength: z.number().int().min(0).default(0),
      maxLength: z.number().int().min(1).max(2000).default(200),
      pattern: compilableRegex.optional(),
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
  z
    .object({
      ...fieldBase,
      type: z.literal('date'),
      /**
       * The earliest and latest dates taken, inclusive: `YYYY-MM-DD`, or `today` on the site's
       * wall clock (its country's time zone) moved by days or years (`today-130y`, `today+30d`).
       * A date of birth is `notAfter: 'today'`.
       */
      notBefore: dateBoundSchema.optional(),
      notAfter: dateBoundSchema.optional(),
    })
    .strict(),
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
  z
    .object({
      ...fieldBase,
      type: z.literal('national-id'),
      /** The whole id must match this (digits only after spaces and dashes are removed). */
      pattern: compilableRegex,
      checkDigit: z.enum(checkDigitAlgorithms),
      /**
       * Digits whose value the numbering scheme fixes, each with the sentence a citizen reads when
       * it is wrong (Botswana's Omang: the fifth digit is 1 for a man, 2 for a woman).
       */
      digitRules: z.array(digitRuleSchema).max(9).optional(),
    })
    .strict(),
  z
    .object({
      ...fieldBase,
      type: z.literal('documents'),
      /** Documents the citizen confirms they have; a required checklist needs every item. */
      items: z
        .array(z.object({ id: idSchema, label: localizedTextSchema }).strict())
        .min(1)
        .max(12),
    })
    .strict(),
  /** An agreement shown on the consent step after review; its label is the statement. */
  z.object({ ...fieldBase, type: z.literal('consent') }).strict(),
]);
export type FieldDefinition = z.infer<typeof fieldSchema>;
export type FieldType = FieldDefinition['type'];

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

/**
 * `application` is a form that is committed and delivered; `status-check` looks up receipts'
 * reference numbers at the gateway (and in this kiosk's own outbox) and commits nothing.
 */
export const serviceKindSchema = z.enum(['application', 'status-check']);

/**
 * A reminder the gateway sends by SMS to citizens who opted in, for something a service issues
 * that runs out: "your driving licence expires on 14 March 2031". The period starts when the
 * application reaches `after` (the licence is issued), lasts `validFor` (a fixed number of
 * months, or the years the citizen chose in one of the service's fields) and the SMS goes
 * `daysBefore` days before it ends. `what` names the thing in each language ("your … expires").
 */
export const reminderSchema = z
  .object({
    id: z.string().regex(/^[a-z][a-z0-9-]*$/, 'must be lower-case kebab-case'),
    after: z.enum(['approved', 'ready-for-collection', 'collected']),
    validFor: z.union([
      z.object({ months: z.number().int().min(1).max(600) }).strict(),
      z.object({ yearsField: z.string().min(1) }).strict(),
    ]),
    daysBefore: z.number().int().min(1).max(365),
    what: localizedTextSchema,
  })
  .strict();
export type ReminderDefinition = z.infer<typeof reminderSchema>;

/** Field ids the kiosk adds itself (the payment step); a catalogue may not use them. */
export const reservedFieldIds = ['paymentMethod', 'paymentReference'] as const;

export const serviceSchema = z
  .object({
    id: z.string().regex(/^[a-z][a-z0-9-]*$/, 'must be lower-case kebab-case'),
    kind: serviceKindSchema.default('application'),
    icon: serviceIconSchema,
    category: z.string().min(1),
    title: localizedTextSchema,
    description: localizedTextSchema,
    fee: moneySchema,
    /** How a fee may be paid; the kiosk records the method and its reference only. */
    paymentMethods: z.array(paymentMethodSchema).min(1).optional(),
    fields: z.array(fieldSchema),
    receiptText: localizedTextSchema,
    /** Offer "send me an SMS when it is ready" on the receipt. */
    smsAlerts: z.boolean().default(true),
    /** SMS reminders for what the service issues (a licence that expires). */
    reminders: z.array(reminderSchema).max(5).optional(),
    /**
     * The service standard: the agency decides (approves or refuses) within this many working
     * days (Monday to Friday, counted from the day after submission in the country's time zone;
     * public holidays are not left out). The fleet dashboard reports the share decided within it.
     */
    decisionTargetWorkingDays: z.number().int().min(1).max(260).optional(),
  })
  .strict()
  .superRefine((service, ctx) => {
    service.reminders?.forEach((reminder, index) => {
      if ('yearsField' in reminder.validFor) {
        const named = reminder.validFor.yearsField;
        if (!service.fields.some((field) => field.id === named)) {
          ctx.addIssue({
            code: 'custom',
            path: ['reminders', index, 'validFor', 'yearsField'],
            message: `must name a field of this service, not "${named}"`,
          });
        }
      }
    });
    if (service.kind === 'application' && service.fields.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['fields'], message: 'an application needs a field' });
    }
    if (service.fee.amountMinor > 0 && !service.paymentMethods) {
      ctx.addIssue({
        code: 'custom',
        path: ['paymentMethods'],
        message: 'a service with a fee must list its payment methods',
      });
    }
    const seen = new Map<string, FieldDefinition>();
    service.fields.forEach((field, index) => {
      if (seen.has(field.id)) {
        ctx.addIssue({
          code: 'custom',
          path: ['fields', index, 'id'],
          message: `duplicate field id "${field.id}"`,
        });
      }
      if ((reservedFieldIds as readonly string[]).includes(field.id)) {
        ctx.addIssue({
          code: 'custom',
          path: ['fields', index, 'id'],
          message: `"${field.id}" is reserved for the payment step`,
        });
      }
      if (field.showIf && !seen.has(field.showIf.field)) {
        ctx.addIssue({
          code: 'custom',
          path: ['fields', index, 'showIf', 'field'],
          message: `must name an earlier field of this service, not "${field.showIf.field}"`,
        });
      }
      seen.set(field.id, field);
    });
  });
export type ServiceDefinition = z.infer<typeof serviceSchema>;

export const categorySchema = z
  .object({
    id: z.string().regex(/^[a-z][a-z0-9-]*$/, 'must be lower-case kebab-case'),
    icon: serviceIconSchema,
    label: localizedTextSchema,
  })
  .strict();
export type Category = z.infer<typeof categorySchema>;

/** A country by its ISO 3166-1 alpha-2 code; see countries.ts. */
export const countryCodeSchema = z.enum(countryCodes);

export const catalogueSchema = z
  .object({
    version: z.string().min(1),
    /** Whose services these are: every fee is in this country's currency. */
    country: countryCodeSchema,
    /** Shown as tabs above the services, in this order. */
    categories: z.array(categorySchema).min(1),
    services: z.array(serviceSchema).min(1),
  })
  .strict()
  .superRefine((catalogue, ctx) => {
    const categories = new Set(catalogue.categories.map((category) => category.id));
    const seen = new Set<string>();
    const currency = countries[catalogue.country].currency;
    catalogue.services.forEach((service, index) => {
      if (service.fee.currency !== currency) {
        ctx.addIssue({
          code: 'custom',
          path: ['services', index, 'fee', 'currency'],
          message: `must be ${currency}, the currency of ${countries[catalogue.country].name}`,
        });
      }
      if (seen.has(service.id)) {
        ctx.addIssue({
          code: 'custom',
          path: ['services', index, 'id'],
          message: `duplicate service id "${service.id}"`,
        });
      }
      if (!categories.has(service.category)) {
        ctx.addIssue({
          code: 'custom',
          path: ['services', index, 'category'],
          message: `"${service.category}" is not one of the catalogue's categories`,
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
    /** The country the site is in: its catalogue, currency and time zone (countries.ts). */
    country: countryCodeSchema,
    languages: z.array(languageCodeSchema).min(1),
    defaultLanguage: languageCodeSchema,
    /** The gateway's base URL: `https`, or `http` on 127.0.0.1 only (gateway-url.ts). */
    gatewayUrl: z.url().refine(isAllowedKioskUrl, httpsRequiredMessage),
    /**
     * Demo and set-up only: `npm start` runs the reference gateway itself at `gatewayUrl` (which
     * must then be on 127.0.0.1), with the officer roster in `roster` (a file next to the site
     * file). Without this section the kiosk starts no gateway and talks to `gatewayUrl`.
     */
    embeddedGateway: z
      .object({ roster: z.string().min(1).optional() })
      .strict()
      .optional(),
    /**
     * The enrolment file a gateway's administrator issued for this kiosk (`npm run gateway --
     * enrol`): its one-time token and the gateway it is for. A path, absolute or next to the
     * site file; see electron/launch/provisioning.ts.
     */
    enrolmentFile: z.string().min(1).optional(),
    /** Seconds without input before the idle warning; the session then ends. */
    idleTimeoutSeconds: z.number().int().min(30).max(3600),
    /**
     * Seconds the idle warning stays up with a "continue" button. WCAG 2.2.1 asks for at least
     * 20; tests may lower both numbers through `testTiming` only.
     */
    idleWarningSeconds: z.number().int().min(20).max(300).default(30),
    /** Browser tests only: short idle timings so a test does not wait minutes. */
    testTiming: z
      .object({ idleTimeoutSeconds: z.number().min(1), idleWarningSeconds: z.number().min(1) })
      .strict()
      .optional(),
    /** Whether audio guidance starts on; every screen has the toggle either way. */
    audioGuidance: z.boolean().default(false),
    /** Days after delivery before personal data is purged from the kiosk. */
    retentionDays: z.number().int().min(0).max(3650),
    /** Receipt printer and card reader; without this section the kiosk uses simulated ones. */
    devices: devicesConfigSchema.optional(),
    /**
     * The operator console's PIN as a PBKDF2 hash (`npx tsx build/scripts/hash-pin.ts <pin>`, as
     * officers' PINs are hashed); without it the console cannot be opened on this kiosk.
     */
    operatorPinHash: z
      .string()
      .regex(/^pbkdf2-sha256\$\d+\$[A-Za-z0-9_-]+\$[A-Za-z0-9_-]+$/, 'must be a pbkdf2-sha256 hash')
      .optional(),
    /** Minutes without a touch before a signed-in officer is signed out. */
    officerInactivityMinutes: z.number().min(0.05).max(240).default(15),
  })
  .strict()
  .refine((site) => site.languages.includes(site.defaultLanguage), {
    path: ['defaultLanguage'],
    message: 'must be one of the site languages',
  })
  .refine((site) => !site.embeddedGateway || isLoopbackUrl(site.gatewayUrl), {
    path: ['gatewayUrl'],
    message: 'must be on 127.0.0.1 when the site has an embeddedGateway',
  });
export type SiteConfig = z.infer<typeof siteConfigSchema>;
