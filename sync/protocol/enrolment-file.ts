import { z } from 'zod';
import { httpsRequiredMessage, isAllowedKioskUrl } from '../../kiosk-config/gateway-url';

/**
 * The enrolment file a gateway's administrator issues for one kiosk (`npm run gateway -- enrol`,
 * sync/server/main.ts) and the kiosk's site profile names (`enrolmentFile`): the gateway it is
 * for and the one-time token that registers the kiosk's device key there. JSON, mode 0600:
 * `{ "kioskId": "bz-san-antonio-tc-01", "gatewayUrl": "https://gateway.gov.bz/", "token": "…" }`.
 */
export const enrolmentFileSchema = z
  .object({
    kioskId: z.string().regex(/^[A-Za-z0-9-]{3,64}$/, 'must be 3-64 letters, digits or dashes'),
    gatewayUrl: z.url().refine(isAllowedKioskUrl, httpsRequiredMessage),
    token: z.string().regex(/^[A-Za-z0-9_-]{16,200}$/, 'must be 16-200 base64url characters'),
  })
  .strict();
export type EnrolmentFile = z.infer<typeof enrolmentFileSchema>;
