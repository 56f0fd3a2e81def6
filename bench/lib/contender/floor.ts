// The node:crypto floor (see contenders/floor-verify.ts).
import { floorVerify, importFloorKeys } from '../../contenders/floor-verify';
import { nowSeconds, tokensFromEvents, type MakeContender } from './types';

export const makeFloor: MakeContender = async (fx) => {
  const keys = importFloorKeys(fx.jwks);
  return { name: 'floor', sync: true, prepare: tokensFromEvents, run: (t) => floorVerify(t as string, keys, fx.issuer, fx.audience, nowSeconds()) };
};
