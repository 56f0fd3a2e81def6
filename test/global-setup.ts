// Builds dist/authorizer/ from lambda/authorizer/ before any suite runs: the construct ships that bundle, and
// the suites that synthesize or serve the stack must test the code as it is now.
import { buildAuthorizerBundle } from '../scripts/authorizer-bundle';

export default function globalSetup(): void {
  buildAuthorizerBundle();
}
