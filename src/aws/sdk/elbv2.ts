// The ElasticLoadBalancingV2Client and the commands Pier sends with it, and nothing else: bundled from the SDK's ES
// modules, the rest of the service's commands are left out (see scripts/build.mjs).
export {ElasticLoadBalancingV2Client, DescribeLoadBalancersCommand, DescribeListenersCommand, DescribeRulesCommand, DescribeTargetHealthCommand} from '@aws-sdk/client-elastic-load-balancing-v2'
