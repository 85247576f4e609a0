/**
 * Progress for the terminal: one bar per chain plus a total on a TTY (cli-progress), and a plain
 * line every ~10 s or 10% otherwise (CI, logs). The library only emits events; this prints them.
 */
import cliProgress from 'cli-progress';
import type { ProgressEvent } from '../index.js';

export class Progress {
  private readonly tty = Boolean(process.stderr.isTTY);
  private multi: cliProgress.MultiBar | undefined;
  private bars = new Map<number, cliProgress.SingleBar>();
  private total: cliProgress.SingleBar | undefined;
  private done = new Map<number, number>();
  private sizes = new Map<number, number>();
  private lastLine = 0;
  private lastPct = -1;
  private readonly started = Date.now();

  update = (e: ProgressEvent): void => {
    this.done.set(e.chain, e.iteration);
    this.sizes.set(e.chain, e.iterations);
    if (this.tty) this.drawBars(e);
    else this.drawLine();
  };

  private drawBars(e: ProgressEvent): void {
    if (!this.multi) {
      this.multi = new cliProgress.MultiBar(
        { stream: process.stderr, clearOnComplete: false, hideCursor: true, format: ' {name} [{bar}] {value}/{total} | {rate} it/s | ETA {eta_formatted}' },
        cliProgress.Presets.shades_classic,
      );
    }
    let bar = this.bars.get(e.chain);
    if (!bar) {
      bar = this.multi.create(e.iterations, 0, { name: `chain ${e.chain + 1}`, rate: '0' });
      this.bars.set(e.chain, bar);
    }
    const secs = (Date.now() - this.started) / 1000;
    bar.update(e.iteration, { rate: secs > 0 ? (e.iteration / secs).toFixed(0) : '0' });
    const sum = [...this.done.values()].reduce((a, b) => a + b, 0);
    const size = [...this.sizes.values()].reduce((a, b) => a + b, 0);
    if (!this.total) this.total = this.multi.create(size, 0, { name: 'total  ', rate: '0' });
    this.total.setTotal(size);
    this.total.update(sum, { rate: secs > 0 ? (sum / secs).toFixed(0) : '0' });
  }

  private drawLine(): void {
    const sum = [...this.done.values()].reduce((a, b) => a + b, 0);
    const size = [...this.sizes.values()].reduce((a, b) => a + b, 0);
    const pct = Math.floor((100 * sum) / Math.max(1, size));
    const now = Date.now();
    if (now - this.lastLine < 10_000 && Math.floor(pct / 10) === Math.floor(this.lastPct / 10) && sum < size) return;
    this.lastLine = now;
    this.lastPct = pct;
    const secs = (now - this.started) / 1000;
    const chains = [...this.done.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([c, it]) => `chain ${c + 1}: ${it}`)
      .join(', ');
    process.stderr.write(`progress ${pct}% (${chains}) after ${secs.toFixed(0)} s\n`);
  }

  stop(): void {
    this.multi?.stop();
    this.multi = undefined;
  }
}
