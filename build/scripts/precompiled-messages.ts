import { readFileSync } from 'node:fs';
import { parse as parseMessage } from '@formatjs/icu-messageformat-parser';
import type { Plugin } from 'vite';
import { messageLocales } from '../../kiosk-config/message-format';
import type { LanguageCode } from '../../kiosk-config/schema';

/**
 * The page's messages parsed at build time: `translations/<language>.json?icu` (what
 * renderer/i18n/translator.ts imports) becomes the same table with each ICU MessageFormat source
 * replaced by its syntax tree, parsed with the options IntlMessageFormat itself would use (the
 * language's locale, kiosk-config/message-format.ts). The page then needs no ICU parser: the
 * page's Vite config aliases it to the parser package's `no-parser` build. A message that does
 * not parse fails the build. The unit tests' config uses it too, so they see what the page sees
 * (there the parser stays, for the messages of the gateway and the shell).
 */
export function precompiledMessages(): Plugin {
  return {
    name: 'service-point-precompiled-messages',
    enforce: 'pre',
    load(id) {
      const match = /\/translations\/(en|es|bzj|tn)\.json\?icu$/.exec(id);
      if (!match) return undefined;
      const file = id.slice(0, -'?icu'.length);
      const language = match[1] as LanguageCode;
      const locale = new Intl.Locale(messageLocales[language]);
      const table = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
      const parsed = Object.fromEntries(
        Object.entries(table).map(([key, source]) => {
          try {
            return [key, parseMessage(source, { locale })];
          } catch (error) {
            throw new Error(`${file}: ${key}: ${(error as Error).message}`);
          }
        }),
      );
      return { code: `export default ${JSON.stringify(parsed)};\n`, moduleType: 'js' };
    },
  };
}
