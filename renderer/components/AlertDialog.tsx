import { useEffect, useRef } from 'react';
import type { ReactNode } from 'react';

/**
 * A modal question over the screen (the idle warning, "Start over?"): a title, a sentence and two
 * buttons, the safe one primary and focused as it opens (without scrolling the page). The screen
 * under it is made inert by its owner (App.tsx). `name` is its data attribute for tests
 * (`data-idle-warning`); `live` reads the sentence again when it changes (a countdown).
 */
export function AlertDialog({
  name,
  title,
  body,
  live = false,
  secondary,
  primary,
}: {
  name: string;
  title: string;
  body: ReactNode;
  live?: boolean;
  secondary: { label: string; onClick: () => void; data?: string };
  primary: { label: string; onClick: () => void };
}) {
  const button = useRef<HTMLButtonElement>(null);
  useEffect(() => button.current?.focus({ preventScroll: true }), []);
  return (
    <div className="overlay">
      <div
        className="dialog"
        role="alertdialog"
        aria-modal="true"
        aria-labelledby={`${name}-title`}
        aria-describedby={`${name}-body`}
        {...{ [`data-${name}`]: '' }}
      >
        <h2 id={`${name}-title`}>{title}</h2>
        <p id={`${name}-body`} {...(live ? { 'aria-live': 'polite' as const } : {})}>
          {body}
        </p>
        <div className="actions">
          <button
            type="button"
            className="secondary"
            onClick={secondary.onClick}
            {...(secondary.data ? { [`data-${secondary.data}`]: '' } : {})}
          >
            {secondary.label}
          </button>
          <button ref={button} type="button" className="primary" onClick={primary.onClick}>
            {primary.label}
          </button>
        </div>
      </div>
    </div>
  );
}
