/**
 * Exit codes of the command line (cli.md): 0 success; 1 a command was
 * rejected, a query found nothing, a check failed or a difference was found;
 * 2 a usage error, an input that cannot be read at all, or a store that
 * cannot be reached.
 */
export const EXIT_OK = 0;
export const EXIT_REJECTED = 1;
export const EXIT_USAGE = 2;

/** A failure the CLI reports as one line (`code: message`) with an exit code. */
export class CliError extends Error {
  /** The rejection's details (`--json` prints them with the code and message). */
  readonly details: { readonly [key: string]: unknown } | undefined;

  constructor(
    readonly code: string,
    message: string,
    readonly exitCode: number,
    options?: { cause?: unknown; details?: { readonly [key: string]: unknown } | undefined },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CliError';
    this.details = options?.details;
  }
}

/** A usage error (exit 2). */
export const usageError = (message: string): CliError => new CliError('USAGE', message, EXIT_USAGE);
