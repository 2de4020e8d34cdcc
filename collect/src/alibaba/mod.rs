//! Alibaba Cloud: the calls read (one table) and the normalizers that join their answers into
//! snapshot assets. RPC answers have no envelope and nest collections twice
//! (`Instances.Instance[]`); OSS answers are XML, or JSON as ossutil prints it.
//!
//! Every time read here is ISO 8601 with its zone written out (`2015-01-23T12:33:18Z`), as the
//! RAM, ECS, RDS, KMS and ActionTrail pages document it (UTC; tests/raw/alibaba/README.md,
//! "Time fields"); a time without a zone is refused, never guessed. Resource names follow the
//! ARN form `acs:<service>:<region>:<account>:<relative id>` of the RAM authorization tables.

mod acls;
mod actiontrail;
mod cas;
mod cloudfw;
mod cloudsso;
mod cs;
mod dds;
mod disks;
mod ecs;
mod eip;
mod elasticsearch;
pub(crate) mod events;
mod images;
mod kms;
mod kvstore;
mod nat;
mod oss;
mod ram;
mod ram_settings;
mod rds;
mod sas;
mod security_group;
mod slb;
mod sls;
mod snapshots;
mod user_data;
mod vpcs;
mod waf;

use std::collections::BTreeMap;

use crate::answers::{Answers, Lookup, Place};
use crate::calls::{Call, Paging, Per, Scope};
use crate::estate::Estate;
use crate::net;
use crate::node::{FieldError, Node};
use crate::raw::{GLOBAL, Provider};
use crate::report::IssueKind;
use crate::time;

/// RAM's list calls: `Marker` in, `Marker` out while `IsTruncated`.
const MARKER: Paging = Paging::Token { request: "Marker", response: "Marker" };
const NEXT_TOKEN: Paging = Paging::Token { request: "NextToken", response: "NextToken" };
const PAGE_100: Paging = Paging::PageNumber { number: "PageNumber", size: "PageSize", max: 100 };
const PAGE_50: Paging = Paging::PageNumber { number: "PageNumber", size: "PageSize", max: 50 };
/// Certificate Management Service's `CurrentPage`/`ShowSize` (default and documented size 50).
const SHOW_50: Paging = Paging::PageNumber { number: "CurrentPage", size: "ShowSize", max: 50 };
/// SLS's `offset`/`size` listing (at most 500 per page).
const SLS_OFFSET: Paging = Paging::Offset { offset: "offset", limit: "size", max: 500 };

const USER_NAME: Option<Per> = Some(Per::each("UserName", "ram.ListUsers", &["Users", "User"], &["UserName"]));
/// Bucket calls go to the bucket's own region (`Location` less `oss-`).
const BUCKET: Option<Per> = Some(
    Per::each("Bucket", "oss.ListBuckets", &["ListAllMyBucketsResult", "Buckets", "Bucket"], &["Name"])
        .located("Location", "oss-"),
);
const DB_INSTANCE: Option<Per> =
    Some(Per::each("DBInstanceId", "rds.DescribeDBInstances", &["Items", "DBInstance"], &["DBInstanceId"]));

/// A policy of `ram.ListPolicies`, by name.
/// A Redis instance of `r-kvstore.DescribeInstances`, by id.
const KVSTORE_INSTANCE: Option<Per> =
    Some(Per::each("InstanceId", "r-kvstore.DescribeInstances", &["Instances", "KVStoreInstance"], &["InstanceId"]));

/// A MongoDB instance of `dds.DescribeDBInstances`, by id.
const DDS_INSTANCE: Option<Per> =
    Some(Per::each("DBInstanceId", "dds.DescribeDBInstances", &["DBInstances", "DBInstance"], &["DBInstanceId"]));

const POLICY: Per = Per::each("PolicyName", "ram.ListPolicies", &["Policies", "Policy"], &["PolicyName"]);

// Per-resource answers do not name their resource, so their `shape` is empty: a file saved
// outside the layout cannot say which resource it describes.

/// Container Service for Kubernetes' `page_number`/`page_size` (ROA, `GET /api/v1/clusters`).
const CS_PAGE_100: Paging = Paging::PageNumber { number: "page_number", size: "page_size", max: 100 };
/// Elasticsearch's `page`/`size` (ROA, `GET /openapi/instances`; at most 100 a page).
const ES_PAGE_100: Paging = Paging::PageNumber { number: "page", size: "size", max: 100 };

