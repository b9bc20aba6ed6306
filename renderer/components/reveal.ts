import { useLayoutEffect, useRef } from 'react';
import type { RefObject } from 'react';

/**
 * What appears in answer to a touch (an error, a read-back, a status answer, a result, a keypad
 * that opens) is brought into view when it is not already there: inside the viewport and above
 * the screen's pinned action row (the `.actions` that sticks to the bottom edge, styles.css). It
 * scrolls only as far as needed (as `scrollIntoView({ block: 'nearest' })` with the row's height
 * as scroll padding) and at once, never smoothly; what is already in view is never moved.
 */

/** A screen's own action rows: the ones styles.css may stick to the bottom edge. */
const PINNED_ROWS = 'main > .actions, main > form > .actions';

function stickyRows(doc: Document): HTMLElement[] {
  return Array.from(doc.querySelectorAll<HTMLElement>(PINNED_ROWS)).filter((row) => {
    if (row.getBoundingClientRect().height === 0) return false;
    return getComputedStyle(row).position === 'sticky';
  });
}

/**
 * The height a pinned row takes at the bottom of the viewport: a sticky row that reaches the
 * bottom edge (stuck to it, or still pushed partly below it by the top of its form, when it will
 * be wholly stuck once the page scrolls), and not the row `target` is part of.
 */
function coveredAtBottom(doc: Document, target: Element): number {
  const view = doc.defaultView;
  if (!view) return 0;
  let covered = 0;
  for (const row of stickyRows(doc)) {
    if (row.contains(target)) continue;
    const box = row.getBoundingClientRect();
    if (box.bottom >= view.innerHeight - 1) covered = Math.max(covered, box.height);
  }
  return covered;
}

/**
 * Where `elements` lie together in the viewport (px, their CSS `scroll-margin` included) and how
 * much room the viewport has above the pinned action row; undefined when none is on the page.
 */
function extent(
  elements: ReadonlyArray<Element | null | undefined>,
): { view: Window; top: number; bottom: number; limit: number } | undefined {
  const shown = elements.filter((el): el is Element => !!el && el.isConnected);
  const first = shown[0];
  if (!first) return undefined;
  const doc = first.ownerDocument;
  const view = doc.defaultView;
  if (!view) return undefined;
  // Each box with its CSS scroll-margin, as the browser's own scrolling takes it: a field's is
  // its focus ring (styles.css), which the bounding box leaves out.
  const boxes = shown
    .map((el) => {
      const box = el.getBoundingClientRect();
      const style = view.getComputedStyle(el);
      return {
        height: box.height,
        top: box.top - (parseFloat(style.scrollMarginTop) || 0),
        bottom: box.bottom + (parseFloat(style.scrollMarginBottom) || 0),
      };
    })
    .filter((box) => box.height > 0);
  if (boxes.length === 0) return undefined;
  return {
    view,
    top: Math.min(...boxes.map((box) => box.top)),
    bottom: Math.max(...boxes.map((box) => box.bottom)),
    limit: view.innerHeight - coveredAtBottom(doc, first),
  };
}

/** Whether `elements` fit in the viewport together, above the pinned action row. */
export function fitInView(elements: ReadonlyArray<Element | null | undefined>): boolean {
  const box = extent(elements);
  return !box || box.bottom - box.top <= box.limit + 0.5;
}

/**
 * Scrolls the page the least that shows all of `elements`, each with its CSS `scroll-margin`,
 * above the pinned action row, or, when they do not fit, their top. Does nothing when they are
 * already in view.
 */
export function revealIfHidden(elements: ReadonlyArray<Element | null | undefined>): void {
  const box = extent(elements);
  if (!box) return;
  const { view, top, bottom, limit } = box;
  let delta = 0;
  if (bottom > limit + 0.5) delta = bottom - limit;
  // Too tall for the room: its top comes first (the question above its field, the words first).
  if (top - delta < -0.5 || top < -0.5) delta = top;
  if (Math.abs(delta) < 1) return;
  view.scrollBy({ top: delta, behavior: 'instant' });
}

/**
 * Reveals `ref`'s element each time its text appears or changes (a message, a read-back, an
 * answer; the same message in another language too): the message itself, its element's children
 * when it has any (a MessageSlot's place is sized for its longest message, and scrolling to show
 * the whole place for a shorter one moved the screen, keyboard and buttons with it, for nothing),
 * with the element whose id is `aboutId` (the field it judges) when given.
 * Runs before paint, so it is never seen hidden first.
 */
export function useRevealOnText(ref: RefObject<HTMLElement | null>, aboutId?: string): void {
  const last = useRef('');
  useLayoutEffect(() => {
    const el = ref.current;
    const text = el?.textContent?.trim() ?? '';
    if (text === last.current) return;
    last.current = text;
    if (!text || !el) return;
    const message = el.children.length > 0 ? Array.from(el.children) : [el];
    // What the message is about first: when both do not fit, its top is what stays in view
    // (QA: the status check's error at Large text on a 1280 x 800 screen scrolled the typed
    // reference off the top, and the error stood with nothing beside it to correct).
    const about = aboutId ? el.ownerDocument.getElementById(aboutId) : null;
    revealIfHidden(about ? [about, ...message] : message);
  });
}

