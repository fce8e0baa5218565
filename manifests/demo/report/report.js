// The demo's scheduled job: asks the backend for its status and prints one JSON report line.
const apiUrl = process.env.API_URL || `http://api.${process.env.COPILOT_SERVICE_DISCOVERY_ENDPOINT || 'localhost'}:8080`

async function main() {
  const started = Date.now()
  let backend
  try {
    const res = await fetch(`${apiUrl}/`, {signal: AbortSignal.timeout(5000)})
    backend = {ok: res.ok, status: res.status, body: await res.json()}
  } catch (error) {
    backend = {ok: false, error: String(error.cause?.code || error.message)}
  }
  console.log(JSON.stringify({job: 'report', environment: process.env.COPILOT_ENVIRONMENT_NAME || null, backend, ms: Date.now() - started}))
}

main()
