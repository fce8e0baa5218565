// The files `pier svc override` / `pier env override` write into `overrides/`: a cfn.patches.yml with
// commented examples, or a CDK application that includes the rendered template (`.build/in.yml`, written
// by Pier before each `cdk synth`) and changes the chosen resources through their L1 constructs. Pure.

export type OverrideTool = 'yamlpatch' | 'cdk'

export interface ScaffoldFile {
  /** Relative to the overrides/ directory. */
  path: string
  content: string
}

const PATCH_EXAMPLES = (kind: 'workload' | 'environment') => `# YAML patches applied in order to the CloudFormation template Pier renders for this ${kind}.
# op is add, remove or replace; path is a JSON pointer into the template (~1 stands for /, ~0 for ~,
# and /- appends to a list); add and replace take a value (short-form tags such as !Sub work).
# \`pier ${kind === 'workload' ? 'svc' : 'env'} package\` prints the template the patches apply to, and the result.
${kind === 'workload' ? `
# Let the task role read a parameter:
# - op: add
#   path: /Resources/TaskRole/Properties/Policies
#   value:
#     - PolicyName: ReadConfig
#       PolicyDocument:
#         Version: '2012-10-17'
#         Statement:
#           - Effect: Allow
#             Action: ssm:GetParameter
#             Resource: !Sub 'arn:\${AWS::Partition}:ssm:\${AWS::Region}:\${AWS::AccountId}:parameter/config/*'

# Keep the logs for a year:
# - op: replace
#   path: /Resources/LogGroup/Properties/RetentionInDays
#   value: 365
` : `
# Turn on Container Insights with enhanced observability:
# - op: add
#   path: /Resources/Cluster/Properties/ClusterSettings
#   value:
#     - Name: containerInsights
#       Value: enhanced

# Remove a resource:
# - op: remove
#   path: /Resources/PublicHTTPLoadBalancerSecurityGroup
`}`

const PATCH_README = `# Overrides

\`cfn.patches.yml\` changes the CloudFormation template Pier renders, after rendering and before deploy,
with YAML patches (Copilot's format). Each patch that cannot apply stops \`package\` and \`deploy\` with
its line and column in the file. See docs/addons.md in Pier's documentation.
`

const moduleOf = (type: string): {module: string; construct: string} | undefined => {
  const m = /^AWS::([A-Za-z0-9]+)::([A-Za-z0-9]+)$/.exec(type)
  return m ? {module: `aws_${m[1]!.toLowerCase()}`, construct: `Cfn${m[2]}`} : undefined
}

const lowerFirst = (s: string): string => s.replace(/^[A-Z]+/, (p) => (p.length > 1 && p.length < s.length ? p.slice(0, -1).toLowerCase() + p.slice(-1) : p.toLowerCase()))

function cdkStack(resources: {logicalId: string; type: string}[], requiresEnv: boolean): string {
  const modules = [...new Set(resources.flatMap((r) => moduleOf(r.type)?.module ?? []))].sort()
  const methods = resources.map((r) => {
    const mod = moduleOf(r.type)
    const cls = mod ? `${mod.module}.${mod.construct}` : 'cdk.CfnResource'
    return `
    // ${r.logicalId} (${r.type}): change its properties here, e.g.
    //   ${lowerFirst(r.logicalId)}.addPropertyOverride('SomeProperty', 'value')
    transform${r.logicalId}() {
        const ${lowerFirst(r.logicalId)} = this.template.getResource('${r.logicalId}') as ${cls};
        void ${lowerFirst(r.logicalId)};
    }
`
  })
  return `import * as cdk from 'aws-cdk-lib';
import * as path from 'path';
${modules.map((m) => `import { ${m} } from 'aws-cdk-lib';`).join('\n')}

interface TransformedStackProps extends cdk.StackProps {
    readonly appName: string;
${requiresEnv ? '    readonly envName: string;\n' : ''}}

// The template Pier rendered, included as L1 constructs; each transform method changes one resource.
export class TransformedStack extends cdk.Stack {
    public readonly template: cdk.cloudformation_include.CfnInclude;
    public readonly appName: string;
${requiresEnv ? '    public readonly envName: string;\n' : ''}
    constructor(scope: cdk.App, id: string, props: TransformedStackProps) {
        super(scope, id, props);
        this.template = new cdk.cloudformation_include.CfnInclude(this, 'Template', {
            templateFile: path.join('.build', 'in.yml'),
        });
        this.appName = props.appName;
${requiresEnv ? '        this.envName = props.envName;\n' : ''}${resources.map((r) => `        this.transform${r.logicalId}();\n`).join('')}    }
${methods.join('')}}
`
}

export function overrideFiles(tool: OverrideTool, kind: 'workload' | 'environment', resources: {logicalId: string; type: string}[] = []): ScaffoldFile[] {
  if (tool === 'yamlpatch') return [{path: 'cfn.patches.yml', content: PATCH_EXAMPLES(kind)}, {path: 'README.md', content: PATCH_README}]
  // Environments are rendered per environment: the CDK application gets its name too.
  const requiresEnv = kind === 'environment'
  return [
    {path: 'package.json', content: `${JSON.stringify({
      name: 'override', version: '0.1.0', private: true, bin: {override: 'bin/override.js'},
      scripts: {build: 'tsc', cdk: 'cdk'},
      devDependencies: {'@types/node': '^20.0.0', 'aws-cdk': '^2.150.0', 'ts-node': '^10.9.2', typescript: '~5.4.0'},
      dependencies: {'aws-cdk-lib': '^2.150.0', constructs: '^10.0.0', 'source-map-support': '^0.5.21'},
    }, null, 2)}\n`},
    {path: 'cdk.json', content: `${JSON.stringify({app: 'npx ts-node --prefer-ts-exts bin/override.ts', versionReporting: false}, null, 2)}\n`},
    {path: 'tsconfig.json', content: `${JSON.stringify({compilerOptions: {target: 'ES2020', module: 'commonjs', lib: ['es2020'], strict: true, esModuleInterop: true, typeRoots: ['./node_modules/@types']}, exclude: ['node_modules', 'cdk.out']}, null, 2)}\n`},
    {path: '.gitignore', content: '# The template Pier writes for each synth.\n.build\nnode_modules\n*.js\n*.d.ts\ncdk.out\n'},
    {path: 'bin/override.ts', content: `#!/usr/bin/env node
import * as cdk from 'aws-cdk-lib';
import { TransformedStack } from '../stack';

const app = new cdk.App();
new TransformedStack(app, 'Stack', {
    appName: process.env.COPILOT_APPLICATION_NAME || '',
${requiresEnv ? "    envName: process.env.COPILOT_ENVIRONMENT_NAME || '',\n" : ''}});
`},
    {path: 'stack.ts', content: cdkStack(resources, requiresEnv)},
    {path: 'README.md', content: `# Overrides with the CDK

Before each \`package\` and \`deploy\`, Pier writes the rendered template to \`.build/in.yml\`, runs
\`npm install\` (or yarn with a yarn.lock) here, then \`node_modules/.bin/cdk synth --no-version-reporting\`,
and deploys what it prints. Change resources in \`stack.ts\`. See docs/addons.md in Pier's documentation.
`},
  ]
}
