// The agent side once the command runs, driven by a scripted client on a fake clock: what reaches
// the process, how output is batched and ordered, when the exit code goes out, and how the process
// is hung up when the client ends the session or goes away.
import {afterEach, beforeEach, describe, expect, it, vi} from 'vitest'

import {MessageFlag, PayloadFlag, PayloadType} from '../../src/exec/protocol.js'
import {FAKE_CLOCK, openReady, turns} from './agent-wire.js'
import {FakeProcess} from './helpers.js'

beforeEach(() => vi.useFakeTimers({...FAKE_CLOCK, toFake: [...FAKE_CLOCK.toFake]}))
afterEach(() => vi.useRealTimers())

/** The agent's stream messages of output, stderr and exit code as sent: [type, payload] in order. */
function sentStream(w: Awaited<ReturnType<typeof openReady>>): [number, string][] {
  return w.sent
    .filter((s) => s.m.messageType === 'output_stream_data' && [PayloadType.Output, PayloadType.StdErr].includes(s.m.payloadType as 1))
    .map((s) => [s.m.payloadType, s.m.payload.toString()])
}

describe('from the client to the process', () => {
  it('writes input but not empty messages, and applies only valid terminal sizes', async () => {
    const proc = new FakeProcess()
    const w = await openReady(proc)
    w.input('a')
    w.input(Buffer.alloc(0))
    w.input('b')
    w.size(0, 40)
    w.size(80, 0)
    w.channel.sendStream(PayloadType.Size, Buffer.from('{"cols":'))
    w.size(100, 30)
    await turns()
    expect(proc.input.map(String)).toEqual(['a', 'b'])
    expect(proc.sizes).toEqual([{cols: 100, rows: 30}])
  })

  it('closes stdin on the disconnect flag unless told to ignore it, and ignores flags it does not know', async () => {
    const proc = new FakeProcess()
    const w = await openReady(proc)
    w.flag(PayloadFlag.ConnectToPortError)
    await turns()
    expect(proc.stdinClosed).toBe(false)
    expect(proc.signals).toEqual([])
    w.flag(PayloadFlag.DisconnectToPort)
    await turns()
    expect(proc.stdinClosed).toBe(true)

    const shell = new FakeProcess()
    const s = await openReady(shell, {endInputOnFlag: false})
    s.flag(PayloadFlag.DisconnectToPort)
    await turns()
    expect(shell.stdinClosed).toBe(false)
    expect(shell.signals).toEqual([])
  })

  it('on the terminate flag: hangs the process up, kills it 2 s later, and ends without an exit code', async () => {
    const proc = new FakeProcess()
    const w = await openReady(proc)
    w.flag(PayloadFlag.TerminateSession)
    await turns()
    expect(proc.signals).toEqual(['SIGHUP'])
    expect(proc.stdinClosed).toBe(false)
    // The hang-up ends the process; its status is no longer reported.
    proc.emitExit(129)
    await vi.advanceTimersByTimeAsync(1000)
    await turns()
    expect(w.result).toEqual({error: 'the client ended the session'})
    expect(w.of(PayloadType.ExitCode)).toHaveLength(0)
    expect(w.closed().map((c) => c.Output)).toEqual([''])
    await vi.advanceTimersByTimeAsync(999)
    expect(proc.signals).toEqual(['SIGHUP'])
    await vi.advanceTimersByTimeAsync(1)
    expect(proc.signals).toEqual(['SIGHUP', 'SIGKILL'])
  })

  it('on the terminate flag: a process that exits at the hang-up has no exit code sent, even while the client is slow to acknowledge', async () => {
    const proc = new FakeProcess()
    proc.signal = (sig) => {
      proc.signals.push(sig)
      if (sig === 'SIGHUP') proc.emitExit(129)
    }
    const w = await openReady(proc)
    // Output the client has not acknowledged yet keeps the session open while it drains.
    w.deaf = true
    proc.emitStdout(Buffer.from('bye'))
    w.flag(PayloadFlag.TerminateSession)
    await turns()
    await vi.advanceTimersByTimeAsync(6000)
    expect(w.sent.filter((s) => s.m.payloadType === PayloadType.ExitCode)).toEqual([])
    expect(w.result).toEqual({error: 'the client ended the session'})
  })

  it('when the client goes away mid-command: hangs the process up, then kills it 2 s later', async () => {
    const proc = new FakeProcess()
    const w = await openReady(proc)
    const t0 = Date.now()
    w.clientSide.close()
    await turns()
    expect(w.result).toEqual({error: 'the client disconnected'})
    expect(proc.signals).toEqual(['SIGHUP'])
    await vi.advanceTimersByTimeAsync(t0 + 1999 - Date.now())
    expect(proc.signals).toEqual(['SIGHUP'])
    await vi.advanceTimersByTimeAsync(1)
    expect(proc.signals).toEqual(['SIGHUP', 'SIGKILL'])
  })
})

