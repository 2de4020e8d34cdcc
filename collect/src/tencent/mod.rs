//! Tencent Cloud: the calls read (one table) and the normalizers that join their answers into
//! snapshot assets. Answers come as tccli prints them or in the API's `Response` envelope.
//!
//! Zone-less `YYYY-MM-DD HH:MM:SS` times are Beijing time and epoch numbers are UTC
//! (tests/raw/tencent/README.md, "Time fields"); CAM resource names follow the six-segment
//! form of the CAM "Resource Description Method" page (598/10606).

mod acls;
mod cam;
mod cam_settings;
mod cbs;
mod cbs_snapshots;
mod cdb;
mod cfw;
mod clb;
mod cloudaudit;
mod cls;
mod cos;
mod cvm;
mod cwp;
mod eip;
mod es;
pub(crate) mod events;
mod images;
mod kms;
mod mongodb;
mod nat;
mod redis;
mod ssl;
mod tke;
mod user_data;
mod vpc;
mod vpcs;
mod waf;

use std::collections::BTreeMap;

use crate::answers::{Answers, Lookup, Place};
use crate::cache;
use crate::calls::{Call, Paging, Per, Scope};
use crate::estate::Estate;
use crate::net;
use crate::node::{FieldError, Node};
use crate::raw::{GLOBAL, Provider};
use crate::report::IssueKind;
use crate::time;

const OFFSET_100: Paging = Paging::Offset { offset: "Offset", limit: "Limit", max: 100 };
const OFFSET_200: Paging = Paging::Offset { offset: "Offset", limit: "Limit", max: 200 };
/// CAM's `Page`/`Rp` calls documented as "at most 200 per page".
const PAGE_200: Paging = Paging::PageNumber { number: "Page", size: "Rp", max: 200 };
/// CAM's `Page`/`Rp` calls that document only the default page size (20).
const PAGE_20: Paging = Paging::PageNumber { number: "Page", size: "Rp", max: 20 };

/// Bucket calls go to the bucket's own region (`Location`).
const BUCKET: Option<Per> = Some(
    Per::each("Bucket", "cos.GetService", &["ListAllMyBucketsResult", "Buckets", "Bucket"], &["Name"])
        .located("Location", ""),
);

// Per-resource answers do not name their resource, so their `shape` is empty: a file saved
// outside the layout cannot say which resource it describes.

