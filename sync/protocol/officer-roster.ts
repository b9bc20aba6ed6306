import { z } from 'zod';

/**
 * The officer roster a gateway serves in a kiosk's config (`roster`). The kiosk keeps the last
 * one it received, so officers can sign in while the link is down. Only PIN hashes travel
 * (officer-pin.ts), never PINs.
 */
export const officerRosterEntrySchema = z
  .object({
    /** The 8 digits printed on, and encoded in, the officer's card (see card-parsers.ts). */
    officerId: z.string().regex(/^[0-9]{8}$/),
    name: z.string().trim().min(1).max(100),
    /** The card number of the officer card in use; a lost card is replaced by a new number. */
    cardId: z
      .string()
      .regex(/^[0-9]{8,19}$/)
      .optional(),
    pinHash: z.string().regex(/^pbkdf2-sha256\$\d+\$[A-Za-z0-9_-]+\$[A-Za-z0-9_-]+$/),
    /** Sites this officer may sign in at; absent means every site. */
    sites: z.array(z.string().min(1).max(64)).max(500).optional(),
    active: z.boolean().default(true),
  })
  .strict();
export type OfficerRosterEntry = z.infer<typeof officerRosterEntrySchema>;

export const officerRosterSchema = z
  .array(officerRosterEntrySchema)
  .max(5000)
  .refine((entries) => new Set(entries.map((e) => e.officerId)).size === entries.length, {
    message: 'an officer id appears twice',
  });
