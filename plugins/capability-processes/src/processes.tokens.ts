/** Injection token of the resolved ProcessesOptions. */
export const PROCESSES_OPTIONS = Symbol('sandboxed.capability-processes.options');
