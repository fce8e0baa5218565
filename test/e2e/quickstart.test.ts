// README's first command ends in scripts/quickstart.mjs: it must deploy the example application on the
// local control plane and show every part working, as a newcomer would run it.
import {execFile} from 'node:child_process'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, expect, it} from 'vitest'

import {stopLocal} from '../../src/local/launcher.js'

const root = join(import.meta.dirname, '..', '..')
const state = mkdtempSync(join(tmpdir(), 'pier-quickstart-'))

afterAll(async () => {
  await stopLocal(state, {timeoutMs: 15_000})
  rmSync(state, {recursive: true, force: true})
})

it('deploys the example application locally and shows it working', async () => {
  const r = await new Promise<{code: number; out: string}>((resolve) => {
    const child = execFile(process.execPath, [join(root, 'scripts', 'quickstart.mjs')], {cwd: root, env: {...process.env, CI: 'true', PIER_STATE_DIR: state, PIER_LOCAL_PORT: '0'}, maxBuffer: 32 * 1024 * 1024}, (err, stdout, stderr) =>
      resolve({code: err ? ((err as {code?: number}).code ?? 1) : 0, out: stdout + stderr}),
    )
    child.stdin?.end()
  })
  expect(r.code, r.out).toBe(0)
  // The web service's answer carries the backend's, reached by its discovery name.
  expect(r.out).toMatch(/"backend":\{"ok":true/)
  expect(r.out).toMatch(/hello from the test api/)
  // The one-off task's report, the exec'd command's output, the status, and the way out.
  expect(r.out).toMatch(/"job":"report","environment":"test","backend":\{"ok":true/)
  expect(r.out).toMatch(/PRIMARY\s+COMPLETED/)
  expect(r.out).toMatch(/The example application runs locally/)
  // It says which driver ran the tasks (the test configuration pins the process driver).
  expect(r.out).toMatch(/Tasks run with the process driver: PIER_LOCAL_DRIVER\./)
  expect(r.out).toContain('local stop')
}, 240_000)
