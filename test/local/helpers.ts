// A control plane on a free loopback port in a fresh state directory, and SDK client settings for it.
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {LOCAL_ACCESS_KEY_ID, LOCAL_REGION, LOCAL_SECRET_ACCESS_KEY} from '../../src/local/contracts.js'
import {createControlPlane, type ControlPlane} from '../../src/local/control-plane.js'

export interface Harness {
  cp: ControlPlane
  stateDir: string
  config: {endpoint: string; region: string; credentials: {accessKeyId: string; secretAccessKey: string}; maxAttempts: number}
  close(): Promise<void>
}

export async function startControlPlane(stateDir = mkdtempSync(join(tmpdir(), 'pier-local-'))): Promise<Harness> {
  const lines: string[] = []
  const cp = await createControlPlane({stateDir, port: 0, log: (l) => lines.push(l)})
  return {
    cp,
    stateDir,
    config: {
      endpoint: cp.endpoint,
      region: LOCAL_REGION,
      credentials: {accessKeyId: LOCAL_ACCESS_KEY_ID, secretAccessKey: LOCAL_SECRET_ACCESS_KEY},
      maxAttempts: 1,
    },
    async close() {
      await cp.close()
      rmSync(stateDir, {recursive: true, force: true})
    },
  }
}
