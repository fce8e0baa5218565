// Templates of the data-stack test: an environment's exports, a service stack with a nested addons
// stack, and addons in the shape `storage init` writes (S3 bucket with its access policy; Aurora
// Serverless v2 PostgreSQL with a generated secret attached to the cluster), plus Redis, a DynamoDB
// table and a Lambda function the local control plane records only.

export const ENV = `
Resources:
  Vpc: {Type: AWS::EC2::VPC, Properties: {CidrBlock: 10.0.0.0/16}}
  PrivateSubnet1: {Type: AWS::EC2::Subnet, Properties: {VpcId: !Ref Vpc, CidrBlock: 10.0.2.0/24}}
  PrivateSubnet2: {Type: AWS::EC2::Subnet, Properties: {VpcId: !Ref Vpc, CidrBlock: 10.0.3.0/24}}
Outputs:
  VpcId: {Value: !Ref Vpc, Export: {Name: demo-test-VpcId}}
  PrivateSubnets: {Value: !Join [',', [!Ref PrivateSubnet1, !Ref PrivateSubnet2]], Export: {Name: demo-test-PrivateSubnets}}
`

export const ADDONS = `
Parameters:
  App: {Type: String}
  Env: {Type: String}
  Name: {Type: String}
  apidbDBName: {Type: String, Default: main}
Mappings:
  apidbEnvScalingConfigurationMap:
    All: {DBMinCapacity: 0.5, DBMaxCapacity: 8}
Resources:
  assetsBucket:
    Type: AWS::S3::Bucket
    Properties:
      VersioningConfiguration: {Status: Enabled}
      BucketEncryption: {ServerSideEncryptionConfiguration: [{ServerSideEncryptionByDefault: {SSEAlgorithm: AES256}}]}
  assetsBucketPolicy:
    Type: AWS::S3::BucketPolicy
    DeletionPolicy: Retain
    Properties:
      Bucket: !Ref assetsBucket
      PolicyDocument:
        Version: '2012-10-17'
        Statement: [{Effect: Deny, Principal: '*', Action: 's3:*', Resource: [!Sub '\${assetsBucket.Arn}/*'], Condition: {Bool: {'aws:SecureTransport': false}}}]
  assetsAccessPolicy:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Version: '2012-10-17'
        Statement: [{Effect: Allow, Action: ['s3:GetObject', 's3:PutObject'], Resource: [!Sub '\${assetsBucket.Arn}/*']}]
  apidbDBSubnetGroup:
    Type: AWS::RDS::DBSubnetGroup
    Properties:
      DBSubnetGroupDescription: Private subnets for the cluster.
      SubnetIds: !Split [',', {'Fn::ImportValue': !Sub '\${App}-\${Env}-PrivateSubnets'}]
  apidbSecurityGroup:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: !Sub 'The Security Group for \${Name} to access the cluster apidb.'
      VpcId: {'Fn::ImportValue': !Sub '\${App}-\${Env}-VpcId'}
  apidbDBClusterSecurityGroup:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: The Security Group for the database cluster.
      SecurityGroupIngress: [{ToPort: 5432, FromPort: 5432, IpProtocol: tcp, SourceSecurityGroupId: !Ref apidbSecurityGroup}]
      VpcId: {'Fn::ImportValue': !Sub '\${App}-\${Env}-VpcId'}
  apidbAuroraSecret:
    Type: AWS::SecretsManager::Secret
    Properties:
      Description: !Sub Aurora main user secret for \${AWS::StackName}
      GenerateSecretString:
        SecretStringTemplate: '{"username": "postgres"}'
        GenerateStringKey: password
        ExcludePunctuation: true
        IncludeSpace: false
        PasswordLength: 16
  apidbDBClusterParameterGroup:
    Type: AWS::RDS::DBClusterParameterGroup
    Properties:
      Description: !Ref AWS::StackName
      Family: aurora-postgresql14
      Parameters: {client_encoding: UTF8}
  apidbDBCluster:
    Type: AWS::RDS::DBCluster
    Properties:
      MasterUsername: !Join ['', ['{{resolve:secretsmanager:', !Ref apidbAuroraSecret, ':SecretString:username}}']]
      MasterUserPassword: !Join ['', ['{{resolve:secretsmanager:', !Ref apidbAuroraSecret, ':SecretString:password}}']]
      DatabaseName: !Ref apidbDBName
      Engine: aurora-postgresql
      EngineVersion: '14.4'
      DBClusterParameterGroupName: !Ref apidbDBClusterParameterGroup
      DBSubnetGroupName: !Ref apidbDBSubnetGroup
      Port: 5432
      VpcSecurityGroupIds: [!Ref apidbDBClusterSecurityGroup]
      ServerlessV2ScalingConfiguration:
        MinCapacity: !FindInMap [apidbEnvScalingConfigurationMap, All, DBMinCapacity]
        MaxCapacity: !FindInMap [apidbEnvScalingConfigurationMap, All, DBMaxCapacity]
  apidbDBWriterInstance:
    Type: AWS::RDS::DBInstance
    Properties:
      DBClusterIdentifier: !Ref apidbDBCluster
      DBInstanceClass: db.serverless
      Engine: aurora-postgresql
      PromotionTier: 1
      AvailabilityZone: !Select [0, !GetAZs {Ref: 'AWS::Region'}]
  apidbSecretAuroraClusterAttachment:
    Type: AWS::SecretsManager::SecretTargetAttachment
    Properties:
      SecretId: !Ref apidbAuroraSecret
      TargetId: !Ref apidbDBCluster
      TargetType: AWS::RDS::DBCluster
  Redis:
    Type: AWS::ElastiCache::ReplicationGroup
    Properties:
      ReplicationGroupDescription: cache
      Engine: redis
      CacheNodeType: cache.t4g.micro
      NumCacheClusters: 1
  ordersTable:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: !Sub '\${App}-\${Env}-\${Name}-orders'
      AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
      KeySchema: [{AttributeName: id, KeyType: HASH}]
      BillingMode: PAY_PER_REQUEST
  Notifier:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      Role: arn:aws:iam::000000000000:role/notifier
      Code: {ZipFile: 'def handler(event, context): return 1'}
Outputs:
  assetsBucketName: {Value: !Ref assetsBucket}
  assetsAccessPolicy: {Value: !Ref assetsAccessPolicy}
  apidbSecret: {Value: !Ref apidbAuroraSecret}
  apidbSecurityGroup: {Value: !Ref apidbSecurityGroup}
  redisPort: {Value: !GetAtt Redis.PrimaryEndPoint.Port}
  redisHost: {Value: !GetAtt Redis.PrimaryEndPoint.Address}
  ordersName: {Value: !Ref ordersTable}
  ordersArn: {Value: !GetAtt ordersTable.Arn}
`

