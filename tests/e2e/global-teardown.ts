import { existsSync } from 'node:fs';
import { removeManagedPolicy } from '../../electron/browser-shell/managed-policy';
import { machineWidePolicyFile } from './global-setup';

/**
 * The run started without the kiosk's machine-wide policy (global set-up refuses otherwise), so
 * one found now was left by a test's `npm start`: it is removed, and the run fails saying so.
 */
export default function globalTeardown(): void {
  const policy = machineWidePolicyFile();
  if (policy && existsSync(policy)) {
    removeManagedPolicy(policy);
    throw new Error(
      `a test left the kiosk's managed Chromium policy installed (${policy}); removed`,
    );
  }
}
