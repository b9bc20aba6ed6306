/** Writes sync/protocol/openapi.json from the protocol's schemas (see openapi-document.ts). */
import { writeFileSync } from 'node:fs';
import { buildOpenApiDocument } from '../protocol/openapi-document';

const file = new URL('../protocol/openapi.json', import.meta.url);
writeFileSync(file, `${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`);
