// Local Cloud Map (service discovery) for the local control plane.
export {LocalDiscovery} from './registry.js'
export type {DiscoveryServiceRecord, InstanceRecord, NamespaceRecord, PortsOf} from './registry.js'
export {TcpForwarder} from './forwarder.js'
