/** Quotes a PostgreSQL identifier (the benchmark's schema names are its own, but quoting costs nothing). */
export const quoteIdentifier = (name: string): string => `"${name.replaceAll('"', '""')}"`;