/// The Alibaba Cloud calls the importer reads.
pub(crate) static CALLS: &[Call] = &[
    Call::row(
        Provider::Alibaba,
        "sts",
        "GetCallerIdentity",
        Scope::Global,
        None,
        &["account id", "AccessKey"],
        "AccountId, UserId, Arn, IdentityType (the owner of the keys ram.ListAccessKeys lists without UserName)",
        Paging::None,
        &["AccountId", "IdentityType"],
    ),
    Call::row(
        Provider::Alibaba,
        "ram",
        "GetPasswordPolicy",
        Scope::Global,
        None,
        &["IamPasswordPolicy"],
        "PasswordPolicy: MinimumPasswordLength, Require*, PasswordReusePrevention, MaxPasswordAge, MaxLoginAttemps",
        Paging::None,
        &[],
    ),
    Call::row(
        Provider::Alibaba,
        "ram",
        "GetSecurityPreference",
        Scope::Global,
        None,
        &["IamLoginSettings"],
        "LoginProfilePreference (LoginNetworkMasks, LoginSessionDuration, EnableSaveMFATicket), AllowUserToManageAccessKeys, AllowUserToManageMFADevices",
        Paging::None,
        &[],
    ),
    Call::row(
        Provider::Alibaba,
        "ims",
        "GetAccountMFAInfo",
        Scope::Global,
        None,
        &["Account"],
        "IsMFAEnable (root MFA; no call shows root login or operation protection, so Account stays partial)",
        Paging::None,
        &[],
    ),
    Call::row(
        Provider::Alibaba,
        "ram",
        "ListUsers",
        Scope::Global,
        None,
        &["User", "AccessKey"],
        "Users.User[]: UserId, UserName, DisplayName, LastLoginDate",
        MARKER,
        &["Users", "IsTruncated"],
    ),
    Call::row(
        Provider::Alibaba,
        "ram",
        "GetUser",
        Scope::Global,
        USER_NAME,
        &["User"],
        "User.LastLoginDate",
        Paging::None,
        &[],
    ),
    Call::row(
        Provider::Alibaba,
        "ram",
        "GetLoginProfile",
        Scope::Global,
        USER_NAME,
        &["User"],
        "LoginProfile (Status when given); EntityNotExist.User.LoginProfile = no console login",
        Paging::None,
        &[],
    ),
    Call::row(
        Provider::Alibaba,
        "ram",
        "GetUserMFAInfo",
        Scope::Global,
        USER_NAME,
        &["User"],
        "MFADevice, IsMFAEnable when given; EntityNotExist.User.MFADevice = no MFA",
        Paging::None,
        &[],
    ),
    Call::row(
        Provider::Alibaba,
        "ram",
        "ListGroupsForUser",
        Scope::Global,
        USER_NAME,
        &["User"],
        "Groups.Group[].GroupName",
        Paging::None,
        &[],
    ),
    Call::row(
        Provider::Alibaba,
        "ram",
        "ListPoliciesForUser",
        Scope::Global,
        USER_NAME,
        &["User"],
        "Policies.Policy[]: PolicyType, PolicyName",
        Paging::None,
        &[],
    ),
    Call::row(
        Provider::Alibaba,
        "ram",
        "ListGroups",
        Scope::Global,
        None,
        &["Group"],
        "Groups.Group[]: GroupName",
        MARKER,
        &["Groups", "IsTruncated"],
    ),
    Call::row(
        Provider::Alibaba,
        "ram",
        "ListPoliciesForGroup",
        Scope::Global,
        Some(Per::each("GroupName", "ram.ListGroups", &["Groups", "Group"], &["GroupName"])),
        &["Group"],
        "Policies.Policy[]: PolicyType, PolicyName",
        Paging::None,
        &[],
    ),
    Call::row(
        Provider::Alibaba,
        "ram",
        "ListRoles",
        Scope::Global,
        None,
        &["Role", "Instance"],
        "Roles.Role[]: RoleId, RoleName, MaxSessionDuration",
        MARKER,
        &["Roles", "IsTruncated"],
    ),
    Call::row(
        Provider::Alibaba,
        "ram",
        "GetRole",
        Scope::Global,
        Some(Per::each("RoleName", "ram.ListRoles", &["Roles", "Role"], &["RoleName"])),
        &["Role"],
        "Role: RoleId, AssumeRolePolicyDocument (a JSON string), MaxSessionDuration",
        Paging::None,
        &[],
    ),
    Call::row(
        Provider::Alibaba,
        "ram",
        "ListPoliciesForRole",
        Scope::Global,
        Some(Per::each("RoleName", "ram.ListRoles", &["Roles", "Role"], &["RoleName"])),
        &["Role"],
        "Policies.Policy[]: PolicyType, PolicyName",
        Paging::None,
        &[],
    ),
    Call::row(
        Provider::Alibaba,
        "ram",
        "ListPolicies",
        Scope::Global,
        None,
        &["Policy"],
        "Policies.Policy[]: PolicyType, PolicyName, DefaultVersion",
        MARKER,
        &["Policies", "IsTruncated"],
    ),
    Call::row(
        Provider::Alibaba,
        "ram",
        "GetPolicy",
        Scope::Global,
        Some(POLICY.with(&[("PolicyType", "PolicyType")])),
        &["Policy"],
        "Policy.PolicyType, DefaultPolicyVersion.PolicyDocument (a JSON string)",
        Paging::None,
        &[],
    ),
    Call::row(
        Provider::Alibaba,
        "ram",
        "GetPolicyVersion",
        Scope::Global,
        Some(POLICY.with(&[("VersionId", "DefaultVersion"), ("PolicyType", "PolicyType")])),
        &["Policy"],
        "PolicyVersion: VersionId, PolicyDocument (used when ram.GetPolicy is not saved and it is the default version)",
        Paging::None,
        &[],
    ),
    Call::row(
        Provider::Alibaba,
        "ram",
        "ListAccessKeys",
        Scope::Global,
        Some(Per::each("UserName", "ram.ListUsers", &["Users", "User"], &["UserName"]).bare()),
        &["AccessKey"],
        "AccessKeys.AccessKey[]: AccessKeyId, Status, CreateDate",
        Paging::None,
        &[],
    ),
    Call::row(
        Provider::Alibaba,
        "ram",
        "GetAccessKeyLastUsed",
        Scope::Global,
        Some(Per::each("UserAccessKeyId", "ram.ListAccessKeys", &["AccessKeys", "AccessKey"], &["AccessKeyId"])),
        &["AccessKey"],
        "AccessKeyLastUsed.LastUsedDate",
        Paging::None,
        &[],
    ),
    Call::row(
        Provider::Alibaba,
        "ims",
        "GetAccessKeyLastUsed",
        Scope::Global,
        Some(Per::each("UserAccessKeyId", "ram.ListAccessKeys", &["AccessKeys", "AccessKey"], &["AccessKeyId"])),
        &["AccessKey"],
        "AccessKeyLastUsed.LastUsedDate (the IMS form of ram.GetAccessKeyLastUsed)",
        Paging::None,
        &[],
    ),
    Call::row(
        Provider::Alibaba,
        "cloudfw",
        "DescribeAssetList",
        Scope::Global,
        None,
        &["BorderFirewallSwitch"],
        "Assets[]: InternetAddress, ProtectStatus (open/opening/closed/closing), ResourceType, BindInstanceId else ResourceInstanceId, BindInstanceName else Name, RegionID, RegionStatus, Note, SyncStatus; TotalCount",
        Paging::PageNumber { number: "CurrentPage", size: "PageSize", max: 50 },
        &["Assets", "TotalCount"],
    ),
    Call::row(
        Provider::Alibaba,
        "waf-openapi",
        "DescribeInstance",
        Scope::Global,
        None,
        &["LoadBalancer"],
        "InstanceId (absent or empty: no WAF 3.0 instance), RegionId (cn-hangzhou: the Chinese mainland site, ap-southeast-1: the one abroad), Status (1 normal, 2 expired, 3 released) (asked with RegionId cn-hangzhou)",
        Paging::None,
        &[],
    ),
    Call::row(
        Provider::Alibaba,
        "waf-openapi",
        "DescribeCloudResources",
        Scope::Global,
        Some(Per::each("InstanceId", "waf-openapi.DescribeInstance", &[], &["InstanceId"])),
        &["LoadBalancer"],
        "CloudResources[]: ResourceProduct (clb7: a CLB's HTTP(S) listeners), ResourceInstanceId; TotalCount (asked with ResourceProduct clb7)",
        Paging::PageNumber { number: "PageNumber", size: "PageSize", max: 100 },
        &["CloudResources"],
    ),
    Call::row(
        Provider::Alibaba,
        "waf-openapi",
        "DescribeResourcePort",
        Scope::Global,
        Some(
            Per::each(
                "ResourceInstanceId",
                "waf-openapi.DescribeCloudResources",
                &["CloudResources"],
                &["ResourceInstanceId"],
            )
            .inherit(&["InstanceId"]),
        ),
        &["LoadBalancer"],
        "ResourcePorts[] (the HTTP and HTTPS listener ports added to WAF, as text)",
        Paging::None,
        &[],
    ),
    Call::row(
        Provider::Alibaba,
        "cas",
        "DescribeUserCertificateList",
        Scope::Global,
        None,
        &["Certificate"],
        "CertificateList[]: id, name, common, sans, startDate, endDate (UTC dates), expired, issuer",
        SHOW_50,
        &["CertificateList"],
    ),
    Call::row(
        Provider::Alibaba,
        "ecs",
        "DescribeInstances",
        Scope::Regional,
        None,
        &["Instance", "Vpc", "HostAgent", "NatForwardRule"],
        "Instances.Instance[]: InstanceId, InstanceName, Status, PublicIpAddress.IpAddress[], EipAddress.IpAddress, VpcAttributes.PrivateIpAddress.IpAddress[], InnerIpAddress.IpAddress[], SecurityGroupIds.SecurityGroupId[], ImageId, OSName, Tags.Tag[], VpcAttributes.VpcId",
        NEXT_TOKEN,
        &["Instances"],
    ),
    Call::row(
        Provider::Alibaba,
        "ecs",
        "DescribeUserData",
        Scope::Regional,
        Some(Per::each("InstanceId", "ecs.DescribeInstances", &["Instances", "Instance"], &["InstanceId"])),
        &["InstanceUserData"],
        "UserData (base64, \"\" when none; only masked findings are kept)",
        Paging::None,
        &[],
    ),
    Call::row(
        Provider::Alibaba,
        "sas",
        "DescribeCloudCenterInstances",
        Scope::Global,
        None,
        &["HostAgent"],
        "Instances[]: InstanceId, Vendor (0 only), ClientStatus (online/offline/pause), ClientSubStatus (uninstalled/stopped), AuthVersion, Uuid; PageInfo.TotalCount (asked with MachineTypes ecs)",
        Paging::PageNumber { number: "CurrentPage", size: "PageSize", max: 100 },
        &[],
    ),
    Call::row(
        Provider::Alibaba,
        "sas",
        "DescribeVulTargetConfig",
        Scope::Global,
        Some(Per::each("Uuid", "sas.DescribeCloudCenterInstances", &["Instances"], &["Uuid"])),
        &["HostAgent"],
        "TargetConfigs[]: Type, OverAllConfig (the type's account-wide switch), Config (the server's switch), asked without Type (every type)",
        Paging::None,
        &["TargetConfigs"],
    ),
    Call::row(
        Provider::Alibaba,
        "ecs",
        "DescribeInstanceRamRole",
        Scope::Regional,
        None,
        &["Instance"],
        "InstanceRamRoleSets.InstanceRamRoleSet[]: InstanceId, RamRoleName (asked with the region's InstanceIds, at most 100 a call; further calls saved as further pages)",
        PAGE_50,
        &["InstanceRamRoleSets"],
    ),
    Call::row(
        Provider::Alibaba,
        "ecs",
        "DescribeDisks",
        Scope::Regional,
        None,
        &["Disk"],
        "Disks.Disk[]: DiskId, DiskName, Type, Size, Status, Encrypted, KMSKeyId, InstanceId, MountInstances.MountInstance[].InstanceId, Tags.Tag[]",
        PAGE_100,
        &["Disks"],
    ),
    Call::row(
        Provider::Alibaba,
        "ecs",
        "DescribeSnapshots",
        Scope::Regional,
        None,
        &["DiskSnapshot"],
        "Snapshots.Snapshot[]: SnapshotId, SnapshotName, SourceDiskId, SourceDiskType, SourceDiskSize, Encrypted, KMSKeyId, Status, Tags.Tag[]",
        PAGE_100,
        &["Snapshots"],
    ),
    Call::row(
        Provider::Alibaba,
        "ecs",
        "DescribeImages",
        Scope::Regional,
        None,
        &["CustomImage"],
        "Images.Image[]: ImageId, ImageName, ImageOwnerAlias (self read; the collector asks for those only), Status, Size, OSName, DiskDeviceMappings.DiskDeviceMapping[].SnapshotId, Tags.Tag[]",
        PAGE_100,
        &["Images"],
    ),
    Call::row(
        Provider::Alibaba,
        "ecs",
        "DescribeImageSharePermission",
        Scope::Regional,
        Some(Per::each("ImageId", "ecs.DescribeImages", &["Images", "Image"], &["ImageId"])),
        &["CustomImage"],
        "Accounts.Account[]: AliyunId; ShareGroups.ShareGroup[].Group (all: public)",
        PAGE_100,
        &[],
    ),
    Call::row(
        Provider::Alibaba,
        "vpc",
        "DescribeVpcs",
        Scope::Regional,
        None,
        &["Vpc"],
        "Vpcs.Vpc[]: VpcId, VpcName, CidrBlock, IsDefault, Tags.Tag[]",
        PAGE_50,
        &["Vpcs"],
    ),
    Call::row(
        Provider::Alibaba,
        "vpc",
        "DescribeFlowLogs",
        Scope::Regional,
        None,
        &["Vpc"],
        "FlowLogs.FlowLog[]: FlowLogId, VpcId, ResourceType, ResourceId, Status (Active/Activating/Inactive)",
        PAGE_50,
        &["FlowLogs"],
    ),
    Call::row(
        Provider::Alibaba,
        "vpc",
        "DescribeNatGateways",
        Scope::Regional,
        None,
        &["NatForwardRule"],
        "NatGateways.NatGateway[]: NatGatewayId, VpcId, ForwardTableIds.ForwardTableId[]",
        PAGE_50,
        &["NatGateways"],
    ),
    Call::row(
        Provider::Alibaba,
        "vpc",
        "DescribeForwardTableEntries",
        Scope::Regional,
        Some(Per::each(
            "ForwardTableId",
            "vpc.DescribeNatGateways",
            &["NatGateways", "NatGateway[]", "ForwardTableIds", "ForwardTableId"],
            &[],
        )),
        &["NatForwardRule"],
        "ForwardTableEntries.ForwardTableEntry[]: ForwardEntryId, ForwardEntryName, ForwardTableId, IpProtocol (TCP/UDP/Any), ExternalIp, ExternalPort, InternalIp, InternalPort",
        PAGE_50,
        &[],
    ),
    Call::row(
        Provider::Alibaba,
        "vpc",
        "DescribeEipAddresses",
        Scope::Regional,
        None,
        &["ElasticIp"],
        "EipAddresses.EipAddress[]: AllocationId, Name, IpAddress, Status (InUse/Available/...), InstanceType (EcsInstance/SlbInstance/Nat/HaVip/NetworkInterface/IpAddress), InstanceId, SecurityProtectionTypes.SecurityProtectionType[] (AntiDDoS_Enhanced), Tags.Tag[]",
        PAGE_100,
        &["EipAddresses"],
    ),
    Call::row(
        Provider::Alibaba,
        "vpc",
        "DescribeNetworkAcls",
        Scope::Regional,
        None,
        &["NetworkAcl"],
        "NetworkAcls.NetworkAcl[]: NetworkAclId, NetworkAclName, VpcId, Resources.Resource[] (ResourceId, ResourceType, Status), IngressAclEntries.IngressAclEntry[] (Protocol, Port, SourceCidrIp, Policy, Description), EgressAclEntries.EgressAclEntry[] (Protocol, Port, DestinationCidrIp, Policy, Description), Tags.Tag[]",
        PAGE_50,
        &["NetworkAcls"],
    ),
    Call::row(
        Provider::Alibaba,
        "ecs",
        "DescribeSecurityGroups",
        Scope::Regional,
        None,
        &["SecurityGroup"],
        "SecurityGroups.SecurityGroup[]: SecurityGroupId, SecurityGroupName, Tags.Tag[]",
        NEXT_TOKEN,
        &["SecurityGroups"],
    ),
    Call::row(
        Provider::Alibaba,
        "ecs",
        "DescribeSecurityGroupAttribute",
        Scope::Regional,
        Some(Per::each(
            "SecurityGroupId",
            "ecs.DescribeSecurityGroups",
            &["SecurityGroups", "SecurityGroup"],
            &["SecurityGroupId"],
        )),
        &["SecurityGroup"],
        "Permissions.Permission[]: Direction, Policy, Priority, IpProtocol, PortRange, PortRangeListId, SourceCidrIp, Ipv6SourceCidrIp, SourceGroupId, SourcePrefixListId, DestCidrIp, Ipv6DestCidrIp, DestGroupId, DestPrefixListId, Description",
        NEXT_TOKEN,
        &[],
    ),
    Call::row(
        Provider::Alibaba,
        "ecs",
        "DescribePrefixListAttributes",
        Scope::Regional,
        Some(Per::each(
            "PrefixListId",
            "ecs.DescribeSecurityGroupAttribute",
            &["Permissions", "Permission"],
            &["SourcePrefixListId", "DestPrefixListId"],
        )),
        &["SecurityGroup"],
        "Entries.Entry[].Cidr",
        Paging::None,
        &[],
    ),
    Call::row(
        Provider::Alibaba,
        "slb",
        "DescribeLoadBalancers",
        Scope::Regional,
        None,
        &["LoadBalancer"],
        "LoadBalancers.LoadBalancer[]: LoadBalancerId, LoadBalancerName, AddressType, Tags.Tag[]",
        PAGE_100,
        &["LoadBalancers"],
    ),
    Call::row(
        Provider::Alibaba,
        "slb",
        "DescribeLoadBalancerAttribute",
        Scope::Regional,
        Some(Per::each(
            "LoadBalancerId",
            "slb.DescribeLoadBalancers",
            &["LoadBalancers", "LoadBalancer"],
            &["LoadBalancerId"],
        )),
        &["LoadBalancer"],
        "BackendServers.BackendServer[]: ServerId, Type; ListenerPortsAndProtocol.ListenerPortAndProtocol[]: ListenerPort, ListenerProtocol",
        Paging::None,
        &[],
    ),
    Call::row(
        Provider::Alibaba,
        "slb",
        "DescribeLoadBalancerListeners",
        Scope::Regional,
        None,
        &["LoadBalancer"],
        "Listeners[]: LoadBalancerId, ListenerPort, ListenerProtocol, AclStatus, AclType, AclId",
        NEXT_TOKEN,
        &["Listeners", "MaxResults"],
    ),
    Call::row(
        Provider::Alibaba,
        "slb",
        "DescribeAccessControlListAttribute",
        Scope::Regional,
        Some(Per::each("AclId", "slb.DescribeLoadBalancerListeners", &["Listeners"], &["AclId"])),
        &["LoadBalancer"],
        "AclEntrys.AclEntry[].AclEntryIP",
        Paging::None,
        &[],
    ),
    Call::row(
        Provider::Alibaba,
        "rds",
        "DescribeDBInstances",
        Scope::Regional,
        None,
        &["Database"],
        "Items.DBInstance[]: DBInstanceId, DBInstanceDescription, Engine, EngineVersion, DBInstanceNetType, Category",
        PAGE_100,
        &["Items", "TotalRecordCount"],
    ),
    Call::row(
        Provider::Alibaba,
        "rds",
        "DescribeDBInstanceNetInfo",
        Scope::Regional,
        DB_INSTANCE,
        &["Database"],
        "DBInstanceNetInfos.DBInstanceNetInfo[].IPType (Public = a public endpoint; preferred over DBInstanceNetType)",
        Paging::None,
        &[],
    ),
    Call::row(
        Provider::Alibaba,
        "rds",
        "DescribeDBInstanceIPArrayList",
        Scope::Regional,
        DB_INSTANCE,
        &["Database"],
        "Items.DBInstanceIPArray[].SecurityIPList (comma-separated; hidden groups included)",
        Paging::None,
        &[],
    ),
    Call::row(
        Provider::Alibaba,
        "rds",
        "DescribeDBInstanceTDE",
        Scope::Regional,
        DB_INSTANCE,
        &["Database"],
        "TDEStatus, TDEMode (Customer_Provided_Key = BYOK, Aliyun_Generate_Key, Unknown)",
        Paging::None,
        &[],
    ),
    Call::row(
        Provider::Alibaba,
        "rds",
        "DescribeDBInstanceSSL",
        Scope::Regional,
        DB_INSTANCE,
        &["Database"],
        "SSLEnabled (Yes/No, on/off)",
        Paging::None,
        &[],
    ),
    Call::row(
        Provider::Alibaba,
        "rds",
        "DescribeSQLCollectorPolicy",
        Scope::Regional,
        DB_INSTANCE,
        &["Database"],
        "SQLCollectorStatus (Enable/Disabled)",
        Paging::None,
        &[],
    ),
    Call::row(
        Provider::Alibaba,
        "rds",
        "DescribeBackupPolicy",
        Scope::Regional,
        DB_INSTANCE,
        &["Database"],
        "BackupRetentionPeriod, PreferredBackupPeriod",
        Paging::None,
        &[],
    ),
    Call::row(
        Provider::Alibaba,
        "rds",
        "DescribeSQLCollectorRetention",
        Scope::Regional,
        DB_INSTANCE,
        &["Database"],
        "ConfigValue (days of SQL audit logs, as text: 30, 180, 365, 1095, 1825; optional)",
        Paging::None,
        &[],
    ),
    Call::row(
        Provider::Alibaba,
        "rds",
        "DescribeParameters",
        Scope::Regional,
        DB_INSTANCE,
        &["Database"],
        "RunningParameters.DBInstanceParameter[]: ParameterName, ParameterValue (optional)",
        Paging::None,
        &[],
    ),
    Call::row(
        Provider::Alibaba,
        "r-kvstore",
        "DescribeInstances",
        Scope::Regional,
        None,
        &["KeyValueStore"],
        "Instances.KVStoreInstance[]: InstanceId, InstanceName, InstanceType (Redis/Memcache), EngineVersion, Tags.Tag[]",
        PAGE_50,
        &[],
    ),
    Call::row(
        Provider::Alibaba,
        "r-kvstore",
        "DescribeSecurityIps",
        Scope::Regional,
        KVSTORE_INSTANCE,
        &["KeyValueStore"],
        "SecurityIpGroups.SecurityIpGroup[].SecurityIpList (comma-separated; hidden groups included)",
        Paging::None,
        &[],
    ),
    Call::row(
        Provider::Alibaba,
        "r-kvstore",
        "DescribeDBInstanceNetInfo",
        Scope::Regional,
        KVSTORE_INSTANCE,
        &["KeyValueStore"],
        "NetInfoItems.InstanceNetInfo[].IPType (Public = a public endpoint)",
        Paging::None,
        &[],
    ),
    Call::row(
        Provider::Alibaba,
        "dds",
        "DescribeDBInstances",
        Scope::Regional,
        None,
        &["KeyValueStore"],
        "DBInstances.DBInstance[]: DBInstanceId, DBInstanceDescription, EngineVersion, VpcAuthMode (Open = password-free), Tags.Tag[]",
        PAGE_100,
        &["DBInstances"],
    ),
    Call::row(
        Provider::Alibaba,
        "dds",
        "DescribeSecurityIps",
        Scope::Regional,
        DDS_INSTANCE,
        &["KeyValueStore"],
        "SecurityIpGroups.SecurityIpGroup[].SecurityIpList (comma-separated; hidden groups included)",
        Paging::None,
        &[],
    ),
    Call::row(
        Provider::Alibaba,
        "cs",
        "DescribeClustersV1",
        Scope::Regional,
        None,
        &["KubernetesCluster"],
        "clusters[]: cluster_id, name, current_version, vpc_id, tags[] (GET /api/v1/clusters?region_id=)",
        CS_PAGE_100,
        &["clusters"],
    ),
    Call::row(
        Provider::Alibaba,
        "cs",
        "DescribeClusterDetail",
        Scope::Regional,
        Some(Per::each("ClusterId", "cs.DescribeClustersV1", &["clusters"], &["cluster_id"])),
        &["KubernetesCluster"],
        "master_url (JSON text: its api_server_endpoint), meta_data (JSON text: name and disabled of each of its Addons; AuditProjectName, logtail-dsVersion, loongcollectorVersion) (GET /clusters/{ClusterId})",
        Paging::None,
        &[],
    ),
    Call::row(
        Provider::Alibaba,
        "elasticsearch",
        "ListInstance",
        Scope::Regional,
        None,
        &["SearchCluster"],
        "Result[]: instanceId, description, esVersion, tags[] (GET /openapi/instances)",
        ES_PAGE_100,
        &["Result"],
    ),
    Call::row(
        Provider::Alibaba,
        "elasticsearch",
        "DescribeInstance",
        Scope::Regional,
        Some(Per::each("InstanceId", "elasticsearch.ListInstance", &["Result"], &["instanceId"])),
        &["SearchCluster"],
        "Result: enablePublic, publicIpWhitelist, enableKibanaPublicNetwork, kibanaIPWhitelist (GET /openapi/instances/{InstanceId})",
        Paging::None,
        &[],
    ),
    Call::row(
        Provider::Alibaba,
        "kms",
        "ListKeys",
        Scope::Regional,
        None,
        &["KmsKey"],
        "Keys.Key[].KeyId",
        PAGE_100,
        &["Keys", "PageNumber"],
    ),
    Call::row(
        Provider::Alibaba,
        "kms",
        "DescribeKey",
        Scope::Regional,
        Some(Per::each("KeyId", "kms.ListKeys", &["Keys", "Key"], &["KeyId"])),
        &["KmsKey"],
        "KeyMetadata: KeyState, AutomaticRotation, KeySpec",
        Paging::None,
        &[],
    ),
    Call::row(
        Provider::Alibaba,
        "oss",
        "ListBuckets",
        Scope::Global,
        None,
        &["Bucket"],
        "ListAllMyBucketsResult.Buckets.Bucket[]: Name, Region, Location",
        Paging::Token { request: "marker", response: "NextMarker" },
        &[],
    ),
    Call::row(
        Provider::Alibaba,
        "oss",
        "GetBucketAcl",
        Scope::Regional,
        BUCKET,
        &["Bucket"],
        "AccessControlPolicy.AccessControlList.Grant (XML, or ossutil JSON without the root)",
        Paging::None,
        &[],
    ),
    Call::row(
        Provider::Alibaba,
        "oss",
        "GetBucketPolicy",
        Scope::Regional,
        BUCKET,
        &["Bucket"],
        "the policy document (JSON); NoSuchBucketPolicy = none",
        Paging::None,
        &[],
    ),
    Call::row(
        Provider::Alibaba,
        "oss",
        "GetBucketEncryption",
        Scope::Regional,
        BUCKET,
        &["Bucket"],
        "ServerSideEncryptionRule.ApplyServerSideEncryptionByDefault.SSEAlgorithm; NoSuchServerSideEncryptionRule = none",
        Paging::None,
        &[],
    ),
    Call::row(
        Provider::Alibaba,
        "oss",
        "GetBucketVersioning",
        Scope::Regional,
        BUCKET,
        &["Bucket"],
        "VersioningConfiguration.Status",
        Paging::None,
        &[],
    ),
    Call::row(
        Provider::Alibaba,
        "oss",
        "GetBucketLogging",
        Scope::Regional,
        BUCKET,
        &["Bucket"],
        "BucketLoggingStatus.LoggingEnabled.TargetBucket",
        Paging::None,
        &[],
    ),
    Call::row(
        Provider::Alibaba,
        "oss",
        "GetBucketReplication",
        Scope::Regional,
        BUCKET,
        &["Bucket"],
        "ReplicationConfiguration.Rule[].Destination.Location; NoSuchReplicationConfiguration = none",
        Paging::None,
        &[],
    ),
    Call::row(
        Provider::Alibaba,
        "actiontrail",
        "DescribeTrails",
        Scope::Global,
        None,
        &["AuditTrail"],
        "TrailList[]: Name, HomeRegion, TrailRegion, EventRW, OssBucketName, SlsProjectArn, Status",
        Paging::None,
        &["TrailList"],
    ),
    Call::row(
        Provider::Alibaba,
        "actiontrail",
        "GetTrailStatus",
        Scope::Global,
        Some(Per::each("Name", "actiontrail.DescribeTrails", &["TrailList"], &["Name"])),
        &["AuditTrail"],
        "IsLogging",
        Paging::None,
        &[],
    ),
    Call::row(
        Provider::Alibaba,
        "sls",
        "ListProject",
        Scope::Regional,
        None,
        &["LogStore"],
        "projects[].projectName",
        SLS_OFFSET,
        &["projects"],
    ),
    Call::row(
        Provider::Alibaba,
        "cloudsso",
        "ListDirectories",
        Scope::Global,
        None,
        &["SsoDirectory"],
        "Directories[]: DirectoryId, DirectoryName, Region (collected from cloudsso.cn-shanghai.aliyuncs.com, the default directory region)",
        Paging::None,
        &["Directories", "TotalCounts"],
    ),
    Call::row(
        Provider::Alibaba,
        "cloudsso",
        "GetMFAAuthenticationSettings",
        Scope::Global,
        Some(Per::each("DirectoryId", "cloudsso.ListDirectories", &["Directories"], &["DirectoryId"])),
        &["SsoDirectory"],
        "MFAAuthenticationAdvanceSettings (Enabled, Byuser, OnlyRiskyLogin, Disabled)",
        Paging::None,
        &[],
    ),
    Call::row(
        Provider::Alibaba,
        "sls",
        "ListLogStores",
        Scope::Regional,
        Some(Per::each("project", "sls.ListProject", &["projects"], &["projectName"])),
        &["LogStore"],
        "logstores[] (names)",
        SLS_OFFSET,
        &[],
    ),
    Call::row(
        Provider::Alibaba,
        "sls",
        "GetLogStore",
        Scope::Regional,
        Some(Per::each("logstore", "sls.ListLogStores", &["logstores"], &[]).inherit(&["project"])),
        &["LogStore", "AuditTrail"],
        "ttl, encrypt_conf.enable (a trail's retention: the ttl of actiontrail_<trail name> in its SlsProjectArn project)",
        Paging::None,
        &[],
    ),
];

