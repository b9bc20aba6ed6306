import type { Translator } from '../../i18n/translator';

/** The columns the officer's tables can show (message `officer.column.<name>`). */
export type OfficerColumn =
  'seq' | 'kind' | 'time' | 'reference' | 'service' | 'channel' | 'state' | 'decision' | 'actions';

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
            {tr.t(`officer.column.${column}`)}
          </th>
        ))}
      </tr>
    </thead>
  );
}
