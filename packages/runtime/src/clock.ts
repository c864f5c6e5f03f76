/**
 * The clock is injected everywhere time matters, so tests and imports control
 * it (the domain never reads time itself). Timestamps are canonical UTC
 * strings (`2026-01-05T09:00:00.000Z`).
 */
export interface Clock {
  now(): string;
}

/** The wall clock. */
export const systemClock: Clock = { now: () => new Date().toISOString() };

/** A clock that only moves when told to: for tests and deterministic runs. */
export class ManualClock implements Clock {
  private current: number;

  constructor(start: string) {
    this.current = Date.parse(start);
    if (Number.isNaN(this.current)) throw new TypeError(`ManualClock: not a timestamp: ${start}`);
  }

  now(): string {
    return new Date(this.current).toISOString();
  }

  /** Moves the clock to a time (never backwards). */
  set(timestamp: string): void {
    this.current = Math.max(this.current, Date.parse(timestamp));
  }

  /** Moves the clock forward by some milliseconds. */
  advance(milliseconds: number): void {
    this.current += Math.max(0, milliseconds);
  }
}