/// Normalizes everything saved for one account.
pub(crate) fn build(answers: &Answers, out: &mut Estate, account: &str) {
    let global = Place { provider: Provider::Alibaba, account, region: GLOBAL };
    ram::build(answers, out, &global);
    ram_settings::build(answers, out, &global);
    oss::build(answers, out, &global);
    actiontrail::build(answers, out, &global);
    cas::build(answers, out, &global);
    cloudsso::build(answers, out, &global);
    cloudfw::build(answers, out, &global);
    for region in answers.regions(Provider::Alibaba, account) {
        let place = Place { provider: Provider::Alibaba, account, region: &region };
        ecs::build(answers, out, &place);
        disks::build(answers, out, &place);
        snapshots::build(answers, out, &place);
        images::build(answers, out, &place);
        user_data::build(answers, out, &place);
        sas::build(answers, out, &place);
        security_group::build(answers, out, &place);
        vpcs::build(answers, out, &place);
        nat::build(answers, out, &place);
        eip::build(answers, out, &place);
        acls::build(answers, out, &place);
        slb::build(answers, out, &place);
        rds::build(answers, out, &place);
        kvstore::build(answers, out, &place);
        dds::build(answers, out, &place);
        cs::build(answers, out, &place);
        elasticsearch::build(answers, out, &place);
        kms::build(answers, out, &place);
        sls::build(answers, out, &place);
    }
    // Account-wide, completing the load balancers of every region built above.
    waf::build(answers, out, &global);
}

