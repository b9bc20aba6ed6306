import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createBridgeRouter } from '../../../../sync/bridge/router';
import { createKioskServices } from '../../../../electron/services/kiosk-services';
import { loadKioskConfig } from '../../../../electron/services/load-config';
import {
  SpeechError,
  createEspeakEngine,
  finishWav,
  runCommand,
} from '../../../../electron/services/speech-engine';
import type { RunCommand } from '../../../../electron/services/speech-engine';
import {
  kriolForEspeak,
  kriolWordPhonemes,
} from '../../../../electron/services/kriol-pronunciation';
import { readWav } from '../../../support/wav';

/** The page a test speaks for (the shell's end of the bridge names every caller). */
const page = { page: 'test page', alive: () => true };

const work = mkdtempSync(path.join(tmpdir(), 'sp-speech-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Phonemes espeak-ng itself says it will speak for an input (its -x trace), voice en-029. */
const espeakPhonemes = (input: string): string =>
  execFileSync('espeak-ng', ['-v', 'en-029', '-q', '-x', input], { encoding: 'utf8' })
    .replace(/\s+/g, ' ')
    .trim();

function servicesWith(
  extra: Partial<Parameters<typeof createKioskServices>[0]> = {},
  lines: string[] = [],
) {
  return createBridgeRouter(
    createKioskServices({
      config: loadKioskConfig(),
      shell: 'browser',
      appVersion: 'test',
      gatewayUrl: 'http://127.0.0.1:9',
      simulatedDevices: [],
      log: (level, message) => lines.push(`${level} ${message}`),
      ...extra,
    }),
  );
}

describe('offline speech with espeak-ng', () => {
  it('writes a Setswana WAV with real, non-silent samples (espeak-ng -w)', () => {
    const file = path.join(work, 'tn.wav');
    execFileSync('espeak-ng', ['-v', 'tn', '-w', file, 'Kopo ya gago e bolokilwe.']);
    const wav = readWav(readFileSync(file));
    expect(wav.bitsPerSample).toBe(16);
    expect(wav.durationMs).toBeGreaterThan(800);
    // Speech, not silence: loud peaks and a real average level.
    expect(wav.peak).toBeGreaterThan(0.2);
    expect(wav.rms).toBeGreaterThan(0.02);
  });

  it('speaks Setswana and Spanish with their own voices and Kriol through the Caribbean English voice', async () => {
    const voices = await createEspeakEngine().voices();
    expect(voices).toEqual(
      expect.arrayContaining([
        { language: 'tn', engine: 'espeak-ng', voice: 'tn', fit: 'native' },
        { language: 'es', engine: 'espeak-ng', voice: 'es-419', fit: 'native' },
        { language: 'bzj', engine: 'espeak-ng', voice: 'en-029', fit: 'approximate' },
        { language: 'en', engine: 'espeak-ng', voice: 'en-gb', fit: 'native' },
      ]),
    );
  });

  it.each([
    ['tn', 'Ke kopa o tlatse foromo e.'],
    ['es', '¿Sigue ahí? Por su privacidad, la sesión termina pronto.'],
    ['bzj', 'Yu stil deh? Pliiz tech di skreen.'],
    ['en', 'Are you still there?'],
  ] as const)(
    'answers speech:speak in %s with a WAV clip of real sound whose header sizes are right',
    async (language, text) => {
      const reply = await servicesWith().handle('speech:speak', { language, text }, page);
      expect(reply.ok).toBe(true);
      if (!reply.ok) return;
      const value = reply.value as { wav: string; durationMs: number; voice: { language: string } };
      expect(value.voice.language).toBe(language);
      const wav = readWav(Buffer.from(value.wav, 'base64'));
      // espeak-ng streams placeholder sizes; the clip a browser decodes must carry real ones.
      expect(wav.dataSize).toBe(wav.dataBytesPresent);
      expect(wav.riffSize).toBe(Buffer.from(value.wav, 'base64').length - 8);
      expect(wav.durationMs).toBe(value.durationMs);
      expect(wav.durationMs).toBeGreaterThan(500);
      expect(wav.peak).toBeGreaterThan(0.2);
      expect(wav.rms).toBeGreaterThan(0.02);
    },
  );

  it('refuses an empty, oversized or unknown-language request before any engine runs', async () => {
    const calls: string[][] = [];
    const run: RunCommand = async (_command, args) => {
      calls.push(args);
      return Buffer.alloc(0);
    };
    const router = servicesWith({ speech: createEspeakEngine({ run }) });
    for (const request of [
      { language: 'tn', text: '   ' },
      { language: 'tn', text: 'a'.repeat(601) },
      { language: 'fr', text: 'Bonjour' },
      { language: 'tn', text: 'Dumela', extra: true },
    ]) {
      const reply = await router.handle('speech:speak', request, page);
      expect(reply).toMatchObject({ ok: false, error: { code: 'bad-request' } });
    }
    expect(calls).toEqual([]);
  });

  it('says unavailable, with no voices, where espeak-ng is not installed', async () => {
    const router = servicesWith({
      speech: createEspeakEngine({ command: path.join(work, 'no-such-espeak') }),
    });
    expect(await router.handle('speech:voices', undefined, page)).toEqual({
      ok: true,
      value: { voices: [] },
    });
    expect(
      await router.handle('speech:speak', { language: 'tn', text: 'Dumela' }, page),
    ).toMatchObject({
      ok: false,
      error: { code: 'unavailable' },
    });
  });

  it('never writes the spoken text to the log, even when the engine fails', async () => {
    const lines: string[] = [];
    const failing: RunCommand = async (_command, args) => {
      if (args[0] === '--voices') return Buffer.from(' Pty Language\n 5 tn --/M Setswana bnt/tn\n');
      throw new SpeechError('failed', 'espeak-ng exited with 1');
    };
    const secret = 'Maria Chen 123456782';
    const router = servicesWith({ speech: createEspeakEngine({ run: failing }) }, lines);
    const reply = await router.handle('speech:speak', { language: 'tn', text: secret }, page);
    expect(reply).toMatchObject({ ok: false, error: { code: 'failed' } });
    expect(JSON.stringify(reply)).not.toContain('Maria');
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      expect(line).not.toContain('Maria');
      expect(line).not.toContain('123456782');
    }
  });

  it('gives the text to espeak-ng on stdin, never in its arguments, and runs at most two at once', async () => {
    let running = 0;
    let most = 0;
    const seen: Array<{ args: string[]; input: string }> = [];
    const wav = execFileSync('espeak-ng', ['-v', 'tn', '--stdout', 'Dumela']);
    const run: RunCommand = async (_command, args, { input }) => {
      if (args[0] === '--voices') return Buffer.from(' Pty Language\n 5 tn --/M Setswana bnt/tn\n');
      seen.push({ args, input });
      running += 1;
      most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, 20));
      running -= 1;
      return wav;
    };
    const engine = createEspeakEngine({ run });
    await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        engine.synthesize({ language: 'tn', text: `Dumela ${i}` }),
      ),
    );
    expect(most).toBe(2);
    expect(seen).toHaveLength(5);
    for (const call of seen) {
      expect(call.args.join(' ')).not.toContain('Dumela');
      expect(call.input).toMatch(/^Dumela \d$/);
    }
  });

  it('stops an engine that hangs, at the timeout', async () => {
    await expect(
      runCommand('sleep', ['5'], { input: '', timeoutMs: 200, maxBytes: 1024 }),
    ).rejects.toMatchObject({ code: 'timeout' });
  });

  it('refuses output that is not a WAV file', () => {
    expect(() => finishWav(Buffer.from('not audio at all, not at all, not at all, no'))).toThrow(
      SpeechError,
    );
  });
});

