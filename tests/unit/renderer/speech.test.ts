import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createSpeaker } from '../../../renderer/app/speech';
import { BridgeError } from '../../../sync/bridge/kiosk-bridge';
import type { KioskBridge } from '../../../sync/bridge/kiosk-bridge';
import type { ShellVoice } from '../../../sync/bridge/speech-payloads';

/** A stand-in for the browser's utterance (Node has none). */
class Utterance {
  lang = '';
  rate = 1;
  voice: unknown = null;
  onend: (() => void) | null = null;
  onerror: (() => void) | null = null;
  constructor(readonly text: string) {}
}

const voice = (lang: string, localService = true) =>
  ({ lang, localService, name: lang, voiceURI: lang, default: false }) as SpeechSynthesisVoice;

function fakeSynthesis(voices: SpeechSynthesisVoice[]) {
  const said: Array<{ text: string; lang: string }> = [];
  let speaking: Utterance | undefined;
  const synthesis = {
    getVoices: () => voices,
    speak(utterance: Utterance) {
      said.push({ text: utterance.text, lang: utterance.lang });
      speaking = utterance;
    },
    cancel() {
      const was = speaking;
      speaking = undefined;
      was?.onerror?.();
    },
    addEventListener: () => undefined,
    /** The engine finishes the current utterance. */
    finish() {
      const was = speaking;
      speaking = undefined;
      was?.onend?.();
    },
  };
  return { synthesis, said };
}

function fakeBridge(voices: ShellVoice[], speak?: (request: unknown) => Promise<unknown>) {
  const requests: Array<{ language: string; text: string }> = [];
  const bridge = {
    invoke: vi.fn(async (channel: string, request?: unknown) => {
      if (channel === 'speech:voices') return { voices };
      if (channel === 'speech:speak') {
        requests.push(request as { language: string; text: string });
        if (speak) return speak(request);
        return { voice: voices[0], wav: 'UklGRg==', durationMs: 10 };
      }
      throw new BridgeError('unknown-channel', channel);
    }),
    on: () => () => undefined,
  } as unknown as KioskBridge;
  return { bridge, requests };
}

/** Web Audio that decodes anything and ends a clip when told. */
function fakeAudio() {
  const started: string[] = [];
  const sources: Array<{ onended: (() => void) | null; stop: () => void }> = [];
  const context = {
    state: 'running',
    destination: {},
    resume: async () => undefined,
    decodeAudioData: async () => ({}),
    createBufferSource() {
      const source = {
        buffer: null,
        onended: null as (() => void) | null,
        connect: () => undefined,
        start: () => started.push('start'),
        stop: () => source.onended?.(),
      };
      sources.push(source);
      return source;
    },
  };
  return { create: () => context as unknown as AudioContext, started, sources };
}

const tnVoice: ShellVoice = { language: 'tn', engine: 'espeak-ng', voice: 'tn', fit: 'native' };
const bzjVoice: ShellVoice = {
  language: 'bzj',
  engine: 'espeak-ng',
  voice: 'en-029',
  fit: 'approximate',
};
const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

beforeEach(() => {
  vi.stubGlobal('SpeechSynthesisUtterance', Utterance);
  vi.stubGlobal('atob', (s: string) => Buffer.from(s, 'base64').toString('binary'));
});
afterEach(() => vi.unstubAllGlobals());

describe('the speaker', () => {
  it('uses an offline browser voice where there is one, the shell where not, and never an English voice for Kriol', async () => {
    const { synthesis } = fakeSynthesis([voice('es-MX'), voice('en-US'), voice('tn-ZA', false)]);
    const { bridge } = fakeBridge([tnVoice, bzjVoice]);
    const speaker = createSpeaker(bridge, { synthesis: synthesis as unknown as SpeechSynthesis });
    await flush();
    expect(speaker.route('es')).toMatchObject({ kind: 'browser' });
    expect(speaker.route('en')).toMatchObject({ kind: 'browser' });
    // A network voice (localService false) cannot speak offline: the shell speaks Setswana.
    expect(speaker.route('tn')).toEqual({ kind: 'shell', voice: tnVoice });
    expect(speaker.route('bzj')).toEqual({ kind: 'shell', voice: bzjVoice });
  });

  it('says a language cannot be spoken when neither the browser nor the shell has a voice', async () => {
    const { synthesis } = fakeSynthesis([]);
    const { bridge } = fakeBridge([]);
    const speaker = createSpeaker(bridge, { synthesis: synthesis as unknown as SpeechSynthesis });
    expect(speaker.route('tn')).toEqual({ kind: 'pending' });
    const changed = vi.fn();
    speaker.subscribe(changed);
    await flush();
    expect(speaker.route('tn')).toEqual({ kind: 'none' });
    expect(changed).toHaveBeenCalled();
  });

  it('queues what waits its turn and drops it all on an interruption', async () => {
    const { synthesis, said } = fakeSynthesis([voice('en-GB')]);
    const { bridge } = fakeBridge([]);
    const speaker = createSpeaker(bridge, { synthesis: synthesis as unknown as SpeechSynthesis });
    speaker.say('en', 'First prompt', 'interrupt');
    speaker.say('en', 'A status line', 'queue');
    await flush();
    expect(said.map((u) => u.text)).toEqual(['First prompt']);
    synthesis.finish();
    await flush();
    expect(said.map((u) => u.text)).toEqual(['First prompt', 'A status line']);
    speaker.say('en', 'Waiting', 'queue');
    speaker.say('en', 'Are you still there?', 'interrupt');
    await flush();
    synthesis.finish();
    await flush();
    expect(said.map((u) => u.text)).toEqual([
      'First prompt',
      'A status line',
      'Are you still there?',
    ]);
  });

  it('plays the shell clip for a language the browser lacks, and drops a clip that arrives after a cancel', async () => {
    let answer: (value: unknown) => void = () => undefined;
    const { bridge, requests } = fakeBridge(
      [tnVoice],
      () =>
        new Promise((resolve) => {
          answer = resolve;
        }),
    );
    const audio = fakeAudio();
    const speaker = createSpeaker(bridge, { createAudioContext: audio.create });
    await flush();
    speaker.say('tn', 'Dumela', 'interrupt');
    await flush();
    expect(requests).toEqual([{ language: 'tn', text: 'Dumela', rate: 0.9 }]);
    speaker.cancel();
    answer({ voice: tnVoice, wav: 'UklGRg==', durationMs: 10 });
    await flush();
    await flush();
    expect(audio.started).toEqual([]);

    speaker.say('tn', 'Ke a leboga', 'interrupt');
    await flush();
    answer({ voice: tnVoice, wav: 'UklGRg==', durationMs: 10 });
    await flush();
    await flush();
    expect(audio.started).toEqual(['start']);
  });

  it('stops offering a language the shell turns out not to speak, and tells whoever listens', async () => {
    const { bridge } = fakeBridge([tnVoice], async () => {
      throw new BridgeError('unavailable', 'no offline voice for tn');
    });
    const speaker = createSpeaker(bridge, { createAudioContext: fakeAudio().create });
    await flush();
    const changed = vi.fn();
    speaker.subscribe(changed);
    speaker.say('tn', 'Dumela', 'interrupt');
    await flush();
    await flush();
    expect(speaker.route('tn')).toEqual({ kind: 'none' });
    expect(changed).toHaveBeenCalled();
  });
});
