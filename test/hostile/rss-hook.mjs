// Preloaded into CLI children by the hostile-input tests: report the peak resident memory on exit.
process.on('exit', () => {
  process.stderr.write(`interlock-test-maxrss=${process.resourceUsage().maxRSS}\n`);
});
