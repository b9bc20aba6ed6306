import { useRef } from 'react';
import { useRevealOnText } from './reveal';

/** A result said to staff: its words, and whether it is an error. */
export interface Notice {
  text: string;
  error?: boolean;
}

/**
 * A staff screen's result line (the operator console's panels, the officer's tools): said where
 * it is placed and brought into view when its words appear or change (reveal.ts), so a result of
 * a button far down a long page is never said out of sight. `who` names it for tests and logs
 * (`data-operator-notice`, `data-officer-notice`).
 */
export function NoticeLine({
  notice,
  who,
  className,
}: {
  notice: Notice | undefined;
  who: 'operator' | 'officer';
  className?: string;
}) {
  const line = useRef<HTMLParagraphElement>(null);
  useRevealOnText(line);
  if (!notice) return null;
  return (
    <p
      ref={line}
      className={[className, notice.error ? 'error' : 'print-done'].filter(Boolean).join(' ')}
      role="status"
      {...{ [`data-${who}-notice`]: '' }}
    >
      {notice.text}
    </p>
  );
}
