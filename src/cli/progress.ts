/** Progress reporting of long commands (explore, calibrate). */
/** A progress line on stderr: a bar on a terminal, a line every 5 s otherwise, with time left. */
export class Progress {
  private readonly started = performance.now();
  private lastPrint = 0;
  /** Work already done when this run began (a resumed run): the rate counts only this run's. */
  private base?: number;
  constructor(
    private readonly tty: boolean,
    private readonly label: string,
    private readonly unit: string,
  ) {}
  /** `note`: a few words after the figures (how many workers delivered, for the queue). */
  update(done: number, total: number, force = false, note?: string): void {
    const now = performance.now();
    if (!force && now - this.lastPrint < (this.tty ? 100 : 5000)) return;
    this.lastPrint = now;
    this.base ??= done;
    const seconds = (now - this.started) / 1000;
    const rate = seconds > 0 ? (done - this.base) / seconds : 0;
    const left = rate > 0 ? (total - done) / rate : Infinity;
    const share = total ? done / total : 1;
    const eta = Number.isFinite(left)
      ? `${left < 60 ? `${left.toFixed(0)}s` : `${(left / 60).toFixed(1)}min`}`
      : '?';
    const stats = `${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')} ${this.unit}  ${Math.round(rate).toLocaleString('en-US')} ${this.unit}/s  ${eta} left${note ? `  ${note}` : ''}`;
    if (this.tty) {
      const width = 30;
      const filled = Math.round(share * width);
      process.stderr.write(
        `\r[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${(share * 100).toFixed(0).padStart(3)}%  ${stats}\x1b[K`,
      );
    } else {
      process.stderr.write(`${this.label}: ${(share * 100).toFixed(1)}%  ${stats}\n`);
    }
  }
  end(): void {
    if (this.tty) process.stderr.write('\n');
  }
}

/**
 * Ctrl-C for long commands: the first stops the work cleanly (the signal aborts, the message says
 * what is kept), a second quits at once (exit 130). `dispose` removes the handler.
 */
export function stopOnInterrupt(message: string): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  let interrupts = 0;
  const onSigint = (): void => {
    interrupts++;
    if (interrupts > 1) process.exit(130);
    process.stderr.write(`\ninterlock: ${message}\n`);
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  return { signal: controller.signal, dispose: () => process.off('SIGINT', onSigint) };
}
