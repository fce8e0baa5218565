// Rendering: the pure core of Pier. Merged manifests in, CloudFormation templates and task
// definitions out; no SDK, no filesystem, no network, and the same input always gives the same output.

export type {RenderedStack} from './types.js'
export type {EnvironmentFacts, EnvironmentNeeds, ImportedAlb, WorkloadDeployInputs} from './inputs.js'
export {RenderError} from './errors.js'
export {renderEnvironmentStack, type EnvironmentStackInput} from './env/stack.js'
export {environmentNeeds} from './env/needs.js'
export {environmentFacts} from './env/facts.js'
export {CLOUDFRONT_PREFIX_LIST_NAME, restrictsToCloudFront} from './env/public-ingress.js'
export {renderWorkloadStack, type WorkloadStackInput} from './workload/stack.js'
export {httpRules, pathPatterns} from './workload/http.js'
export {scheduleExpression} from './workload/schedule.js'
export {renderTaskStack, type TaskTemplateInput} from './task-stack.js'
export {toYaml} from './template-yaml.js'
export {DESCRIPTION_KEY} from './template.js'
export {copilotTags, discoveryEndpoint, ENV_OUTPUTS, envExport, environmentStackName, logGroupName, TAG, taskLogGroupName, taskStackName, taskTags, workloadStackName} from './names.js'
export {ADDONS_STACK, ADDONS_TEMPLATE_URL, type AddonsWiring} from './addons.js'
