// The CloudFormationClient and the commands Pier sends with it, and nothing else: bundled from the SDK's ES
// modules, the rest of the service's commands are left out (see scripts/build.mjs).
export {CloudFormationClient, DescribeStacksCommand, DescribeStackEventsCommand, DescribeStackResourcesCommand, CreateChangeSetCommand, DescribeChangeSetCommand, ExecuteChangeSetCommand, DeleteChangeSetCommand, CancelUpdateStackCommand, DeleteStackCommand, GetTemplateCommand} from '@aws-sdk/client-cloudformation'
