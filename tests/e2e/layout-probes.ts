import type { Page } from '@playwright/test';

/**
 * Measurements taken from the page's own layout (DOM boxes and text ranges), so what a citizen
 * sees is checked rather than what a stylesheet intends. Each probe runs inside the page.
 */

export type ControlProblemKind =
  | 'overflows' // the control's content is wider or taller than its box (scrollWidth/Height)
  | 'spills' // a line of the label's text lies outside the control's border box
  | 'breaks-word' // a word of the label is split over two lines
  | 'off-screen' // the control is cut off at the left or right edge of the viewport
  | 'too-small' // a touch target under 48 × 48 CSS px
  | 'cut' // an empty field's placeholder is wider than the field's text box
  | 'squashed' // a check box or radio that is not a square of at least 24 px
  | 'not-pressable'; // scrolled into view, the control is not what a touch at its centre hits

export interface ControlProblem {
  kind: ControlProblemKind;
  control: string;
  detail: string;
}

/** One line for a report: `overflows button "…": scroll 382×… > client 352×…`. */
export const describeProblem = (p: ControlProblem): string => `${p.kind} ${p.control}: ${p.detail}`;

export interface ControlProbe {
  problems: ControlProblem[];
  /** How many controls were measured. */
  controls: number;
  /** The page scrolls sideways (document wider than the viewport). */
  sideScroll: boolean;
}

/** Every touch control the kiosk draws: buttons, on-screen keys, option cards, boxes. */
export const CONTROL_SELECTOR =
  'button, .hg-button, label.choice, input[type=checkbox], input[type=radio]';

/** Text fields, whose placeholder (the answer's expected shape, e.g. "AAAA-MM-DD") must show whole. */
export const FIELD_SELECTOR = 'input[placeholder]:not([type=checkbox]):not([type=radio])';

/**
 * Measures every visible control: its label stays inside its box (scrollWidth/clientWidth and
 * the text's range rects), no word is split, it is on screen, big enough to touch, and (with
 * `pressable`) a touch at its centre reaches it once it is scrolled into view. Every visible
 * empty text field's placeholder fits its text box (measured in the `::placeholder` font on a
 * canvas, as an input's placeholder has no DOM range): a cut one read "AAAA-MM-DI".
 */
