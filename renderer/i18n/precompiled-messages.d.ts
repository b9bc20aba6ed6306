/**
 * A translations table imported with `?icu` (renderer/i18n/translator.ts): in the page's build
 * each message is its parsed ICU syntax tree (renderer/vite.config.ts, precompiledMessages);
 * elsewhere (unit tests) the plain table, its sources still text. The translator reads either
 * as a MessageTable (kiosk-config/message-format.ts).
 */
declare module '*.json?icu' {
  const table: Record<string, unknown>;
  export default table;
}
