// The demo's web service: answers with JSON that includes the backend's answer. No dependencies.
const http = require('node:http')

const port = Number(process.env.PORT || 3000)
// Copilot (and Pier) inject the service discovery namespace, e.g. test.demo.local.
const apiUrl = process.env.API_URL || `http://api.${process.env.COPILOT_SERVICE_DISCOVERY_ENDPOINT || 'localhost'}:8080`

async function askBackend() {
  try {
    const res = await fetch(`${apiUrl}/`, {signal: AbortSignal.timeout(2000)})
    return {ok: res.ok, status: res.status, body: await res.json()}
  } catch (error) {
    return {ok: false, error: String(error.cause?.code || error.message)}
  }
}

const server = http.createServer(async (req, res) => {
  if (req.url === '/healthz') {
    res.writeHead(200, {'content-type': 'text/plain'})
    return res.end('ok\n')
  }
  const backend = await askBackend()
  res.writeHead(backend.ok ? 200 : 502, {'content-type': 'application/json'})
  res.end(JSON.stringify({
    service: 'web',
    application: process.env.COPILOT_APPLICATION_NAME || null,
    environment: process.env.COPILOT_ENVIRONMENT_NAME || null,
    path: req.url,
    backendUrl: apiUrl,
    backend,
  }) + '\n')
})

server.listen(port, () => console.log(`web listening on ${server.address().port}, backend at ${apiUrl}`))
process.on('SIGTERM', () => server.close(() => process.exit(0)))
