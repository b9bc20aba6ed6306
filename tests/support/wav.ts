/**
 * Reads a RIFF WAVE file (PCM, 16-bit) as the format defines it (chunks after the 12-byte RIFF
 * header: `fmt ` with the sample layout, `data` with the samples), for tests that check that
 * real sound was produced. Written from the format, not from the code under test.
 */
export interface WavSummary {
  sampleRate: number;
  channels: number;
  bitsPerSample: number;
  /** The sizes written in the header, against the bytes present. */
  riffSize: number;
  dataSize: number;
  dataBytesPresent: number;
  samples: number;
  durationMs: number;
  /** Largest absolute sample, 0..1. */
  peak: number;
  /** Root mean square of the samples, 0..1. */
  rms: number;
}

export function readWav(bytes: Buffer): WavSummary {
  if (bytes.toString('ascii', 0, 4) !== 'RIFF' || bytes.toString('ascii', 8, 12) !== 'WAVE') {
    throw new Error('not a RIFF WAVE file');
  }
  let offset = 12;
  let format:
    { channels: number; sampleRate: number; bitsPerSample: number; tag: number } | undefined;
  while (offset + 8 <= bytes.length) {
    const id = bytes.toString('ascii', offset, offset + 4);
    const size = bytes.readUInt32LE(offset + 4);
    if (id === 'fmt ') {
      format = {
        tag: bytes.readUInt16LE(offset + 8),
        channels: bytes.readUInt16LE(offset + 10),
        sampleRate: bytes.readUInt32LE(offset + 12),
        bitsPerSample: bytes.readUInt16LE(offset + 22),
      };
    }
    if (id === 'data') {
      if (!format || format.tag !== 1 || format.bitsPerSample !== 16) {
        throw new Error('not 16-bit PCM');
      }
      const start = offset + 8;
      const present = bytes.length - start;
      const usable = Math.min(size, present) - (Math.min(size, present) % 2);
      let peak = 0;
      let sum = 0;
      const count = usable / 2;
      for (let i = 0; i < count; i += 1) {
        const v = bytes.readInt16LE(start + i * 2) / 32768;
        peak = Math.max(peak, Math.abs(v));
        sum += v * v;
      }
      return {
        sampleRate: format.sampleRate,
        channels: format.channels,
        bitsPerSample: format.bitsPerSample,
        riffSize: bytes.readUInt32LE(4),
        dataSize: size,
        dataBytesPresent: present,
        samples: count,
        durationMs: Math.round((count / format.channels / format.sampleRate) * 1000),
        peak,
        rms: count ? Math.sqrt(sum / count) : 0,
      };
    }
    offset += 8 + size;
  }
  throw new Error('no data chunk');
}
