import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { LocalSmsc } from './local-smsc';
import type { SmscConfig } from './smpp-link';

/** The environment variable the SMSC password may come from (instead of a file). */
export const SMSC_PASSWORD_ENV = 'SERVICE_POINT_SMSC_PASSWORD';

const smscConfigSchema = z
  .object({
    url: z
      .string()
      .url()
      .refine((url) => /^s?smpp:\/\//.test(url), 'must be smpp://host:port or ssmpp://host:port'),
    systemId: z.string().min(1).max(15, 'SMPP allows a system_id of at most 15 characters'),
    password: z.string().min(1).max(8, 'SMPP v3.4 allows a password of at most 8 characters'),
    systemType: z.string().max(12).optional(),
    sourceAddr: z
      .string()
      .regex(
        /^(?:\+?\d{3,15}|[A-Za-z0-9 ]{1,11})$/,
        'a short code or number (digits) or a name of at most 11 letters and digits',
      ),
    ratePerSecond: z.number().positive().max(1000),
    submitTimeoutMs: z.number().int().min(1000).max(120_000).optional(),
    tlsCa: z.string().optional(),
  })
  .strict();

/** The SMS options of `npm run gateway` (see its --help). */
export interface SmsCliValues {
  smsc?: string;
  'smsc-system-id'?: string;
  'smsc-password-file'?: string;
  'smsc-ca'?: string;
  'sms-source'?: string;
  'sms-rate'?: string;
  'sms-off'?: boolean;
}

export const smsHelp = `  --smsc <url>               send SMS alerts through this SMS centre over SMPP v3.4:
                             smpp://host:port, or ssmpp://host:port for SMPP over TLS
  --smsc-system-id <id>      the SMPP system_id (account) the SMSC gave this gateway
  --smsc-password-file <f>   its SMPP password, first line of the file (or the environment
                             variable ${SMSC_PASSWORD_ENV})
  --smsc-ca <file>           with ssmpp://: the CA certificate (PEM) the SMSC's is signed by,
                             when it is not a public one
  --sms-source <addr>        the sender citizens see: a short code or number, or a name of at
                             most 11 letters (default ServicePt)
  --sms-rate <n>             messages per second this process sends, at most (default 10)
  --sms-off                  send no SMS alerts. Without --smsc or --sms-off the gateway starts
                             a local SMS centre in its own process (the demo: no phone gets
                             anything; each message is written to <data>/sms-outbox.jsonl)
`;

/**
 * The SMSC settings from the command line and environment: `real` with --smsc, `demo` (the
 * local SMS centre) without it, undefined with --sms-off. Throws a message naming the option
 * when one is wrong.
 */
export function smscConfigFrom(
  values: SmsCliValues,
  env: NodeJS.ProcessEnv = process.env,
):
  | { mode: 'real'; config: SmscConfig }
  | { mode: 'demo'; settings: Pick<SmscConfig, 'sourceAddr' | 'ratePerSecond'> }
  | undefined {
  if (values['sms-off']) return undefined;
  const rate = Number(values['sms-rate'] ?? '10');
  const common = {
    sourceAddr: values['sms-source'] ?? 'ServicePt',
    ratePerSecond: rate,
  };
  if (!Number.isFinite(rate) || rate <= 0) throw new Error('--sms-rate: must be a number above 0');
  if (!values.smsc) return { mode: 'demo', settings: common };
  const passwordFile = values['smsc-password-file'];
  const password = passwordFile
    ? (readFileSync(passwordFile, 'utf8').split(/\r?\n/)[0] ?? '')
    : env[SMSC_PASSWORD_ENV];
  if (!password) {
    throw new Error(`--smsc needs --smsc-password-file <file> or ${SMSC_PASSWORD_ENV}`);
  }
  const parsed = smscConfigSchema.safeParse({
    url: values.smsc,
    systemId: values['smsc-system-id'] ?? '',
    password,
    ...common,
    ...(values['smsc-ca'] ? { tlsCa: readFileSync(values['smsc-ca'], 'utf8') } : {}),
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const option: Record<string, string> = {
      url: '--smsc',
      systemId: '--smsc-system-id',
      password: 'the SMSC password',
      sourceAddr: '--sms-source',
      ratePerSecond: '--sms-rate',
    };
    throw new Error(
      `${option[String(issue?.path[0])] ?? String(issue?.path[0])}: ${issue?.message ?? 'invalid'}`,
    );
  }
  return { mode: 'real', config: parsed.data };
}

/**
 * The demo's SMS centre: a LocalSmsc on 127.0.0.1 that writes each message it gets to
 * `<dir>/sms-outbox.jsonl`, and the SMSC settings that reach it.
 */
export async function startDemoSmsc(
  dir: string,
  settings: Pick<SmscConfig, 'sourceAddr' | 'ratePerSecond'>,
  port = 0,
): Promise<{ smsc: LocalSmsc; config: SmscConfig; logFile: string }> {
  const logFile = path.join(dir, 'sms-outbox.jsonl');
  const smsc = new LocalSmsc({
    systemId: 'gateway',
    password: 'demo',
    logFile,
    receiptDelayMs: 1_000,
    port,
  });
  await smsc.start();
  return {
    smsc,
    logFile,
    config: { ...settings, url: smsc.url, systemId: 'gateway', password: 'demo' },
  };
}
