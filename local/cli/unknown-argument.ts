// The message for an argument a CLI does not know, naming the flag it most likely meant.
import { nearestName } from '../../lambda/shared/nearest-name';

/** `unknown argument "--isuer=x": did you mean --issuer?`; `flag` is the argument without any `=value`. */
export function unknownArgument(arg: string, flag: string, known: readonly string[]): string {
  const bare = (name: string) => name.replace(/^-+/, '');
  const nearest = flag.startsWith('-') ? nearestName(bare(flag), known.map(bare)) : undefined;
  return `unknown argument ${JSON.stringify(arg)}${nearest !== undefined ? `: did you mean --${nearest}?` : ''}`;
}