/// The Tencent Cloud calls the importer reads.
pub(crate) static CALLS: &[Call] = &[
    Call::row(
        Provider::Tencent,
        "sts",
        "GetCallerIdentity",
        Scope::Global,
        None,
        &["account id", "AccessKey"],
        "AccountId, UserId, Type (the owner of the keys cam.ListAccessKeys lists without TargetUin)",
        Paging::None,
        &["AccountId", "Arn", "Type"],
    ),
    Call::row(
        Provider::Tencent,
        "cam",
        "GetPasswordRules",
        Scope::Global,
        None,
        &["IamPasswordPolicy"],
        "Rules: MinimumLength, ReusePasswordLimit, RetryPasswordLimit",
        Paging::None,
        &[],
    ),
    Call::row(
        Provider::Tencent,
        "cam",
        "DescribeSafeAuthFlag",
        Scope::Global,
        None,
        &["Account"],
        "LoginFlag, ActionFlag: Phone, Token, Stoken, Wechat, Custom, Mail, U2FToken, Passkey",
        Paging::None,
        &[],
    ),
    Call::row(
        Provider::Tencent,
        "cam",
        "ListUsers",
        Scope::Global,
        None,
        &["User", "AccessKey"],
        "Data[]: Uin, Uid, Name, ConsoleLogin",
        Paging::None,
        &[],
    ),
    Call::row(
        Provider::Tencent,
        "cam",
        "ListCollaborators",
        Scope::Global,
        None,
        &["User", "AccessKey"],
        "Data[]: Uin, Uid, Name, ConsoleLogin (kind collaborator)",
        Paging::Offset { offset: "Offset", limit: "Limit", max: 20 },
        &[],
    ),
    Call::row(
        Provider::Tencent,
        "cam",
        "GetUser",
        Scope::Global,
        Some(Per::each("Name", "cam.ListUsers", &["Data"], &["Name"])),
        &["User"],
        "RecentlyLoginTime",
        Paging::None,
        &[],
    ),
    Call::row(
        Provider::Tencent,
        "cam",
        "DescribeSubAccounts",
        Scope::Global,
        Some(Per::each("FilterSubAccountUin", "cam.ListUsers", &["Data"], &["Uin"])),
        &["User"],
        "SubAccounts[]: Uin, LastLoginTime",
        Paging::None,
        &[],
    ),
    Call::row(
        Provider::Tencent,
        "cam",
        "DescribeSafeAuthFlagColl",
        Scope::Global,
        Some(Per::each("SubUin", "cam.ListUsers", &["Data"], &["Uin"])),
        &["User"],
        "LoginFlag: Token, Stoken, U2FToken, Passkey",
        Paging::None,
        &[],
    ),
    Call::row(
        Provider::Tencent,
        "cam",
        "ListGroupsForUser",
        Scope::Global,
        Some(Per::each("SubUin", "cam.ListUsers", &["Data"], &["Uin"]).note("or @Uid= from Data[].Uid")),
        &["User"],
        "GroupInfo[]: GroupId",
        PAGE_20,
        &[],
    ),
    Call::row(
        Provider::Tencent,
        "cam",
        "ListAttachedUserPolicies",
        Scope::Global,
        Some(Per::each("TargetUin", "cam.ListUsers", &["Data"], &["Uin"])),
        &["User"],
        "List[]: PolicyId (direct attachments)",
        PAGE_20,
        &[],
    ),
    Call::row(
        Provider::Tencent,
        "cam",
        "ListAttachedUserAllPolicies",
        Scope::Global,
        Some(Per::each("TargetUin", "cam.ListUsers", &["Data"], &["Uin"])),
        &["User"],
        "PolicyList[]: PolicyId, Groups (entries without Groups are direct attachments)",
        PAGE_200,
        &["PolicyList"],
    ),
    Call::row(
        Provider::Tencent,
        "cam",
        "ListGroups",
        Scope::Global,
        None,
        &["Group", "User"],
        "GroupInfo[]: GroupId, GroupName",
        PAGE_20,
        &[],
    ),
    Call::row(
        Provider::Tencent,
        "cam",
        "ListUsersForGroup",
        Scope::Global,
        Some(Per::each("GroupId", "cam.ListGroups", &["GroupInfo"], &["GroupId"])),
        &["User"],
        "UserInfo[]: Uin (group members, when no user has its own cam.ListGroupsForUser)",
        PAGE_20,
        &[],
    ),
    Call::row(
        Provider::Tencent,
        "cam",
        "ListAttachedGroupPolicies",
        Scope::Global,
        Some(Per::each("TargetGroupId", "cam.ListGroups", &["GroupInfo"], &["GroupId"])),
        &["Group"],
        "List[]: PolicyId",
        PAGE_20,
        &[],
    ),
    Call::row(
        Provider::Tencent,
        "cam",
        "DescribeRoleList",
        Scope::Global,
        None,
        &["Role", "Instance"],
        "List[]: RoleId, RoleName, PolicyDocument (trust), SessionDuration, ConsoleLogin, Tags",
        PAGE_200,
        &[],
    ),
    Call::row(
        Provider::Tencent,
        "cam",
        "GetRole",
        Scope::Global,
        Some(Per::each("RoleId", "cam.DescribeRoleList", &["List"], &["RoleId"])),
        &["Role", "Instance"],
        "RoleInfo: RoleId, RoleName, PolicyDocument (trust), SessionDuration, ConsoleLogin, Tags",
        Paging::None,
        &[],
    ),
    Call::row(
        Provider::Tencent,
        "cam",
        "ListAttachedRolePolicies",
        Scope::Global,
        Some(
            Per::each("RoleId", "cam.DescribeRoleList", &["List"], &["RoleId"])
                .note("or @RoleName= from List[].RoleName"),
        ),
        &["Role"],
        "List[]: PolicyId",
        PAGE_200,
        &[],
    ),
    Call::row(
        Provider::Tencent,
        "cam",
        "ListPolicies",
        Scope::Global,
        None,
        &["Policy"],
        "List[]: PolicyId, PolicyName, Type (1 custom, 2 preset)",
        PAGE_200,
        &["List", "ServiceTypeList"],
    ),
    Call::row(
        Provider::Tencent,
        "cam",
        "GetPolicy",
        Scope::Global,
        Some(Per::each("PolicyId", "cam.ListPolicies", &["List"], &["PolicyId"])),
        &["Policy"],
        "PolicyName, Type, PolicyDocument (a JSON string)",
        Paging::None,
        &[],
    ),
    Call::row(
        Provider::Tencent,
        "cam",
        "ListAccessKeys",
        Scope::Global,
        Some(Per::each("TargetUin", "cam.ListUsers", &["Data"], &["Uin"]).bare()),
        &["AccessKey"],
        "AccessKeys[]: AccessKeyId, Status, CreateTime",
        Paging::None,
        &[],
    ),
    Call::row(
        Provider::Tencent,
        "cam",
        "GetSecurityLastUsed",
        Scope::Global,
        Some(Per::each("SecretIdList", "cam.ListAccessKeys", &["AccessKeys"], &["AccessKeyId"]).batch(10)),
        &["AccessKey"],
        "SecretIdLastUsedRows[]: SecretId, LastSecretUsedDate (epoch ms), LastUsedDate (a date)",
        Paging::None,
        &["SecretIdLastUsedRows"],
    ),
    Call::row(
        Provider::Tencent,
        "cfw",
        "DescribeFwEdgeIps",
        Scope::Global,
        None,
        &["BorderFirewallSwitch"],
        "Data[]: PublicIp, Status (0 closed, 1 open, 2 opening, 3 closing, 4 abnormal), AssetType, InstanceId, InstanceName, Region, SwitchSupportType; Total",
        OFFSET_100,
        &["Data", "RegionLst", "InstanceTypeLst"],
    ),
    Call::row(
        Provider::Tencent,
        "waf",
        "DescribeDomains",
        Scope::Global,
        None,
        &["LoadBalancer"],
        "Domains[]: Edition (clb-waf, cdc-clb-waf: bound to load balancer listeners), Status (1: WAF on), LoadBalancerSet[].LoadBalancerId, LoadBalancerSet[].Vport; Total",
        OFFSET_100,
        &["Domains"],
    ),
    Call::row(
        Provider::Tencent,
        "ssl",
        "DescribeCertificates",
        Scope::Global,
        None,
        &["Certificate"],
        "Certificates[]: CertificateId, Alias, Domain, SubjectAltName, CertBeginTime, CertEndTime (Beijing time), Status (0-15), ProductZhName, BoundResource, Tags",
        OFFSET_100,
        &["Certificates"],
    ),
    Call::row(
        Provider::Tencent,
        "cvm",
        "DescribeInstances",
        Scope::Regional,
        None,
        &["Instance", "Vpc", "HostAgent", "NatForwardRule"],
        "InstanceSet[]: InstanceId, InstanceName, InstanceState, PublicIpAddresses, PrivateIpAddresses, SecurityGroupIds, CamRoleName, ImageId, OsName, Tags, VirtualPrivateCloud.VpcId",
        OFFSET_100,
        &["InstanceSet"],
    ),
    Call::row(
        Provider::Tencent,
        "cvm",
        "DescribeInstancesAttributes",
        Scope::Regional,
        Some(Per::each("InstanceIds", "cvm.DescribeInstances", &["InstanceSet"], &["InstanceId"])),
        &["InstanceUserData"],
        "InstanceSet[]: InstanceId, Attributes.UserData (base64; asked with Attributes [\"UserData\"], one instance a call; only masked findings are kept)",
        Paging::None,
        &[],
    ),
    Call::row(
        Provider::Tencent,
        "cwp",
        "DescribeMachines",
        Scope::Regional,
        None,
        &["HostAgent"],
        "Machines[]: InstanceId, MachineType (CVM only), AgentStatus, else MachineStatus (ONLINE/OFFLINE/SHUTDOWN/UNINSTALLED), ProtectType, Quuid (asked with MachineType CVM and MachineRegion the region)",
        OFFSET_100,
        &["Machines"],
    ),
    Call::row(
        Provider::Tencent,
        "cbs",
        "DescribeDisks",
        Scope::Regional,
        None,
        &["Disk"],
        "DiskSet[]: DiskId, DiskName, DiskUsage, DiskSize, DiskState, Encrypt, KmsKeyId, Attached, InstanceId, InstanceIdList, Tags",
        OFFSET_100,
        &["DiskSet"],
    ),
    Call::row(
        Provider::Tencent,
        "cbs",
        "DescribeSnapshots",
        Scope::Regional,
        None,
        &["DiskSnapshot"],
        "SnapshotSet[]: SnapshotId, SnapshotName, DiskId, DiskUsage, DiskSize, Encrypt, SnapshotState, Tags",
        OFFSET_100,
        &["SnapshotSet"],
    ),
    Call::row(
        Provider::Tencent,
        "cvm",
        "DescribeImages",
        Scope::Regional,
        None,
        &["CustomImage"],
        "ImageSet[]: ImageId, ImageName, ImageType (PRIVATE_IMAGE read; the collector asks for those only), ImageState, ImageSize, OsName, SnapshotSet[].SnapshotId, Tags",
        OFFSET_100,
        &["ImageSet"],
    ),
    Call::row(
        Provider::Tencent,
        "cvm",
        "DescribeImageSharePermission",
        Scope::Regional,
        Some(Per::each("ImageId", "cvm.DescribeImages", &["ImageSet"], &["ImageId"])),
        &["CustomImage"],
        "SharePermissionSet[]: AccountId",
        Paging::None,
        &[],
    ),
    Call::row(
        Provider::Tencent,
        "vpc",
        "DescribeVpcs",
        Scope::Regional,
        None,
        &["Vpc"],
        "VpcSet[]: VpcId, VpcName, CidrBlock, IsDefault, TagSet",
        OFFSET_100,
        &["VpcSet"],
    ),
    Call::row(
        Provider::Tencent,
        "vpc",
        "DescribeFlowLogs",
        Scope::Regional,
        None,
        &["Vpc"],
        "FlowLog[]: FlowLogId, VpcId, ResourceType, ResourceId, Enable, CloudLogState",
        OFFSET_100,
        &["FlowLog"],
    ),
    Call::row(
        Provider::Tencent,
        "vpc",
        "DescribeNatGatewayDestinationIpPortTranslationNatRules",
        Scope::Regional,
        None,
        &["NatForwardRule"],
        "NatGatewayDestinationIpPortTranslationNatRuleSet[]: NatGatewayId, VpcId, IpProtocol (TCP/UDP), PublicIpAddress, PublicPort, PrivateIpAddress, PrivatePort, Description",
        OFFSET_100,
        &["NatGatewayDestinationIpPortTranslationNatRuleSet"],
    ),
    Call::row(
        Provider::Tencent,
        "vpc",
        "DescribeAddresses",
        Scope::Regional,
        None,
        &["ElasticIp"],
        "AddressSet[]: AddressId, AddressName, AddressIp, AddressStatus (BIND/BIND_ENI/UNBIND/...), AddressType (AntiDDoSEIP), InstanceId, InstanceType (CVM/NAT/HAVIP/ENI/CLB/...), NetworkInterfaceId, AntiDDoSPackageId, TagSet",
        OFFSET_100,
        &["AddressSet"],
    ),
    Call::row(
        Provider::Tencent,
        "vpc",
        "DescribeNetworkAcls",
        Scope::Regional,
        None,
        &["NetworkAcl"],
        "NetworkAclSet[]: NetworkAclId, NetworkAclName, VpcId, NetworkAclType, SubnetSet[].SubnetId, IngressEntries[] / EgressEntries[] (Protocol, Port, CidrBlock, Ipv6CidrBlock, Action, Priority, Description), TagSet",
        OFFSET_100,
        &["NetworkAclSet"],
    ),
    Call::row(
        Provider::Tencent,
        "vpc",
        "DescribeSecurityGroups",
        Scope::Regional,
        None,
        &["SecurityGroup"],
        "SecurityGroupSet[]: SecurityGroupId, SecurityGroupName, IsDefault, TagSet",
        OFFSET_100,
        &["SecurityGroupSet"],
    ),
    Call::row(
        Provider::Tencent,
        "vpc",
        "DescribeSecurityGroupPolicies",
        Scope::Regional,
        Some(Per::each("SecurityGroupId", "vpc.DescribeSecurityGroups", &["SecurityGroupSet"], &["SecurityGroupId"])),
        &["SecurityGroup", "LoadBalancer"],
        "SecurityGroupPolicySet.Ingress[] / Egress[]: PolicyIndex, Protocol, Port, CidrBlock, Ipv6CidrBlock, SecurityGroupId, AddressTemplate, ServiceTemplate, Action, PolicyDescription",
        Paging::None,
        &[],
    ),
    Call::row(
        Provider::Tencent,
        "vpc",
        "DescribeAddressTemplates",
        Scope::Regional,
        None,
        &["SecurityGroup"],
        "AddressTemplateSet[]: AddressTemplateId, AddressSet",
        OFFSET_100,
        &["AddressTemplateSet"],
    ),
    Call::row(
        Provider::Tencent,
        "vpc",
        "DescribeAddressTemplateGroups",
        Scope::Regional,
        None,
        &["SecurityGroup"],
        "AddressTemplateGroupSet[]: AddressTemplateGroupId, AddressTemplateIdSet",
        OFFSET_100,
        &["AddressTemplateGroupSet"],
    ),
    Call::row(
        Provider::Tencent,
        "vpc",
        "DescribeServiceTemplates",
        Scope::Regional,
        None,
        &["SecurityGroup"],
        "ServiceTemplateSet[]: ServiceTemplateId, ServiceSet",
        OFFSET_100,
        &["ServiceTemplateSet"],
    ),
    Call::row(
        Provider::Tencent,
        "vpc",
        "DescribeServiceTemplateGroups",
        Scope::Regional,
        None,
        &["SecurityGroup"],
        "ServiceTemplateGroupSet[]: ServiceTemplateGroupId, ServiceTemplateIdSet",
        OFFSET_100,
        &["ServiceTemplateGroupSet"],
    ),
    Call::row(
        Provider::Tencent,
        "clb",
        "DescribeLoadBalancers",
        Scope::Regional,
        None,
        &["LoadBalancer"],
        "LoadBalancerSet[]: LoadBalancerId, LoadBalancerName, LoadBalancerType, SecureGroups, LogSetId, LogTopicId, Tags",
        OFFSET_100,
        &["LoadBalancerSet"],
    ),
    Call::row(
        Provider::Tencent,
        "clb",
        "DescribeListeners",
        Scope::Regional,
        Some(Per::each("LoadBalancerId", "clb.DescribeLoadBalancers", &["LoadBalancerSet"], &["LoadBalancerId"])),
        &["LoadBalancer"],
        "Listeners[]: Protocol, Port, EndPort",
        Paging::None,
        &[],
    ),
    Call::row(
        Provider::Tencent,
        "clb",
        "DescribeTargets",
        Scope::Regional,
        Some(Per::each("LoadBalancerId", "clb.DescribeLoadBalancers", &["LoadBalancerSet"], &["LoadBalancerId"])),
        &["LoadBalancer"],
        "Listeners[]: Targets[] and Rules[].Targets[]: Type, InstanceId",
        Paging::None,
        &[],
    ),
    Call::row(
        Provider::Tencent,
        "cos",
        "GetService",
        Scope::Global,
        None,
        &["Bucket", "AuditTrail"],
        "ListAllMyBucketsResult.Buckets.Bucket[]: Name, Location",
        Paging::Token { request: "marker", response: "NextMarker" },
        &[],
    ),
    Call::row(
        Provider::Tencent,
        "cos",
        "GetBucketAcl",
        Scope::Regional,
        BUCKET,
        &["Bucket"],
        "AccessControlPolicy.AccessControlList.Grant[]: Grantee.URI, Permission",
        Paging::None,
        &[],
    ),
    Call::row(
        Provider::Tencent,
        "cos",
        "GetBucketPolicy",
        Scope::Regional,
        BUCKET,
        &["Bucket"],
        "the policy document (JSON); NoSuchBucketPolicy = none",
        Paging::None,
        &[],
    ),
    Call::row(
        Provider::Tencent,
        "cos",
        "GetBucketEncryption",
        Scope::Regional,
        BUCKET,
        &["Bucket"],
        "ServerSideEncryptionConfiguration.Rule[].ApplyServerSideEncryptionByDefault.SSEAlgorithm; NoSuchEncryptionConfiguration = none",
        Paging::None,
        &[],
    ),
    Call::row(
        Provider::Tencent,
        "cos",
        "GetBucketVersioning",
        Scope::Regional,
        BUCKET,
        &["Bucket"],
        "VersioningConfiguration.Status",
        Paging::None,
        &[],
    ),
    Call::row(
        Provider::Tencent,
        "cos",
        "GetBucketLogging",
        Scope::Regional,
        BUCKET,
        &["Bucket"],
        "BucketLoggingStatus.LoggingEnabled",
        Paging::None,
        &[],
    ),
    Call::row(
        Provider::Tencent,
        "cos",
        "GetBucketReplication",
        Scope::Regional,
        BUCKET,
        &["Bucket"],
        "ReplicationConfiguration.Rule[]: Status, Destination.Bucket; ReplicationConfigurationNotFoundError = none",
        Paging::None,
        &[],
    ),
    Call::row(
        Provider::Tencent,
        "redis",
        "DescribeInstances",
        Scope::Regional,
        None,
        &["KeyValueStore"],
        "InstanceSet[]: InstanceId, InstanceName, Type (major version), WanAddress (public endpoint), NoAuth (password-free), Port, InstanceTags",
        OFFSET_100,
        &[],
    ),
    Call::row(
        Provider::Tencent,
        "redis",
        "DescribeDBSecurityGroups",
        Scope::Regional,
        Some(Per::each("InstanceId", "redis.DescribeInstances", &["InstanceSet"], &["InstanceId"])),
        &["KeyValueStore"],
        "Groups[]: SecurityGroupId (asked with Product redis)",
        Paging::None,
        &[],
    ),
    Call::row(
        Provider::Tencent,
        "mongodb",
        "DescribeDBInstances",
        Scope::Regional,
        None,
        &["KeyValueStore"],
        "InstanceDetails[]: InstanceId, InstanceName, MongoVersion, Vport, Tags",
        OFFSET_100,
        &["InstanceDetails"],
    ),
    Call::row(
        Provider::Tencent,
        "mongodb",
        "DescribeSecurityGroup",
        Scope::Regional,
        Some(Per::each("InstanceId", "mongodb.DescribeDBInstances", &["InstanceDetails"], &["InstanceId"])),
        &["KeyValueStore"],
        "Groups[]: SecurityGroupId",
        Paging::None,
        &[],
    ),
    Call::row(
        Provider::Tencent,
        "es",
        "DescribeInstances",
        Scope::Regional,
        None,
        &["SearchCluster"],
        "InstanceList[]: InstanceId, InstanceName, EsVersion, PublicAccess, EsPublicAcl.WhiteIpList, KibanaPublicAccess, EsAcl.WhiteIpList, SecurityType, TagList",
        OFFSET_100,
        &[],
    ),
    Call::row(
        Provider::Tencent,
        "tke",
        "DescribeClusters",
        Scope::Regional,
        None,
        &["KubernetesCluster"],
        "Clusters[]: ClusterId, ClusterName, ClusterVersion, ClusterNetworkSettings.VpcId, TagSpecification[].Tags",
        OFFSET_100,
        &["Clusters"],
    ),
    Call::row(
        Provider::Tencent,
        "tke",
        "DescribeClusterEndpoints",
        Scope::Regional,
        Some(Per::each("ClusterId", "tke.DescribeClusters", &["Clusters"], &["ClusterId"])),
        &["KubernetesCluster"],
        "ClusterExternalEndpoint (the API server's internet address, \"\" when off), ClusterExternalACL (null = unknown)",
        Paging::None,
        &[],
    ),
    Call::row(
        Provider::Tencent,
        "tke",
        "DescribeLogSwitches",
        Scope::Regional,
        Some(Per::each("ClusterIds", "tke.DescribeClusters", &["Clusters"], &["ClusterId"]).batch(10)),
        &["KubernetesCluster"],
        "SwitchSet[]: ClusterId, Audit.Enable (asked with ClusterType tke)",
        Paging::None,
        &["SwitchSet"],
    ),
    Call::row(
        Provider::Tencent,
        "cdb",
        "DescribeDBInstances",
        Scope::Regional,
        None,
        &["Database"],
        "Items[]: InstanceId, InstanceName, WanStatus, EngineVersion, InstanceNodes, TagList",
        Paging::Offset { offset: "Offset", limit: "Limit", max: 2000 },
        &["Items", "TotalCount"],
    ),
    Call::row(
        Provider::Tencent,
        "cdb",
        "DescribeDBSecurityGroups",
        Scope::Regional,
        Some(Per::each("InstanceId", "cdb.DescribeDBInstances", &["Items"], &["InstanceId"])),
        &["Database"],
        "Groups[]: SecurityGroupId, Inbound[]: Action, CidrIp",
        Paging::None,
        &[],
    ),
    Call::row(
        Provider::Tencent,
        "cdb",
        "DescribeBackupConfig",
        Scope::Regional,
        Some(Per::each("InstanceId", "cdb.DescribeDBInstances", &["Items"], &["InstanceId"])),
        &["Database"],
        "BackupExpireDays",
        Paging::None,
        &[],
    ),
    Call::row(
        Provider::Tencent,
        "cdb",
        "DescribeAuditConfig",
        Scope::Regional,
        Some(Per::each("InstanceId", "cdb.DescribeDBInstances", &["Items"], &["InstanceId"])),
        &["Database"],
        "LogExpireDay, CreateTime",
        Paging::None,
        &[],
    ),
    Call::row(
        Provider::Tencent,
        "cdb",
        "DescribeDBInstanceInfo",
        Scope::Regional,
        Some(Per::each("InstanceId", "cdb.DescribeDBInstances", &["Items"], &["InstanceId"])),
        &["Database"],
        "Encryption (YES/NO: data encryption at rest)",
        Paging::None,
        &[],
    ),
    Call::row(
        Provider::Tencent,
        "cdb",
        "DescribeSSLStatus",
        Scope::Regional,
        Some(Per::each("InstanceId", "cdb.DescribeDBInstances", &["Items"], &["InstanceId"])),
        &["Database"],
        "Status (ON/OFF)",
        Paging::None,
        &[],
    ),
    Call::row(
        Provider::Tencent,
        "kms",
        "ListKeyDetail",
        Scope::Regional,
        None,
        &["KmsKey"],
        "KeyMetadatas[]: KeyId, Alias, KeyState, KeyUsage, Origin, KeyRotationEnabled, ResourceId",
        OFFSET_200,
        &["KeyMetadatas", "TotalCount"],
    ),
    Call::row(
        Provider::Tencent,
        "kms",
        "ListKeys",
        Scope::Regional,
        None,
        &["KmsKey"],
        "Keys[]: KeyId (when kms.ListKeyDetail is not saved)",
        OFFSET_200,
        &[],
    ),
    Call::row(
        Provider::Tencent,
        "kms",
        "DescribeKey",
        Scope::Regional,
        Some(Per::each("KeyId", "kms.ListKeys", &["Keys"], &["KeyId"])),
        &["KmsKey"],
        "KeyMetadata: as kms.ListKeyDetail",
        Paging::None,
        &[],
    ),
    Call::row(
        Provider::Tencent,
        "kms",
        "GetKeyRotationStatus",
        Scope::Regional,
        Some(Per::each("KeyId", "kms.ListKeyDetail", &["KeyMetadatas"], &["KeyId"])),
        &["KmsKey"],
        "KeyRotationEnabled",
        Paging::None,
        &[],
    ),
    Call::row(
        Provider::Tencent,
        "kms",
        "ListAlgorithms",
        Scope::Regional,
        None,
        &["KmsKey"],
        "SymmetricAlgorithms[]: KeyUsage, Algorithm (the spec of the region's ENCRYPT_DECRYPT keys)",
        Paging::None,
        &["SymmetricAlgorithms"],
    ),
    Call::row(
        Provider::Tencent,
        "cloudaudit",
        "DescribeAuditTracks",
        Scope::Global,
        None,
        &["AuditTrail"],
        "Tracks[]: TrackId, Name, Status, ActionType, ResourceType, EventNames, Storage{StorageType, StorageName, StorageRegion, StorageAppId}",
        Paging::PageNumber { number: "PageNumber", size: "PageSize", max: 20 },
        &["Tracks"],
    ),
    Call::row(
        Provider::Tencent,
        "cls",
        "DescribeTopics",
        Scope::Regional,
        None,
        &["LogStore", "AuditTrail"],
        "Topics[]: TopicId, TopicName, Period, KeyId, Tags",
        OFFSET_100,
        &["Topics"],
    ),
];

