// Summarises a module import graph for build/docs/code-health.md: folder → folder edges, import
// cycles, and which modules touch the kiosk's IndexedDB (Dexie) tables.
//
// Usage (from the root of a checkout; madge is fetched by npx, it is not a dependency):
//   npx -y madge@8 --json --extensions ts,tsx --ts-config tsconfig.json \
//     sync renderer/app renderer/screens electron > /tmp/graph.json
//   node build/scripts/import-graph.mjs /tmp/graph.json
//
// The graph is madge's JSON: { "file": ["imported file", ...] }, type-only imports included.
// A module "touches Dexie" when it imports dexie or dexie-react-hooks, imports the module that
// declares the Dexie database (`extends Dexie` / `new Dexie`), or reads or writes a table
// (`outbox`, `meta`, `deadLetters` followed by a Dexie table method, or a Dexie transaction).
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';

const graphFile = process.argv[2];
if (!graphFile) {
  process.stderr.write('usage: node build/scripts/import-graph.mjs <madge.json>\n');
  process.exit(2);
}
/** @type {Record<string, string[]>} */
const graph = JSON.parse(readFileSync(graphFile, 'utf8'));

/** The folder a module is counted in: its own, with deep device and config folders folded. */
function folderOf(file) {
  const dir = dirname(file);
  for (const fold of ['electron/devices', 'kiosk-config', 'sync/server/db']) {
    if (dir === fold || dir.startsWith(`${fold}/`)) return fold;
  }
  return dir;
}

const files = Object.keys(graph).sort();
const edges = files.flatMap((from) => graph[from].map((to) => [from, to]));
const folderEdges = new Map();
let inside = 0;
for (const [from, to] of edges) {
  const a = folderOf(from);
  const b = folderOf(to);
  if (a === b) {
    inside += 1;
    continue;
  }
  const key = `${a} → ${b}`;
  folderEdges.set(key, (folderEdges.get(key) ?? 0) + 1);
}

// Import cycles: strongly connected components of more than one module (Tarjan).
function cycles() {
  let index = 0;
  const stack = [];
  const on = new Set();
  const idx = new Map();
  const low = new Map();
  const found = [];
  const visit = (v) => {
    idx.set(v, index);
    low.set(v, index);
    index += 1;
    stack.push(v);
    on.add(v);
    for (const w of graph[v] ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
    }
    if (low.get(v) === idx.get(v)) {
      const scc = [];
      let w;
      do {
        w = stack.pop();
        on.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1) found.push(scc.sort());
    }
  };
  for (const v of files) if (!idx.has(v)) visit(v);
  return found;
}

const source = (file) => {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
};
const schemaModules = files.filter((file) => /extends Dexie\b|new Dexie\(/.test(source(file)));
const tableMethods =
  'add|bulkAdd|bulkDelete|bulkGet|bulkPut|clear|count|delete|each|filter|get|limit|modify|orderBy|put|reverse|toArray|toCollection|update|where';
const tableAccess = new RegExp(
  `\\b(outbox|meta|deadLetters)\\s*\\.\\s*(${tableMethods})\\b|\\.transaction\\(\\s*'(r|rw|readonly|readwrite)!?'`,
);
const dexie = files
  .map((file) => {
    const text = source(file);
    const why = [];
    if (/from '(dexie|dexie-react-hooks)'/.test(text)) why.push('imports dexie');
    const schema = graph[file].filter((to) => schemaModules.includes(to));
    if (schema.length > 0) why.push(`imports ${schema.join(', ')}`);
    if (tableAccess.test(text)) why.push('reads or writes tables');
    return { file, why };
  })
  .filter(({ why }) => why.length > 0);

const out = [];
out.push(`modules: ${files.length}; imports: ${edges.length} (${inside} inside a folder)`);
const found = cycles();
out.push(`import cycles: ${found.length === 0 ? 'none' : ''}`);
for (const scc of found) out.push(`  ${scc.join(' ↔ ')}`);
out.push('folder → folder (imports):');
for (const [key, count] of [...folderEdges].sort(([a], [b]) => a.localeCompare(b))) {
  out.push(`  ${key}  ${count}`);
}
out.push(`Dexie schema module(s): ${schemaModules.join(', ') || 'none'}`);
out.push(`modules that touch Dexie (${dexie.length}):`);
for (const { file, why } of dexie) out.push(`  ${file}: ${why.join('; ')}`);
process.stdout.write(`${out.join('\n')}\n`);
