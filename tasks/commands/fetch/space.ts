// Free space for parallel downloads. Each download reserves its remaining bytes before it
// writes one; while the disk cannot hold it beside what the others in flight still need,
// it waits for one of them to finish instead of starting — so on a nearly full disk some
// files finish, rather than every download running out of space half-way. A download that
// cannot fit even alone is refused at once, naming the folder and the sizes.
import { statfsSync } from "node:fs";

export const gb = (n: number) => (n >= 1e9 ? `${(n / 1e9).toFixed(2)} GB` : n >= 1e6 ? `${(n / 1e6).toFixed(1)} MB` : `${(n / 1e3).toFixed(1)} kB`);

export class NoSpace extends Error {}

export class Space {
  private reserved = 0;
  private waiters: (() => void)[] = [];
  /** counts releases: a wait that starts after one it should have seen returns at once */
  generation = 0;

  private free(dir: string): number {
    const fs = statfsSync(dir);
    return fs.bavail * fs.bsize;
  }

  /** Whether `need` bytes can be reserved in `dir` now; throws NoSpace when they could not be even with nothing else in flight. */
  tryReserve(dir: string, need: number): (() => void) | undefined {
    const free = this.free(dir);
    if (free - this.reserved >= need) {
      this.reserved += need;
      let done = false;
      return () => {
        if (done) return;
        done = true;
        this.reserved -= need;
        this.generation++;
        for (const w of this.waiters.splice(0)) w();
      };
    }
    if (this.reserved === 0 || free < need) throw new NoSpace(`not enough space in ${dir}: ${gb(need)} needed, ${gb(free)} free`);
    return undefined;
  }

  /** Resolves when a reservation is released after `since` (a generation seen before). */
  released(since: number): Promise<void> {
    if (this.generation !== since) return Promise.resolve();
    return new Promise((r) => this.waiters.push(r));
  }
}
