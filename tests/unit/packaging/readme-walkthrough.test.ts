import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const readme = readFileSync(new URL('README.md', `file://${repoRoot}`), 'utf8');

/** The shell block of the README section `heading`. */
function shellBlock(heading: string): string {
  const section = readme.slice(readme.indexOf(heading));
  const match = /```sh\n([\s\S]*?)```/.exec(section);
  if (!match?.[1]) throw new Error(`no sh block under ${heading}`);
  return match[1];
}

/** Every file or folder the commands write: options that name an output, redirects, env dirs. */
function writtenPaths(block: string): string[] {
  const paths = new Set<string>();
  const patterns = [
    /--(?:roster|data|out|admin-password-file)\s+(\S+)/g,
    /\s>\s*(\S+)/g,
    /mkdir -p\s+(\S+)/g,
    /writeFileSync\("([^"]+)"/g,
    /SERVICE_POINT_DATA_DIR=(\S+)/g,
  ];
  for (const pattern of patterns) {
    for (const m of block.matchAll(pattern)) if (m[1]) paths.add(m[1]);
  }
  return [...paths];
}

function ignored(file: string): boolean {
  try {
    execFileSync('git', ['check-ignore', '-q', '--no-index', file], { cwd: repoRoot });
    return true;
  } catch {
    return false;
  }
}

describe('README gateway walkthrough', () => {
  it('writes its password, enrolment token, databases and kiosk data only where git ignores them', () => {
    const block = shellBlock('### Run a kiosk against a gateway started on its own');
    const paths = writtenPaths(block);
    // The walkthrough's secrets: if a pattern stops finding them the test must not pass vacuously.
    expect(paths.some((p) => p.endsWith('gw-admin'))).toBe(true);
    expect(paths.some((p) => p.endsWith('enrolment.json'))).toBe(true);
    expect(paths.some((p) => p.endsWith('site.json'))).toBe(true);
    expect(paths.filter((p) => !ignored(p))).toEqual([]);
  });
});