/// Normalizes everything saved for one account.
pub(crate) fn build(answers: &Answers, out: &mut Estate, account: &str) {
    let global = Place { provider: Provider::Tencent, account, region: GLOBAL };
    cam::build(answers, out, &global);
    cam_settings::build(answers, out, &global);
    cos::build(answers, out, &global);
    cloudaudit::build(answers, out, &global);
    ssl::build(answers, out, &global);
    cfw::build(answers, out, &global);
    for region in answers.regions(Provider::Tencent, account) {
        let place = Place { provider: Provider::Tencent, account, region: &region };
        cvm::build(answers, out, &place);
        cbs::build(answers, out, &place);
        cbs_snapshots::build(answers, out, &place);
        images::build(answers, out, &place);
        user_data::build(answers, out, &place);
        cwp::build(answers, out, &place);
        vpc::build(answers, out, &place);
        vpcs::build(answers, out, &place);
        nat::build(answers, out, &place);
        eip::build(answers, out, &place);
        acls::build(answers, out, &place);
        clb::build(answers, out, &place);
        cdb::build(answers, out, &place);
        redis::build(answers, out, &place);
        mongodb::build(answers, out, &place);
        es::build(answers, out, &place);
        tke::build(answers, out, &place);
        kms::build(answers, out, &place);
        cls::build(answers, out, &place);
    }
    // Account-wide, completing the load balancers of every region built above.
    waf::build(answers, out, &global);
}

