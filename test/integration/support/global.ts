/** mocha global fixtures for the integration suites. */
import { startTestCluster, stopTestCluster } from './cluster.js';
import { Workdir } from './e2e.js';

export async function mochaGlobalSetup(): Promise<void> {
  await startTestCluster();
}

export async function mochaGlobalTeardown(): Promise<void> {
  Workdir.removeAll();
  await stopTestCluster();
}
