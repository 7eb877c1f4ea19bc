/** Where the exclusive apply Lease lives: the lease protocol, the adapter and the RBAC check all name it. */
export const LEASE_NAMESPACE = 'kube-system';
export const LEASE_NAME = 'calico-migrate-apply';