/// The CAM resource description policies use: `qcs::<service>:<region>:uin/<account>:<what>`
/// (no region for account-wide services such as CAM).
fn resource_name(place: &Place<'_>, service: &str, what: &str) -> String {
    let region = if place.region == GLOBAL { "" } else { place.region };
    format!("qcs::{service}:{region}:uin/{}:{what}", place.account)
}

/// Tags as `[{"Key": .., "Value": ..}]` (also `TagKey`/`TagValue`). A key given twice keeps its
/// last value; the other is reported.
fn tags(out: &mut Estate, node: &Node<'_>, key: &str) -> Result<BTreeMap<String, String>, FieldError> {
    let mut tags = BTreeMap::new();
    for tag in node.list(&[key]) {
        let name = tag.opt_str("Key")?.or(tag.opt_str("TagKey")?);
        let Some(name) = name else { return Err(tag.error("expected a tag with `Key`")) };
        let value = tag.opt_str("Value")?.or(tag.opt_str("TagValue")?).unwrap_or_default();
        if let Some(earlier) = tags.insert(name.to_owned(), value.to_owned()) {
            let message = format!("the tag `{name}` is given twice: `{value}` kept, `{earlier}` left out");
            out.issue(IssueKind::NotNormalized, &tag, message);
        }
    }
    Ok(tags)
}

