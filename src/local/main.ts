// The local control plane's own program: `node dist/local/main.js --state-dir D --port P [--foreground]`.
// Refuses a state directory that holds someone else's files, takes the directory's lock (one daemon per
// directory), writes `<stateDir>/control-plane.json` once listening and removes it on exit; SIGTERM or
// SIGINT close it gracefully (every task is stopped by the parts' close hooks); a second signal exits
// at once. It never deletes the state directory.

import {mkdirSync, rmSync, statSync} from 'node:fs'
import {join} from 'node:path'
import {parseArgs} from 'node:util'

import {LOCAL_ACCESS_KEY_ID, LOCAL_SECRET_ACCESS_KEY, type LocalStatus} from './contracts.js'
import {parseDriverChoice} from './agent/choice.js'
import {startLocalControlPlane, type LocalControlPlane} from './assemble.js'
import {defaultPort, defaultStateDir, ping, readLocalStatus} from './launcher.js'
import {acquireStateLock, foreignDirReason, LOCK_FILE, lockOwner, markStateDir, releaseStateLock, STATUS_FILE} from './state-dir.js'
import {readJsonFile, suspendWrites, writeJsonFileAtomic} from './store/json-file.js'

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
  // Never write into (or later reset) a folder that holds someone else's files.
  const foreign = foreignDirReason(stateDir)
  if (foreign) throw new Error(`refusing to use ${stateDir} as the state directory: ${foreign}; choose an empty or new directory with --state-dir`)
  mkdirSync(stateDir, {recursive: true, mode: 0o700})
  markStateDir(stateDir)
  // A daemon in another PID namespace (a container sharing the directory) has a pid this one cannot
  // see: its status file's endpoint still answers for it.
  const previous = readLocalStatus(stateDir, {evenIfDead: true})
  if (previous && (await ping(previous.endpoint, previous.pid, 500))) {
    throw new Error(`the local control plane already runs for ${stateDir} (pid ${previous.pid}, ${previous.endpoint})`)
  }
  // One daemon per state directory: two would each acknowledge writes the other overwrites.
  acquireStateLock(stateDir)
  const stateIno = statSync(stateDir).ino

  let cp: LocalControlPlane
  try {
    // The local capacity comes from PIER_LOCAL_CPU and PIER_LOCAL_MEMORY, else the machine (assemble.ts).
    cp = await startLocalControlPlane({stateDir, port, log, driver})
  } catch (err) {
    releaseStateLock(stateDir)
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
  const stop = async (why: string, persist = true) => {
    if (stopping) {
      log(`${why} again: exiting now`)
      process.exit(130)
    }
    stopping = true
    log(`${why}: stopping every task, then the control plane`)
    // A state directory that is gone must not be re-created by the shutdown's last writes.
    if (!persist) suspendWrites()
    try {
      await cp.close()
    } finally {
      if (persist) {
        if (readJsonFile<LocalStatus | undefined>(statusPath, undefined)?.pid === process.pid) rmSync(statusPath, {force: true})
        releaseStateLock(stateDir)
      }
      log('stopped')
      process.exit(0)
    }
  }
  // The watchdog: a state directory removed (or replaced) while this daemon runs leaves it serving for
  // nobody, so it stops, deleting nothing; another daemon holding the lock means this one lost it, so
  // it stops too; a status file someone removed is only written again.
  const watchdog = setInterval(() => {
    if (stopping) return
    let ino: number | undefined
    try {
      ino = statSync(stateDir).ino
    } catch {
      ino = undefined
    }
    if (ino !== stateIno) return void stop(`its state directory ${stateDir} was removed`, false)
    const owner = lockOwner(join(stateDir, LOCK_FILE))
    if (owner === undefined) {
      // A lock file someone removed is taken again, like the status file; one that names another
      // daemon means this one lost the directory.
      try {
        acquireStateLock(stateDir)
      } catch {
        return void stop(`another control plane holds the lock on ${stateDir}`, false)
      }
    } else if (owner !== process.pid) return void stop(`another control plane holds the lock on ${stateDir}`, false)
    let current: LocalStatus | undefined
    try {
      current = readJsonFile<LocalStatus | undefined>(statusPath, undefined)
    } catch {
      current = undefined
    }
    if (current?.pid !== process.pid) writeJsonFileAtomic(statusPath, status)
  }, 2000)
  watchdog.unref()
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
