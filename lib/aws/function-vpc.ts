import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';

/** Subnets and security groups of a function in the cluster's VPC (from SSM list parameters). */
export interface FunctionVpcConfig {
  readonly subnetIds: string[];
  readonly securityGroupIds: string[];
}

/**
 * Puts a function in the cluster's VPC.
 *
 * Subnets come from an SSM list parameter, known only at deploy time, so they go straight into the template
 * rather than through an IVpc. AWSLambdaMSKExecutionRole (attached by an event source) lacks
 * ec2:AssignPrivateIpAddresses and ec2:UnassignPrivateIpAddresses, which Lambda lists among the
 * execution-role permissions of a VPC function; AWSLambdaVPCAccessExecutionRole has the full set.
 * https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc.html
 */
export function placeInVpc(fn: lambda.Function, vpc: FunctionVpcConfig): void {
  const cfn = fn.node.defaultChild as lambda.CfnFunction;
  cfn.vpcConfig = { subnetIds: vpc.subnetIds, securityGroupIds: vpc.securityGroupIds };
  fn.role!.addManagedPolicy(
    iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSLambdaVPCAccessExecutionRole'),
  );
}
