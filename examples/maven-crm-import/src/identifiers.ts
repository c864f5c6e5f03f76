/**
 * Deterministic eventcrm identifiers for the dataset's names. eventcrm ids
 * are 1-64 characters of `[A-Za-z0-9._:-]`; the dataset names people and
 * companies in free text ("Gekko & Co", "Mei-Mei Johns"), so names become
 * slugs, and two different names that fold to the same slug get numbered
 * suffixes in the order they are first seen (the same files always give the
 * same ids).
 */

/** The longest slug kept before a suffix, so that every command id built on it stays within 64 characters. */
const maxSlugLength = 36;

/** A lower-case, dash-separated form of a name: accents dropped, every other run of non-alphanumerics one dash. */
export function slugOf(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, maxSlugLength)
    .replace(/-+$/, '');
  return slug === '' ? 'unnamed' : slug;
}

/**
 * Hands out one slug id per distinct name: the same name always gets the
 * same id, and different names never share one.
 */
export class IdAllocator {
  private readonly byName = new Map<string, string>();
  private readonly taken = new Set<string>();

  /** The id of `name`, allocated on first sight. */
  idOf(name: string): string {
    const known = this.byName.get(name);
    if (known !== undefined) return known;
    const base = slugOf(name);
    let id = base;
    for (let suffix = 2; this.taken.has(id); suffix += 1) id = `${base}-${suffix}`;
    this.byName.set(name, id);
    this.taken.add(id);
    return id;
  }

  /** Every name seen so far with its id. */
  entries(): ReadonlyMap<string, string> {
    return new Map(this.byName);
  }
}
