/** IPAM kinds: the two rules the validator has for them. */
import { present, show } from '../access.js';
import type { Rule } from '../types.js';
import { issue } from './helpers.js';

export const IPAM_RULES: readonly Rule[] = [
  {
    id: 'ipamconfig-max-blocks',
    kinds: ['IPAMConfig'],
    description: 'maxBlocksPerHost is 0 (no limit) or more',
    source: 'validator.go validateIPAMConfigSpec',
    check: (s) => {
      const v = s.spec.maxBlocksPerHost;
      return present(v) && !(typeof v === 'number' && Number.isInteger(v) && v >= 0) ? [issue('spec.maxBlocksPerHost', `${show(v)} must be an integer greater than or equal to 0`)] : [];
    },
  },
  {
    id: 'blockaffinity-deleted',
    kinds: ['BlockAffinity'],
    description: 'A block affinity is not marked deleted',
    source: 'validator.go validateBlockAffinitySpec',
    check: (s) => (s.spec.deleted === 'true' ? [issue('spec.deleted', 'spec.deleted cannot be set to "true"')] : []),
  },
];
