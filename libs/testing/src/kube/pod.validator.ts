import type { V1Container, V1Pod } from '@kubernetes/client-node';
import { parseQuantity } from './kube-quantity.js';

/**
 * The subset of the API server's pod validation (pkg/apis/core/validation) that a client
 * can trip over: names, labels, containers, images, volumes and mounts, resources,
 * restartPolicy and activeDeadlineSeconds. Messages are the validator's own wording.
 */
export interface FieldCause {
  reason: string;
  message: string;
  field: string;
}

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;

const SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const LABEL_VALUE_MSG =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
const QUALIFIED_MSG =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

const invalid = (field: string, value: unknown, why: string): FieldCause => ({
  reason: 'FieldValueInvalid',
  message: `Invalid value: ${JSON.stringify(value)}: ${why}`,
  field,
});
const required = (field: string, why?: string): FieldCause => ({
  reason: 'FieldValueRequired',
  message: why ? `Required value: ${why}` : 'Required value',
  field,
});

export function validateObjectName(name: unknown, field = 'metadata.name'): FieldCause[] {
  if (typeof name !== 'string' || name === '') return [required(field, 'name or generateName is required')];
  if (name.length > 253) return [invalid(field, name, 'must be no more than 253 characters')];
  return DNS1123_SUBDOMAIN.test(name) ? [] : [invalid(field, name, SUBDOMAIN_MSG)];
}

export function validateLabels(labels: unknown, field = 'metadata.labels'): FieldCause[] {
  if (labels === undefined || labels === null) return [];
  if (typeof labels !== 'object') return [invalid(field, labels, 'must be a map of strings')];
  const out: FieldCause[] = [];
  for (const [k, v] of Object.entries(labels as Record<string, unknown>)) {
    const slash = k.lastIndexOf('/');
    const prefix = slash >= 0 ? k.slice(0, slash) : '';
    const nm = slash >= 0 ? k.slice(slash + 1) : k;
    if (slash >= 0 && (!DNS1123_SUBDOMAIN.test(prefix) || prefix.length > 253)) {
      out.push(invalid(field, k, `prefix part ${SUBDOMAIN_MSG}`));
    }
    if (nm.length > 63) out.push(invalid(field, k, 'name part must be no more than 63 characters'));
    else if (!QUALIFIED_NAME.test(nm)) out.push(invalid(field, k, QUALIFIED_MSG));
    if (typeof v !== 'string') out.push(invalid(field, v, 'must be a string'));
    else if (v.length > 63) out.push(invalid(field, v, 'must be no more than 63 characters'));
    else if (!LABEL_VALUE.test(v)) out.push(invalid(field, v, LABEL_VALUE_MSG));
  }
  return out;
}

function validateResources(c: V1Container, field: string): FieldCause[] {
  const out: FieldCause[] = [];
  const limits = (c.resources?.limits ?? {}) as Record<string, unknown>;
  const requests = (c.resources?.requests ?? {}) as Record<string, unknown>;
  for (const [kind, map] of [
    ['limits', limits],
    ['requests', requests],
  ] as const) {
    for (const [name, q] of Object.entries(map)) {
      const v = parseQuantity(q);
      if (v === undefined)
        out.push(
          invalid(
            `${field}.resources.${kind}[${name}]`,
            q,
            "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
          ),
        );
      else if (v < 0) out.push(invalid(`${field}.resources.${kind}[${name}]`, q, 'must be greater than or equal to 0'));
    }
  }
  for (const [name, q] of Object.entries(requests)) {
    const req = parseQuantity(q);
    const lim = limits[name] === undefined ? undefined : parseQuantity(limits[name]);
    if (req !== undefined && lim !== undefined && req > lim) {
      out.push(
        invalid(
          `${field}.resources.requests`,
          q,
          `must be less than or equal to ${name} limit of ${String(limits[name])}`,
        ),
      );
    }
  }
  return out;
}

export function validatePod(pod: V1Pod): FieldCause[] {
  const out: FieldCause[] = [];
  out.push(...validateObjectName(pod.metadata?.name));
  out.push(...validateLabels(pod.metadata?.labels));
  const spec = pod.spec;
  if (!spec) return [...out, required('spec')];
  const volumes = new Set<string>();
  (spec.volumes ?? []).forEach((v, i) => {
    const f = `spec.volumes[${i}].name`;
    if (!v.name) out.push(required(f));
    else if (!DNS1123_LABEL.test(v.name)) out.push(invalid(f, v.name, LABEL_MSG));
    else if (volumes.has(v.name))
      out.push({ reason: 'FieldValueDuplicate', message: `Duplicate value: ${JSON.stringify(v.name)}`, field: f });
    volumes.add(v.name);
    if (v.emptyDir?.sizeLimit !== undefined && parseQuantity(v.emptyDir.sizeLimit) === undefined) {
      out.push(invalid(`spec.volumes[${i}].emptyDir.sizeLimit`, v.emptyDir.sizeLimit, 'must be a quantity'));
    }
  });
  if (!Array.isArray(spec.containers) || spec.containers.length === 0) out.push(required('spec.containers'));
  const names = new Set<string>();
  const groups: Array<[string, V1Container[] | undefined]> = [
    ['spec.initContainers', spec.initContainers],
    ['spec.containers', spec.containers],
  ];
  for (const [base, list] of groups) {
    (list ?? []).forEach((c, i) => {
      const f = `${base}[${i}]`;
      if (!c.name) out.push(required(`${f}.name`));
      else if (!DNS1123_LABEL.test(c.name)) out.push(invalid(`${f}.name`, c.name, LABEL_MSG));
      else if (names.has(c.name))
        out.push({
          reason: 'FieldValueDuplicate',
          message: `Duplicate value: ${JSON.stringify(c.name)}`,
          field: `${f}.name`,
        });
      names.add(c.name);
      if (!c.image || c.image.trim() === '') out.push(required(`${f}.image`));
      (c.volumeMounts ?? []).forEach((m, j) => {
        if (!volumes.has(m.name)) {
          out.push({
            reason: 'FieldValueNotFound',
            message: `Not found: ${JSON.stringify(m.name)}`,
            field: `${f}.volumeMounts[${j}].name`,
          });
        }
        if (!m.mountPath) out.push(required(`${f}.volumeMounts[${j}].mountPath`));
      });
      if (c.imagePullPolicy !== undefined && !['Always', 'IfNotPresent', 'Never'].includes(c.imagePullPolicy)) {
        out.push({
          reason: 'FieldValueNotSupported',
          message: `Unsupported value: ${JSON.stringify(c.imagePullPolicy)}: supported values: "Always", "IfNotPresent", "Never"`,
          field: `${f}.imagePullPolicy`,
        });
      }
      out.push(...validateResources(c, f));
    });
  }
  if (spec.restartPolicy !== undefined && !['Always', 'OnFailure', 'Never'].includes(spec.restartPolicy)) {
    out.push({
      reason: 'FieldValueNotSupported',
      message: `Unsupported value: ${JSON.stringify(spec.restartPolicy)}: supported values: "Always", "OnFailure", "Never"`,
      field: 'spec.restartPolicy',
    });
  }
  const ads = spec.activeDeadlineSeconds;
  if (ads !== undefined && (!Number.isInteger(ads) || ads < 1 || ads > 2147483647)) {
    out.push({
      reason: 'FieldValueInvalid',
      message: `Invalid value: ${ads}: must be between 1 and 2147483647, inclusive`,
      field: 'spec.activeDeadlineSeconds',
    });
  }
  return out;
}
