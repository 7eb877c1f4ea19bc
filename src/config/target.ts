/** Target (Kubernetes) connection settings: --kubeconfig/--context, or a calicoctl kubernetes config. */
import { existsSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';
import { MigrateError } from '../errors.js';
import { readCalicoApiConfig } from './calicoctl-config.js';

export interface TargetFlags {
  kubeconfig?: string;
  context?: string;
  'target-config'?: string;
}

export function resolveKubeConfig(flags: TargetFlags, env: NodeJS.ProcessEnv = process.env): KubeConfig {
  const kc = new KubeConfig();
  const spec = flags['target-config'] ? readCalicoApiConfig(flags['target-config'], 'kubernetes', '--target-config') : undefined;
  if (spec && !spec.kubeconfig && spec.k8sAPIEndpoint) {
    kc.loadFromOptions({
      clusters: [{ name: 'target', server: spec.k8sAPIEndpoint, caFile: spec.k8sCAFile, skipTLSVerify: !!spec.k8sInsecureSkipTLSVerify }],
      users: [{ name: 'target', token: spec.k8sAPIToken, certFile: spec.k8sCertFile, keyFile: spec.k8sKeyFile }],
      contexts: [{ name: 'target', cluster: 'target', user: 'target' }],
      currentContext: 'target',
    });
    return kc;
  }
  const file = flags.kubeconfig ?? spec?.kubeconfig ?? env.KUBECONFIG?.split(':')[0];
  if (!file) {
    throw new MigrateError('USAGE', 'no kubeconfig: the target cluster is not configured', {
      hint: 'pass --kubeconfig (or set KUBECONFIG), or --target-config with a calicoctl kubernetes config',
    });
  }
  if (!existsSync(file)) {
    throw new MigrateError('USAGE', `kubeconfig ${file} does not exist`, { hint: "pass --kubeconfig with the path of the target cluster's kubeconfig" });
  }
  try {
    kc.loadFromFile(file);
  } catch (e) {
    throw new MigrateError('USAGE', `kubeconfig ${file} cannot be read: ${(e as Error).message}`, {
      hint: 'check the file is a valid kubeconfig (kubectl --kubeconfig FILE config view)',
    });
  }
  if (flags.context) {
    if (!kc.getContextObject(flags.context)) {
      throw new MigrateError('USAGE', `kubeconfig ${file} has no context "${flags.context}"`, {
        hint: `use one of: ${
          kc
            .getContexts()
            .map((c) => c.name)
            .join(', ') || '(none)'
        }`,
      });
    }
    kc.setCurrentContext(flags.context);
  }
  if (!kc.getCurrentCluster()) {
    throw new MigrateError('CONNECTION', `kubeconfig ${file}: current context "${kc.getCurrentContext()}" has no cluster`, {
      hint: 'pass --context naming a context with a cluster',
    });
  }
  return kc;
}