/// `service.Action@Param=value`, as reports name a per-resource answer.
fn per(call: &str, param: &str, value: &str) -> String {
    format!("{call}@{param}={value}")
}

/// The security groups a Redis or MongoDB instance is bound to: `Groups[].SecurityGroupId` of
/// its per-instance answer `call` (`redis.DescribeDBSecurityGroups`,
/// `mongodb.DescribeSecurityGroup`: one shape). `None`, with `KeyValueStore` partial, when the
/// answer was not saved or failed; a masked group id (`sg-0klp****` in a vendor example) is
/// reported and left out.
fn bound_groups(
    answers: &Answers,
    out: &mut Estate,
    place: &Place<'_>,
    call: &str,
    id: &str,
) -> Result<Option<Vec<String>>, FieldError> {
    let lookup = answers.lookup_for(place, call, "InstanceId", id);
    let Some(answer) = out.optional(place, cache::KIND, &per(call, "InstanceId", id), &lookup, "security_group_ids")
    else {
        return Ok(None);
    };
    let mut ids = Vec::new();
    for group in answer.collection(&["Groups"])? {
        let group_id = group.str("SecurityGroupId")?;
        if masked(group_id) {
            out.issue(IssueKind::Masked, &group, format!("the security group id `{group_id}` is masked: left out"));
        } else {
            ids.push(group_id.to_owned());
        }
    }
    Ok(Some(ids))
}

