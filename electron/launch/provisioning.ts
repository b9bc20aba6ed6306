import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  httpsRequiredMessage,
  isAllowedKioskUrl,
  isLoopbackUrl,
} from '../../kiosk-config/gateway-url';
import { enrolmentFileSchema } from '../../sync/protocol/enrolment-file';
import type { EnrolmentFile } from '../../sync/protocol/enrolment-file';
import type { SiteConfig } from '../../kiosk-config/schema';
import { LaunchError } from './launch-error';

/** Where this kiosk's gateway is and how it enrols there, as `npm start` resolved it. */
export type Provisioning =
  | {
      kind: 'embedded';
      /** The URL the embedded reference gateway listens on and the page talks to. */
      gatewayUrl: string;
      host: string;
      port: number;
      /** The roster file the site names, to copy into the gateway's data on first start. */
      rosterTemplate?: string;
    }
  | {
      kind: 'remote';
      gatewayUrl: string;
      /** Absent when the site names no enrolment file, or it is not there (see `warnings`). */
      enrolmentToken?: string;
      enrolmentFile?: string;
      /** Said at start-up, not fatal: an enrolled kiosk needs no token. */
      warnings: string[];
    };

/** Same origin and path, ignoring a trailing slash: `https://gw.example/` equals `https://gw.example`. */
function sameGateway(a: string, b: string): boolean {
  const norm = (url: string): string => {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname.replace(/\/+$/, '')}`;
  };
  return norm(a) === norm(b);
}

/** Reads and checks an enrolment file; throws a LaunchError naming the file and the field. */
export function readEnrolmentFile(file: string): EnrolmentFile {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new LaunchError(
      code
        ? `enrolment file ${file} cannot be read (${code})`
        : `enrolment file ${file} is not JSON (${(error as Error).message})`,
    );
  }
  const parsed = enrolmentFileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new LaunchError(
      `enrolment file ${file}: ${issue?.path.join('.') || '(top level)'}: ${issue?.message ?? 'invalid'}`,
    );
  }
  return parsed.data;
}

/**
 * Decides which gateway the kiosk uses. The site's `gatewayUrl` (or `SERVICE_POINT_GATEWAY_URL`,
 * for a second kiosk or gateway on one machine) names it; a site with `embeddedGateway` runs the
 * reference gateway there itself (demo), any other starts none and enrols with the token in its
 * `enrolmentFile`, which must be for this kiosk and this gateway.
 */
export function resolveProvisioning(input: {
  site: SiteConfig;
  siteFile: string;
  env?: NodeJS.ProcessEnv;
}): Provisioning {
  const { site } = input;
  const env = input.env ?? process.env;
  const override = env.SERVICE_POINT_GATEWAY_URL;
  if (override !== undefined && !isAllowedKioskUrl(override)) {
    throw new LaunchError(`SERVICE_POINT_GATEWAY_URL "${override}" ${httpsRequiredMessage}`);
  }
  const gatewayUrl = override ?? site.gatewayUrl;
  const siteDir = path.dirname(input.siteFile);

  if (site.embeddedGateway) {
    if (!isLoopbackUrl(gatewayUrl)) {
      throw new LaunchError(
        `${input.siteFile} runs an embedded gateway, which listens on this machine only: ` +
          `the gateway URL must be on 127.0.0.1, not ${gatewayUrl}`,
      );
    }
    const url = new URL(gatewayUrl);
    const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
    return {
      kind: 'embedded',
      gatewayUrl: url.origin,
      host: url.hostname === 'localhost' ? '127.0.0.1' : url.hostname.replace(/^\[|\]$/g, ''),
      port,
      ...(site.embeddedGateway.roster
        ? { rosterTemplate: path.resolve(siteDir, site.embeddedGateway.roster) }
        : {}),
    };
  }

  const warnings: string[] = [];
  if (!site.enrolmentFile) {
    warnings.push(
      `${input.siteFile} names no enrolmentFile: this kiosk can sync only if it ` +
        'enrolled at the gateway before (ask the administrator for an enrolment file)',
    );
    return { kind: 'remote', gatewayUrl, warnings };
  }
  const enrolmentFile = path.resolve(siteDir, site.enrolmentFile);
  if (!existsSync(enrolmentFile)) {
    warnings.push(
      `enrolment file ${enrolmentFile} is not there: a kiosk that has not enrolled yet cannot ` +
        'sync until it is (a kiosk that has enrolled no longer needs it)',
    );
    return { kind: 'remote', gatewayUrl, enrolmentFile, warnings };
  }
  const enrolment = readEnrolmentFile(enrolmentFile);
  if (enrolment.kioskId !== site.kioskId) {
    throw new LaunchError(
      `enrolment file ${enrolmentFile} is for kiosk "${enrolment.kioskId}", but this site is "${site.kioskId}"`,
    );
  }
  if (!sameGateway(enrolment.gatewayUrl, gatewayUrl)) {
    throw new LaunchError(
      `enrolment file ${enrolmentFile} is for the gateway ${enrolment.gatewayUrl}, but this kiosk ` +
        `is set to use ${gatewayUrl}`,
    );
  }
  return {
    kind: 'remote',
    gatewayUrl,
    enrolmentToken: enrolment.token,
    enrolmentFile,
    warnings,
  };
}
