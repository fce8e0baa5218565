// The local agent: drivers that run ECS tasks on this machine (docs/local-agent.md).
export {ProcessDriver, cleanupOrphans, type ProcessDriverOptions} from './process-driver.js'
export {ContainerDriver, type ContainerDriverOptions} from './container-driver.js'
export {parseDockerfile, type ImageConfig} from './dockerfile.js'
export {BUILD_CONTEXT_LABEL, BUILD_DOCKERFILE_LABEL, BUILD_TARGET_LABEL} from './launch.js'
export {chooseDriver, parseDriverChoice, driverLabel, type DriverChoice, type ChosenDriver} from './choice.js'
export {createEngine, findEngine, type Engine, type EngineKind} from './engine.js'
