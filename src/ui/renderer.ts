// Picks the renderer of a command's event stream: NDJSON with --json, plain lines when stderr is not a
// terminal or CI is set, the ink tree otherwise. Progress goes to stderr; NDJSON (data) to stdout.
import type {Emit} from '../deploy/events.js'
import {applyEvent, emptyState} from './progress-state.js'
import {jsonRenderer, plainRenderer} from './plain.js'

export interface Renderer {
  emit: Emit
  /** Draws the final state and releases the terminal. */
  close(): Promise<void>
}

export type RenderMode = 'json' | 'plain' | 'ink'

export function renderMode(opts: {json?: boolean; isTTY?: boolean; env?: NodeJS.ProcessEnv}): RenderMode {
  if (opts.json) return 'json'
  const env = opts.env ?? process.env
  if (!opts.isTTY || env.CI || env.TERM === 'dumb') return 'plain'
  return 'ink'
}

export async function createRenderer(mode: RenderMode, streams: {stdout: NodeJS.WriteStream; stderr: NodeJS.WriteStream} = process): Promise<Renderer> {
  if (mode === 'json') return {emit: jsonRenderer((s) => streams.stdout.write(s)), close: async () => {}}
  if (mode === 'plain') return {emit: plainRenderer((s) => streams.stderr.write(s)), close: async () => {}}
  return inkRenderer(streams.stderr)
}

async function inkRenderer(stream: NodeJS.WriteStream): Promise<Renderer> {
  const [inkMod, reactMod, view] = await Promise.all([import('ink'), import('react'), import('./ink-progress.js')])
  const ink = ((inkMod as any).default?.render ? (inkMod as any).default : inkMod) as typeof import('ink')
  const React = ((reactMod as any).default ?? reactMod) as typeof import('react')
  const state = emptyState()
  const element = () => React.createElement(view.Progress, {state, now: Date.now()})
  const instance = ink.render(element(), {stdout: stream, patchConsole: false, exitOnCtrlC: false})
  const timer = setInterval(() => instance.rerender(element()), 100)
  return {
    emit(e) {
      applyEvent(state, e)
      instance.rerender(element())
    },
    async close() {
      clearInterval(timer)
      instance.rerender(element())
      instance.unmount()
      await instance.waitUntilExit().catch(() => undefined)
    },
  }
}