/// The name RAM policies give a resource: `acs:<service>:<region>:<account>:<what>` (region
/// empty for account-wide services, as RAM's own ARNs write it: `acs:ram::<account>:role/<name>`).
fn resource_name(service: &str, place: &Place<'_>, what: &str) -> String {
    let region = if place.region == GLOBAL { "" } else { place.region };
    format!("acs:{service}:{region}:{}:{what}", place.account)
}

/// `service.Action@Param=value`, as reports name a per-resource answer.
fn per(call: &str, param: &str, value: &str) -> String {
    format!("{call}@{param}={value}")
}

/// Tags as Alibaba Cloud nests them: `Tags.Tag[]` of `{TagKey, TagValue}` (VPC's answers say
/// `{Key, Value}`). A key given twice keeps its last value; the other is reported.
fn tags(out: &mut Estate, node: &Node<'_>) -> Result<BTreeMap<String, String>, FieldError> {
    let mut tags = BTreeMap::new();
    for tag in node.list(&["Tags", "Tag"]) {
        let name = match tag.opt_str("TagKey")? {
            Some(name) => name,
            None => tag.str("Key")?,
        };
        let value = tag.opt_str("TagValue")?.or(tag.opt_str("Value")?).unwrap_or_default();
        if let Some(earlier) = tags.insert(name.to_owned(), value.to_owned()) {
            let message = format!("the tag `{name}` is given twice: `{value}` kept, `{earlier}` left out");
            out.issue(IssueKind::NotNormalized, &tag, message);
        }
    }
    Ok(tags)
}

