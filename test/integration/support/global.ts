/** mocha global fixtures for the integration suites. */
import { startTestCluster, stopTestCluster } from './cluster.js';

export async function mochaGlobalSetup(): Promise<void> {
  await startTestCluster();
}

export async function mochaGlobalTeardown(): Promise<void> {
  await stopTestCluster();
}
