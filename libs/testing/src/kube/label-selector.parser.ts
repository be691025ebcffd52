import { kubeErrors } from './kube-status.js';

/**
 * Label selectors in the string form of `?labelSelector=` (k8s.io/apimachinery/pkg/labels):
 * `k=v`, `k==v`, `k!=v`, `k`, `!k`, `k in (a,b)`, `k notin (a)`, `k>1`, `k<1`, comma-joined (AND).
 * Also the object form of `metav1.LabelSelector` (matchLabels + matchExpressions) that
 * NetworkPolicies use.
 */
export type LabelOperator = '=' | '!=' | 'in' | 'notin' | 'exists' | '!' | 'gt' | 'lt';

export interface LabelRequirement {
  key: string;
  op: LabelOperator;
  values: string[];
}

export type LabelSelector = LabelRequirement[];

const KEY =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

function bad(selector: string, why: string): Error {
  return kubeErrors.badRequest(`unable to parse requirement: ${why} in selector "${selector}"`);
}

/** Splits on commas that are not inside parentheses. */
function splitTopLevel(selector: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < selector.length; i++) {
    const c = selector[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(selector.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(selector.slice(start));
  return parts;
}

function checkKey(selector: string, key: string): string {
  if (key.length > 316 || !KEY.test(key)) throw bad(selector, `invalid label key "${key}"`);
  return key;
}

function checkValue(selector: string, value: string): string {
  if (value.length > 63 || !VALUE.test(value)) throw bad(selector, `invalid label value: "${value}"`);
  return value;
}

export function parseLabelSelector(selector: string | undefined | null): LabelSelector {
  if (!selector || selector.trim() === '') return [];
  const out: LabelSelector = [];
  for (const raw of splitTopLevel(selector)) {
    const part = raw.trim();
    if (part === '') throw bad(selector, "found '', expected: !, identifier, or 'end of string'");
    let m: RegExpExecArray | null;
    if ((m = /^!\s*(\S+)$/.exec(part))) {
      out.push({ key: checkKey(selector, m[1]!), op: '!', values: [] });
    } else if ((m = /^(\S+?)\s+(in|notin)\s*\(([^()]*)\)$/.exec(part))) {
      const values = m[3]!
        .split(',')
        .map((v) => v.trim())
        .map((v) => checkValue(selector, v));
      out.push({ key: checkKey(selector, m[1]!), op: m[2] as 'in' | 'notin', values });
    } else if ((m = /^([^=!<>\s]+)\s*(==|=|!=|>|<)\s*([^=!<>\s]*)$/.exec(part))) {
      const op = m[2] === '==' || m[2] === '=' ? '=' : m[2] === '!=' ? '!=' : m[2] === '>' ? 'gt' : 'lt';
      const value = m[3]!;
      if ((op === 'gt' || op === 'lt') && !/^-?\d+$/.test(value)) {
        throw bad(selector, `for 'Gt', 'Lt' operators, the value must be an integer`);
      }
      out.push({ key: checkKey(selector, m[1]!), op, values: [checkValue(selector, value)] });
    } else if (/^\S+$/.test(part)) {
      out.push({ key: checkKey(selector, part), op: 'exists', values: [] });
    } else {
      throw bad(selector, `found '${part}', expected: '=', '!=', '==', 'in', notin'`);
    }
  }
  return out;
}

export function matchesLabels(selector: LabelSelector, labels: Record<string, string> | undefined): boolean {
  const l = labels ?? {};
  return selector.every((r) => {
    const has = Object.prototype.hasOwnProperty.call(l, r.key);
    const v = l[r.key];
    switch (r.op) {
      case '=':
        return has && v === r.values[0];
      case '!=':
        return !has || v !== r.values[0];
      case 'in':
        return has && r.values.includes(v!);
      case 'notin':
        return !has || !r.values.includes(v!);
      case 'exists':
        return has;
      case '!':
        return !has;
      case 'gt':
      case 'lt': {
        if (!has || !/^-?\d+$/.test(v!)) return false;
        return r.op === 'gt' ? Number(v) > Number(r.values[0]) : Number(v) < Number(r.values[0]);
      }
    }
  });
}

/** A `metav1.LabelSelector` object: `{}` selects everything, a missing selector nothing. */
export interface LabelSelectorObject {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
}

export function matchesSelectorObject(
  selector: LabelSelectorObject | undefined,
  labels: Record<string, string> | undefined,
): boolean {
  if (!selector) return false;
  const reqs: LabelSelector = Object.entries(selector.matchLabels ?? {}).map(([key, v]) => ({
    key,
    op: '=',
    values: [v],
  }));
  for (const e of selector.matchExpressions ?? []) {
    const op = { In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: '!' }[e.operator] as
      LabelOperator | undefined;
    if (!op) return false;
    reqs.push({ key: e.key, op, values: e.values ?? [] });
  }
  return matchesLabels(reqs, labels);
}
