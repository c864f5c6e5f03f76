/**
 * A min-heap of things to do at a time: the demo simulation's agenda. Entries
 * are ordered by time, then by the order they were scheduled in, so the
 * simulation (and with it the generated history) is deterministic even when
 * many things happen at the same millisecond. Its size is the number of
 * pending actions, which stays proportional to the active entities.
 *
 * An entry is a kind, a subject and a number, kept in parallel arrays rather
 * than as one object per entry: a million-event history schedules over a
 * million actions, most of which live for simulated weeks, and allocating
 * an object for each made the garbage collector the main cost.
 */
export class Agenda<Subject> {
  private readonly times: number[] = [];
  private readonly sequence: number[] = [];
  private readonly kinds: number[] = [];
  private readonly subjects: Subject[] = [];
  private readonly tokens: number[] = [];
  private scheduled = 0;

  /** The subject of the entry `pop` returned last. */
  subject: Subject | undefined = undefined;
  /** The number of the entry `pop` returned last. */
  token = 0;

  /** Pending entries. */
  get size(): number {
    return this.kinds.length;
  }

  /** The time of the earliest entry (`Infinity` when empty). */
  peekTime(): number {
    return this.times.length === 0 ? Infinity : this.times[0]!;
  }

  /** Schedules an entry at a time (epoch milliseconds). */
  push(at: number, kind: number, subject: Subject, token: number): void {
    const { times, sequence, kinds, subjects, tokens } = this;
    const order = this.scheduled++;
    let index = kinds.length;
    times.push(at);
    sequence.push(order);
    kinds.push(kind);
    subjects.push(subject);
    tokens.push(token);
    while (index > 0) {
      const parent = (index - 1) >> 1;
      const parentTime = times[parent]!;
      if (parentTime < at || (parentTime === at && sequence[parent]! < order)) break;
      this.move(parent, index);
      index = parent;
    }
    times[index] = at;
    sequence[index] = order;
    kinds[index] = kind;
    subjects[index] = subject;
    tokens[index] = token;
  }

  /** Removes the earliest entry and returns its kind (its subject and number land in `subject` and `token`), or -1 when empty. */
  pop(): number {
    const { times, sequence, kinds, subjects, tokens } = this;
    const size = kinds.length - 1;
    if (size < 0) return -1;
    const kind = kinds[0]!;
    this.subject = subjects[0];
    this.token = tokens[0]!;
    const lastTime = times.pop()!;
    const lastOrder = sequence.pop()!;
    const lastKind = kinds.pop()!;
    const lastSubject = subjects.pop()!;
    const lastToken = tokens.pop()!;
    if (size === 0) return kind;
    let index = 0;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= size) break;
      const right = left + 1;
      let child = left;
      if (right < size && (times[right]! < times[left]! || (times[right] === times[left] && sequence[right]! < sequence[left]!))) child = right;
      const childTime = times[child]!;
      if (lastTime < childTime || (lastTime === childTime && lastOrder < sequence[child]!)) break;
      this.move(child, index);
      index = child;
    }
    times[index] = lastTime;
    sequence[index] = lastOrder;
    kinds[index] = lastKind;
    subjects[index] = lastSubject;
    tokens[index] = lastToken;
    return kind;
  }

  private move(from: number, to: number): void {
    this.times[to] = this.times[from]!;
    this.sequence[to] = this.sequence[from]!;
    this.kinds[to] = this.kinds[from]!;
    this.subjects[to] = this.subjects[from]!;
    this.tokens[to] = this.tokens[from]!;
  }
}
