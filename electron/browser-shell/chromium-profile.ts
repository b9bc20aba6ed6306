import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/**
 * Preferences written into the kiosk's own Chromium profile (`<profile>/Default/Preferences`)
 * before every start. They hold even where the managed policy cannot be installed (no root),
 * and affect no other Chromium on the machine. Names are Chromium's preference paths
 * (chrome/common/pref_names.h and the components' pref_names files):
 * - no password manager, no "Save password?" bubble, no autofill, no translate bar;
 * - no DevTools, no incognito, no printing, no downloads (the page has no use for any);
 * - no zoom kept from an earlier session; a crash is recorded as a clean exit, so Chromium never
 *   offers to "Restore pages" over the kiosk after a power cut or a killed browser.
 */
export const kioskProfilePreferences: JsonObject = {
  credentials_enable_service: false,
  credentials_enable_autosignin: false,
  profile: {
    password_manager_enabled: false,
    password_manager_leak_detection: false,
    exit_type: 'Normal',
    exited_cleanly: true,
    default_content_setting_values: {
      notifications: 2,
      geolocation: 2,
      media_stream_camera: 2,
      media_stream_mic: 2,
      popups: 2,
      automatic_downloads: 2,
      clipboard: 2,
    },
  },
  autofill: { enabled: false, profile_enabled: false, credit_card_enabled: false },
  payments: { can_make_payment_enabled: false },
  translate: { enabled: false },
  browser: {
    enable_spellchecking: false,
    has_seen_welcome_page: true,
    check_default_browser: false,
    show_home_button: false,
  },
  spellcheck: { use_spelling_service: false },
  devtools: { availability: 2 },
  incognito: { mode_availability: 1 },
  printing: { enabled: false },
  download_restrictions: 3,
  download: { prompt_for_download: false },
  bookmark_bar: { show_on_all_tabs: false },
  search: { suggest_enabled: false },
  safebrowsing: { enabled: false },
  alternate_error_pages: { enabled: false },
  // Zoom a person managed to set survives in the profile; start every session at 100 %.
  partition: { per_host_zoom_levels: {}, default_zoom_level: {} },
  session: { restore_on_startup: 5 },
};

/** Browser-wide settings (`<profile>/Local State`): no guest or added profiles, no profile picker. */
export const kioskLocalState: JsonObject = {
  profile: {
    browser_guest_enabled: false,
    add_person_enabled: false,
    picker_availability_on_startup: 1,
  },
  browser: { enabled_labs_experiments: [] },
};

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `ours` written over `theirs`, object by object; everything else Chromium keeps stays. */
export function mergePreferences(theirs: JsonObject, ours: JsonObject): JsonObject {
  const merged: JsonObject = { ...theirs };
  for (const [key, value] of Object.entries(ours)) {
    const existing = merged[key];
    merged[key] =
      isObject(value) && isObject(existing) && Object.keys(value).length > 0
        ? mergePreferences(existing, value)
        : value;
  }
  return merged;
}

function readJson(file: string): JsonObject {
  if (!existsSync(file)) return {};
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Json;
    return isObject(parsed) ? parsed : {};
  } catch {
    // A file Chromium left half-written is replaced: the settings that matter are ours.
    return {};
  }
}

function writeJson(file: string, value: JsonObject): void {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.service-point.tmp`;
  writeFileSync(tmp, JSON.stringify(value), { mode: 0o600 });
  renameSync(tmp, file);
}

/**
 * Writes the kiosk's settings into its Chromium profile. Call before every start of Chromium
 * (never while it runs: it rewrites these files on exit).
 */
export function seedKioskProfile(userDataDir: string): void {
  mkdirSync(userDataDir, { recursive: true, mode: 0o700 });
  const preferences = path.join(userDataDir, 'Default', 'Preferences');
  writeJson(preferences, mergePreferences(readJson(preferences), kioskProfilePreferences));
  const localState = path.join(userDataDir, 'Local State');
  writeJson(localState, mergePreferences(readJson(localState), kioskLocalState));
}
