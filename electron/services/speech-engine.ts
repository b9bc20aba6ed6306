import { spawn } from 'node:child_process';
import type { LanguageCode } from '../../kiosk-config/schema';
import type { ShellVoice } from '../../sync/bridge/speech-payloads';
import { kriolForEspeak } from './kriol-pronunciation';

/**
 * The shell's offline speech: espeak-ng (Debian package `espeak-ng`), which has Setswana (`tn`)
 * and Latin American Spanish (`es-419`) voices. Belize Kriol has no voice anywhere; it is read
 * by espeak-ng's Caribbean English voice (`en-029`) through a Kriol letter-to-sound layer
 * (kriol-pronunciation.ts), and reported as an `approximate` fit.
 *
 * Text goes to espeak-ng on stdin, never in its arguments (a process list would show them), and
 * is never logged. Audio comes back as a WAV clip for the page to play.
 */

/** For each language, the espeak-ng voices to try, best first. */
const voicePreferences: Record<LanguageCode, { voices: string[]; fit: ShellVoice['fit'] }> = {
  en: { voices: ['en-gb', 'en-029', 'en-us'], fit: 'native' },
  es: { voices: ['es-419', 'es'], fit: 'native' },
  tn: { voices: ['tn'], fit: 'native' },
  bzj: { voices: ['en-029', 'en-gb', 'en-us'], fit: 'approximate' },
};

/** espeak-ng's own speaking rate, in words per minute, at rate 1. */
const BASE_WORDS_PER_MINUTE = 165;

export type SpeechErrorCode = 'no-voice' | 'failed' | 'timeout';

export class SpeechError extends Error {
  readonly code: SpeechErrorCode;
  constructor(code: SpeechErrorCode, message: string) {
    super(message);
    this.name = 'SpeechError';
    this.code = code;
  }
}

export interface SpokenClip {
  voice: ShellVoice;
  /** A RIFF WAVE file, PCM 16-bit mono, with its chunk sizes set. */
  wav: Buffer;
  durationMs: number;
}

export interface SpeechEngine {
  /** The languages this machine can speak, one voice each (none without espeak-ng). */
  voices(): Promise<ShellVoice[]>;
  /** Speaks `text` into a clip. Throws SpeechError: `no-voice`, `failed` or `timeout`. */
  synthesize(request: { language: LanguageCode; text: string; rate?: number }): Promise<SpokenClip>;
}

/** Runs a command with `input` on stdin; resolves with stdout. */
export type RunCommand = (
  command: string,
  args: string[],
  options: { input: string; timeoutMs: number; maxBytes: number },
) => Promise<Buffer>;

