/**
 * What every proof suite reports. The runner adds them up into the last line of `npm run proof`,
 * so every number there is counted from what actually ran, never assumed.
 */
export interface SuiteFigures {
  suite: string;
  /** Runs that injected a fault (a kill, a link fault, a full disk, a clock jump...). */
  faultRuns: number;
  /** Processes killed: gateway SIGKILLs, page crashes, browser kills. */
  kills: number;
  /** Transactions committed on the kiosk during the suite. */
  committed: number;
  /** Committed transactions the gateway never got. */
  lost: number;
  /** Extra copies the gateway holds (or records it holds that were never committed). */
  duplicated: number;
  /** Hostile or malformed inputs fed to the code under test. */
  badInputs: number;
  /** Inputs that crashed, hung or left an unsafe state (an unexpected throw, a timeout). */
  crashes: number;
  /** Attacks attempted, and how many were refused (or rendered inert) as they should be. */
  attacks: number;
  attacksRefused: number;
  /** Measurements worth quoting (heap, timings, statuses). */
  notes: string[];
  /** Anything that broke the promise; the runner fails when any suite has one. */
  problems: string[];
}

export type Scale = 'sample' | 'full';

export function emptyFigures(suite: string): SuiteFigures {
  return {
    suite,
    faultRuns: 0,
    kills: 0,
    committed: 0,
    lost: 0,
    duplicated: 0,
    badInputs: 0,
    crashes: 0,
    attacks: 0,
    attacksRefused: 0,
    notes: [],
    problems: [],
  };
}

export function sumFigures(all: SuiteFigures[]): SuiteFigures {
  const total = emptyFigures('total');
  for (const f of all) {
    total.faultRuns += f.faultRuns;
    total.kills += f.kills;
    total.committed += f.committed;
    total.lost += f.lost;
    total.duplicated += f.duplicated;
    total.badInputs += f.badInputs;
    total.crashes += f.crashes;
    total.attacks += f.attacks;
    total.attacksRefused += f.attacksRefused;
    total.problems.push(...f.problems.map((p) => `${f.suite}: ${p}`));
  }
  return total;
}

/** The one line the issue asks for. */
export function proofLine(total: SuiteFigures): string {
  return `fault_runs=${total.faultRuns} kills=${total.kills} lost=${total.lost} duplicated=${total.duplicated} bad_inputs=${total.badInputs} crashes=${total.crashes} attacks_refused=${total.attacksRefused}/${total.attacks}`;
}

/** A fixed-width table, one row per suite and a total. */
export function figuresTable(all: SuiteFigures[], seconds: Map<string, number>): string {
  const head = [
    'suite',
    'fault runs',
    'kills',
    'committed',
    'lost',
    'dup',
    'bad inputs',
    'crashes',
    'attacks refused',
    's',
  ];
  const rows = [...all, sumFigures(all)].map((f) => [
    f.suite,
    String(f.faultRuns),
    String(f.kills),
    String(f.committed),
    String(f.lost),
    String(f.duplicated),
    String(f.badInputs),
    String(f.crashes),
    `${f.attacksRefused}/${f.attacks}`,
    f.suite === 'total'
      ? String(Math.round([...seconds.values()].reduce((a, b) => a + b, 0)))
      : String(Math.round(seconds.get(f.suite) ?? 0)),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0)))
      .join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
