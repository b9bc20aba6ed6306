import path from 'node:path';
import type { SiteConfig } from '../../kiosk-config/schema';
import { verifyOfficerPin } from '../../sync/client/officer-pin';
import type { OfficerRosterEntry } from '../../sync/protocol/officer-roster';

/**
 * The demo's published PINs. They are demo data, like the demo roster
 * (kiosk-config/sites/demo-roster.json) and the demo site's `operatorPinHash`, which hold only
 * their PBKDF2 hashes: the guide prints a PIN only after checking it against the hash in use, so
 * a PIN changed with `officer add` is never printed wrong.
 */
export const demoOperatorPin = '135792';
export const demoOfficerPins: Readonly<Record<string, string>> = {
  '00012345': '482913',
  '00067890': '735104',
};

export interface SignInGuideInput {
  site: SiteConfig;
  gatewayUrl: string;
  /** The embedded gateway's roster (demo); absent when the gateway is elsewhere. */
  roster?: { file: string; officers: OfficerRosterEntry[] };
  /** Printed only on the start that generated it. */
  newAdminPassword?: string;
  /** Where the simulated card reader is (the operator console can swipe an officer card). */
  simulatedCardReader: boolean;
  /** For tests: PBKDF2 floor when checking the published PINs. */
  minIterations?: number;
}

async function published(
  pin: string | undefined,
  hash: string | undefined,
  minIterations?: number,
): Promise<string | undefined> {
  if (!pin || !hash) return undefined;
  return (await verifyOfficerPin(pin, hash, { minIterations })) ? pin : undefined;
}

/**
 * What `npm start` prints so anyone can try every role: citizen, operator, officer and the fleet
 * dashboard's administrator, with the demo's PINs where they are still the published ones.
 */
export async function signInGuide(input: SignInGuideInput): Promise<string[]> {
  const { site } = input;
  const lines = ['how to sign in:', '  citizen:       touch Start on the kiosk screen'];
  const operatorPin = await published(demoOperatorPin, site.operatorPinHash, input.minIterations);
  const gesture =
    'on the start screen, hold the top-left corner of the screen for 3 seconds (or press Ctrl+Alt+O)';
  if (!site.operatorPinHash) {
    lines.push('  operator:      no operator PIN in this site config: the console is off');
  } else {
    lines.push(
      `  operator:      ${gesture}, then type ${operatorPin ? `PIN ${operatorPin}` : 'the operator PIN'}`,
    );
  }
  const active = input.roster?.officers.filter((officer) => officer.active) ?? [];
  const how =
    site.profile === 'one-stop-centre'
      ? 'tap Officer sign-in, type the officer number'
      : input.simulatedCardReader
        ? 'open the operator console and tap "Swipe officer card" (or swipe a real officer card on the start screen)'
        : 'swipe the officer card on the start screen (or tap Officer sign-in at a counter)';
  if (!input.roster) {
    lines.push(`  officer:       ${how}, then the PIN (officers come from the gateway's roster)`);
  } else if (active.length === 0) {
    lines.push(`  officer:       no officer in ${input.roster.file} yet (see below)`);
  }
  for (const officer of active) {
    const pin = await published(
      demoOfficerPins[officer.officerId],
      officer.pinHash,
      input.minIterations,
    );
    lines.push(
      `  officer:       ${officer.name}, officer ${officer.officerId}` +
        `${officer.cardId ? ` (card ${officer.cardId})` : ''}: ${how}, then ${pin ? `PIN ${pin}` : 'their PIN'}`,
    );
  }
  const admin = `${input.gatewayUrl.replace(/\/$/, '')}/admin`;
  if (input.roster) {
    lines.push(
      input.newAdminPassword
        ? `  administrator: ${admin}, password ${input.newAdminPassword}  (shown only this once: note it; SERVICE_POINT_NEW_ADMIN_PASSWORD=1 npm start makes a new one)`
        : `  administrator: ${admin}, with the password printed at the first start (SERVICE_POINT_NEW_ADMIN_PASSWORD=1 npm start makes a new one)`,
    );
    const roster = path.relative(process.cwd(), input.roster.file) || input.roster.file;
    lines.push(
      `  add an officer: npm run gateway -- officer add --roster ${roster} --id <8 digits> --name "<name>" --pin <digits>`,
      '                 (the kiosk has it within a minute of its next sync, or at once with Sync now)',
    );
  } else {
    lines.push(`  administrator: ${admin} (the gateway's own administrator password)`);
  }
  return lines;
}
