import { z } from './zod-mini';
import { countries, countryCodes, languageCodes } from './countries';
import { devicesConfigSchema } from './devices-schema';
import { httpsRequiredMessage, isAllowedKioskUrl, isLoopbackUrl } from './gateway-url';

export { languageCodes } from './countries';

/**
 * The catalogue service a citizen's SMS sign-up is committed as (on the receipt): a transaction
 * of its own that names the receipt's reference; it never has an agency's decision.
 */
export const SMS_OPT_IN_SERVICE = 'sms-alerts';
export const languageCodeSchema = z.enum(languageCodes);
export type LanguageCode = z.infer<typeof languageCodeSchema>;

/** Text shown to a citizen, one entry per language; English is always present as the fallback. */
export const localizedTextSchema = z.strictObject({
  en: z.string().check(z.minLength(1)),
  es: z.optional(z.string().check(z.minLength(1))),
  bzj: z.optional(z.string().check(z.minLength(1))),
  tn: z.optional(z.string().check(z.minLength(1))),
});
export type LocalizedText = z.infer<typeof localizedTextSchema>;

const idSchema = z
  .string()
  .check(z.regex(/^[a-z][a-zA-Z0-9]*$/, 'must be camelCase letters and digits'));

/**
 * Shows a field only when an earlier answer matches: `{ field, equals }` or `{ field, in }`.
 * A hidden field is never asked, never checked and never submitted.
 */
export const showIfSchema = z
  .strictObject({
    field: idSchema,
    equals: z.optional(z.string().check(z.minLength(1))),
    in: z.optional(z.array(z.string().check(z.minLength(1))).check(z.minLength(1))),
  })
  .check(
    z.refine((rule) => (rule.equals === undefined) !== (rule.in === undefined), {
      message: 'needs exactly one of "equals" or "in"',
    }),
  );
export type ShowIf = z.infer<typeof showIfSchema>;

const fieldBase = {
  id: idSchema,
  label: localizedTextSchema,
  hint: z.optional(localizedTextSchema),
  required: z._default(z.boolean(), true),
  /** Personal fields are encrypted at rest and purged after the retention period. */
  personal: z._default(z.boolean(), false),
  showIf: z.optional(showIfSchema),
};

