/** `npm run cluster -- up | down | env | status`: the local throwaway cluster. */
import { down, envLines, isRunning, readState, up } from './local-cluster.js';

const cmd = process.argv[2] ?? 'status';
try {
  switch (cmd) {
    case 'up': {
      const s = await up();
      process.stdout.write(envLines(s));
      process.stderr.write('[cluster] run `eval "$(npm run -s cluster -- env)"` to point calico-migrate at it\n');
      break;
    }
    case 'down':
      await down();
      break;
    case 'env': {
      const s = readState();
      if (!isRunning(s)) {
        process.stderr.write('no local cluster is running; start one with `npm run cluster -- up`\n');
        process.exit(1);
      }
      process.stdout.write(envLines(s!));
      break;
    }
    case 'status': {
      const s = readState();
      process.stdout.write(isRunning(s) ? `running: etcd ${s!.etcd.endpoint}, apiserver ${s!.apiserver.server}\n` : 'not running\n');
      break;
    }
    default:
      process.stderr.write('usage: npm run cluster -- up | down | env | status\n');
      process.exit(64);
  }
} catch (e) {
  process.stderr.write(`[cluster] ${(e as Error).message}\n`);
  process.exit(1);
}
