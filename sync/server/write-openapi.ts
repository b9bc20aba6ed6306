/**
 * Writes sync/protocol/openapi.json (kiosk protocol) and openapi-agency.json (agency interface)
 * from the protocol's schemas (see openapi-document.ts and openapi-agency-document.ts).
 */
import { writeFileSync } from 'node:fs';
import { buildAgencyOpenApiDocument } from '../protocol/openapi-agency-document';
import { buildOpenApiDocument } from '../protocol/openapi-document';

const write = (name: string, document: Record<string, unknown>): void =>
  writeFileSync(
    new URL(`../protocol/${name}`, import.meta.url),
    `${JSON.stringify(document, null, 2)}\n`,
  );
write('openapi.json', buildOpenApiDocument());
write('openapi-agency.json', buildAgencyOpenApiDocument());
