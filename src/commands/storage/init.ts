import {Flags} from '@oclif/core'

import {checkAppFlag} from '../../app/check-app.js'
import {initStorage} from '../../app/storage-init.js'
import type {Engine, Lifecycle, StorageType} from '../../addons/storage.js'
import {PierCommand} from '../../cli/base-command.js'
import {printStatus, success} from '../../cli/output.js'
import {requireValue} from '../../cli/prompt.js'
import {UserError} from '../../errors.js'
import {loadWorkspace} from '../../workspace/find.js'

const TYPES = ['DynamoDB', 'S3', 'Aurora'] as const
const ENGINES = ['MySQL', 'PostgreSQL'] as const

export default class StorageInit extends PierCommand {
  static override summary = 'Write the CloudFormation addon template of a storage resource: an S3 bucket, a DynamoDB table or an Aurora Serverless cluster.'
  static override description = 'Writes the addon templates Copilot writes for the same choices, into copilot/<workload>/addons/ (workload lifecycle: created and deleted with the workload) or copilot/environments/addons/ (environment lifecycle, with an access policy in the workload\'s addons). They are deployed with the workload or the environment as the nested stack AddonsStack. See docs/addons.md.'
  static override examples = [
    {description: 'An S3 bucket for the "frontend" service.', command: '<%= config.bin %> <%= command.id %> -n my-bucket -t S3 -w frontend -l workload'},
    {description: 'An S3 bucket in the environment, used by "api".', command: '<%= config.bin %> <%= command.id %> -n my-bucket -t S3 -w api -l environment'},
    {description: 'A DynamoDB table with a sort key.', command: '<%= config.bin %> <%= command.id %> -n my-table -t DynamoDB -w frontend --partition-key Email:S --sort-key UserId:N --no-lsi'},
    {description: 'An Aurora Serverless v2 PostgreSQL cluster.', command: '<%= config.bin %> <%= command.id %> -n my-cluster -t Aurora -w frontend --engine PostgreSQL --initial-db testdb'},
  ]
  static override flags = {
    app: Flags.string({char: 'a', description: 'Name of the application (must match copilot/.workspace).'}),
    name: Flags.string({char: 'n', description: 'Name of the storage resource to create.'}),
    'storage-type': Flags.string({char: 't', description: 'Type of storage to add.', options: [...TYPES]}),
    workload: Flags.string({char: 'w', description: 'Name of the service or job that accesses the storage.'}),
    lifecycle: Flags.string({char: 'l', description: 'Whether the storage is created and deleted with the workload or with the environment.', options: ['workload', 'environment']}),
    'add-ingress-from': Flags.string({description: 'The workload that needs access to an environment storage resource that already exists (writes only its access).', exclusive: ['workload', 'partition-key', 'sort-key', 'no-sort', 'lsi', 'no-lsi', 'serverless-version', 'initial-db', 'parameter-group']}),
    'partition-key': Flags.string({description: 'Partition key of the DynamoDB table, as NAME:TYPE (S, N or B).', helpGroup: 'DYNAMODB'}),
    'sort-key': Flags.string({description: 'Sort key of the DynamoDB table, as NAME:TYPE.', helpGroup: 'DYNAMODB'}),
    'no-sort': Flags.boolean({description: 'The DynamoDB table has no sort key.', exclusive: ['sort-key', 'lsi'], helpGroup: 'DYNAMODB'}),
    lsi: Flags.string({description: 'An alternate sort key (local secondary index), as NAME:TYPE; up to 5 times.', multiple: true, exclusive: ['no-lsi'], helpGroup: 'DYNAMODB'}),
    'no-lsi': Flags.boolean({description: 'The DynamoDB table has no local secondary index.', helpGroup: 'DYNAMODB'}),
    'serverless-version': Flags.string({description: 'Aurora Serverless version.', options: ['v1', 'v2'], default: 'v2', helpGroup: 'AURORA'}),
    engine: Flags.string({description: 'Database engine of the Aurora cluster.', options: [...ENGINES], helpGroup: 'AURORA'}),
    'initial-db': Flags.string({description: 'Name of the initial database created in the cluster.', helpGroup: 'AURORA'}),
    'parameter-group': Flags.string({description: 'Name of an existing DB cluster parameter group to use instead of a new one.', helpGroup: 'AURORA'}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(StorageInit)
    const cwd = process.cwd()
    const ws = loadWorkspace(cwd)
    checkAppFlag(flags.app, ws.application)
    const ingressFrom = flags['add-ingress-from']
    if (ingressFrom && flags.lifecycle === 'workload') throw new UserError('--lifecycle cannot be workload when --add-ingress-from is used: access is added to environment storage', {hint: 'Drop --lifecycle.'})
    if (ingressFrom && (!flags.name || !flags['storage-type'])) throw new UserError('--name and --storage-type are required with --add-ingress-from', {hint: `e.g. pier storage init -n my-bucket -t S3 --add-ingress-from ${ingressFrom}`})
    const type = (await requireValue(flags['storage-type'], {flag: '--storage-type', question: 'What type of storage?', choices: TYPES, example: 'S3'})) as StorageType
    const workloads = ws.workloads.map((w) => w.name)
    const workload = ingressFrom ?? (await requireValue(flags.workload, {flag: '--workload', question: 'Which workload accesses the storage?', choices: workloads.length ? workloads : undefined, example: workloads[0] ?? 'api'}))
    const name = await requireValue(flags.name, {flag: '--name', question: 'What is the storage called?', example: type === 'Aurora' ? 'my-cluster' : type === 'S3' ? 'my-bucket' : 'my-table'})
    const lifecycle = (ingressFrom ? 'environment' : await requireValue(flags.lifecycle, {flag: '--lifecycle', question: 'Created and deleted with the workload or with the environment?', choices: ['workload', 'environment'], example: 'workload'})) as Lifecycle
    const opts: Parameters<typeof initStorage>[1] = {name, type, workload, lifecycle, ...(ingressFrom ? {ingressOnly: true} : {})}
    if (type === 'DynamoDB' && !ingressFrom) {
      opts.partitionKey = await requireValue(flags['partition-key'], {flag: '--partition-key', question: 'Partition key (NAME:TYPE, TYPE one of S, N, B)?', example: 'Email:S'})
      if (!flags['no-sort']) {
        const sort = flags['sort-key'] ?? (flags.lsi?.length ? undefined : await requireValue(undefined, {flag: '--sort-key (or --no-sort)', question: 'Sort key (NAME:TYPE)?', example: 'UserId:N'}))
        if (sort) opts.sortKey = sort
        if (!flags['no-lsi'] && flags.lsi?.length) opts.lsi = flags.lsi
      }
    }
    if (type === 'Aurora') {
      // As Copilot: with --add-ingress-from, the engine defaults to MySQL.
      opts.engine = (ingressFrom ? (flags.engine ?? 'MySQL') : await requireValue(flags.engine, {flag: '--engine', question: 'Which database engine?', choices: ENGINES, example: 'PostgreSQL'})) as Engine
      if (!ingressFrom) {
        const db = await requireValue(flags['initial-db'], {flag: '--initial-db', question: 'Name of the initial database?', example: 'main'})
        const pattern = opts.engine === 'MySQL' ? /^[A-Za-z][A-Za-z0-9_]{0,63}$/ : /^[A-Za-z_][A-Za-z0-9_]{0,62}$/
        if (!pattern.test(db)) throw new UserError(`--initial-db ${JSON.stringify(db)} is not a valid ${opts.engine} database name: letters, digits and underscores, starting with a letter, up to ${opts.engine === 'MySQL' ? 64 : 63} characters`, {hint: 'e.g. --initial-db main'})
        opts.initialDb = db
        opts.serverlessVersion = flags['serverless-version'] as 'v1' | 'v2'
        if (flags['parameter-group']) opts.parameterGroup = flags['parameter-group']
      }
    }
    const r = initStorage(cwd, opts)
    for (const p of r.written) success(`Wrote ${p}`)
    for (const p of r.unchanged) printStatus(`${p} already holds this template.`)
    const env = ws.environments[0] ?? 'test'
    if (r.injected) printStatus(`The main container of ${workload} gets the ${r.injected.kind === 'secret' ? 'secret' : 'variable'} ${r.injected.name}${r.injected.kind === 'secret' ? ' (JSON: host, port, dbname, username, password, engine)' : ''}.`)
    if (r.manifestSnippet) printStatus(`Add to the manifest of ${workload}:\n${r.manifestSnippet.split('\n').map((l) => `  ${l}`).join('\n')}`)
    if (lifecycle === 'environment' && !ingressFrom) printStatus(`Next: run \`pier env deploy --name ${env}\`, then \`pier svc deploy --name ${workload} --env ${env}\`.`)
    else printStatus(`Next: run \`pier validate -n ${workload}\`, then \`pier svc deploy --name ${workload} --env ${env}\`.`)
  }
}
