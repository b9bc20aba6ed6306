import { existsSync } from 'node:fs';
import path from 'node:path';
import { DeviceError } from '../device-runtime';

export interface ReceiptFonts {
  regular: string;
  bold: string;
  mono: string;
}

/** Where Debian (fonts-dejavu-core), Fedora and Arch put DejaVu. */
export const dejaVuDirectories = [
  '/usr/share/fonts/truetype/dejavu',
  '/usr/share/fonts/dejavu-sans-fonts',
  '/usr/share/fonts/dejavu',
  '/usr/share/fonts/TTF',
];

/**
 * Finds the DejaVu fonts at run time. They cover Latin Extended (Spanish ñ ¿, Setswana š ê ô),
 * and pdfkit embeds the subset used, so the PDF reads the same on any machine. `fontDir` (or
 * `SERVICE_POINT_FONT_DIR`) is tried first.
 */
export function findReceiptFonts(
  fontDir?: string,
  searchDirs: readonly string[] = dejaVuDirectories,
): ReceiptFonts {
  const candidates = [fontDir, process.env.SERVICE_POINT_FONT_DIR, ...searchDirs].filter(
    (dir): dir is string => typeof dir === 'string' && dir.length > 0,
  );
  for (const dir of candidates) {
    const fonts = {
      regular: path.join(dir, 'DejaVuSans.ttf'),
      bold: path.join(dir, 'DejaVuSans-Bold.ttf'),
      mono: path.join(dir, 'DejaVuSansMono.ttf'),
    };
    if (Object.values(fonts).every((file) => existsSync(file))) return fonts;
  }
  throw new DeviceError(
    'fonts-missing',
    `Receipt PDFs need the DejaVu fonts (DejaVuSans.ttf, DejaVuSans-Bold.ttf, DejaVuSansMono.ttf); ` +
      `none found in ${candidates.join(', ')}. Install them with: apt-get install fonts-dejavu-core`,
  );
}