/**
 * Keeps `--pinned-actions-height` on the root element equal to the screen's sticky action row
 * (0 with none): styles.css makes it the page's `scroll-padding-bottom`, so the browser's own
 * scrolling (a field taking focus, Tab) stops above the row too. Measured, as Large text and a
 * long label make the row taller or wrap it. Returns a function that stops watching.
 */
export function watchPinnedActions(doc: Document): () => void {
  const view = doc.defaultView;
  if (!view || typeof ResizeObserver === 'undefined') return () => undefined;
  let watched: HTMLElement[] = [];
  let frame = 0;
  const measure = () => {
    frame = 0;
    const rows = stickyRows(doc);
    const height = Math.max(0, ...rows.map((row) => row.getBoundingClientRect().height));
    doc.documentElement.style.setProperty('--pinned-actions-height', `${Math.ceil(height)}px`);
    if (rows.length !== watched.length || rows.some((row, i) => row !== watched[i])) {
      resize.disconnect();
      for (const row of rows) resize.observe(row);
      watched = rows;
    }
  };
  const later = () => {
    if (!frame) frame = view.requestAnimationFrame(measure);
  };
  const resize = new ResizeObserver(later);
  const mutations = new MutationObserver(later);
  mutations.observe(doc.body, { childList: true, subtree: true });
  mutations.observe(doc.documentElement, { attributes: true, attributeFilter: ['class'] });
  view.addEventListener('resize', later);
  later();
  return () => {
    if (frame) view.cancelAnimationFrame(frame);
    resize.disconnect();
    mutations.disconnect();
    view.removeEventListener('resize', later);
  };
}

/**
 * The question and its field are in view when a step opens and when the text size changes (a
 * form's question, the status check's reference): on a short screen with Large text the top bar
 * alone is more than half the height, and the pinned Back / Next row would otherwise cover the
 * question (on the status check at 1280 x 800 a citizen typed into a field hidden under it, QA).
 * When a refused answer's error is shown, the field and its error come first instead. Only
 * scrolls when they are hidden. `answers` selects what is answered (a form's field by default;
 * the consent screen's boxes), and with `withPrompt: false` only the answers are brought into
 * view: the consent's long notice above its boxes, at Large text on an 800 x 1280 screen, left
 * the required box under the pinned Back and Send (QA).
 *
 * A step with an on-screen keyboard (`.keyboard-host`) brings the keyboard into view with its
 * question: with Large text on an 800 x 1280 screen the date pad began 89 px below the bottom
 * edge and the status check's keys ran off it, so a citizen saw a field and nothing to type
 * with (QA). The keyboard is built after the step is on the page (simple-keyboard, in an
 * effect), so the reveal runs again when it first takes room. Where question, field and
 * keyboard do not fit together, the field and the whole keyboard come first when they fit (the
 * question's first lines go above the edge, its last beside the field), else the question's top.
 */
export function useQuestionInView(
  screen: RefObject<HTMLElement | null>,
  {
    answers = 'form .answer, form .choices, form label.choice',
    withPrompt = true,
  }: { answers?: string; withPrompt?: boolean } = {},
): void {
  useLayoutEffect(() => {
    const main = screen.current;
    if (!main) return undefined;
    // With an error shown (the text size changed after a refused Next), the field and what is
    // wrong with it come first; otherwise the question and its field.
    const reveal = () => {
      const answer = main.querySelector(answers);
      const error = main.querySelector('form .error');
      const prompt = withPrompt ? main.querySelector('[data-prompt]') : null;
      const keyboard = main.querySelector('.keyboard-host');
      const whole = [prompt, answer, keyboard];
      // Where the three do not fit, the field and its keys before the question's first lines.
      const wanted = error
        ? [answer, error]
        : keyboard && !fitInView(whole) && fitInView([answer, keyboard])
          ? [answer, keyboard]
          : whole;
      revealIfHidden(wanted);
    };
    reveal();
    const root = main.ownerDocument.documentElement;
    let size = root.classList.contains('large-text');
    const watch = new MutationObserver(() => {
      const now = root.classList.contains('large-text');
      if (now === size) return;
      size = now;
      reveal();
    });
    watch.observe(root, { attributes: true, attributeFilter: ['class'] });
    // The keyboard's first keys: reveal once more, before they are painted.
    const host = main.querySelector('.keyboard-host');
    let built = !!host && host.getBoundingClientRect().height > 0;
    const keys =
      host && typeof ResizeObserver !== 'undefined'
        ? new ResizeObserver(() => {
            if (built || host.getBoundingClientRect().height === 0) return;
            built = true;
            reveal();
          })
        : undefined;
    if (host) keys?.observe(host);
    return () => {
      watch.disconnect();
      keys?.disconnect();
    };
  }, [screen, answers, withPrompt]);
}
