// Every contender by name, for the warm child, which runs them side by side in one process.
// The memory child loads one of them alone (see build.ts), so these modules are kept apart.
import { makeAwsJwtVerify } from './contender/aws-jwt-verify';
import { makeFloor } from './contender/floor';
import { makeJoseAuthorizer, makeJoseKey, makeJoseLocal } from './contender/jose';
import { makeOursContender, makeOursWithoutMetrics } from './contender/ours';
import type { ContenderName, MakeContender } from './contender/types';

export type { Contender, ContenderName } from './contender/types';
export { LOG_SINK, makeOurs } from './contender/ours';

export const MAKERS: Readonly<Record<ContenderName, MakeContender>> = {
  floor: makeFloor,
  ours: makeOursContender,
  'ours-no-metrics': makeOursWithoutMetrics,
  'jose-local': makeJoseLocal,
  'jose-key': makeJoseKey,
  'jose-authorizer': makeJoseAuthorizer,
  'aws-jwt-verify': makeAwsJwtVerify,
};

export const ALL = Object.keys(MAKERS) as ContenderName[];
