// The demo's backend service: a small JSON API reachable only inside the environment. No dependencies.
const http = require('node:http')
const os = require('node:os')

const port = Number(process.env.PORT || 8080)
let requests = 0

const server = http.createServer((req, res) => {
  if (req.url === '/healthz') {
    res.writeHead(200, {'content-type': 'text/plain'})
    return res.end('ok\n')
  }
  requests++
  res.writeHead(200, {'content-type': 'application/json'})
  res.end(JSON.stringify({
    service: 'api',
    message: process.env.GREETING || 'hello from the api',
    environment: process.env.COPILOT_ENVIRONMENT_NAME || null,
    host: os.hostname(),
    requests,
    time: new Date().toISOString(),
  }) + '\n')
})

server.listen(port, () => console.log(`api listening on ${server.address().port}`))
process.on('SIGTERM', () => server.close(() => process.exit(0)))
