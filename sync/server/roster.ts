import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { hashOfficerPin } from '../client/officer-pin';
import { officerRosterSchema } from '../protocol/officer-roster';
import type { OfficerRosterEntry } from '../protocol/officer-roster';

/**
 * The officer roster file (`--roster <file>`): `{ "officers": [ … ] }`, one entry per officer
 * with a PBKDF2 PIN hash (officer-pin.ts). It is read on every config request, so officers
 * added with `officer add` reach kiosks at their next config check without a restart.
 */
const rosterFileSchema = z.object({ officers: officerRosterSchema }).strict();

export function readRosterFile(file: string): OfficerRosterEntry[] {
  if (!existsSync(file)) return [];
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8')) as unknown;
  } catch {
    throw new Error(`roster ${file} is not JSON`);
  }
  const parsed = rosterFileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`roster ${file}: ${issue?.path.join('.') || 'file'}: ${issue?.message ?? ''}`);
  }
  return parsed.data.officers;
}

/**
 * What the gateway says at start about its roster: `undefined` when the file lists at least one
 * active officer, otherwise one line saying why no officer can sign in at any kiosk and the
 * command that adds one. Throws (like `readRosterFile`) when the file is broken.
 */
export function rosterStartWarning(file: string | undefined): string | undefined {
  const add = (roster: string): string =>
    `add one with: npm run gateway -- officer add --roster ${roster} --id <8 digits> --name <name> --pin <digits>`;
  if (file === undefined) {
    return `no --roster given: kiosks receive an empty officer list and no officer can sign in; ${add('<file>')}, then start with --roster <file>`;
  }
  if (!existsSync(file)) {
    return `roster ${file} does not exist: kiosks receive an empty officer list and no officer can sign in; ${add(file)}`;
  }
  const officers = readRosterFile(file);
  if (officers.length === 0) {
    return `roster ${file} lists no officers: no officer can sign in at any kiosk; ${add(file)}`;
  }
  if (!officers.some((o) => o.active)) {
    return `roster ${file} lists only inactive officers: no officer can sign in at any kiosk; ${add(file)}`;
  }
  return undefined;
}

function writeRosterFile(file: string, officers: OfficerRosterEntry[]): void {
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, `${JSON.stringify({ officers }, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, file);
}

/** Adds an officer, or replaces the entry with the same id (a new PIN or card). */
export async function addOfficer(
  file: string,
  input: { officerId: string; name: string; pin: string; cardId?: string; sites?: string[] },
  options: { iterations?: number } = {},
): Promise<OfficerRosterEntry> {
  const entry = officerRosterSchema.element.parse({
    officerId: input.officerId,
    name: input.name,
    ...(input.cardId ? { cardId: input.cardId } : {}),
    pinHash: await hashOfficerPin(input.pin, { iterations: options.iterations }),
    ...(input.sites && input.sites.length > 0 ? { sites: input.sites } : {}),
    active: true,
  });
  const officers = readRosterFile(file).filter((o) => o.officerId !== entry.officerId);
  officers.push(entry);
  officers.sort((a, b) => a.officerId.localeCompare(b.officerId));
  writeRosterFile(file, officers);
  return entry;
}

/** Marks an officer inactive (kept for the record; kiosks refuse the sign-in). */
export function deactivateOfficer(file: string, officerId: string): boolean {
  const officers = readRosterFile(file);
  const entry = officers.find((o) => o.officerId === officerId);
  if (!entry) return false;
  entry.active = false;
  writeRosterFile(file, officers);
  return true;
}