export async function probeControls(
  page: Page,
  options: { pressable?: string; minTarget?: number } = {},
): Promise<ControlProbe> {
  return page.evaluate(
    ({ selector, fields, pressable, minTarget }) => {
      const problems: Array<{ kind: ControlProblemKind; control: string; detail: string }> = [];
      const name = (el: Element): string => {
        const data = Array.from(el.attributes)
          .filter((a) => a.name.startsWith('data-') && a.name !== 'data-skbtnuid')
          .map((a) => `[${a.name}=${a.value}]`)
          .join('');
        const text = (el.textContent ?? '').replace(/\s+/g, ' ').trim().slice(0, 40);
        const label = el.getAttribute('aria-label') ?? '';
        return `${el.tagName.toLowerCase()}${el.className ? `.${String(el.className).trim().split(/\s+/).join('.')}` : ''}${data} "${text || label}"`;
      };
      const round = (n: number): number => Math.round(n * 10) / 10;
      const visible = (el: Element): boolean => {
        const rect = el.getBoundingClientRect();
        if (rect.width === 0 || rect.height === 0) return false;
        const style = getComputedStyle(el);
        return style.visibility !== 'hidden' && style.display !== 'none';
      };
      const controls = Array.from(document.querySelectorAll(selector)).filter(visible);
      const width = document.documentElement.clientWidth;
      for (const el of controls) {
        const box = el.getBoundingClientRect();
        const who = name(el);
        const isBox = el instanceof HTMLInputElement;
        if (isBox) {
          if (box.width < 24 || box.height < 24 || Math.abs(box.width - box.height) > 1) {
            problems.push({
              kind: 'squashed',
              control: who,
              detail: `${round(box.width)}×${round(box.height)}`,
            });
          }
        } else {
          if (el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1) {
            problems.push({
              kind: 'overflows',
              control: who,
              detail: `scroll ${el.scrollWidth}×${el.scrollHeight} > client ${el.clientWidth}×${el.clientHeight}`,
            });
          }
          if (box.width < minTarget - 0.5 || box.height < minTarget - 0.5) {
            problems.push({
              kind: 'too-small',
              control: who,
              detail: `${round(box.width)}×${round(box.height)}`,
            });
          }
          const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
          for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            const text = node.textContent ?? '';
            if (!text.trim()) continue;
            const range = document.createRange();
            range.selectNodeContents(node);
            for (const line of Array.from(range.getClientRects())) {
              if (line.width === 0) continue;
              const out =
                line.left < box.left - 1 ||
                line.right > box.right + 1 ||
                line.top < box.top - 1 ||
                line.bottom > box.bottom + 1;
              if (out) {
                problems.push({
                  kind: 'spills',
                  control: who,
                  detail: `text ${round(line.left)}–${round(line.right)} × ${round(line.top)}–${round(line.bottom)} outside box ${round(box.left)}–${round(box.right)} × ${round(box.top)}–${round(box.bottom)}`,
                });
                break;
              }
            }
            // Words: split only at spaces, hyphens and slashes (where a line may break).
            for (const match of text.matchAll(/[^\s\-–/]+/g)) {
              const word = document.createRange();
              word.setStart(node, match.index);
              word.setEnd(node, match.index + match[0].length);
              const tops = new Set(
                Array.from(word.getClientRects())
                  .filter((r) => r.width > 0)
                  .map((r) => Math.round(r.top)),
              );
              if (tops.size > 1) {
                problems.push({
                  kind: 'breaks-word',
                  control: who,
                  detail: `"${match[0]}" is split over ${tops.size} lines`,
                });
              }
            }
          }
        }
        if (box.left < -1 || box.right > width + 1) {
          problems.push({
            kind: 'off-screen',
            control: who,
            detail: `${round(box.left)}–${round(box.right)} in a ${width} px wide viewport`,
          });
        }
      }
      const canvas = document.createElement('canvas').getContext('2d');
      for (const el of Array.from(document.querySelectorAll<HTMLInputElement>(fields))) {
        if (!visible(el) || el.value !== '' || !el.placeholder || !canvas) continue;
        const field = getComputedStyle(el);
        const hint = getComputedStyle(el, '::placeholder');
        canvas.font = `${hint.fontStyle} ${hint.fontWeight} ${hint.fontSize} ${hint.fontFamily}`;
        const spacing = parseFloat(hint.letterSpacing) || 0;
        const textPx = canvas.measureText(el.placeholder).width + spacing * el.placeholder.length;
        const boxPx =
          el.clientWidth - parseFloat(field.paddingLeft) - parseFloat(field.paddingRight);
        if (textPx > boxPx + 1) {
          problems.push({
            kind: 'cut',
            control: name(el),
            detail: `placeholder "${el.placeholder}" ${round(textPx)} px wide in a ${round(boxPx)} px text box`,
          });
        }
      }
      if (pressable) {
        for (const el of Array.from(document.querySelectorAll(pressable)).filter(visible)) {
          el.scrollIntoView({ block: 'nearest', inline: 'nearest' });
          const box = el.getBoundingClientRect();
          const hit = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
          const inView =
            box.top >= -1 &&
            box.bottom <= innerHeight + 1 &&
            box.left >= -1 &&
            box.right <= innerWidth + 1;
          if (!inView || !hit || !(hit === el || el.contains(hit))) {
            problems.push({
              kind: 'not-pressable',
              control: name(el),
              detail: inView
                ? `a touch at its centre hits ${hit ? name(hit) : 'nothing'}`
                : 'cut off',
            });
          }
        }
        window.scrollTo(0, 0);
      }
      return {
        problems,
        controls: controls.length,
        sideScroll: document.documentElement.scrollWidth > document.documentElement.clientWidth,
      };
    },
    {
      selector: CONTROL_SELECTOR,
      fields: FIELD_SELECTOR,
      pressable: options.pressable ?? '',
      minTarget: options.minTarget ?? 48,
    },
  );
}

/** Waits for two animation frames, so a class or size change has been laid out and painted. */
export async function settle(page: Page): Promise<void> {
  await page.evaluate(
    () =>
      new Promise<void>((resolve) =>
        requestAnimationFrame(() => requestAnimationFrame(() => resolve())),
      ),
  );
}

/** The root font size as a multiple of the normal one (Large text must reach 2). */
export async function rootFontPx(page: Page): Promise<number> {
  return page.evaluate(() => parseFloat(getComputedStyle(document.documentElement).fontSize));
}

export interface ActionsProbe {
  scrollY: number;
  /**
   * Primary actions whose box is not inside the viewport: the screen's own action row (an
   * `.actions` directly in `main` or its form), a lone `.primary` in `main`, a dialog's buttons.
   * Action rows inside a section of a screen (an SMS form, a console panel) are not counted.
   */
  hidden: string[];
}

