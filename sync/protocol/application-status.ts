import { z } from 'zod';

/**
 * An application's life after delivery, as the agency that owns its service reports it:
 *
 *   received → in-review → more-information-needed → approved | refused
 *            → ready-for-collection → collected
 *
 * `received` is the gateway's own (the application reached it); every later state is posted by
 * the agency. The allowed moves are `TRANSITIONS`; anything else is refused with
 * `illegal-transition`, so a history always reads forwards. `refused` and `collected` are final.
 */
export const applicationStates = [
  'received',
  'in-review',
  'more-information-needed',
  'approved',
  'refused',
  'ready-for-collection',
  'collected',
] as const;
export const applicationStateSchema = z.enum(applicationStates);
export type ApplicationState = z.infer<typeof applicationStateSchema>;

/** The states an agency may post (all but the gateway's own `received`). */
export const postableStates = applicationStates.filter(
  (state): state is Exclude<ApplicationState, 'received'> => state !== 'received',
);

/**
 * Where each state may go next. An agency may decide straight from `received` (no review step
 * needed) and may ask for more information more than once (`more-information-needed` →
 * `in-review` → `more-information-needed`); it may never go back from a decision.
 */
export const TRANSITIONS: Readonly<Record<ApplicationState, readonly ApplicationState[]>> = {
  received: ['in-review', 'more-information-needed', 'approved', 'refused'],
  'in-review': ['more-information-needed', 'approved', 'refused'],
  'more-information-needed': ['in-review', 'approved', 'refused'],
  approved: ['ready-for-collection'],
  refused: [],
  'ready-for-collection': ['collected'],
  collected: [],
};

/** The decisions, for the figures (processing time is submission → first decision). */
export const decisionStates: readonly ApplicationState[] = ['approved', 'refused'];

export function canTransition(from: ApplicationState, to: ApplicationState): boolean {
  return TRANSITIONS[from].includes(to);
}

/**
 * Text an agency writes for a citizen: one string, or one per language the kiosk speaks
 * (BCP 47: `en`, `es`, `bzj` Belize Kriol, `tn` Setswana). The kiosk shows the citizen's
 * language, else English, else the first given.
 */
export const agencyTextSchema = z.union([
  z.string().trim().min(1).max(500),
  z
    .object({
      en: z.string().trim().min(1).max(500).optional(),
      es: z.string().trim().min(1).max(500).optional(),
      bzj: z.string().trim().min(1).max(500).optional(),
      tn: z.string().trim().min(1).max(500).optional(),
    })
    .strict()
    .refine((text) => Object.keys(text).length > 0, { message: 'give at least one language' }),
]);
export type AgencyText = z.infer<typeof agencyTextSchema>;

/** The text of `text` in `language`, else English, else the first language given. */
export function agencyTextIn(text: AgencyText, language: string): string {
  if (typeof text === 'string') return text;
  const byLanguage = text as Record<string, string | undefined>;
  return byLanguage[language] ?? text.en ?? Object.values(text).find(Boolean) ?? '';
}

/** What a state says besides itself: the reason, what is needed, where to collect, next step. */
export const statusDetailSchema = z
  .object({
    /** Why it was refused (required with `refused`). */
    reason: agencyTextSchema.optional(),
    /** What the citizen must bring or send (required with `more-information-needed`). */
    needed: agencyTextSchema.optional(),
    /** Where to collect (required with `ready-for-collection`). */
    collectAt: agencyTextSchema.optional(),
    /** What happens next or what to do, with any state. */
    nextStep: agencyTextSchema.optional(),
  })
  .strict();
export type StatusDetail = z.infer<typeof statusDetailSchema>;

/** The detail each state must carry. */
export const REQUIRED_DETAIL: Partial<Record<ApplicationState, keyof StatusDetail>> = {
  refused: 'reason',
  'more-information-needed': 'needed',
  'ready-for-collection': 'collectAt',
};

/** Why a status change cannot apply, or undefined when it may. Pure: both ends can check. */
export function statusChangeProblem(
  from: ApplicationState,
  to: ApplicationState,
  detail: StatusDetail,
): { code: 'illegal-transition' | 'detail-required'; message: string } | undefined {
  if (!canTransition(from, to)) {
    const allowed = TRANSITIONS[from];
    return {
      code: 'illegal-transition',
      message:
        allowed.length === 0
          ? `the application is ${from}, which is final: no change is allowed`
          : `an application that is ${from} can become ${allowed.join(', ')}, not ${to}`,
    };
  }
  const required = REQUIRED_DETAIL[to];
  if (required && detail[required] === undefined) {
    return { code: 'detail-required', message: `${to} needs "${required}"` };
  }
  return undefined;
}
