import type { ReactElement } from 'react';
import type { ServiceIconName } from '../../kiosk-config/schema';

/**
 * Service icons drawn as inline SVG: kiosks often have no emoji font, and an icon must never
 * turn into an empty box. Simple, high-contrast shapes that read at a glance.
 */
const shapes: Record<ServiceIconName, ReactElement> = {
  certificate: (
    <>
      <rect x="12" y="6" width="40" height="52" rx="4" />
      <path d="M20 18h24M20 26h24M20 34h14" />
      <circle cx="42" cy="46" r="6" />
    </>
  ),
  car: (
    <>
      <path d="M10 40l5-14a6 6 0 0 1 6-4h22a6 6 0 0 1 6 4l5 14" />
      <rect x="8" y="38" width="48" height="12" rx="4" />
      <circle cx="20" cy="52" r="5" />
      <circle cx="44" cy="52" r="5" />
    </>
  ),
  money: (
    <>
      <rect x="6" y="16" width="52" height="32" rx="4" />
      <circle cx="32" cy="32" r="8" />
      <path d="M14 24v16M50 24v16" />
    </>
  ),
  passport: (
    <>
      <rect x="14" y="6" width="36" height="52" rx="4" />
      <circle cx="32" cy="28" r="9" />
      <path d="M23 28h18M32 19c-4 5-4 13 0 18M32 19c4 5 4 13 0 18M22 46h20" />
    </>
  ),
  'id-card': (
    <>
      <rect x="6" y="14" width="52" height="36" rx="4" />
      <circle cx="22" cy="30" r="6" />
      <path d="M13 44c2-5 16-5 18 0M36 26h14M36 34h14" />
    </>
  ),
  family: (
    <>
      <circle cx="22" cy="18" r="7" />
      <circle cx="44" cy="22" r="5" />
      <path d="M8 54c0-12 7-20 14-20s14 8 14 20M34 54c0-9 4-15 10-15s10 6 10 15" />
    </>
  ),
  school: (
    <>
      <path d="M4 26l28-14 28 14-28 14z" />
      <path d="M16 32v12c8 6 24 6 32 0V32M58 28v16" />
    </>
  ),
  building: (
    <>
      <path d="M8 56h48M14 56V20l18-12 18 12v36" />
      <rect x="26" y="40" width="12" height="16" />
      <path d="M22 26h6M36 26h6" />
    </>
  ),
  livestock: (
    <>
      <path d="M14 30c0-8 8-12 18-12s18 4 18 12v10c0 6-8 10-18 10s-18-4-18-10z" />
      <path d="M14 24l-8-6M50 24l8-6M22 54v-6M42 54v-6" />
      <circle cx="25" cy="32" r="2" />
      <circle cx="39" cy="32" r="2" />
    </>
  ),
  briefcase: (
    <>
      <rect x="6" y="20" width="52" height="34" rx="4" />
      <path d="M24 20v-6a4 4 0 0 1 4-4h8a4 4 0 0 1 4 4v6M6 34h52" />
    </>
  ),
  land: (
    <>
      <path d="M6 50l14-24 12 16 8-10 18 18z" />
      <path d="M44 14v14M44 14l10 4-10 4" />
    </>
  ),
  search: (
    <>
      <circle cx="27" cy="27" r="15" />
      <path d="M38 38l16 16" />
    </>
  ),
  message: (
    <>
      <path d="M8 12h48v32H26l-12 10V44H8z" />
      <path d="M18 24h28M18 32h18" />
    </>
  ),
  shield: (
    <>
      <path d="M32 6l22 8v16c0 14-10 22-22 28C20 52 10 44 10 30V14z" />
      <path d="M22 32l7 7 13-14" />
    </>
  ),
};

export function ServiceIcon({ name, size = 64 }: { name: ServiceIconName; size?: number }) {
  return (
    <svg
      className="icon"
      width={size}
      height={size}
      viewBox="0 0 64 64"
      fill="none"
      stroke="currentColor"
      strokeWidth="4"
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden="true"
      focusable="false"
    >
      {shapes[name]}
    </svg>
  );
}
