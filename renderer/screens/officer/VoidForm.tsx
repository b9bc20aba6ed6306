import { useState } from 'react';
import type { QueueItem } from '../../../sync/client/officer-queue';
import { OnScreenKeyboard } from '../../components/OnScreenKeyboard';
import type { Translator } from '../../i18n/translator';

/** The void form: a reason is required (at least 3 characters), typed on the touch keyboard. */
export function VoidForm({
  tr,
  item,
  onVoid,
  onCancel,
}: {
  tr: Translator;
  item: QueueItem;
  onVoid: (reason: string) => Promise<void>;
  onCancel: () => void;
}) {
  const [reason, setReason] = useState('');
  const [problem, setProblem] = useState<string | undefined>();
  const submit = async () => {
    if (reason.trim().length < 3) {
      setProblem(tr.t('officer.void.reasonRequired'));
      return;
    }
    try {
      await onVoid(reason);
    } catch (error) {
      setProblem(tr.t('officer.void.refused', { reason: (error as Error).message }));
    }
  };
  return (
    <form
      className="void-form"
      data-void-form={item.ref}
      onSubmit={(event) => {
        event.preventDefault();
        void submit();
      }}
      noValidate
    >
      <label htmlFor="void-reason" className="question">
        {tr.t('officer.void.reason', { ref: item.ref ?? '' })}
      </label>
      <input
        id="void-reason"
        className="answer"
        type="text"
        autoComplete="off"
        autoFocus
        maxLength={500}
        value={reason}
        aria-invalid={problem ? true : undefined}
        aria-describedby={problem ? 'void-error' : undefined}
        onChange={(event) => {
          setReason(event.target.value);
          setProblem(undefined);
        }}
      />
      {problem ? (
        <p id="void-error" className="error" role="alert">
          {problem}
        </p>
      ) : null}
      <div className="actions">
        <button type="button" className="secondary" onClick={onCancel}>
          {tr.t('officer.cancel')}
        </button>
        <button type="submit" className="primary" data-confirm-void>
          {tr.t('officer.void.confirm')}
        </button>
      </div>
      <OnScreenKeyboard
        tr={tr}
        kind="text"
        language={tr.language}
        value={reason}
        onChange={setReason}
        onEnter={() => void submit()}
      />
    </form>
  );
}
