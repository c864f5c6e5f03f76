/**
 * A min-heap of things to do at a time: the demo simulation's agenda. Entries
 * are ordered by time, then by the order they were scheduled in, so the
 * simulation (and with it the generated history) is deterministic even when
 * many things happen at the same millisecond. Its size is the number of
 * pending actions, which stays proportional to the active entities.
 */
export class Agenda<Item> {
  private times: number[] = [];
  private sequence: number[] = [];
  private items: Item[] = [];
  private scheduled = 0;

  /** Pending entries. */
  get size(): number {
    return this.items.length;
  }

  /** The time of the earliest entry (`Infinity` when empty). */
  peekTime(): number {
    return this.times.length === 0 ? Infinity : this.times[0]!;
  }

  /** Schedules an item at a time (epoch milliseconds). */
  push(at: number, item: Item): void {
    const times = this.times;
    const sequence = this.sequence;
    const items = this.items;
    const order = this.scheduled++;
    let index = items.length;
    times.push(at);
    sequence.push(order);
    items.push(item);
    while (index > 0) {
      const parent = (index - 1) >> 1;
      const parentTime = times[parent]!;
      if (parentTime < at || (parentTime === at && sequence[parent]! < order)) break;
      times[index] = parentTime;
      sequence[index] = sequence[parent]!;
      items[index] = items[parent]!;
      index = parent;
    }
    times[index] = at;
    sequence[index] = order;
    items[index] = item;
  }

  /** Removes and returns the earliest item (its time is `peekTime()` before the call). */
  pop(): Item | undefined {
    const items = this.items;
    if (items.length === 0) return undefined;
    const times = this.times;
    const sequence = this.sequence;
    const top = items[0]!;
    const lastTime = times.pop()!;
    const lastOrder = sequence.pop()!;
    const lastItem = items.pop()!;
    const size = items.length;
    if (size === 0) return top;
    let index = 0;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= size) break;
      const right = left + 1;
      let child = left;
      if (right < size && (times[right]! < times[left]! || (times[right] === times[left] && sequence[right]! < sequence[left]!))) child = right;
      const childTime = times[child]!;
      if (lastTime < childTime || (lastTime === childTime && lastOrder < sequence[child]!)) break;
      times[index] = childTime;
      sequence[index] = sequence[child]!;
      items[index] = items[child]!;
      index = child;
    }
    times[index] = lastTime;
    sequence[index] = lastOrder;
    items[index] = lastItem;
    return top;
  }
}
