// The newcomer's minute: deploys the example application in manifests/demo to the local control plane
// and shows it working: the web service answering with data from the backend it reaches by its
// service discovery name, a one-off task, a command run through exec, and the service's status.
// Tasks run in containers where a container engine answers and can get the example's base image
// (node:20-alpine), else as host processes; the quickstart says which driver it used, and why.
// Run by `bash scripts/quickstart.sh` (after set-up) or `npm run quickstart`.
import {spawnSync} from 'node:child_process'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const workspace = join(root, 'manifests', 'demo')
const bin = join(root, 'bin', 'run.js')
const env = {...process.env, CI: process.env.CI ?? 'true'}
delete env.NODE_EXTRA_CA_CERTS
const color = process.stdout.isTTY && !process.env.NO_COLOR
const bold = (s) => (color ? `\x1b[1m${s}\x1b[0m` : s)
const dim = (s) => (color ? `\x1b[2m${s}\x1b[0m` : s)
const startedAt = Date.now()
const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`

function step(title) {
  process.stdout.write(`\n${bold(`▸ ${title}`)}\n`)
}

/** Runs `pier ...` in the example workspace, showing its output; stops the quickstart if it fails. */
function pier(args, {show = true, allowFail = false} = {}) {
  process.stdout.write(dim(`$ pier ${args.map((a) => (/[\s"']/.test(a) ? JSON.stringify(a) : a)).join(' ')}\n`))
  const t = Date.now()
  const r = spawnSync(process.execPath, [bin, ...args], {cwd: workspace, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe']})
  if (show) {
    process.stdout.write(r.stdout)
    process.stdout.write(r.stderr)
  }
  if (r.status !== 0 && !allowFail) {
    if (!show) process.stdout.write(r.stdout + r.stderr)
    process.stderr.write(`\n✘ The quickstart stopped: \`pier ${args.join(' ')}\` exited with ${r.status}.\n  Stop the local control plane with: node bin/run.js local stop\n`)
    process.exit(1)
  }
  process.stdout.write(dim(`  (${seconds(Date.now() - t)})\n`))
  return r
}

async function get(url) {
  const end = Date.now() + 10_000
  for (;;) {
    try {
      const res = await fetch(url, {signal: AbortSignal.timeout(5000)})
      return {status: res.status, body: await res.text()}
    } catch (err) {
      if (Date.now() > end) throw err
      await new Promise((r) => setTimeout(r, 200))
    }
  }
}

/** The driver to ask for, and why: PIER_LOCAL_DRIVER when set, else containers when an engine answers and has the base image. */
function chooseDriver() {
  if (process.env.PIER_LOCAL_DRIVER) return {driver: process.env.PIER_LOCAL_DRIVER, why: 'PIER_LOCAL_DRIVER'}
  const base = 'node:20-alpine'
  const engines = process.env.PIER_CONTAINER_ENGINE === 'none' ? [] : process.env.PIER_CONTAINER_ENGINE ? [process.env.PIER_CONTAINER_ENGINE] : ['docker', 'podman']
  for (const engine of engines) {
    const run = (args, timeout = 30_000) => spawnSync(engine, args, {encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout})
    if (run(['info', '--format', '{{json .}}']).status !== 0) continue
    if (run(['image', 'inspect', base]).status === 0 || run(['pull', base], 300_000).status === 0) return {driver: 'container', engine, why: `${engine} answers and has ${base}`}
    return {driver: 'process', why: `${engine} answers but cannot pull ${base} (no registry reachable?), so the example runs as host processes`}
  }
  return {driver: 'process', why: 'no container engine (docker, podman) answers'}
}

const chosen = chooseDriver()
step('Start the local control plane (an AWS-compatible endpoint on loopback: ECS, CloudFormation, ELB, SSM, Logs...)')
const started = pier(['local', 'start', '--driver', chosen.driver])
const driverUsed = started.stdout.match(/^Driver:\s+(.+)$/m)?.[1] ?? chosen.driver
process.stdout.write(`Tasks run with the ${driverUsed} driver: ${chosen.why}.\n`)

step('Deploy the example application: environment "test", then the web service, its backend and a scheduled job, in parallel')
pier(['deploy', '--all', '--env', 'test', '--local'])

step('The web service answers through the local load balancer, with data from the backend it calls by its discovery name')
const shown = JSON.parse(pier(['svc', 'show', '--name', 'web', '--env', 'test', '--local', '--json'], {show: false}).stdout)
const url = [JSON.stringify(shown).match(/"(http:\/\/127\.0\.0\.1:\d+[^"]*)"/)?.[1]].find(Boolean)
if (!url) {
  process.stderr.write(`✘ The quickstart stopped: no URL for the web service in \`pier svc show --json\`.\n`)
  process.exit(1)
}
const answer = await get(url)
process.stdout.write(`GET ${url} → ${answer.status}\n${answer.body.trim()}\n`)
let backendOk = false
try {
  backendOk = JSON.parse(answer.body).backend?.ok === true
} catch {
  backendOk = false
}
if (answer.status !== 200 || !backendOk) {
  process.stderr.write('✘ The quickstart stopped: the web service did not answer with the backend\'s data.\n')
  process.exit(1)
}

step('Run a one-off task from a Dockerfile and follow it to its exit code (the report job asks the backend too)')
pier(['task', 'run', '--dockerfile', 'report/Dockerfile', '--env', 'test', '--env-vars', 'API_URL=http://api.test.demo.local:8080,COPILOT_ENVIRONMENT_NAME=test', '--follow', '--local'])

step('Run a command inside the running backend through exec (the SSM data channel, no session-manager-plugin)')
pier(['svc', 'exec', '--name', 'api', '--env', 'test', '--command', 'node -e "console.log(process.env.GREETING)"', '--local'])

step('The web service\'s status: deployments, tasks, load balancer targets')
pier(['svc', 'status', '--name', 'web', '--env', 'test', '--local'])

process.stdout.write(`
${bold(`✔ The example application runs locally with the ${driverUsed} driver (${seconds(Date.now() - startedAt)}).`)} Open ${url}

Explore it (from manifests/demo):
  cd manifests/demo
  node ../../bin/run.js svc logs --name web --env test --follow --local
  node ../../bin/run.js job run --name report --env test --local
  node ../../bin/run.js svc exec --name api --env test --local        # an interactive shell
  eval "$(node ../../bin/run.js local env)"; aws --endpoint-url "$AWS_ENDPOINT_URL" cloudformation list-stacks
Stop everything:
  node bin/run.js local stop
`)