/// The items a list call saved in `place`, its coverage recorded.
fn listed<'a>(
    answers: &'a Answers,
    out: &mut Estate,
    place: &Place<'_>,
    kind: &'static str,
    call: &str,
    collection: &[&str],
) -> Vec<Node<'a>> {
    let lookup = answers.lookup(place, call);
    out.cover(place, kind, call, &lookup);
    out.items(place, kind, call, &lookup, collection)
}

/// A per-resource answer an asset needs: `Some(Some(first page))`; `Some(None)` when the
/// cloud's error says the setting is not configured (one of `not_configured`, read as data);
/// `None` after reporting why the asset is left out.
fn setting<'a>(
    out: &mut Estate,
    place: &Place<'_>,
    kind: &'static str,
    at: &Node<'_>,
    call: &str,
    lookup: &Lookup<'a>,
    not_configured: &[&str],
) -> Option<Option<Node<'a>>> {
    if let Lookup::Failed { file, error } = lookup
        && not_configured.iter().any(|code| error.code.eq_ignore_ascii_case(code))
    {
        out.settled(file);
        return Some(None);
    }
    out.detail(place, kind, at, call, lookup).map(Some)
}

/// An ISO 8601 time with its zone (`2015-01-23T12:33:18Z`, ECS's `2017-12-10T04:04Z`, OSS's
/// `2015-12-17T18:12:43.000Z`); absent and `""` are `None`.
fn utc(node: &Node<'_>, key: &str) -> Result<Option<String>, FieldError> {
    let Some(text) = node.opt_str(key)? else { return Ok(None) };
    match time::rfc3339(text) {
        Some(at) => Ok(Some(time::format(at))),
        None => Err(node.need(key)?.expected("an ISO 8601 time with its zone (`2015-01-23T12:33:18Z`)")),
    }
}