const compilableRegex = z.string().check(
  z.refine(
    (source) => {
      try {
        new RegExp(source, 'u');
        return true;
      } catch {
        return false;
      }
    },
    { message: 'is not a valid regular expression' },
  ),
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
  .check(
    z.regex(
      /^(today([+-]\d{1,5}[dy])?|\d{4}-\d{2}-\d{2})$/,
      'must be YYYY-MM-DD, today, or today with days or years added (today-130y, today+30d)',
    ),
  );
export type DateBound = z.infer<typeof dateBoundSchema>;

/** One digit of an id number that may only take some values (1-based position). */
export const digitRuleSchema = z.strictObject({
  position: z.number().check(z.int()).check(z.gte(1)).check(z.lte(64)),
  allowed: z
    .array(z.string().check(z.regex(/^[0-9]$/, 'must be one digit')))
    .check(z.minLength(1))
    .check(z.maxLength(9)),
  message: localizedTextSchema,
});
export type DigitRule = z.infer<typeof digitRuleSchema>;

export const fieldSchema = z.discriminatedUnion('type', [
  z.strictObject({
    ...fieldBase,
    type: z.literal('text'),
    minLength: z._default(z.number().check(z.int()).check(z.gte(0)), 0),
    maxLength: z._default(z.number().check(z.int()).check(z.gte(1)).check(z.lte(2000)), 200),
    pattern: z.optional(compilableRegex),
    /** The catalogue's own sentence when the answer does not match `pattern` (what it takes). */
    patternMessage: z.optional(localizedTextSchema),
  }),
  z.strictObject({
    ...fieldBase,
    type: z.literal('number'),
    min: z.optional(z.number()),
    max: z.optional(z.number()),
    integer: z._default(z.boolean(), false),
  }),
  /**
   * A sum of money the citizen states (a bill's amount), in the service's currency (`fee.currency`)
   * and its major unit with at most two decimals (`12.50`); `min` and `max` in the same unit.
   * A service's `feeField` makes it the fee charged.
   */
  z.strictObject({
    ...fieldBase,
    type: z.literal('amount'),
    min: z.optional(z.number().check(z.gte(0))),
    max: z.optional(z.number().check(z.gt(0))),
  }),
  z.strictObject({
    ...fieldBase,
    type: z.literal('date'),
    /**
     * The earliest and latest dates taken, inclusive: `YYYY-MM-DD`, or `today` on the site's
     * wall clock (its country's time zone) moved by days or years (`today-130y`, `today+30d`).
     * A date of birth is `notAfter: 'today'`.
     */
    notBefore: z.optional(dateBoundSchema),
    notAfter: z.optional(dateBoundSchema),
  }),
  z.strictObject({ ...fieldBase, type: z.literal('phone') }),
  z.strictObject({
    ...fieldBase,
    type: z.literal('choice'),
    options: z
      .array(
        z.strictObject({ value: z.string().check(z.minLength(1)), label: localizedTextSchema }),
      )
      .check(z.minLength(2)),
  }),
  z.strictObject({
    ...fieldBase,
    type: z.literal('national-id'),
    /** The whole id must match this (digits only after spaces and dashes are removed). */
    pattern: compilableRegex,
    checkDigit: z.enum(checkDigitAlgorithms),
    /**
     * Digits whose value the numbering scheme fixes, each with the sentence a citizen reads when
     * it is wrong (Botswana's Omang: the fifth digit is 1 for a man, 2 for a woman).
     */
    digitRules: z.optional(z.array(digitRuleSchema).check(z.maxLength(9))),
  }),
  z.strictObject({
    ...fieldBase,
    type: z.literal('documents'),
    /** Documents the citizen confirms they have; a required checklist needs every item. */
    items: z
      .array(z.strictObject({ id: idSchema, label: localizedTextSchema }))
      .check(z.minLength(1))
      .check(z.maxLength(12)),
  }),
  /** An agreement shown on the consent step after review; its label is the statement. */
  z.strictObject({ ...fieldBase, type: z.literal('consent') }),
]);
export type FieldDefinition = z.infer<typeof fieldSchema>;
export type FieldType = FieldDefinition['type'];

export const moneySchema = z.strictObject({
  /** Minor units (cents, thebe) so sums stay exact. */
  amountMinor: z.number().check(z.int()).check(z.gte(0)),
  currency: z.string().check(z.regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as BZD')),
});
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
export const reminderSchema = z.strictObject({
  id: z.string().check(z.regex(/^[a-z][a-z0-9-]*$/, 'must be lower-case kebab-case')),
  after: z.enum(['approved', 'ready-for-collection', 'collected']),
  validFor: z.union([
    z.strictObject({ months: z.number().check(z.int()).check(z.gte(1)).check(z.lte(600)) }),
    z.strictObject({ yearsField: z.string().check(z.minLength(1)) }),
  ]),
  daysBefore: z.number().check(z.int()).check(z.gte(1)).check(z.lte(365)),
  what: localizedTextSchema,
});
export type ReminderDefinition = z.infer<typeof reminderSchema>;

/** Field ids the kiosk adds itself (the payment step); a catalogue may not use them. */
export const reservedFieldIds = ['paymentMethod', 'paymentReference'] as const;

export const serviceSchema = z
  .strictObject({
    id: z.string().check(z.regex(/^[a-z][a-z0-9-]*$/, 'must be lower-case kebab-case')),
    kind: z._default(serviceKindSchema, 'application'),
    icon: serviceIconSchema,
    category: z.string().check(z.minLength(1)),
    title: localizedTextSchema,
    description: localizedTextSchema,
    fee: moneySchema,
    /**
     * The fee is the citizen's answer to this field (an `amount` field, required), not a fixed
     * sum: a bill or tax paid by its amount. `fee.amountMinor` is then 0 and gives the currency.
     */
    feeField: z.optional(z.string().check(z.minLength(1))),
    /** How a fee may be paid; the kiosk records the method and its reference only. */
    paymentMethods: z.optional(z.array(paymentMethodSchema).check(z.minLength(1))),
    fields: z.array(fieldSchema),
    receiptText: localizedTextSchema,
    /** Offer "send me an SMS when it is ready" on the receipt. */
    smsAlerts: z._default(z.boolean(), true),
    /** SMS reminders for what the service issues (a licence that expires). */
    reminders: z.optional(z.array(reminderSchema).check(z.maxLength(5))),
    /**
     * The service standard: the agency decides (approves or refuses) within this many working
     * days (Monday to Friday, counted from the day after submission in the country's time zone;
     * public holidays are not left out). The fleet dashboard reports the share decided within it.
     */
    decisionTargetWorkingDays: z.optional(
      z.number().check(z.int()).check(z.gte(1)).check(z.lte(260)),
    ),
  })
  .check(
    z.superRefine((service, ctx) => {
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
      if (service.feeField !== undefined) {
        const named = service.fields.find((field) => field.id === service.feeField);
        if (named?.type !== 'amount' || !named.required) {
          ctx.addIssue({
            code: 'custom',
            path: ['feeField'],
            message: `must name a required amount field of this service, not "${service.feeField}"`,
          });
        }
        if (service.fee.amountMinor !== 0) {
          ctx.addIssue({
            code: 'custom',
            path: ['fee', 'amountMinor'],
            message: 'must be 0 when the fee is the answer to feeField',
          });
        }
      }
      if ((service.fee.amountMinor > 0 || service.feeField) && !service.paymentMethods) {
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
    }),
  );
export type ServiceDefinition = z.infer<typeof serviceSchema>;

export const categorySchema = z.strictObject({
  id: z.string().check(z.regex(/^[a-z][a-z0-9-]*$/, 'must be lower-case kebab-case')),
  icon: serviceIconSchema,
  label: localizedTextSchema,
});
export type Category = z.infer<typeof categorySchema>;

/** A country by its ISO 3166-1 alpha-2 code; see countries.ts. */
export const countryCodeSchema = z.enum(countryCodes);

export const catalogueSchema = z
  .strictObject({
    version: z.string().check(z.minLength(1)),
    /** Whose services these are: every fee is in this country's currency. */
    country: countryCodeSchema,
    /** Shown as tabs above the services, in this order. */
    categories: z.array(categorySchema).check(z.minLength(1)),
    services: z.array(serviceSchema).check(z.minLength(1)),
  })
  .check(
    z.superRefine((catalogue, ctx) => {
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
    }),
  );
export type Catalogue = z.infer<typeof catalogueSchema>;

export const siteProfileSchema = z.enum([
  'self-service-kiosk',
  'one-stop-centre',
  'rural-telecentre',
]);
export type SiteProfile = z.infer<typeof siteProfileSchema>;

export const siteConfigSchema = z
  .strictObject({
    kioskId: z
      .string()
      .check(z.regex(/^[A-Za-z0-9-]{3,64}$/, 'must be 3-64 letters, digits or dashes')),
    siteName: z.string().check(z.minLength(1)),
    agency: z.string().check(z.minLength(1)),
    profile: siteProfileSchema,
    /** The country the site is in: its catalogue, currency and time zone (countries.ts). */
    country: countryCodeSchema,
    languages: z.array(languageCodeSchema).check(z.minLength(1)),
    defaultLanguage: languageCodeSchema,
    /** The gateway's base URL: `https`, or `http` on 127.0.0.1 only (gateway-url.ts). */
    gatewayUrl: z.url().check(z.refine(isAllowedKioskUrl, httpsRequiredMessage)),
    /**
     * Demo and set-up only: `npm start` runs the reference gateway itself at `gatewayUrl` (which
     * must then be on 127.0.0.1), with the officer roster in `roster` (a file next to the site
     * file). Without this section the kiosk starts no gateway and talks to `gatewayUrl`.
     */
    embeddedGateway: z.optional(
      z.strictObject({ roster: z.optional(z.string().check(z.minLength(1))) }),
    ),
    /**
     * The enrolment file a gateway's administrator issued for this kiosk (`npm run gateway --
     * enrol`): its one-time token and the gateway it is for. A path, absolute or next to the
     * site file; see electron/launch/provisioning.ts.
     */
    enrolmentFile: z.optional(z.string().check(z.minLength(1))),
    /** Seconds without input before the idle warning; the session then ends. */
    idleTimeoutSeconds: z.number().check(z.int()).check(z.gte(30)).check(z.lte(3600)),
    /**
     * Seconds the idle warning stays up with a "continue" button. WCAG 2.2.1 asks for at least
     * 20; tests may lower both numbers through `testTiming` only.
     */
    idleWarningSeconds: z._default(
      z.number().check(z.int()).check(z.gte(20)).check(z.lte(300)),
      30,
    ),
    /** Browser tests only: short idle timings so a test does not wait minutes. */
    testTiming: z.optional(
      z.strictObject({
        idleTimeoutSeconds: z.number().check(z.gte(1)),
        idleWarningSeconds: z.number().check(z.gte(1)),
      }),
    ),
    /** Whether audio guidance starts on; every screen has the toggle either way. */
    audioGuidance: z._default(z.boolean(), false),
    /** Days after delivery before personal data is purged from the kiosk. */
    retentionDays: z.number().check(z.int()).check(z.gte(0)).check(z.lte(3650)),
    /** Receipt printer and card reader; without this section the kiosk uses simulated ones. */
    devices: z.optional(devicesConfigSchema),
    /**
     * The operator console's PIN as a PBKDF2 hash (`npx tsx build/scripts/hash-pin.ts <pin>`, as
     * officers' PINs are hashed); without it the console cannot be opened on this kiosk.
     */
    operatorPinHash: z.optional(
      z
        .string()
        .check(
          z.regex(
            /^pbkdf2-sha256\$\d+\$[A-Za-z0-9_-]+\$[A-Za-z0-9_-]+$/,
            'must be a pbkdf2-sha256 hash',
          ),
        ),
    ),
    /** Minutes without a touch before a signed-in officer is signed out. */
    officerInactivityMinutes: z._default(z.number().check(z.gte(0.05)).check(z.lte(240)), 15),
  })
  .check(
    z.refine((site) => site.languages.includes(site.defaultLanguage), {
      path: ['defaultLanguage'],
      message: 'must be one of the site languages',
    }),
  )
  .check(
    z.refine((site) => !site.embeddedGateway || isLoopbackUrl(site.gatewayUrl), {
      path: ['gatewayUrl'],
      message: 'must be on 127.0.0.1 when the site has an embeddedGateway',
    }),
  );
export type SiteConfig = z.infer<typeof siteConfigSchema>;
