import type { Translator } from '../../i18n/translator';

/** The columns the officer's tables can show (message `officer.column.<name>`). */
export type OfficerColumn =
  'seq' | 'kind' | 'time' | 'reference' | 'service' | 'channel' | 'state' | 'decision' | 'actions';

/**
 * A column's name, also carried by each of its cells (`data-label`): where the table is too wide
 * for its place (Large text, a narrow screen) each row is shown as a card, each value under its
 * column's name (styles.css, "officer's tables as cards").
 */
export function columnLabel(tr: Translator, column: OfficerColumn): string {
  return tr.t(`officer.column.${column}`);
}

/** The header row of an officer table (the queue, today's transactions), in the officer's language. */
export function OfficerTableHead({
  tr,
  columns,
}: {
  tr: Translator;
  columns: readonly OfficerColumn[];
}) {
  return (
    <thead>
      <tr>
        {columns.map((column) => (
          <th key={column} scope="col">
            {columnLabel(tr, column)}
          </th>
        ))}
      </tr>
    </thead>
  );
}