export const FAILING_ADDONS = `
Parameters:
  App: {Type: String}
  Env: {Type: String}
  Name: {Type: String}
Resources:
  Cache:
    Type: AWS::ElastiCache::CacheCluster
    Properties: {Engine: redis, CacheNodeType: cache.t4g.micro, NumCacheNodes: 1}
  OracleDB:
    Type: AWS::RDS::DBInstance
    DependsOn: Cache
    Properties: {Engine: oracle-ee, MasterUsername: admin, MasterUserPassword: secret123}
Outputs:
  CachePort: {Value: !GetAtt Cache.RedisEndpoint.Port}
`

/** What the probe task runs: it reads the secret and the cache's address from its environment. */
const probe = `
const {execFileSync} = require('child_process')
const net = require('net')
const s = JSON.parse(process.env.APIDB_SECRET)
const out = execFileSync('/usr/lib/postgresql/15/bin/psql', ['-X', '-At', '-h', s.host, '-p', String(s.port), '-U', s.username, '-d', s.dbname, '-c', 'SELECT 7 * 6'],
  {env: {...process.env, PGPASSWORD: s.password}}).toString().trim()
if (out !== '42') process.exit(3)
const sock = net.connect({host: process.env.REDIS_HOST, port: Number(process.env.REDIS_PORT)})
sock.on('data', (d) => process.exit(d.toString().startsWith('+PONG') ? 0 : 4))
sock.on('error', () => process.exit(5))
sock.write('PING\\r\\n')
`

export const SERVICE = (templateUrl: string, withProbe = true) => `
Resources:
  Cluster: {Type: AWS::ECS::Cluster}
  AddonsStack:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: ${templateUrl}
      Parameters: {App: demo, Env: test, Name: api}
${withProbe ? `  ProbeTask:
    Type: AWS::ECS::TaskDefinition
    Properties:
      Family: probe
      Cpu: '256'
      Memory: '512'
      NetworkMode: awsvpc
      RequiresCompatibilities: [FARGATE]
      ContainerDefinitions:
        - Name: probe
          Image: node:20
          Command: [${JSON.stringify(process.execPath)}, -e, ${JSON.stringify(probe)}]
          Secrets: [{Name: APIDB_SECRET, ValueFrom: !GetAtt AddonsStack.Outputs.apidbSecret}]
          Environment:
            - {Name: REDIS_HOST, Value: !GetAtt AddonsStack.Outputs.redisHost}
            - {Name: REDIS_PORT, Value: !GetAtt AddonsStack.Outputs.redisPort}
            - {Name: ASSETS_BUCKET_NAME, Value: !GetAtt AddonsStack.Outputs.assetsBucketName}
Outputs:
  Cluster: {Value: !Ref Cluster}
  ProbeTask: {Value: !Ref ProbeTask}
  AssetsBucketName: {Value: !GetAtt AddonsStack.Outputs.assetsBucketName}
  ApidbSecret: {Value: !GetAtt AddonsStack.Outputs.apidbSecret}
  RedisPort: {Value: !GetAtt AddonsStack.Outputs.redisPort}
  OrdersTable: {Value: !GetAtt AddonsStack.Outputs.ordersName}
  OrdersArn: {Value: !GetAtt AddonsStack.Outputs.ordersArn}
` : ''}`
