/**
 * Progress for the terminal: one bar per chain plus a total on a TTY (cli-progress), and a plain
 * line every ~10 s or 10% otherwise (CI, logs). The library only emits events; ProgressState turns
 * them into what is shown: the total counts every chain's iterations from the first event (so it never
 * goes backwards when queued chains start), each chain's rate counts from its own start, and the ETA
 * divides what remains by the run's throughput so far.
 */
import cliProgress from 'cli-progress';
import type { ProgressEvent } from '../index.js';

export interface ChainView {
  chain: number;
  iteration: number;
  iterations: number;
  /** Iterations per second since this chain started; undefined while it is queued. */
  rate: number | undefined;
  status: 'queued' | 'running' | 'done';
}

export interface ProgressView {
  /** Whole percent of every chain's iterations done. */
  percent: number;
  done: number;
  total: number;
  chains: ChainView[];
  /** Seconds since the first event. */
  elapsed: number;
  /** Seconds left at the throughput so far; undefined before any iteration is done. */
  eta: number | undefined;
}

/** Progress events in, what to show out (times in ms from `now`). */
export class ProgressState {
  private chains = 0;
  private iterations = 0;
  private readonly done = new Map<number, number>();
  private readonly sizes = new Map<number, number>();
  private readonly starts = new Map<number, { t: number; it: number }>();
  private started: number | undefined;
  private shownPercent = 0;

  update(e: ProgressEvent, now: number): void {
    this.started ??= now;
    this.chains = Math.max(this.chains, e.chains);
    this.iterations = Math.max(this.iterations, e.iterations);
    if (!this.starts.has(e.chain)) this.starts.set(e.chain, { t: now, it: e.iteration });
    this.done.set(e.chain, e.iteration);
    this.sizes.set(e.chain, e.iterations);
  }

  view(now: number): ProgressView {
    const started = this.started ?? now;
    const elapsed = (now - started) / 1000;
    const chains: ChainView[] = [];
    let done = 0;
    let total = 0;
    let progressed = 0;
    for (let c = 0; c < this.chains; c++) {
      const size = this.sizes.get(c) ?? this.iterations;
      const it = this.done.get(c) ?? 0;
      const start = this.starts.get(c);
      const secs = start ? (now - start.t) / 1000 : 0;
      done += it;
      total += size;
      if (start) progressed += it - start.it;
      chains.push({
        chain: c,
        iteration: it,
        iterations: size,
        rate: start && secs > 0 ? (it - start.it) / secs : undefined,
        status: !start ? 'queued' : it >= size ? 'done' : 'running',
      });
    }
    // the displayed percentage never decreases (a chain's first event may only add to the total once)
    this.shownPercent = Math.max(this.shownPercent, Math.floor((100 * done) / Math.max(1, total)));
    const throughput = elapsed > 0 ? progressed / elapsed : 0;
    return { percent: this.shownPercent, done, total, chains, elapsed, eta: throughput > 0 ? (total - done) / throughput : undefined };
  }
}

/** Seconds as "42 s", "3 min 05 s" or "2 h 07 min". */
export function duration(secs: number): string {
  const s = Math.round(secs);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

const rateText = (rate: number | undefined): string => (rate === undefined ? 'queued' : `${rate >= 100 ? rate.toFixed(0) : rate.toPrecision(2)} it/s`);

/** The plain progress line. */
export function progressLine(v: ProgressView): string {
  const chains = v.chains
    .map(
      (c) =>
        `chain ${c.chain + 1}: ${c.status === 'queued' ? 'queued' : `${c.iteration}/${c.iterations}${c.status === 'running' ? ` at ${rateText(c.rate)}` : ' done'}`}`,
    )
    .join(', ');
  return `progress ${v.percent}% (${chains}) after ${duration(v.elapsed)}${v.eta !== undefined && v.done < v.total ? `, ETA ${duration(v.eta)}` : ''}`;
}

export class Progress {
  private readonly tty = Boolean(process.stderr.isTTY);
  private readonly state = new ProgressState();
  private multi: cliProgress.MultiBar | undefined;
  private bars: cliProgress.SingleBar[] = [];
  private total: cliProgress.SingleBar | undefined;
  // the first line after 10% or 10 s
  private lastLine = Date.now();
  private lastPct = 0;

  update = (e: ProgressEvent): void => {
    const now = Date.now();
    this.state.update(e, now);
    const v = this.state.view(now);
    if (this.tty) this.drawBars(v);
    else this.drawLine(v, now);
  };

  private drawBars(v: ProgressView): void {
    if (!this.multi) {
      this.multi = new cliProgress.MultiBar(
        { stream: process.stderr, clearOnComplete: false, hideCursor: true, format: ' {name} [{bar}] {value}/{total} | {rate} | {eta}' },
        cliProgress.Presets.shades_classic,
      );
      this.bars = v.chains.map((c) => this.multi!.create(c.iterations, 0, { name: `chain ${c.chain + 1}`, rate: 'queued', eta: '' }));
      this.total = this.multi.create(v.total, 0, { name: 'total  ', rate: '', eta: '' });
    }
    v.chains.forEach((c) => {
      this.bars[c.chain]?.update(c.iteration, { rate: rateText(c.rate), eta: '' });
    });
    this.total?.setTotal(v.total);
    this.total?.update(v.done, { rate: `${v.percent}%`, eta: v.eta !== undefined ? `ETA ${duration(v.eta)}` : '' });
  }

  private drawLine(v: ProgressView, now: number): void {
    if (now - this.lastLine < 10_000 && Math.floor(v.percent / 10) === Math.floor(this.lastPct / 10) && v.done < v.total) return;
    this.lastLine = now;
    this.lastPct = v.percent;
    process.stderr.write(`${progressLine(v)}\n`);
  }

  stop(): void {
    this.multi?.stop();
    this.multi = undefined;
  }
}
