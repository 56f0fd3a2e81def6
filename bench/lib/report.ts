// Sends a measuring child's result to the parent as one JSON document on fd 3.
// Only node:fs, which Node has loaded before any user code, so a cold-start child loads nothing extra.
import { writeSync } from 'node:fs';

export function report(result: unknown): void {
  writeSync(3, JSON.stringify(result));
}