/** Whether the screen opened unscrolled with its primary actions inside the viewport. */
export async function probePrimaryActions(page: Page): Promise<ActionsProbe> {
  return page.evaluate(() => {
    const hidden: string[] = [];
    const buttons = Array.from(
      document.querySelectorAll<HTMLElement>(
        'main > .actions button, main > form > .actions button, main > button.primary, [role=alertdialog] .actions button',
      ),
    ).filter((el) => el.getBoundingClientRect().width > 0);
    for (const el of buttons) {
      const box = el.getBoundingClientRect();
      if (box.top < 0 || box.bottom > innerHeight || box.left < 0 || box.right > innerWidth) {
        hidden.push(
          `${(el.textContent ?? '').trim()} at ${Math.round(box.top)}–${Math.round(box.bottom)} (viewport ${innerHeight})`,
        );
      }
    }
    return { scrollY: window.scrollY, hidden };
  });
}

export interface FocusRing {
  control: string;
  /** The ring's colour, the colour behind it, and their contrast ratio (WCAG 2.x formula). */
  ring: string;
  behind: string;
  ratio: number;
  widthPx: number;
}

/**
 * The focus ring of every control a Tab reaches on the screen (at most `limit`), in one pass in
 * the page: each is focused in document order and its ring measured: its outline colour (on the
 * element, or on the option card that draws it for a radio or box) against the first opaque
 * background behind it, translucent layers blended in. The ring must be ≥ 3:1 against that
 * background (WCAG 1.4.11). One real Tab goes first, so the browser is in keyboard mode and each
 * focused control matches :focus-visible as it does when tabbed to.
 */
export async function probeFocusRings(page: Page, limit = 60): Promise<FocusRing[]> {
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await page.keyboard.press('Tab');
  return page.evaluate((max) => {
    const rings = [];
    const reachable = Array.from(
      document.querySelectorAll<HTMLElement>(
        'a[href], button, input, select, textarea, [tabindex]:not([tabindex="-1"])',
      ),
    ).filter((el) => {
      if (el.matches(':disabled') || el.closest('[inert]') || el.tabIndex < 0) return false;
      const box = el.getBoundingClientRect();
      return box.width > 0 && box.height > 0 && getComputedStyle(el).visibility !== 'hidden';
    });
    for (const el of reachable.slice(0, max)) {
      el.focus();
      const ring = measure();
      if (ring) rings.push(ring);
    }
    return rings;

    function measure() {
      const focused = document.activeElement;
      if (!focused || focused === document.body) return undefined;
      const parse = (value: string): [number, number, number, number] => {
        const m = value.match(/rgba?\(([^)]+)\)/);
        if (!m) return [0, 0, 0, 0];
        const parts = m[1]!
          .split(/[ ,/]+/)
          .filter(Boolean)
          .map(Number);
        return [parts[0] ?? 0, parts[1] ?? 0, parts[2] ?? 0, parts[3] ?? 1];
      };
      const over = (
        top: [number, number, number, number],
        below: [number, number, number],
      ): [number, number, number] => [
        top[0] * top[3] + below[0] * (1 - top[3]),
        top[1] * top[3] + below[1] * (1 - top[3]),
        top[2] * top[3] + below[2] * (1 - top[3]),
      ];
      const behind = (el: Element | null): [number, number, number] => {
        const layers: Array<[number, number, number, number]> = [];
        for (let node = el; node; node = node.parentElement) {
          const colour = parse(getComputedStyle(node).backgroundColor);
          if (colour[3] > 0) layers.push(colour);
          if (colour[3] >= 1) break;
        }
        let result: [number, number, number] = [255, 255, 255];
        for (const layer of layers.reverse()) result = over(layer, result);
        return result;
      };
      const luminance = ([r, g, b]: [number, number, number]): number => {
        const f = (c: number) => {
          const s = c / 255;
          return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
        };
        return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
      };
      const target =
        focused instanceof HTMLInputElement && focused.closest('label.choice')
          ? focused.closest('label.choice')!
          : focused;
      const style = getComputedStyle(target);
      const width = style.outlineStyle === 'none' ? 0 : parseFloat(style.outlineWidth);
      const ring = over(parse(style.outlineColor), behind(target.parentElement));
      const back = behind(target.parentElement);
      const [hi, lo] = [luminance(ring), luminance(back)].sort((a, b) => b - a) as [number, number];
      const hex = (c: [number, number, number]) =>
        `#${c.map((v) => Math.round(v).toString(16).padStart(2, '0')).join('')}`;
      const text = (target.textContent ?? '').replace(/\s+/g, ' ').trim().slice(0, 30);
      return {
        control: `${target.tagName.toLowerCase()}.${String(target.className).split(' ').join('.')} "${text || target.getAttribute('aria-label') || target.id}"`,
        ring: hex(ring),
        behind: hex(back),
        ratio: Math.round(((hi + 0.05) / (lo + 0.05)) * 100) / 100,
        widthPx: width,
      };
    }
  }, limit);
}
