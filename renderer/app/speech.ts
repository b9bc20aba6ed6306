import type { LanguageCode } from '../../kiosk-config/schema';
import type { KioskBridge } from '../../sync/bridge/kiosk-bridge';
import { BridgeError } from '../../sync/bridge/kiosk-bridge';
import type { ShellVoice } from '../../sync/bridge/speech-payloads';
import { MAX_SPOKEN_CHARS } from '../../sync/bridge/speech-payloads';

/**
 * How the kiosk speaks a language: with the browser's own voice where it has an offline
 * (`localService`) voice for that language, otherwise by asking the shell over the bridge
 * (`speech:speak`, spoken by espeak-ng), otherwise not at all, which the citizen is told.
 * Kriol never goes to a browser voice: an English voice reading Kriol spelling as English is
 * what this replaces.
 */
export type SpeechRoute =
  | { kind: 'browser'; voice: SpeechSynthesisVoice }
  | { kind: 'shell'; voice: ShellVoice }
  | { kind: 'none' }
  /** The shell has not said yet what it can speak. */
  | { kind: 'pending' };

export type SayMode = 'interrupt' | 'queue';

export interface Speaker {
  route(language: LanguageCode): SpeechRoute;
  /**
   * Says `text` in `language`. `interrupt` stops what is being said and forgets what was
   * waiting; `queue` waits its turn. Never throws and never waits: the screen goes on.
   */
  say(language: LanguageCode, text: string, mode: SayMode): void;
  /** Stops speaking and forgets what was waiting (session end, Read aloud off). */
  cancel(): void;
  /** Calls `listener` when what can be spoken changes (voices found, an engine gone). */
  subscribe(listener: () => void): () => void;
}

/** What the speaker uses of the page; tests give their own. */
export interface SpeechEnvironment {
  synthesis?: SpeechSynthesis;
  createAudioContext?: () => AudioContext;
  /** Speaking rate: 1 is each engine's normal pace; first-time users get a little slower. */
  rate?: number;
}

/** How long to wait for the shell's list of voices before a language is said to be unspeakable. */
const SHELL_VOICES_TIMEOUT_MS = 4_000;

const primaryTag = (lang: string): string => lang.toLowerCase().split(/[-_]/)[0] ?? '';

function browserVoice(
  synthesis: SpeechSynthesis | undefined,
  language: LanguageCode,
): SpeechSynthesisVoice | undefined {
  if (!synthesis || language === 'bzj') return undefined;
  const voices = synthesis.getVoices().filter((voice) => voice.localService);
  return voices.find((voice) => primaryTag(voice.lang) === language);
}

function decodeBase64(base64: string): ArrayBuffer {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
  return bytes.buffer;
}

/** One thing being said; `stop` ends it, `done` resolves when it ended either way. */
interface Playing {
  stop(): void;
  done: Promise<void>;
}

