// The local control plane's own program: `node dist/local/main.js --state-dir D --port P [--foreground]`.
// Writes `<stateDir>/control-plane.json` once listening and removes it on exit; SIGTERM or SIGINT close it
// gracefully (every task is stopped by the parts' close hooks); a second signal exits at once.

import {existsSync, rmSync} from 'node:fs'
import {join} from 'node:path'
import {parseArgs} from 'node:util'

import {LOCAL_ACCESS_KEY_ID, LOCAL_SECRET_ACCESS_KEY, type LocalStatus} from './contracts.js'
import {parseDriverChoice} from './agent/choice.js'
import {startLocalControlPlane, type LocalControlPlane} from './assemble.js'
import {defaultPort, defaultStateDir, readLocalStatus, STATUS_FILE} from './launcher.js'
import {readJsonFile, writeJsonFileAtomic} from './store/json-file.js'

function log(line: string): void {
  process.stdout.write(`${new Date().toISOString()} ${line}\n`)
}

async function main(): Promise<void> {
  const {values} = parseArgs({
    options: {'state-dir': {type: 'string'}, port: {type: 'string'}, foreground: {type: 'boolean', default: false}, driver: {type: 'string'}},
    strict: true,
  })
  const stateDir = values['state-dir'] ?? defaultStateDir()
  const port = values.port === undefined ? defaultPort() : Number(values.port)
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be a port number (0 picks a free one), not ${values.port}`)

  const driver = parseDriverChoice(values.driver ?? process.env.PIER_LOCAL_DRIVER, values.driver ? '--driver' : 'PIER_LOCAL_DRIVER')
  const running = readLocalStatus(stateDir)
  if (running) throw new Error(`the local control plane already runs for ${stateDir} (pid ${running.pid}, ${running.endpoint})`)

  let cp: LocalControlPlane
  try {
    // The local capacity comes from PIER_LOCAL_CPU and PIER_LOCAL_MEMORY, else the machine (assemble.ts).
    cp = await startLocalControlPlane({stateDir, port, log, driver})
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new Error(`port ${port} on 127.0.0.1 is in use by another program: choose another with --port or PIER_LOCAL_PORT`)
    }
    throw err
  }

  const statusPath = join(stateDir, STATUS_FILE)
  const status: LocalStatus = {
    endpoint: cp.endpoint,
    region: cp.region,
    accessKeyId: LOCAL_ACCESS_KEY_ID,
    secretAccessKey: LOCAL_SECRET_ACCESS_KEY,
    stateDir,
    pid: process.pid,
    port: cp.port,
    startedAt: new Date().toISOString(),
    driver: cp.driver,
  }
  writeJsonFileAtomic(statusPath, status)
  log(`local control plane listening on ${cp.endpoint} (pid ${process.pid}, state ${stateDir})`)
  if (values.foreground) {
    log(`region ${status.region}, access key id ${status.accessKeyId}, secret access key ${status.secretAccessKey}`)
    log('press Ctrl-C to stop it and every task it started')
  }

  let stopping = false
  const stop = async (why: string) => {
    if (stopping) {
      log(`${why} again: exiting now`)
      process.exit(130)
    }
    stopping = true
    log(`${why}: stopping every task, then the control plane`)
    try {
      await cp.close()
    } finally {
      if (readJsonFile<LocalStatus | undefined>(statusPath, undefined)?.pid === process.pid) rmSync(statusPath, {force: true})
      log('stopped')
      process.exit(0)
    }
  }
  // A state directory removed (or taken over by another control plane) while this one runs would leave it
  // serving, with its tasks, for nobody: it stops instead, and what its shutdown writes goes with it.
  let orphaned = false
  const watchdog = setInterval(() => {
    if (stopping || readJsonFile<LocalStatus | undefined>(statusPath, undefined)?.pid === process.pid) return
    orphaned = !existsSync(statusPath)
    void stop(orphaned ? `its state directory ${stateDir} was removed` : `another control plane took over ${stateDir}`)
  }, 2000)
  watchdog.unref()
  process.on('exit', () => {
    if (orphaned && !existsSync(statusPath)) rmSync(stateDir, {recursive: true, force: true})
  })
  process.on('SIGTERM', () => void stop('SIGTERM'))
  process.on('SIGINT', () => void stop('SIGINT'))
  process.on('SIGHUP', () => undefined)
  // A bug in one request or task must not take every task down with it: report it and keep serving.
  process.on('uncaughtException', (err) => log(`internal error: ${err.stack ?? err.message}`))
  process.on('unhandledRejection', (err) => log(`internal error: ${(err as Error)?.stack ?? String(err)}`))
}

main().catch((err: Error) => {
  process.stderr.write(`pier local: ${err.message}\n`)
  process.exit(1)
})
