// The AddonsStack nested stack of a workload and of an environment, as Copilot declared it.
import {describe, expect, it} from 'vitest'

import type {BackendService} from '../../src/manifest/types.js'
import {renderEnvironmentStack} from '../../src/render/index.js'
import {api, APP, defaultEnv} from './fixtures.js'
import {render} from './helpers.js'

const wiring = {templateUrl: 'https://bucket.s3.amazonaws.com/addons.yml', parameters: {Extra: 'x', App: 'overridden'}, outputs: []}

describe('the addons stack', () => {
  it('of a workload: the template URL as a parameter, App, Env and Name, then addons.parameters.yml', () => {
    const t = render({...api, secrets: undefined} as BackendService, {addons: wiring} as never).template
    expect(t.Parameters.AddonsTemplateURL).toEqual({Type: 'String', Description: 'URL of the addons template in S3'})
    expect(t.Resources.AddonsStack).toMatchObject({
      Type: 'AWS::CloudFormation::Stack',
      Metadata: {'aws:copilot:description': 'An Addons CloudFormation Stack for your additional AWS resources'},
      Properties: {Parameters: {App: 'overridden', Env: {Ref: 'EnvName'}, Name: {Ref: 'WorkloadName'}, Extra: 'x'}, TemplateURL: {Ref: 'AddonsTemplateURL'}},
    })
  })

  it('of an environment: App and Env from its own parameters', () => {
    const t = renderEnvironmentStack({app: APP, env: 'test', manifest: defaultEnv, needs: {publicAlb: [], internalAlb: [], nat: []}, addons: {...wiring, parameters: {}}}).template
    expect(t.Resources.AddonsStack.Properties.Parameters).toEqual({App: {Ref: 'AppName'}, Env: {Ref: 'EnvironmentName'}})
    expect(renderEnvironmentStack({app: APP, env: 'test', manifest: defaultEnv, needs: {publicAlb: [], internalAlb: [], nat: []}}).template.Resources.AddonsStack).toBeUndefined()
  })
})
