import { readFileSync } from 'node:fs';

/** Clock ticks per second of `/proc/<pid>/stat` (USER_HZ, 100 on every Linux this runs on). */
const ticksPerSecond = 100;

/** Runs one query and returns its rows (a pooled client's or a pool's `query`). */
export type QueryRows = (text: string, values: readonly unknown[]) => Promise<readonly Record<string, unknown>[]>;

/**
 * The CPU time PostgreSQL's server processes spend for the benchmark's
 * connections, told apart from other users of the server by their
 * `application_name`. The server runs on this machine in the benchmark's
 * setting, so its backends' CPU time is readable from `/proc`; where it is
 * not (another host, no `/proc`), the figure is `null`. A PostgreSQL phase's
 * CPU time is the client's plus this, which is the steady measure of its
 * cost on a machine whose wall times other work inflates.
 */
export class ServerCpu {
  private readonly seen = new Map<number, number>();
  private available = true;
  private carried = 0;

  constructor(
    private readonly query: QueryRows,
    private readonly applicationName: string,
  ) {}

  /** CPU seconds used by the matching backends since the previous call (the first call sets the baseline). */
  async sample(): Promise<number | null> {
    const used = await this.read();
    const total = used === null ? null : used + this.carried;
    this.carried = 0;
    return total;
  }

  /**
   * Reads the backends now and keeps what they used for the next `sample`:
   * called just before a pool closes, whose backends then exit and take
   * their CPU counters with them.
   */
  async carry(): Promise<void> {
    this.carried += (await this.read()) ?? 0;
  }

  private async read(): Promise<number | null> {
    if (!this.available) return null;
    let rows: readonly Record<string, unknown>[];
    try {
      rows = await this.query('SELECT pid FROM pg_stat_activity WHERE application_name = $1', [this.applicationName]);
    } catch {
      this.available = false;
      return null;
    }
    let used = 0;
    for (const row of rows) {
      const pid = Number(row['pid']);
      const ticks = processTicks(pid);
      if (ticks === undefined) {
        // Not on this machine (or not readable): the figure would be a guess.
        this.available = false;
        return null;
      }
      used += ticks - (this.seen.get(pid) ?? 0);
      this.seen.set(pid, ticks);
    }
    return used / ticksPerSecond;
  }
}

/** utime + stime of a process in clock ticks, or `undefined` when it cannot be read. */
function processTicks(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces: count fields after its closing one.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? ticks : undefined;
  } catch {
    return undefined;
  }
}

/** The connection string with `application_name` set, so the benchmark's backends can be found. */
export function withApplicationName(connectionString: string, applicationName: string): string {
  const url = new URL(connectionString);
  url.searchParams.set('application_name', applicationName);
  return url.toString();
}
