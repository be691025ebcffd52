import { describe, it, expect } from '@jest/globals';
import { parseProcessStates } from './process-state.parser.js';

const meta = JSON.stringify({
  id: 'a',
  name: 'web',
  command: 'python3 -m http.server',
  argv: ['/bin/sh', '-c', 'x'],
  cwd: '/workspace',
});

describe('parseProcessStates', () => {
  it('reads a running process', () => {
    const [p] = parseProcessStates(`@ a\nmeta ${meta} \npid 23\nstarted 1700000000000\nalive 1\nfirst 0\nlines 12\n`);
    expect(p).toEqual({
      id: 'a',
      name: 'web',
      command: 'python3 -m http.server',
      argv: ['/bin/sh', '-c', 'x'],
      cwd: '/workspace',
      pid: 23,
      status: 'running',
      exitCode: null,
      signal: null,
      timedOut: false,
      startedAt: new Date(1700000000000).toISOString(),
      endedAt: null,
      lines: 12,
      firstLine: 0,
    });
  });

  it('reads the timeout marker the supervisor writes (a scribbled one is not a timeout)', () => {
    const [timed, scribbled] = parseProcessStates(
      `@ a\nmeta {}\nexit 137 1700000000500\nkilled SIGKILL\ntimedout 1\nalive 0\n` +
        `@ b\nmeta {}\nexit 0 1700000000500\ntimedout yes\nalive 0\n`,
    );
    expect(timed).toMatchObject({ status: 'killed', signal: 'SIGKILL', exitCode: 137, timedOut: true });
    expect(scribbled).toMatchObject({ status: 'exited', timedOut: false });
  });

  it('tells exited from killed by the kill marker and the signal in the status', () => {
    const [exited, killed, ownSignal] = parseProcessStates(
      `@ a\nmeta {}\nexit 3 1700000000500 \nalive 0\n` +
        `@ b\nmeta {}\nexit 143 1700000000500 \nkilled TERM \nalive 0\n` +
        `@ c\nmeta {}\nexit 137 1700000000500 \nalive 0\n`,
    );
    expect(exited).toMatchObject({
      status: 'exited',
      exitCode: 3,
      signal: null,
      endedAt: new Date(1700000000500).toISOString(),
    });
    expect(killed).toMatchObject({ status: 'killed', exitCode: 143, signal: 'SIGTERM' });
    expect(ownSignal).toMatchObject({ status: 'exited', exitCode: 137, signal: 'SIGKILL' });
  });

  it('reports a process whose supervisor vanished as ended, and survives scribbled files', () => {
    const [lost] = parseProcessStates('@ z\nmeta {not json\npid banana\nalive 0\n');
    expect(lost).toMatchObject({
      id: 'z',
      status: 'exited',
      exitCode: null,
      pid: null,
      argv: [],
      name: null,
      lines: 0,
    });
  });
});