export const runCommand: RunCommand = (command, args, { input, timeoutMs, maxBytes }) =>
  new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'ignore'] });
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (error: Error | undefined, value?: Buffer): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error) reject(error);
      else resolve(value ?? Buffer.alloc(0));
    };
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      finish(new SpeechError('timeout', `${command} took longer than ${timeoutMs} ms`));
    }, timeoutMs);
    child.on('error', (error) => finish(error));
    child.stdout.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        child.kill('SIGKILL');
        finish(new SpeechError('failed', `${command} wrote more than ${maxBytes} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    child.on('close', (code) => {
      if (code === 0) finish(undefined, Buffer.concat(chunks));
      else finish(new SpeechError('failed', `${command} exited with ${String(code)}`));
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(input, 'utf8');
  });

/** The voice names in `espeak-ng --voices` output (its second column). */
export function parseEspeakVoiceList(listing: string): Set<string> {
  const names = new Set<string>();
  for (const line of listing.split('\n').slice(1)) {
    const name = line.trim().split(/\s+/)[1];
    if (name) names.add(name.toLowerCase());
  }
  return names;
}

/**
 * A WAV as espeak-ng streams it has placeholder sizes (it cannot seek stdout); browsers' decoders
 * want the real ones. Returns a copy with the RIFF and `data` sizes set from the bytes present,
 * and the clip's duration. Throws when it is not a PCM WAV.
 */
export function finishWav(bytes: Buffer): { wav: Buffer; durationMs: number } {
  if (
    bytes.length < 44 ||
    bytes.toString('ascii', 0, 4) !== 'RIFF' ||
    bytes.toString('ascii', 8, 12) !== 'WAVE'
  ) {
    throw new SpeechError('failed', 'espeak-ng did not write a WAV file');
  }
  const wav = Buffer.from(bytes);
  let offset = 12;
  let byteRate = 0;
  while (offset + 8 <= wav.length) {
    const id = wav.toString('ascii', offset, offset + 4);
    if (id === 'fmt ') byteRate = wav.readUInt32LE(offset + 16);
    if (id === 'data') {
      const dataBytes = wav.length - offset - 8;
      wav.writeUInt32LE(dataBytes, offset + 4);
      wav.writeUInt32LE(wav.length - 8, 4);
      if (!byteRate) throw new SpeechError('failed', 'the WAV file has no format chunk');
      return { wav, durationMs: Math.round((dataBytes / byteRate) * 1000) };
    }
    offset += 8 + wav.readUInt32LE(offset + 4);
  }
  throw new SpeechError('failed', 'the WAV file has no data');
}

/** What espeak-ng is given: control characters out, its phoneme brackets only where we put them. */
export function textForEspeak(language: LanguageCode, text: string): string {
  const plain = text
    // eslint-disable-next-line no-control-regex -- control characters are what is removed
    .replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, ' ')
    .replace(/\[\[|\]\]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return language === 'bzj' ? kriolForEspeak(plain) : plain;
}

export function createEspeakEngine(
  options: {
    /** The espeak-ng binary (default: `espeak-ng` on the PATH). */
    command?: string;
    run?: RunCommand;
    timeoutMs?: number;
    /** At most this many syntheses at once; later ones wait their turn. */
    maxConcurrent?: number;
  } = {},
): SpeechEngine {
  const command = options.command ?? 'espeak-ng';
  const run = options.run ?? runCommand;
  const timeoutMs = options.timeoutMs ?? 15_000;
  const maxConcurrent = options.maxConcurrent ?? 2;
  let available: Promise<ShellVoice[]> | undefined;
  let running = 0;
  const waiting: Array<() => void> = [];

  const voices = (): Promise<ShellVoice[]> => {
    available ??= run(command, ['--voices'], { input: '', timeoutMs, maxBytes: 1 << 20 })
      .then((listing) => {
        const names = parseEspeakVoiceList(listing.toString('utf8'));
        const found: ShellVoice[] = [];
        for (const [language, preference] of Object.entries(voicePreferences)) {
          const voice = preference.voices.find((name) => names.has(name));
          if (voice) {
            found.push({
              language: language as LanguageCode,
              engine: 'espeak-ng',
              voice,
              fit: preference.fit,
            });
          }
        }
        return found;
      })
      // No espeak-ng on this machine: nothing to speak with, said once, not retried per prompt.
      .catch(() => []);
    return available;
  };

  const turn = async (): Promise<() => void> => {
    if (running >= maxConcurrent) await new Promise<void>((resolve) => waiting.push(resolve));
    running += 1;
    return () => {
      running -= 1;
      waiting.shift()?.();
    };
  };

  return {
    voices,
    async synthesize({ language, text, rate = 1 }) {
      const voice = (await voices()).find((candidate) => candidate.language === language);
      if (!voice) throw new SpeechError('no-voice', `no offline voice for ${language}`);
      const release = await turn();
      try {
        const words = Math.round(BASE_WORDS_PER_MINUTE * Math.min(1.5, Math.max(0.5, rate)));
        const output = await run(
          command,
          ['-v', voice.voice, '-s', String(words), '-b', '1', '--stdin', '--stdout'],
          { input: textForEspeak(language, text), timeoutMs, maxBytes: 16 << 20 },
        );
        return { voice, ...finishWav(output) };
      } catch (error) {
        if (error instanceof SpeechError) throw error;
        throw new SpeechError('failed', `espeak-ng could not run: ${(error as Error).message}`);
      } finally {
        release();
      }
    },
  };
}
