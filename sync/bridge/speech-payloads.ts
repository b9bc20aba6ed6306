import { z } from '../../kiosk-config/zod-mini';
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

export const shellVoiceSchema = z.strictObject({
  language: languageCodeSchema,
  engine: z.literal('espeak-ng'),
  /** The engine's voice name, e.g. `tn`, `es-419`, `en-029`. */
  voice: z.string().check(z.minLength(1)).check(z.maxLength(40)),
  /**
   * `native`: a voice made for the language. `approximate`: another language's voice reading
   * it through a pronunciation layer (Kriol through espeak-ng's Caribbean English voice).
   */
  fit: z.enum(voiceFits),
});
export type ShellVoice = z.infer<typeof shellVoiceSchema>;

/** `speech:voices`: the languages the shell can speak offline, one voice each. */
export const speechVoicesReplySchema = z.strictObject({
  voices: z.array(shellVoiceSchema).check(z.maxLength(16)),
});

/** `speech:speak`: one prompt, in one language. Never logged: it may hold what a citizen typed. */
export const speakRequestSchema = z.strictObject({
  language: languageCodeSchema,
  text: z.string().check(z.trim()).check(z.minLength(1)).check(z.maxLength(MAX_SPOKEN_CHARS)),
  /** Speaking rate against the engine's normal pace: 0.5 (slow) to 1.5 (fast). */
  rate: z.optional(z.number().check(z.gte(0.5)).check(z.lte(1.5))),
});
export type SpeakRequest = z.infer<typeof speakRequestSchema>;

export const speakReplySchema = z.strictObject({
  voice: shellVoiceSchema,
  /** A RIFF WAVE file (PCM, 16-bit, mono), base64. */
  wav: z
    .string()
    .check(z.maxLength(MAX_CLIP_BASE64))
    .check(z.regex(/^[A-Za-z0-9+/]+=*$/)),
  /** The clip's length in milliseconds. */
  durationMs: z.number().check(z.int()).check(z.gte(0)),
});
export type SpeakReply = z.infer<typeof speakReplySchema>;
