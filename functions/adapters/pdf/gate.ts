/** Bounded concurrency: `enter` resolves with the function that gives the place back, in arrival order. */
export class Gate {
  private inside = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly places: number) {}
  get running(): number {
    return this.inside;
  }
  get queued(): number {
    return this.waiting.length;
  }
  async enter(): Promise<() => void> {
    if (this.inside >= this.places) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.inside++;
    let left = false;
    return () => {
      if (left) return;
      left = true;
      const next = this.waiting.shift();
      if (next) next();
      else this.inside--;
    };
  }
}
