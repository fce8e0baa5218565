// Which driver runs the local control plane's tasks: `--driver` / PIER_LOCAL_DRIVER says auto (the
// default), container or process. Auto takes a container engine when one answers (docker, else podman;
// PIER_CONTAINER_ENGINE picks one, or "none"), else the process driver. An explicit `container` with no
// engine answering is an error, never a quiet fall back to processes.

import {findEngine, type Engine} from './engine.js'

export const DRIVER_CHOICES = ['auto', 'container', 'process'] as const
export type DriverChoice = (typeof DRIVER_CHOICES)[number]

export type ChosenDriver = {kind: 'process'; why: string} | {kind: 'container'; engine: Engine; why: string}

export function parseDriverChoice(value: string | undefined, from = 'PIER_LOCAL_DRIVER'): DriverChoice {
  if (value === undefined || value === '') return 'auto'
  if ((DRIVER_CHOICES as readonly string[]).includes(value)) return value as DriverChoice
  throw new Error(`${from} must be one of ${DRIVER_CHOICES.join(', ')}, not "${value}"`)
}

export async function chooseDriver(choice: DriverChoice, confDir: string, env: NodeJS.ProcessEnv = process.env): Promise<ChosenDriver> {
  if (choice === 'process') return {kind: 'process', why: 'chosen'}
  const engine = await findEngine(confDir, env)
  if (engine) return {kind: 'container', engine, why: choice === 'auto' ? `${engine.kind} answers` : 'chosen'}
  if (choice === 'container') {
    const which = env.PIER_CONTAINER_ENGINE ? `PIER_CONTAINER_ENGINE=${env.PIER_CONTAINER_ENGINE}` : 'neither docker nor podman'
    throw new Error(`the container driver needs a container engine, and ${which} answers \`info\`: install or start docker or podman, or use --driver process`)
  }
  return {kind: 'process', why: env.PIER_CONTAINER_ENGINE === 'none' ? 'PIER_CONTAINER_ENGINE=none' : 'no container engine answers'}
}

/** How `pier local status` names it: "container (podman)" or "process". */
export function driverLabel(chosen: ChosenDriver): string {
  return chosen.kind === 'container' ? `container (${chosen.engine.kind})` : 'process'
}
