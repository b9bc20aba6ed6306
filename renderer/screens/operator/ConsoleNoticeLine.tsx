import { NoticeLine } from '../../components/NoticeLine';
import type { ConsoleNotice } from './console-action';

/**
 * A console action's result, said in its own panel just below the button the operator touched
 * (not at the top of a console scrolled to its end), and brought into view if it is not.
 */
export function ConsoleNoticeLine({ notice }: { notice: ConsoleNotice | undefined }) {
  return <NoticeLine notice={notice} who="operator" className="console-notice" />;
}
