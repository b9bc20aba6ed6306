import { z } from 'zod';
import { languageCodeSchema } from '../../kiosk-config/schema';

/**
 * Speech over the bridge. The page asks the shell to speak a prompt in the citizen's language
 * when the browser has no voice for it (Chromium has none for Setswana or Kriol); the shell
 * synthesises it offline (espeak-ng) and hands back a WAV clip the page plays. The page never
 * waits on speech: a clip that arrives late is dropped.
 */

/** The longest text one request may carry (a prompt, an error, the idle warning). */
export const MAX_SPOKEN_CHARS = 600;
/** A clip's upper bound as base64: 600 characters is well under a minute of 22 kHz audio. */
const MAX_CLIP_BASE64 = 8 * 1024 * 1024;

/** How well a voice fits its language. */
export const voiceFits = ['native', 'approximate'] as const;

export const shellVoiceSchema = z
  .object({
    language: languageCodeSchema,
    engine: z.literal('espeak-ng'),
    /** The engine's voice name, e.g. `tn`, `es-419`, `en-029`. */
    voice: z.string().min(1).max(40),
    /**
     * `native`: a voice made for the language. `approximate`: another language's voice reading
     * it through a pronunciation layer (Kriol through espeak-ng's Caribbean English voice).
     */
    fit: z.enum(voiceFits),
  })
  .strict();
export type ShellVoice = z.infer<typeof shellVoiceSchema>;

/** `speech:voices`: the languages the shell can speak offline, one voice each. */
export const speechVoicesReplySchema = z
  .object({ voices: z.array(shellVoiceSchema).max(16) })
  .strict();

/** `speech:speak`: one prompt, in one language. Never logged: it may hold what a citizen typed. */
export const speakRequestSchema = z
  .object({
    language: languageCodeSchema,
    text: z.string().trim().min(1).max(MAX_SPOKEN_CHARS),
    /** Speaking rate against the engine's normal pace: 0.5 (slow) to 1.5 (fast). */
    rate: z.number().min(0.5).max(1.5).optional(),
  })
  .strict();
export type SpeakRequest = z.infer<typeof speakRequestSchema>;

export const speakReplySchema = z
  .object({
    voice: shellVoiceSchema,
    /** A RIFF WAVE file (PCM, 16-bit, mono), base64. */
    wav: z
      .string()
      .max(MAX_CLIP_BASE64)
      .regex(/^[A-Za-z0-9+/]+=*$/),
    /** The clip's length in milliseconds. */
    durationMs: z.number().int().min(0),
  })
  .strict();
export type SpeakReply = z.infer<typeof speakReplySchema>;
