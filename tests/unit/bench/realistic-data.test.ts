import { describe, expect, it } from 'vitest';
import { checkField } from '../../../kiosk-config/field-validation';
import { embeddedCatalogues } from '../../../kiosk-config/index';
import { parseCatalogue } from '../../../kiosk-config/load';
import type { Catalogue } from '../../../kiosk-config/schema';
import { realisticSubmission } from '../../bench/realistic-data';

const catalogues: Catalogue[] = Object.values(embeddedCatalogues).map((input) => {
  const parsed = parseCatalogue(input);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.value;
});

describe("the bench's realistic data", () => {
  it("answers every field as the catalogue's own checks take it, and charges what the kiosk would", () => {
    const problems: string[] = [];
    let bills = 0;
    for (let i = 0; i < 600; i += 1) {
      const submission = realisticSubmission(i, '2026-12-01');
      const service = catalogues
        .flatMap((catalogue) => catalogue.services)
        .find((s) => s.id === submission.serviceId && s.fee.currency === submission.fee.currency);
      if (!service) throw new Error(`no ${submission.serviceId} in ${submission.fee.currency}`);
      for (const field of service.fields) {
        const value = submission.fields[field.id];
        if (value === undefined) continue;
        const problem = checkField(field, value, { today: '2026-12-01' });
        if (problem) problems.push(`${i} ${service.id}.${field.id} "${value}": ${problem.key}`);
      }
      if (service.feeField) {
        bills += 1;
        expect(submission.fee.amountMinor).toBe(
          Math.round(Number(submission.fields[service.feeField]) * 100),
        );
      } else expect(submission.fee).toEqual(service.fee);
    }
    expect(problems).toEqual([]);
    expect(bills).toBeGreaterThan(0);
  });
});
