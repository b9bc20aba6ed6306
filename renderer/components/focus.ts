/**
 * Focus as a screen opens, without scrolling the page to the element: a callback ref,
 * `ref={focusWithoutScroll}` (or `ref={first ? focusWithoutScroll : undefined}`), in place of
 * React's `autoFocus`. `autoFocus` scrolls its element into view, so on a 1280×800 kiosk the
 * review opened at its bottom with its title cut off, to show Continue. What is in view as a
 * screen opens is decided in one place instead: the screen opens at its top (App's
 * `useOpensAtTop`) and a question brings itself into view when it must (reveal.ts). The function
 * is module-level, so React calls it once, when the element is attached, not on every render.
 */
export function focusWithoutScroll(element: HTMLElement | null): void {
  element?.focus({ preventScroll: true });
}
