/**
 * First-use costs moved off a training run: the first number formatted with toLocaleString sets up ICU's number
 * formatting (tens of ms of main thread at full CPU speed, more on a slow laptop). The paired tests' verdicts format
 * their image count that way (report/comparisons.ts), so without this the first finished model paid for it in the
 * middle of training. Done once, while the page is idle.
 */
export function warmUpFormatting(): void {
  const start = () => {
    (1234).toLocaleString('en-US');
  };
  if ('requestIdleCallback' in window) window.requestIdleCallback(start, { timeout: 5000 });
  else setTimeout(start, 1500);
}
