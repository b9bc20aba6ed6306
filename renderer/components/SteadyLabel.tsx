/**
 * A button label that changes while the button works ("Print receipt" → "Printing…",
 * "Sign in" → "Checking…") without changing the button's size: the other label is laid out in
 * the same place, unseen and unread (a hidden ::after from `data-reserve`), so the button is
 * always as big as the longer one and nothing beside or below it moves under a finger.
 */
export function SteadyLabel({ text, reserve }: { text: string; reserve: string }) {
  return (
    <span className="steady-label" data-reserve={reserve}>
      {/* Keyed: each label is a new text, not the old one moved, for the layout-shift measure. */}
      <span key={text}>{text}</span>
    </span>
  );
}
