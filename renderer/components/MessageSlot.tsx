import { useRef } from 'react';
import type { ReactNode } from 'react';
import { useRevealOnText } from './reveal';

/**
 * The place of a message that comes and goes (an error, a date read back, a print result, a
 * status answer). The place is on screen before the message and stays after it, sized for
 * `lines` lines of it, so a message appearing or clearing never moves the buttons below it
 * under a finger. The message itself (with its role=alert or role=status) is the child, so it
 * is announced as it appears, exactly as before. When a message appears or changes and is not
 * wholly in view (below the screen's edge, or under the pinned action row) the page scrolls just
 * enough to show it (components/reveal.ts). With Large text on, `largeTextLines` (when given)
 * replaces `lines`: where the words run to more lines at twice the size (the officer's result
 * line, CSS `message-slot-large-N`). `aboutId` names the element the message is about (the
 * field whose answer it judges): it is kept in view with the message, its top first when both
 * do not fit.
 */
export function MessageSlot({
  lines,
  largeTextLines,
  kind = 'error',
  aboutId,
  children,
}: {
  lines: 1 | 2 | 3 | 4;
  largeTextLines?: 1 | 2 | 3 | 4;
  /** The text size it is sized for: an error line, or a read-back / status line. */
  kind?: 'error' | 'words';
  /** The id of the element the message is about, brought into view with it. */
  aboutId?: string;
  children?: ReactNode;
}) {
  const slot = useRef<HTMLDivElement>(null);
  useRevealOnText(slot, aboutId);
  return (
    <div
      ref={slot}
      className={`message-slot message-slot-${kind} message-slot-${lines}${largeTextLines ? ` message-slot-large-${largeTextLines}` : ''}`}
    >
      {children}
    </div>
  );
}
