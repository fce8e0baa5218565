import {describe, expect, it} from 'vitest'
import {renderWorkloadStack, renderEnvironmentStack, environmentNeeds} from '../../src/render/index.js'
import {checkTemplate} from './check-template.js'
import {APP, ENV, api, defaultEnv, httpsEnv, importedEnv, job, web, webInputs, worker} from './fixtures.js'

describe('smoke', () => {
  it('renders', () => {
    const needs = environmentNeeds([web, api, worker, job].map((m) => ({name: m.name, manifest: m})))
    for (const e of [defaultEnv, httpsEnv, importedEnv]) {
      const s = renderEnvironmentStack({app: APP, env: e.name, manifest: e, needs})
      expect(checkTemplate(s.template, s.parameters)).toEqual([])
    }
    for (const [m, inputs] of [[web, webInputs], [api, {}], [worker, {}], [job, {}]] as const) {
      const s = renderWorkloadStack({app: APP, env: ENV, name: m.name, manifest: m, inputs})
      expect(checkTemplate(s.template, s.parameters)).toEqual([])
    }
  })
})
