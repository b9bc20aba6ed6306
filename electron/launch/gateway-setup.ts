import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { readRosterFile } from '../../sync/server/roster';

/** The embedded gateway's files, ready before its code is loaded. */
export interface EmbeddedGatewayFiles {
  /** The gateway's data folder (SQLite file, roster). */
  dir: string;
  /** The roster file it serves. */
  rosterFile: string;
  /** The kiosk's one-time enrolment token (kept in the kiosk's data folder). */
  enrolmentToken: string;
}

function readOrCreateToken(file: string): string {
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const token = randomBytes(24).toString('base64url');
  writeFileSync(file, token, { mode: 0o600 });
  return token;
}

/**
 * The light half of the embedded gateway's start (electron/launch/embedded-gateway.ts is the
 * heavy half): its folder under `<dataDir>/gateway`, the site's demo roster copied there on
 * first start (so changes made with `officer add` stay out of the repository) and checked, and
 * this kiosk's enrolment token. `npm start` runs it before it opens the kiosk window, so a broken
 * roster stops the start with its reason before anything is shown. Idempotent.
 */
export function prepareEmbeddedGateway(options: {
  dataDir: string;
  rosterTemplate?: string;
}): EmbeddedGatewayFiles {
  const dir = path.join(options.dataDir, 'gateway');
  mkdirSync(dir, { recursive: true });
  const rosterFile = path.join(dir, 'roster.json');
  if (!existsSync(rosterFile) && options.rosterTemplate) {
    copyFileSync(options.rosterTemplate, rosterFile);
  }
  // A broken roster stops the start with its reason, not the first kiosk's config request.
  readRosterFile(rosterFile);
  const enrolmentToken = readOrCreateToken(path.join(options.dataDir, 'enrolment-token'));
  return { dir, rosterFile, enrolmentToken };
}
