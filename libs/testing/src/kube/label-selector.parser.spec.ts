import { describe, expect, it } from '@jest/globals';
import { KubeStatusError } from './kube-status.js';
import { matchesLabels, matchesSelectorObject, parseLabelSelector } from './label-selector.parser.js';

const labels = { app: 'sandbox', 'sandboxed.dev/egress': 'false', tier: 'web', n: '5' };
const m = (s: string, l: Record<string, string> = labels) => matchesLabels(parseLabelSelector(s), l);

describe('label selectors', () => {
  it('equality, inequality and existence', () => {
    expect(m('app=sandbox')).toBe(true);
    expect(m('app==sandbox')).toBe(true);
    expect(m('app=other')).toBe(false);
    expect(m('app!=other')).toBe(true);
    expect(m('missing!=x')).toBe(true);
    expect(m('sandboxed.dev/egress')).toBe(true);
    expect(m('!sandboxed.dev/egress')).toBe(false);
    expect(m('!missing')).toBe(true);
  });

  it('set-based requirements, joined as AND', () => {
    expect(m('tier in (web, api)')).toBe(true);
    expect(m('tier in (api)')).toBe(false);
    expect(m('tier notin (api)')).toBe(true);
    expect(m('missing notin (api)')).toBe(true);
    expect(m('missing in (api)')).toBe(false);
    expect(m('app=sandbox,tier in (web,api),!missing')).toBe(true);
    expect(m('app=sandbox,tier notin (web)')).toBe(false);
    expect(m('n>4')).toBe(true);
    expect(m('n<4')).toBe(false);
    expect(m('')).toBe(true);
  });

  it('a malformed selector is a 400 BadRequest Status', () => {
    for (const bad of ['app=', 'a b c', 'app=sandbox,', '!', 'tier in (a b)', 'n>x']) {
      if (bad === 'app=') {
        // An empty value is valid: it selects labels set to "".
        expect(m(bad, { app: '' })).toBe(true);
        continue;
      }
      let err: unknown;
      try {
        parseLabelSelector(bad);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(KubeStatusError);
      expect((err as KubeStatusError).status).toMatchObject({ kind: 'Status', code: 400, reason: 'BadRequest' });
    }
  });

  it('metav1.LabelSelector objects: {} selects all, matchExpressions work', () => {
    expect(matchesSelectorObject({}, labels)).toBe(true);
    expect(matchesSelectorObject({ matchLabels: { app: 'sandbox' } }, labels)).toBe(true);
    expect(matchesSelectorObject({ matchLabels: { 'sandboxed.dev/egress': 'true' } }, labels)).toBe(false);
    expect(
      matchesSelectorObject({ matchExpressions: [{ key: 'tier', operator: 'In', values: ['web'] }] }, labels),
    ).toBe(true);
    expect(matchesSelectorObject({ matchExpressions: [{ key: 'tier', operator: 'DoesNotExist' }] }, labels)).toBe(
      false,
    );
  });
});