/// A required [`utc`] field.
fn need_utc(node: &Node<'_>, key: &str) -> Result<String, FieldError> {
    utc(node, key)?.ok_or_else(|| node.error(format!("expected a time in `{key}`")))
}

/// Whether a value was masked in a vendor example: `**` (`42.112.**.**`, `0wNEpMMlzy7s****`) or
/// an all-`X` part (`192.168.XX.XX`): such a value identifies nothing.
fn masked(text: &str) -> bool {
    net::is_masked(text)
        || text.split(['.', ':', '/', '-']).any(|part| part.len() >= 2 && part.chars().all(|c| c == 'X' || c == 'x'))
}

/// An address as [`net::ip`] reads it, Alibaba's `xx` masking included.
fn ip(text: &str) -> Result<String, net::AddressProblem> {
    if masked(text) { Err(net::AddressProblem::Masked) } else { net::ip(text) }
}

/// A CIDR or an address as [`net::cidr`] reads it, Alibaba's `XX` masking included.
fn cidr(text: &str) -> Result<String, net::AddressProblem> {
    if masked(text) { Err(net::AddressProblem::Masked) } else { net::cidr(text) }
}

/// A region as OSS locations name it: `oss-cn-hangzhou` → `cn-hangzhou`.
fn oss_region(location: &str) -> &str {
    location.strip_prefix("oss-").unwrap_or(location)
}

