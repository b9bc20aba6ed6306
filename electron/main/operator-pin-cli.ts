/**
 * Prints the `operatorPinHash` for shell.json. The PIN is read from stdin, never from the
 * command line, so it does not land in the shell history or the process list:
 *   printf '%s' 482913 | npx tsx electron/main/operator-pin-cli.ts
 */
import { hashOperatorPin } from './operator-pin';
import { operatorPinSchema } from './operator-exit';

async function main(): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const pin = Buffer.concat(chunks).toString('utf8').trim();
  const parsed = operatorPinSchema.safeParse(pin);
  if (!parsed.success) {
    process.stderr.write('the PIN must be 6 to 12 digits\n');
    process.exit(2);
  }
  process.stdout.write(`${await hashOperatorPin(parsed.data)}\n`);
}

void main();
