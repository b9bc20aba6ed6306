import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { parseUpdatePublicKey } from './update-signature';

/**
 * Settings of the Electron shell itself (not of the site or its services): the operator PIN,
 * the quiet hour, fleet updates, the HID devices the page may open and the watchdog's limits.
 * Read from `shell.json` in the data directory; every field has a safe default.
 */
export const hidDeviceSchema = z
  .object({
    vendorId: z.number().int().min(0).max(0xffff),
    productId: z.number().int().min(0).max(0xffff),
  })
  .strict();
export type HidDeviceId = z.infer<typeof hidDeviceSchema>;

export const shellConfigSchema = z
  .object({
    /** `scrypt$N$r$p$salt$hash` (base64url), made by `npx tsx electron/main/operator-pin-cli.ts`. */
    operatorPinHash: z.string().optional(),
    maintenance: z
      .object({
        /** Local hour (0–23) at which the kiosk restarts and installs updates, between sessions. */
        quietHour: z.number().int().min(0).max(23).default(3),
        restart: z.boolean().default(true),
      })
      .strict()
      .default({ quietHour: 3, restart: true }),
    updates: z
      .object({
        /** Generic electron-updater feed (the gateway can serve it); absent: no updates. */
        url: z.url({
          protocol: /^https$/,
          error: 'must be an https URL (a plain http feed could be changed on the way)',
        }),
        /**
         * The fleet's Ed25519 update-signing public key (base64 SPKI, from
         * `npx tsx build/scripts/update-signing.ts keygen`). Only installers signed with its
         * private key are installed; see update-signature.ts.
         */
        publicKey: z
          .string({
            error: 'required with updates.url: the fleet’s update-signing public key',
          })
          .refine(
            (text) => {
              try {
                parseUpdatePublicKey(text);
                return true;
              } catch {
                return false;
              }
            },
            { error: 'must be an Ed25519 public key (base64 SPKI, 60 characters)' },
          ),
      })
      .strict()
      .optional(),
    allowedHidDevices: z.array(hidDeviceSchema).max(16).default([]),
    watchdog: z
      .object({
        maxCrashes: z.number().int().min(1).max(100).default(3),
        windowMinutes: z.number().int().min(1).max(1440).default(10),
        baseDelayMs: z.number().int().min(100).max(60_000).default(1_000),
        maxDelayMs: z.number().int().min(1_000).max(600_000).default(30_000),
        outOfServiceRetryMs: z.number().int().min(5_000).max(3_600_000).default(60_000),
      })
      .strict()
      .default({
        maxCrashes: 3,
        windowMinutes: 10,
        baseDelayMs: 1_000,
        maxDelayMs: 30_000,
        outOfServiceRetryMs: 60_000,
      }),
  })
  .strict();
export type ShellConfig = z.infer<typeof shellConfigSchema>;

export const defaultShellConfig: ShellConfig = shellConfigSchema.parse({});

export type ShellConfigResult =
  { ok: true; config: ShellConfig } | { ok: false; config: ShellConfig; error: string };

/** Parses shell config text; on any error returns the defaults and one message naming the field. */
export function parseShellConfig(text: string, source = 'shell.json'): ShellConfigResult {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    return {
      ok: false,
      config: defaultShellConfig,
      error: `${source}: not JSON (${(error as Error).message})`,
    };
  }
  const parsed = shellConfigSchema.safeParse(raw);
  if (parsed.success) return { ok: true, config: parsed.data };
  const issue = parsed.error.issues[0];
  return {
    ok: false,
    config: defaultShellConfig,
    error: `${source}: ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`,
  };
}

/** Reads the shell config file; a missing file means the defaults (no operator exit, no updates). */
export function loadShellConfig(file: string): ShellConfigResult {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return { ok: true, config: defaultShellConfig };
    }
    return { ok: false, config: defaultShellConfig, error: `${file}: cannot be read` };
  }
  return parseShellConfig(text, file);
}
