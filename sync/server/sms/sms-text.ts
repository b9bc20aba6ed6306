import smpp from 'smpp';

/** GSM 03.38 characters that take two septets (an escape and the character). */
const GSM_EXTENSION = /[\^{}\\[~\]|€\f]/g;

/** How a text goes over SMPP: its data_coding, and how many SMS segments it fills. */
export interface SmsEncoding {
  /** 0: the SMSC's default alphabet, GSM 03.38 (7-bit); 8: UCS-2 (16-bit). */
  dataCoding: 0 | 8;
  /** Septets (GSM) or UTF-16 code units (UCS-2). */
  units: number;
  /** 1 when it fits one SMS (160 GSM septets, 70 UCS-2 units); else 153 / 67 per part. */
  segments: number;
}

/**
 * Chooses the encoding of a message: GSM 03.38 when every character is in it (checked by the
 * `smpp` package's own GSM table), else UCS-2 (Setswana's š, Spanish á í ó ú are not in
 * GSM 03.38). Latin-1 (data_coding 3) is never used: many handsets show it wrongly.
 * Segment sizes are 3GPP TS 23.040's: 160/153 septets or 70/67 UCS-2 characters.
 */
export function smsEncoding(text: string): SmsEncoding {
  if (smpp.encodings.ASCII.match(text)) {
    const units = text.length + (text.match(GSM_EXTENSION)?.length ?? 0);
    return { dataCoding: 0, units, segments: units <= 160 ? 1 : Math.ceil(units / 153) };
  }
  const units = text.length;
  return { dataCoding: 8, units, segments: units <= 70 ? 1 : Math.ceil(units / 67) };
}

/**
 * The submit_sm fields that carry `text`: `short_message` when it fits one SMS, else the
 * `message_payload` TLV (SMPP v3.4 §5.3.2.32, up to 64 KB), so one submit_sm (one message id,
 * one delivery receipt) carries the whole alert and the SMS centre splits it.
 */
export function messageFields(text: string): Record<string, string | number | Buffer> {
  const encoding = smsEncoding(text);
  const body = encoding.dataCoding === 0 ? text : Buffer.from(utf16be(text));
  return encoding.segments === 1
    ? { data_coding: encoding.dataCoding, short_message: body }
    : { data_coding: encoding.dataCoding, message_payload: body };
}

function utf16be(text: string): Uint8Array {
  const out = new Uint8Array(text.length * 2);
  for (let i = 0; i < text.length; i += 1) {
    const unit = text.charCodeAt(i);
    out[i * 2] = unit >> 8;
    out[i * 2 + 1] = unit & 0xff;
  }
  return out;
}

/** Reads a short_message or message_payload as the `smpp` package hands it over. */
export function messageText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return value.toString('latin1');
  if (value && typeof value === 'object' && 'message' in value) {
    return messageText((value as { message: unknown }).message);
  }
  return '';
}