describe('output', () => {
  it('sends what one turn produced as one message, keeping stdout and stderr in order', async () => {
    const proc = new FakeProcess()
    const w = await openReady(proc, {chunkSize: 64})
    proc.emitStdout(Buffer.from('ab'))
    proc.emitStdout(Buffer.from('cd'))
    proc.emitStdout(Buffer.from('ef'))
    await turns()
    proc.emitStdout(Buffer.from('1'))
    proc.emitStderr(Buffer.from('2'))
    proc.emitStderr(Buffer.from('3'))
    proc.emitStdout(Buffer.from('4'))
    await turns()
    expect(sentStream(w)).toEqual([
      [PayloadType.Output, 'abcdef'],
      [PayloadType.Output, '1'],
      [PayloadType.StdErr, '23'],
      [PayloadType.Output, '4'],
    ])
  })

  it('queues one flush per batch: output from callbacks that run after it waits for the next batch', async () => {
    const proc = new FakeProcess()
    const w = await openReady(proc, {chunkSize: 64})
    proc.emitStdout(Buffer.from('a'))
    setImmediate(() => proc.emitStdout(Buffer.from('b')))
    proc.emitStdout(Buffer.from('c'))
    setImmediate(() => proc.emitStdout(Buffer.from('d')))
    await turns()
    expect(sentStream(w)).toEqual([
      [PayloadType.Output, 'ac'],
      [PayloadType.Output, 'bd'],
    ])
  })

  it('sends a full chunk at once, and splits what is held into chunks with no empty remainder', async () => {
    const proc = new FakeProcess()
    const w = await openReady(proc, {chunkSize: 8})
    proc.emitStdout(Buffer.from('12345678'))
    // Sent before the turn ends.
    expect(sentStream(w)).toEqual([[PayloadType.Output, '12345678']])
    await turns()
    proc.emitStdout(Buffer.from('abcdefghijkl'))
    proc.emitStdout(Buffer.from('xyz'))
    await turns()
    proc.emitStdout(Buffer.from('ABCD'))
    proc.emitStdout(Buffer.from('EFGHIJKLMNOPQRST'))
    await turns()
    expect(sentStream(w)).toEqual([
      [PayloadType.Output, '12345678'],
      [PayloadType.Output, 'abcdefgh'],
      [PayloadType.Output, 'ijkl'],
      [PayloadType.Output, 'xyz'],
      [PayloadType.Output, 'ABCDEFGH'],
      [PayloadType.Output, 'IJKLMNOP'],
      [PayloadType.Output, 'QRST'],
    ])
  })
})

describe('exit', () => {
  /** When the exit code went out, relative to `t0`, and the output sent before it. */
  function exitSent(w: Awaited<ReturnType<typeof openReady>>, t0: number) {
    const i = w.sent.findIndex((s) => s.m.payloadType === PayloadType.ExitCode && s.m.messageType === 'output_stream_data')
    const before = w.sent.slice(0, i).filter((s) => s.m.payloadType === PayloadType.Output && s.m.messageType === 'output_stream_data')
    return {at: w.sent[i]!.at - t0, flags: w.sent[i]!.m.flags, code: w.sent[i]!.m.payload.readUInt32BE(0), output: before.map((s) => s.m.payload.toString()).join('')}
  }

  it('a quiet process: the exit code goes out 5 ms after the exit, marked as the stream end, then the socket closes', async () => {
    const proc = new FakeProcess()
    const w = await openReady(proc, {targetId: 'ecs:c_t_r'})
    proc.emitStdout(Buffer.from('done'))
    await vi.advanceTimersByTimeAsync(100)
    const t0 = Date.now()
    proc.emitExit(3)
    await vi.advanceTimersByTimeAsync(100)
    await turns()
    expect(exitSent(w, t0)).toEqual({at: 5, flags: MessageFlag.FIN, code: 3, output: 'done'})
    expect(w.result).toEqual({exitCode: 3})
    expect(w.closed()).toEqual([expect.objectContaining({DestinationId: 'ecs:c_t_r', Output: ''})])
    expect(w.closeCode).toBe(1000)
    // It ended by itself: nothing to hang up.
    expect(proc.signals).toEqual([])
  })

  it('waits until the output has been quiet for 15 ms', async () => {
    const proc = new FakeProcess()
    const w = await openReady(proc)
    const t0 = Date.now()
    proc.emitStdout(Buffer.from('a'))
    proc.emitExit(0)
    await vi.advanceTimersByTimeAsync(3)
    proc.emitStdout(Buffer.from('b'))
    await vi.advanceTimersByTimeAsync(100)
    expect(exitSent(w, t0)).toEqual({at: 20, flags: MessageFlag.FIN, code: 0, output: 'ab'})

    const p2 = new FakeProcess()
    const w2 = await openReady(p2)
    const t2 = Date.now()
    p2.emitStdout(Buffer.from('x'))
    p2.emitExit(1)
    await vi.advanceTimersByTimeAsync(100)
    expect(exitSent(w2, t2).at).toBe(15)
  })

  it('waits at most 250 ms (from its first look) for output that keeps coming', async () => {
    const proc = new FakeProcess()
    const w = await openReady(proc)
    const t0 = Date.now()
    proc.emitStdout(Buffer.from('.'))
    proc.emitExit(2)
    const noisy = setInterval(() => proc.emitStdout(Buffer.from('.')), 5)
    await vi.advanceTimersByTimeAsync(400)
    clearInterval(noisy)
    const e = exitSent(w, t0)
    expect(e.at).toBe(255)
    // Every dot written until then (one at the exit, then one every 5 ms) went out before the exit code.
    expect(e.output).toBe('.'.repeat(52))
  })

  it('reports the first exit only', async () => {
    const proc = new FakeProcess()
    const w = await openReady(proc)
    proc.emitExit(3)
    proc.emitExit(9)
    await vi.advanceTimersByTimeAsync(30)
    proc.emitExit(7)
    await vi.advanceTimersByTimeAsync(100)
    await turns()
    expect(w.of(PayloadType.ExitCode).map((m) => m.payload.readUInt32BE(0))).toEqual([3])
    expect(w.result).toEqual({exitCode: 3})
  })

  it('ends 5 s after the exit when the client stops acknowledging', async () => {
    const proc = new FakeProcess()
    const w = await openReady(proc)
    w.deaf = true
    proc.emitExit(6)
    await vi.advanceTimersByTimeAsync(5004)
    expect(w.result).toBeUndefined()
    await vi.advanceTimersByTimeAsync(1)
    expect(w.result).toEqual({exitCode: 6})
  })
})
