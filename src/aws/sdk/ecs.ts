// The ECSClient and the commands Pier sends with it, and nothing else: bundled from the SDK's ES
// modules, the rest of the service's commands are left out (see scripts/build.mjs).
export {ECSClient, DescribeClustersCommand, CreateClusterCommand, DescribeServicesCommand, UpdateServiceCommand, ListServicesCommand, ListTasksCommand, DescribeTasksCommand, DescribeTaskDefinitionCommand, RegisterTaskDefinitionCommand, RunTaskCommand, StopTaskCommand, ExecuteCommandCommand} from '@aws-sdk/client-ecs'
