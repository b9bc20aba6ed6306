import { useRef } from 'react';
import { useRevealOnText } from '../../components/reveal';
import type { ConsoleNotice } from './console-action';

/**
 * A console action's result, said in its own panel just below the button the operator touched
 * (not at the top of a console scrolled to its end), and brought into view if it is not.
 */
export function ConsoleNoticeLine({ notice }: { notice: ConsoleNotice | undefined }) {
  const line = useRef<HTMLParagraphElement>(null);
  useRevealOnText(line);
  if (!notice) return null;
  return (
    <p
      ref={line}
      className={notice.error ? 'console-notice error' : 'console-notice print-done'}
      role="status"
      data-operator-notice
    >
      {notice.text}
    </p>
  );
}
