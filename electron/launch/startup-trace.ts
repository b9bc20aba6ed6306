/**
 * With `SERVICE_POINT_TRACE=1`, `npm start` prints the moment each of its start-up steps ends:
 * `[service-point] trace <epoch ms> <step>`. build/scripts/measure-startup.ts reads these lines to
 * write the start-up timeline; without the variable nothing is printed.
 */
export function traceStep(step: string, at: number = Date.now()): void {
  if (process.env.SERVICE_POINT_TRACE !== '1') return;
  console.log(`[service-point] trace ${Math.round(at)} ${step}`);
}