/// A per-resource call saved under any of the parameters the API accepts for the same
/// resource (`@SubUin=` or `@Uid=`): the first saved, with its name; the first name when none is.
fn lookup_any<'a>(
    answers: &'a Answers,
    place: &Place<'_>,
    call: &str,
    params: &[(&str, &str)],
) -> (String, Lookup<'a>) {
    for (param, value) in params {
        let lookup = answers.lookup_for(place, call, param, value);
        if !matches!(lookup, Lookup::Missing) {
            return (per(call, param, value), lookup);
        }
    }
    let (param, value) = params.first().copied().unwrap_or_default();
    (per(call, param, value), Lookup::Missing)
}

/// A zone-less `YYYY-MM-DD HH:MM:SS` field, read as Beijing time; absent, `""` and the
/// `0000-00-00 00:00:00` Tencent writes for "never" are `None`.
fn beijing_time(node: &Node<'_>, key: &str) -> Result<Option<String>, FieldError> {
    let Some(text) = node.opt_str(key)? else { return Ok(None) };
    if text.starts_with("0000-00-00") {
        return Ok(None);
    }
    match time::local(text, time::BEIJING) {
        Some(at) => Ok(Some(time::format(at))),
        None => Err(node.need(key)?.expected("a time `YYYY-MM-DD HH:MM:SS` (Beijing time)")),
    }
}

