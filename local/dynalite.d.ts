// The slice of dynalite's API the emulator uses (the package ships no type declarations).
declare module 'dynalite' {
  import type { Server } from 'node:http';

  interface DynaliteOptions {
    /** Milliseconds a new table stays CREATING. @default 500 */
    readonly createTableMs?: number;
    /** A LevelDB directory. @default - in memory */
    readonly path?: string;
  }

  function dynalite(options?: DynaliteOptions): Server;
  export = dynalite;
}