describe('Kriol for an English voice', () => {
  it('reads Kriol spelling by its sounds where English spelling rules would misread it', () => {
    const kriol = 'Di printa noh di werk. Ih kyaahn reed owt lowd.';
    // What the Caribbean English voice says for the Kriol spelling as it stands: "die",
    // "kai-ahn", "oat", "load"...
    const asEnglish = espeakPhonemes(kriol);
    expect(asEnglish).toContain("d'aI");
    expect(asEnglish).toContain("k'aIA:hn");
    expect(asEnglish).toContain("'oUt");
    // ...and through the Kriol letter-to-sound layer: /di/, /kjaːn/, /aut/, /laud/.
    expect(espeakPhonemes(kriolForEspeak(kriol))).toBe(
      "di: pr'Inta n'oU di: w'Erk 'I kj'A:n r'i:d 'aUt l'aUd",
    );
  });

  it('turns the Belize Kriol Project letter groups into their sounds', () => {
    expect(kriolWordPhonemes('staat')).toBe("st'A:t");
    expect(kriolWordPhonemes('foan')).toBe("f'oUn");
    expect(kriolWordPhonemes('klier')).toBe("kl'i@r");
    expect(kriolWordPhonemes('chaynj')).toBe("tS'eIndZ");
    expect(kriolWordPhonemes('langwij')).toBe("l'aNwIdZ");
    expect(kriolWordPhonemes('deh')).toBe("d'eI");
    expect(kriolWordPhonemes('dehn')).toBe('dEn');
    expect(kriolWordPhonemes('yu')).toBe('ju:');
    expect(kriolWordPhonemes('kyaahn')).toBe("kj'A:n");
  });

  it('leaves numbers, abbreviations and punctuation to the voice', () => {
    expect(kriolForEspeak('Yu waahn wahn SMS? 7 tu 15.')).toBe(
      "[[ju:]] [[w'A:n]] [[w'an]] SMS? 7 [[tu:]] 15.",
    );
  });
});
