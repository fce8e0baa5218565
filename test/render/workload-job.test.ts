// A Scheduled Job's rule and state machine: limits AWS sets, and the field named in a render error.
import {describe, expect, it} from 'vitest'

import type {ScheduledJob} from '../../src/manifest/types.js'
import {APP, ENV, job} from './fixtures.js'
import {renderWorkloadStack} from '../../src/render/index.js'

const renderJob = (m: ScheduledJob) => renderWorkloadStack({app: APP, env: ENV, name: m.name, manifest: m, inputs: {}})

describe('a Scheduled Job', () => {
  it('gives its rule target an id within the 64 characters EventBridge allows', () => {
    const name = 'nightly-report-generator-for-the-accounting-and-billing-teams'
    const target = renderJob({...job, name}).template.Resources.Rule.Properties.Targets[0]
    expect(target.Id).toBe(`${name}-state-machine`.slice(0, 64))
    expect(target.Id).toHaveLength(64)
    expect(renderJob(job).template.Resources.Rule.Properties.Targets[0].Id).toBe(`${job.name}-state-machine`)
  })

  it('names the timeout field when it is not a duration', () => {
    expect(() => renderJob({...job, timeout: 'soon'})).toThrow('timeout "soon" is not a duration')
  })
})
