// Failures of the local emulator itself (not of the API it serves), each with a stable code so the CLIs
// and tests branch on codes, never on message text. Messages say what to do next.

export type LocalErrorCode =
  /** cdk.out is missing, or its manifest names no stack. */
  | 'ASSEMBLY_NOT_FOUND'
  /** The template holds something the emulator cannot serve (no RestApi, an OpenAPI body, a non-Node runtime…). */
  | 'TEMPLATE_UNSUPPORTED'
  /** A CloudFormation intrinsic that only a real deployment could resolve. */
  | 'INTRINSIC_UNRESOLVED'
  /** `cdk synth` exited non-zero. */
  | 'SYNTH_FAILED'
  /** `cdk synth` was stopped through its AbortSignal (npm start is stopping). */
  | 'SYNTH_ABORTED'
  /** A fixed port (the API's or the dev issuer's) is taken. */
  | 'PORT_IN_USE'
  /** The token CLI found no running dev issuer. */
  | 'ISSUER_NOT_RUNNING'
  /** The dev issuer refused a token request. */
  | 'TOKEN_REQUEST_INVALID'
  /** Bad command-line arguments or environment. */
  | 'USAGE';

export class LocalError extends Error {
  override readonly name = 'LocalError';

  constructor(
    readonly code: LocalErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

export const isLocalError = (e: unknown, code?: LocalErrorCode): e is LocalError =>
  e instanceof LocalError && (code === undefined || e.code === code);
