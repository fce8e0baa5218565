// The EC2Client and the commands Pier sends with it, and nothing else: bundled from the SDK's ES
// modules, the rest of the service's commands are left out (see scripts/build.mjs).
export {EC2Client, DescribeVpcsCommand, DescribeSubnetsCommand, DescribeManagedPrefixListsCommand} from '@aws-sdk/client-ec2'
