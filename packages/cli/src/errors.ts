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
  constructor(
    readonly code: string,
    message: string,
    readonly exitCode: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'CliError';
  }
}

/** A usage error (exit 2). */
export const usageError = (message: string): CliError => new CliError('USAGE', message, EXIT_USAGE);