/// A required [`beijing_time`] field.
fn need_beijing_time(node: &Node<'_>, key: &str) -> Result<String, FieldError> {
    beijing_time(node, key)?.ok_or_else(|| node.error(format!("expected a time in `{key}`")))
}

/// Whether a status word or flag says "on": `ON`/`OFF`, `YES`/`NO`, `Enabled`/`Disabled`,
/// `true`/`false`, `1`/`0`, as the Tencent APIs variously write it.
fn switch(node: &Node<'_>, key: &str) -> Result<bool, FieldError> {
    let value = node.need(key)?;
    match value.value.as_str().map(str::to_ascii_lowercase).as_deref() {
        Some("on" | "yes" | "enabled") => Ok(true),
        Some("off" | "no" | "disabled" | "suspended") => Ok(false),
        _ => value.as_flag(),
    }
}

/// Whether a key id or address was masked or replaced by a placeholder in a vendor example
/// (`AKID***`, `10.10.**.**`, `XXX`, `xxxxxxx`): such a value identifies nothing.
fn masked(text: &str) -> bool {
    net::is_masked(text) || (!text.is_empty() && text.chars().all(|c| matches!(c, 'x' | 'X' | '*')))
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use serde_json::{Value, json};

    use super::*;

    fn root(value: &Value) -> Node<'_> {
        Node::root(value, Path::new("a.json"))
    }

    #[test]
    fn beijing_times_and_never() {
        let value = json!({"At": "2021-11-26 16:21:01", "Never": "0000-00-00 00:00:00", "Bad": "yesterday"});
        let node = root(&value);
        assert_eq!(beijing_time(&node, "At").unwrap().as_deref(), Some("2021-11-26T08:21:01Z"));
        assert_eq!(beijing_time(&node, "Never").unwrap(), None);
        assert_eq!(beijing_time(&node, "Missing").unwrap(), None);
        assert!(beijing_time(&node, "Bad").unwrap_err().message.contains("Beijing"));
    }

    #[test]
    fn switches_and_placeholders() {
        let value = json!({"A": "ON", "B": "NO", "C": 1, "D": "Suspended", "E": "maybe"});
        let node = root(&value);
        assert!(switch(&node, "A").unwrap() && switch(&node, "C").unwrap());
        assert!(!switch(&node, "B").unwrap() && !switch(&node, "D").unwrap());
        assert!(switch(&node, "E").is_err());
        assert!(masked("AKID***") && masked("XXX") && masked("xxxxxxx") && masked("10.10.**.**"));
        assert!(!masked("AKIDEXAMPLELINKED0001") && !masked(""));
    }
}