export function createSpeaker(bridge: KioskBridge, environment: SpeechEnvironment = {}): Speaker {
  const synthesis =
    environment.synthesis ?? (typeof speechSynthesis === 'undefined' ? undefined : speechSynthesis);
  const makeContext =
    environment.createAudioContext ??
    (typeof AudioContext === 'undefined' ? undefined : () => new AudioContext());
  const rate = environment.rate ?? 0.9;
  const listeners = new Set<() => void>();
  const notify = (): void => {
    for (const listener of listeners) listener();
  };

  let shellVoices: ShellVoice[] | undefined;
  const refused = new Set<LanguageCode>();
  const shellReady = new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      shellVoices ??= [];
      resolve();
      notify();
    }, SHELL_VOICES_TIMEOUT_MS);
    void bridge
      .invoke('speech:voices')
      .then((reply) => reply.voices)
      .catch(() => [])
      .then((voices) => {
        clearTimeout(timer);
        shellVoices = voices;
        resolve();
        notify();
      });
  });
  synthesis?.addEventListener?.('voiceschanged', notify);

  const route = (language: LanguageCode): SpeechRoute => {
    const own = browserVoice(synthesis, language);
    if (own) return { kind: 'browser', voice: own };
    if (shellVoices === undefined) return { kind: 'pending' };
    const voice = refused.has(language)
      ? undefined
      : shellVoices.find((candidate) => candidate.language === language);
    return voice ? { kind: 'shell', voice } : { kind: 'none' };
  };

  let context: AudioContext | undefined;
  const audio = (): AudioContext | undefined => {
    if (!makeContext) return undefined;
    context ??= makeContext();
    // A page may only start sound after a touch; every session starts with one.
    if (context.state === 'suspended') void context.resume().catch(() => undefined);
    return context;
  };
  // Resumed on a touch or key, so a later prompt (the idle warning) is heard without one.
  if (typeof window !== 'undefined') {
    const wake = (): void => {
      if (context?.state === 'suspended') void context.resume().catch(() => undefined);
    };
    window.addEventListener('pointerdown', wake, true);
    window.addEventListener('keydown', wake, true);
  }

  const speakInBrowser = (voice: SpeechSynthesisVoice, text: string): Playing => {
    const utterance = new SpeechSynthesisUtterance(text);
    utterance.lang = voice.lang;
    try {
      utterance.voice = voice;
    } catch {
      // Not a voice object this engine made (a test double): the language tag still picks it.
    }
    utterance.rate = rate;
    const done = new Promise<void>((resolve) => {
      utterance.onend = () => resolve();
      utterance.onerror = () => resolve();
    });
    synthesis?.speak(utterance);
    return { stop: () => synthesis?.cancel(), done };
  };

  const speakThroughShell = (language: LanguageCode, text: string): Playing => {
    let stopped = false;
    let source: AudioBufferSourceNode | undefined;
    let finish: () => void = () => undefined;
    const done = new Promise<void>((resolve) => {
      finish = resolve;
    });
    void bridge
      .invoke('speech:speak', { language, text: text.slice(0, MAX_SPOKEN_CHARS), rate })
      .then(async (clip) => {
        const ctx = audio();
        if (stopped || !ctx) return finish();
        const buffer = await ctx.decodeAudioData(decodeBase64(clip.wav));
        if (stopped) return finish();
        source = ctx.createBufferSource();
        source.buffer = buffer;
        source.connect(ctx.destination);
        source.onended = () => finish();
        source.start();
        return undefined;
      })
      .catch((error: unknown) => {
        // The shell has no voice for it after all: the citizen is told, once, on screen.
        if (
          error instanceof BridgeError &&
          error.code === 'unavailable' &&
          !refused.has(language)
        ) {
          refused.add(language);
          notify();
        }
        finish();
      });
    return {
      stop: () => {
        stopped = true;
        try {
          source?.stop();
        } catch {
          // Not started yet, or already ended.
        }
        finish();
      },
      done,
    };
  };

  const waiting: Array<{ language: LanguageCode; text: string }> = [];
  let current: Playing | undefined;
  let generation = 0;

  const pump = async (): Promise<void> => {
    if (current) return;
    const next = waiting.shift();
    if (!next) return;
    const mine = generation;
    // Hold the turn while the shell says what it can speak, so nothing else starts meanwhile.
    current = { stop: () => undefined, done: shellReady };
    if (route(next.language).kind === 'pending') await shellReady;
    if (mine !== generation) return;
    const how = route(next.language);
    let playing: Playing;
    if (how.kind === 'browser') playing = speakInBrowser(how.voice, next.text);
    else if (how.kind === 'shell') playing = speakThroughShell(next.language, next.text);
    else playing = { stop: () => undefined, done: Promise.resolve() };
    current = playing;
    // An engine that never says it has finished (a known speechSynthesis fault) cannot hold the
    // queue for ever: a generous bound from the text's length.
    let guard: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      playing.done,
      new Promise<void>((resolve) => {
        guard = setTimeout(resolve, 5_000 + 200 * next.text.length);
      }),
    ]);
    clearTimeout(guard);
    if (current === playing) {
      current = undefined;
      void pump();
    }
  };

  const stopAll = (): void => {
    generation += 1;
    waiting.length = 0;
    const playing = current;
    current = undefined;
    playing?.stop();
  };

  return {
    route,
    say(language, text, mode) {
      const words = text.replace(/\s+/g, ' ').trim();
      if (!words) return;
      if (mode === 'interrupt') stopAll();
      waiting.push({ language, text: words });
      void pump();
    },
    cancel: stopAll,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