/// What a status word says, for the `Enabled`/`Disabled`, `Enable`, `Yes`/`No`, `on`/`off`
/// spellings Alibaba APIs use; `None` for anything else.
fn switch(text: &str) -> Option<bool> {
    match text.trim().to_ascii_lowercase().as_str() {
        "enabled" | "enable" | "yes" | "on" | "true" | "1" => Some(true),
        "disabled" | "disable" | "no" | "off" | "false" | "0" | "suspended" => Some(false),
        _ => None,
    }
}

/// A required [`switch`] field.
fn need_switch(node: &Node<'_>, key: &str) -> Result<bool, FieldError> {
    let field = node.need(key)?;
    let text = match field.value {
        serde_json::Value::Bool(flag) => return Ok(*flag),
        _ => field.as_str()?,
    };
    switch(text).ok_or_else(|| field.expected("Enabled/Disabled, Yes/No or on/off"))
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use serde_json::{Value, json};

    use super::*;
    use crate::estate::more_pages;

    fn root(value: &Value) -> Node<'_> {
        Node::root(value, Path::new("a.json"))
    }

    #[test]
    fn times_carry_their_zone_in_each_field_format() {
        let value = json!({
            "ram": "2015-01-23T12:33:18Z",      // RAM CreateDate / LastLoginDate, ActionTrail eventTime
            "ecs": "2017-12-10T04:04Z",         // ECS CreationTime: no seconds
            "oss": "2015-12-17T18:12:43.000Z",  // OSS ListBuckets CreationDate: milliseconds
            "never": "",
            "local": "2024-05-29 00:00:00",     // RDS TempUpgradeTimeStart: no zone, refused
        });
        let node = root(&value);
        assert_eq!(utc(&node, "ram").unwrap().as_deref(), Some("2015-01-23T12:33:18Z"));
        assert_eq!(utc(&node, "ecs").unwrap().as_deref(), Some("2017-12-10T04:04:00Z"));
        assert_eq!(utc(&node, "oss").unwrap().as_deref(), Some("2015-12-17T18:12:43Z"));
        assert_eq!(utc(&node, "never").unwrap(), None);
        assert!(utc(&node, "local").unwrap_err().message.contains("with its zone"));
        assert!(need_utc(&node, "missing").is_err());
    }

    #[test]
    fn the_last_saved_page_says_whether_more_follow() {
        let ram = json!({"IsTruncated": true, "Marker": "EXAMPLE"});
        assert!(more_pages(&root(&ram), 2).unwrap().contains("IsTruncated"));
        let ecs = json!({"NextToken": "caeba0bb"});
        assert!(more_pages(&root(&ecs), 1).unwrap().contains("NextToken"));
        let groups = json!({"TotalCount": 49, "PageSize": 1});
        assert_eq!(more_pages(&root(&groups), 1).unwrap(), "TotalCount is 49 but 1 were saved");
        let complete = json!({"TotalCount": 3, "NextToken": "", "IsTruncated": false});
        assert_eq!(more_pages(&root(&complete), 3), None);
    }

    #[test]
    fn masks_switches_and_names() {
        assert!(masked("192.168.XX.XX") && masked("42.112.**.**") && masked("0wNEpMMlzy7s****"));
        assert!(!masked("42.120.74.96") && !masked("f6IzzFZMmzNwEI4d") && !masked("rm-uf6wjk5xxxxxxx"));
        assert_eq!(
            (switch("Enable"), switch("No"), switch("Suspended"), switch("maybe")),
            (Some(true), Some(false), Some(false), None)
        );
        let place = Place { provider: Provider::Alibaba, account: "5000000000000002", region: "cn-hangzhou" };
        assert_eq!(resource_name("ecs", &place, "instance/i-1"), "acs:ecs:cn-hangzhou:5000000000000002:instance/i-1");
        assert_eq!(
            resource_name("ram", &place.with_region(GLOBAL), "user/Alice"),
            "acs:ram::5000000000000002:user/Alice"
        );
        assert_eq!(oss_region("oss-cn-beijing"), "cn-beijing");
    }
}
