// The ECRClient and the commands Pier sends with it, and nothing else: bundled from the SDK's ES
// modules, the rest of the service's commands are left out (see scripts/build.mjs).
export {ECRClient, DescribeRepositoriesCommand, CreateRepositoryCommand, DeleteRepositoryCommand, GetAuthorizationTokenCommand, DescribeImagesCommand} from '@aws-sdk/client-ecr'
