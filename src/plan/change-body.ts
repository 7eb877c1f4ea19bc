/**
 * Building a change body from an action and the objects it involves, for code that decides the
 * action at run time (the diff, the ClusterInformation steps). The union type says which objects
 * each action carries; a combination it does not allow is a bug in the caller and throws.
 */
import type { KubeObject } from '../model/types.js';
import type { Action, ChangeBody } from './types.js';

export function changeBody(action: Action, before: KubeObject | null, after: KubeObject | null, changedPaths: string[]): ChangeBody {
  const missing = (what: string): never => {
    throw new Error(`changeBody: ${action} needs ${what}`);
  };
  switch (action) {
    case 'create':
      return { action, before: null, after: after ?? missing('an `after` object'), changed_paths: [] };
    case 'update':
      return { action, before: before ?? missing('a `before` object'), after: after ?? missing('an `after` object'), changed_paths: changedPaths };
    case 'delete':
      return { action, before: before ?? missing('a `before` object'), after: null, changed_paths: [] };
    case 'extra':
      return { action, before: before ?? missing('a `before` object'), after: null, changed_paths: [] };
    case 'no-op':
      return { action, before: null, after: null, changed_paths: [] };
    default: {
      const never: never = action;
      throw new Error(`changeBody: unknown action ${String(never)}`);
    }
  }
}
