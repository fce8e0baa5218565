import {expect, it} from 'vitest'
import {mapContainerPorts} from '../../../src/local/agent/health.js'

it('points a health check written for the container port at the port the task got', () => {
  const bindings = [{containerPort: 8080, hostPort: 41234}]
  expect(mapContainerPorts(['CMD-SHELL', 'curl -f http://localhost:8080/healthz || exit 1'], bindings)).toEqual(['CMD-SHELL', 'curl -f http://localhost:41234/healthz || exit 1'])
  expect(mapContainerPorts(['CMD', 'wget', '-qO-', 'http://127.0.0.1:8080/'], bindings)).toEqual(['CMD', 'wget', '-qO-', 'http://127.0.0.1:41234/'])
  // Other ports and hosts, and longer numbers that merely start with the port, are left alone.
  expect(mapContainerPorts(['CMD-SHELL', 'curl http://localhost:9090/ http://api:8080/ http://localhost:80801/'], bindings)).toEqual(['CMD-SHELL', 'curl http://localhost:9090/ http://api:8080/ http://localhost:80801/'])
  expect(mapContainerPorts(['CMD', 'true'], [])).toEqual(['CMD', 'true'])
})
