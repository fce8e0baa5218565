// Local Cloud Map (service discovery) for the local control plane.
export {LocalDiscovery} from './registry.js'
export type {DiscoveryServiceRecord, InstanceRecord, NamespaceRecord} from './registry.js'
export {TcpForwarder} from './forwarder.js'
