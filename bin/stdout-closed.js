// oclif 5's execute() awaits a 'drain' of stdout after the command. When the reader of a piped
// stdout has gone (`calico-migrate show PLAN | head -1`), the write fails with EPIPE (oclif swallows
// it), no 'drain' ever comes, the event loop empties with bin/run.js's top-level await pending, and
// Node ends the process with a warning and exit code 13 — which this tool documents as ABORTED.
// Once stdout has failed with EPIPE, an empty event loop ends the process with the command's own
// exit code instead (0 unless one was set), as with oclif 4, which did not await the flush.
export function endWhenStdoutClosed() {
  let closed = false;
  process.stdout.on('error', (err) => {
    if (err && err.code === 'EPIPE') closed = true;
  });
  process.on('beforeExit', () => {
    if (closed) process.exit(process.exitCode ?? 0);
  });
}
