#!/usr/bin/env bash
# Saves every answer `rulec import` reads, with the clouds' own command-line tools, in the RAW
# layout of docs/import.md: RAW/<provider>/<account>/<region|global>/<service>.<Action>[@<Param>=<value>][.<page>].json
# — every region, every page, every per-resource call for every resource its list call lists,
# and the audit events of a time window. rulec itself never sees your credentials.
#
# Usage: scripts/save-raw.sh tencent|alibaba [--regions r1,r2] [--since 24h] [--profile P] OUT_DIR
#
#   tencent   tccli (configured: `tccli configure`); object storage (COS) through curl
#             (7.75 or later) signing with TENCENTCLOUD_SECRET_ID / TENCENTCLOUD_SECRET_KEY
#             (and TENCENTCLOUD_SESSION_TOKEN), skipped when they are not set
#   alibaba   aliyun (configured: `aliyun configure`); object storage (OSS) through ossutil 2.0,
#             skipped when it is not installed
#   --regions the regions to save (default: every region cvm / ecs DescribeRegions lists)
#   --since   the window of audit events to save, e.g. 90m, 24h, 7d (default 24h; 0 saves none)
#   --profile the CLI profile to use (tccli, aliyun, ossutil)
#
# Needs bash, jq and awk. An answer the cloud refuses is saved as the error it is, so rulec
# import reports it as not collected instead of reading it as "no resources". Then:
#   rulec import OUT_DIR -o snapshot.json && rulec check snapshot.json
set -euo pipefail

# The calls rulec import reads: rulec_collect::calls::all(), one line each. Generated; do not
# edit by hand. After the table changes, regenerate it with
#   UPDATE_SCRIPT=1 cargo test -p rulec-collect --test save_script
# Columns: provider scope service action paging items source each params region bare fixed
#   paging  none | offset:<Offset>:<Limit>:<max> | page:<Number>:<Size>:<max> | token:<request>:<response>
#   items   the list a page holds (paged calls): a full page asks for the next
#   source each   a call made once per item of the list <each> in every answer of <source>
#   params  <Name>=<Field>,...: each parameter from the item's <Field> (`A|B`: from either;
#           `.`: the item itself; `@<Name>`: the source answer's own parameter); a `+` before
#           the name passes it without naming it in the file
#   region  for a regional call fed by an account-wide list: the item's field naming its region
#   bare    `bare`: the call is also saved once without parameters; `batch:<N>`: the values of
#           every source answer go N at a time as one list parameter, each answer a page of
#           one file without parameters
#   fixed   <Name>=<value>&...: parameters the call is always made with (`{region}`: the
#           region it is made in), as rulec collect sends them
CALLS_TABLE=$(
	cat <<'END_CALLS_TABLE'
tencent global sts GetCallerIdentity none - - - - - - -
tencent global cam GetPasswordRules none - - - - - - -
tencent global cam DescribeSafeAuthFlag none - - - - - - -
tencent global cam ListUsers none - - - - - - -
tencent global cam ListCollaborators offset:Offset:Limit:20 Data - - - - - -
tencent global cam GetUser none - cam.ListUsers Data[] Name=Name - - -
tencent global cam DescribeSubAccounts none - cam.ListUsers Data[] FilterSubAccountUin=Uin - - -
tencent global cam DescribeSafeAuthFlagColl none - cam.ListUsers Data[] SubUin=Uin - - -
tencent global cam ListGroupsForUser page:Page:Rp:20 GroupInfo cam.ListUsers Data[] SubUin=Uin - - -
tencent global cam ListAttachedUserPolicies page:Page:Rp:20 List cam.ListUsers Data[] TargetUin=Uin - - -
tencent global cam ListAttachedUserAllPolicies page:Page:Rp:200 PolicyList cam.ListUsers Data[] TargetUin=Uin - - AttachType=0
tencent global cam ListGroups page:Page:Rp:20 GroupInfo - - - - - -
tencent global cam ListUsersForGroup page:Page:Rp:20 UserInfo cam.ListGroups GroupInfo[] GroupId=GroupId - - -
tencent global cam ListAttachedGroupPolicies page:Page:Rp:20 List cam.ListGroups GroupInfo[] TargetGroupId=GroupId - - -
tencent global cam DescribeRoleList page:Page:Rp:200 List - - - - - -
tencent global cam GetRole none - cam.DescribeRoleList List[] RoleId=RoleId - - -
tencent global cam ListAttachedRolePolicies page:Page:Rp:200 List cam.DescribeRoleList List[] RoleId=RoleId - - -
tencent global cam ListPolicies page:Page:Rp:200 List - - - - - -
tencent global cam GetPolicy none - cam.ListPolicies List[] PolicyId=PolicyId - - -
tencent global cam ListAccessKeys none - cam.ListUsers Data[] TargetUin=Uin - bare -
tencent global cam GetSecurityLastUsed none - cam.ListAccessKeys AccessKeys[] SecretIdList=AccessKeyId - batch:10 -
tencent global cfw DescribeFwEdgeIps offset:Offset:Limit:100 Data - - - - - -
tencent global waf DescribeDomains offset:Offset:Limit:100 Domains - - - - - -
tencent global ssl DescribeCertificates offset:Offset:Limit:100 Certificates - - - - - -
tencent regional cvm DescribeInstances offset:Offset:Limit:100 InstanceSet - - - - - -
tencent regional cvm DescribeInstancesAttributes none - cvm.DescribeInstances InstanceSet[] InstanceIds=InstanceId - - Attributes=UserData
tencent regional cwp DescribeMachines offset:Offset:Limit:100 Machines - - - - - MachineType=CVM&MachineRegion={region}
tencent regional cbs DescribeDisks offset:Offset:Limit:100 DiskSet - - - - - -
tencent regional cbs DescribeSnapshots offset:Offset:Limit:100 SnapshotSet - - - - - -
tencent regional cvm DescribeImages offset:Offset:Limit:100 ImageSet - - - - - Filters=[{"Name":"image-type","Values":["PRIVATE_IMAGE"]}]
tencent regional cvm DescribeImageSharePermission none - cvm.DescribeImages ImageSet[] ImageId=ImageId - - -
tencent regional vpc DescribeVpcs offset:Offset:Limit:100 VpcSet - - - - - -
tencent regional vpc DescribeFlowLogs offset:Offset:Limit:100 FlowLog - - - - - -
tencent regional vpc DescribeNatGatewayDestinationIpPortTranslationNatRules offset:Offset:Limit:100 NatGatewayDestinationIpPortTranslationNatRuleSet - - - - - -
tencent regional vpc DescribeAddresses offset:Offset:Limit:100 AddressSet - - - - - -
tencent regional vpc DescribeNetworkAcls offset:Offset:Limit:100 NetworkAclSet - - - - - -
tencent regional vpc DescribeSecurityGroups offset:Offset:Limit:100 SecurityGroupSet - - - - - -
tencent regional vpc DescribeSecurityGroupPolicies none - vpc.DescribeSecurityGroups SecurityGroupSet[] SecurityGroupId=SecurityGroupId - - -
tencent regional vpc DescribeAddressTemplates offset:Offset:Limit:100 AddressTemplateSet - - - - - -
tencent regional vpc DescribeAddressTemplateGroups offset:Offset:Limit:100 AddressTemplateGroupSet - - - - - -
tencent regional vpc DescribeServiceTemplates offset:Offset:Limit:100 ServiceTemplateSet - - - - - -
tencent regional vpc DescribeServiceTemplateGroups offset:Offset:Limit:100 ServiceTemplateGroupSet - - - - - -
tencent regional clb DescribeLoadBalancers offset:Offset:Limit:100 LoadBalancerSet - - - - - -
tencent regional clb DescribeListeners none - clb.DescribeLoadBalancers LoadBalancerSet[] LoadBalancerId=LoadBalancerId - - -
tencent regional clb DescribeTargets none - clb.DescribeLoadBalancers LoadBalancerSet[] LoadBalancerId=LoadBalancerId - - -
tencent global cos GetService token:marker:NextMarker ListAllMyBucketsResult.Buckets.Bucket - - - - - -
tencent regional cos GetBucketAcl none - cos.GetService ListAllMyBucketsResult.Buckets.Bucket[] Bucket=Name Location - -
tencent regional cos GetBucketPolicy none - cos.GetService ListAllMyBucketsResult.Buckets.Bucket[] Bucket=Name Location - -
tencent regional cos GetBucketEncryption none - cos.GetService ListAllMyBucketsResult.Buckets.Bucket[] Bucket=Name Location - -
tencent regional cos GetBucketVersioning none - cos.GetService ListAllMyBucketsResult.Buckets.Bucket[] Bucket=Name Location - -
tencent regional cos GetBucketLogging none - cos.GetService ListAllMyBucketsResult.Buckets.Bucket[] Bucket=Name Location - -
tencent regional cos GetBucketReplication none - cos.GetService ListAllMyBucketsResult.Buckets.Bucket[] Bucket=Name Location - -
tencent regional redis DescribeInstances offset:Offset:Limit:100 InstanceSet - - - - - -
tencent regional redis DescribeDBSecurityGroups none - redis.DescribeInstances InstanceSet[] InstanceId=InstanceId - - Product=redis
tencent regional mongodb DescribeDBInstances offset:Offset:Limit:100 InstanceDetails - - - - - -
tencent regional mongodb DescribeSecurityGroup none - mongodb.DescribeDBInstances InstanceDetails[] InstanceId=InstanceId - - -
tencent regional es DescribeInstances offset:Offset:Limit:100 InstanceList - - - - - -
tencent regional tke DescribeClusters offset:Offset:Limit:100 Clusters - - - - - -
tencent regional tke DescribeClusterEndpoints none - tke.DescribeClusters Clusters[] ClusterId=ClusterId - - -
tencent regional tke DescribeLogSwitches none - tke.DescribeClusters Clusters[] ClusterIds=ClusterId - batch:10 ClusterType=tke
tencent regional cdb DescribeDBInstances offset:Offset:Limit:2000 Items - - - - - -
tencent regional cdb DescribeDBSecurityGroups none - cdb.DescribeDBInstances Items[] InstanceId=InstanceId - - -
tencent regional cdb DescribeBackupConfig none - cdb.DescribeDBInstances Items[] InstanceId=InstanceId - - -
tencent regional cdb DescribeAuditConfig none - cdb.DescribeDBInstances Items[] InstanceId=InstanceId - - -
tencent regional cdb DescribeDBInstanceInfo none - cdb.DescribeDBInstances Items[] InstanceId=InstanceId - - -
tencent regional cdb DescribeSSLStatus none - cdb.DescribeDBInstances Items[] InstanceId=InstanceId - - -
tencent regional kms ListKeyDetail offset:Offset:Limit:200 KeyMetadatas - - - - - -
tencent regional kms ListKeys offset:Offset:Limit:200 Keys - - - - - -
tencent regional kms DescribeKey none - kms.ListKeys Keys[] KeyId=KeyId - - -
tencent regional kms GetKeyRotationStatus none - kms.ListKeyDetail KeyMetadatas[] KeyId=KeyId - - -
tencent regional kms ListAlgorithms none - - - - - - -
tencent global cloudaudit DescribeAuditTracks page:PageNumber:PageSize:20 Tracks - - - - - -
tencent regional cls DescribeTopics offset:Offset:Limit:100 Topics - - - - - -
alibaba global sts GetCallerIdentity none - - - - - - -
alibaba global ram GetPasswordPolicy none - - - - - - -
alibaba global ram GetSecurityPreference none - - - - - - -
alibaba global ims GetAccountMFAInfo none - - - - - - -
alibaba global ram ListUsers token:Marker:Marker Users.User - - - - - -
alibaba global ram GetUser none - ram.ListUsers Users.User[] UserName=UserName - - -
alibaba global ram GetLoginProfile none - ram.ListUsers Users.User[] UserName=UserName - - -
alibaba global ram GetUserMFAInfo none - ram.ListUsers Users.User[] UserName=UserName - - -
alibaba global ram ListGroupsForUser none - ram.ListUsers Users.User[] UserName=UserName - - -
alibaba global ram ListPoliciesForUser none - ram.ListUsers Users.User[] UserName=UserName - - -
alibaba global ram ListGroups token:Marker:Marker Groups.Group - - - - - -
alibaba global ram ListPoliciesForGroup none - ram.ListGroups Groups.Group[] GroupName=GroupName - - -
alibaba global ram ListRoles token:Marker:Marker Roles.Role - - - - - -
alibaba global ram GetRole none - ram.ListRoles Roles.Role[] RoleName=RoleName - - -
alibaba global ram ListPoliciesForRole none - ram.ListRoles Roles.Role[] RoleName=RoleName - - -
alibaba global ram ListPolicies token:Marker:Marker Policies.Policy - - - - - -
alibaba global ram GetPolicy none - ram.ListPolicies Policies.Policy[] PolicyName=PolicyName,+PolicyType=PolicyType - - -
alibaba global ram GetPolicyVersion none - ram.ListPolicies Policies.Policy[] PolicyName=PolicyName,+VersionId=DefaultVersion,+PolicyType=PolicyType - - -
alibaba global ram ListAccessKeys none - ram.ListUsers Users.User[] UserName=UserName - bare -
alibaba global ram GetAccessKeyLastUsed none - ram.ListAccessKeys AccessKeys.AccessKey[] UserAccessKeyId=AccessKeyId - - -
alibaba global ims GetAccessKeyLastUsed none - ram.ListAccessKeys AccessKeys.AccessKey[] UserAccessKeyId=AccessKeyId - - -
alibaba global cloudfw DescribeAssetList page:CurrentPage:PageSize:50 Assets - - - - - -
alibaba global waf-openapi DescribeInstance none - - - - - - RegionId=cn-hangzhou
alibaba global waf-openapi DescribeCloudResources page:PageNumber:PageSize:100 CloudResources waf-openapi.DescribeInstance . InstanceId=InstanceId - - RegionId=cn-hangzhou&ResourceProduct=clb7
alibaba global waf-openapi DescribeResourcePort none - waf-openapi.DescribeCloudResources CloudResources[] InstanceId=@InstanceId,ResourceInstanceId=ResourceInstanceId - - RegionId=cn-hangzhou
alibaba global cas DescribeUserCertificateList page:CurrentPage:ShowSize:50 CertificateList - - - - - -
alibaba regional ecs DescribeInstances token:NextToken:NextToken Instances.Instance - - - - - -
alibaba regional ecs DescribeUserData none - ecs.DescribeInstances Instances.Instance[] InstanceId=InstanceId - - -
alibaba global sas DescribeCloudCenterInstances page:CurrentPage:PageSize:100 Instances - - - - - MachineTypes=ecs
alibaba global sas DescribeVulTargetConfig none - sas.DescribeCloudCenterInstances Instances[] Uuid=Uuid - - -
alibaba regional ecs DescribeInstanceRamRole page:PageNumber:PageSize:50 InstanceRamRoleSets.InstanceRamRoleSet - - - - - -
alibaba regional ecs DescribeDisks page:PageNumber:PageSize:100 Disks.Disk - - - - - -
alibaba regional ecs DescribeSnapshots page:PageNumber:PageSize:100 Snapshots.Snapshot - - - - - -
alibaba regional ecs DescribeImages page:PageNumber:PageSize:100 Images.Image - - - - - ImageOwnerAlias=self
alibaba regional ecs DescribeImageSharePermission page:PageNumber:PageSize:100 Accounts.Account ecs.DescribeImages Images.Image[] ImageId=ImageId - - -
alibaba regional vpc DescribeVpcs page:PageNumber:PageSize:50 Vpcs.Vpc - - - - - -
alibaba regional vpc DescribeFlowLogs page:PageNumber:PageSize:50 FlowLogs.FlowLog - - - - - -
alibaba regional vpc DescribeNatGateways page:PageNumber:PageSize:50 NatGateways.NatGateway - - - - - -
alibaba regional vpc DescribeForwardTableEntries page:PageNumber:PageSize:50 ForwardTableEntries.ForwardTableEntry vpc.DescribeNatGateways NatGateways.NatGateway[].ForwardTableIds.ForwardTableId[] ForwardTableId=. - - -
alibaba regional vpc DescribeEipAddresses page:PageNumber:PageSize:100 EipAddresses.EipAddress - - - - - -
alibaba regional vpc DescribeNetworkAcls page:PageNumber:PageSize:50 NetworkAcls.NetworkAcl - - - - - -
alibaba regional ecs DescribeSecurityGroups token:NextToken:NextToken SecurityGroups.SecurityGroup - - - - - -
alibaba regional ecs DescribeSecurityGroupAttribute token:NextToken:NextToken Permissions.Permission ecs.DescribeSecurityGroups SecurityGroups.SecurityGroup[] SecurityGroupId=SecurityGroupId - - -
alibaba regional ecs DescribePrefixListAttributes none - ecs.DescribeSecurityGroupAttribute Permissions.Permission[] PrefixListId=SourcePrefixListId|DestPrefixListId - - -
alibaba regional slb DescribeLoadBalancers page:PageNumber:PageSize:100 LoadBalancers.LoadBalancer - - - - - -
alibaba regional slb DescribeLoadBalancerAttribute none - slb.DescribeLoadBalancers LoadBalancers.LoadBalancer[] LoadBalancerId=LoadBalancerId - - -
alibaba regional slb DescribeLoadBalancerListeners token:NextToken:NextToken Listeners - - - - - -
alibaba regional slb DescribeAccessControlListAttribute none - slb.DescribeLoadBalancerListeners Listeners[] AclId=AclId - - -
alibaba regional rds DescribeDBInstances page:PageNumber:PageSize:100 Items.DBInstance - - - - - -
alibaba regional rds DescribeDBInstanceNetInfo none - rds.DescribeDBInstances Items.DBInstance[] DBInstanceId=DBInstanceId - - -
alibaba regional rds DescribeDBInstanceIPArrayList none - rds.DescribeDBInstances Items.DBInstance[] DBInstanceId=DBInstanceId - - -
alibaba regional rds DescribeDBInstanceTDE none - rds.DescribeDBInstances Items.DBInstance[] DBInstanceId=DBInstanceId - - -
alibaba regional rds DescribeDBInstanceSSL none - rds.DescribeDBInstances Items.DBInstance[] DBInstanceId=DBInstanceId - - -
alibaba regional rds DescribeSQLCollectorPolicy none - rds.DescribeDBInstances Items.DBInstance[] DBInstanceId=DBInstanceId - - -
alibaba regional rds DescribeBackupPolicy none - rds.DescribeDBInstances Items.DBInstance[] DBInstanceId=DBInstanceId - - -
alibaba regional rds DescribeSQLCollectorRetention none - rds.DescribeDBInstances Items.DBInstance[] DBInstanceId=DBInstanceId - - -
alibaba regional rds DescribeParameters none - rds.DescribeDBInstances Items.DBInstance[] DBInstanceId=DBInstanceId - - -
alibaba regional r-kvstore DescribeInstances page:PageNumber:PageSize:50 Instances.KVStoreInstance - - - - - -
alibaba regional r-kvstore DescribeSecurityIps none - r-kvstore.DescribeInstances Instances.KVStoreInstance[] InstanceId=InstanceId - - -
alibaba regional r-kvstore DescribeDBInstanceNetInfo none - r-kvstore.DescribeInstances Instances.KVStoreInstance[] InstanceId=InstanceId - - -
alibaba regional dds DescribeDBInstances page:PageNumber:PageSize:100 DBInstances.DBInstance - - - - - -
alibaba regional dds DescribeSecurityIps none - dds.DescribeDBInstances DBInstances.DBInstance[] DBInstanceId=DBInstanceId - - -
alibaba regional cs DescribeClustersV1 page:page_number:page_size:100 clusters - - - - - -
alibaba regional cs DescribeClusterDetail none - cs.DescribeClustersV1 clusters[] ClusterId=cluster_id - - -
alibaba regional elasticsearch ListInstance page:page:size:100 Result - - - - - -
alibaba regional elasticsearch DescribeInstance none - elasticsearch.ListInstance Result[] InstanceId=instanceId - - -
alibaba regional kms ListKeys page:PageNumber:PageSize:100 Keys.Key - - - - - -
alibaba regional kms DescribeKey none - kms.ListKeys Keys.Key[] KeyId=KeyId - - -
alibaba global oss ListBuckets token:marker:NextMarker ListAllMyBucketsResult.Buckets.Bucket - - - - - -
alibaba regional oss GetBucketAcl none - oss.ListBuckets ListAllMyBucketsResult.Buckets.Bucket[] Bucket=Name Location - -
alibaba regional oss GetBucketPolicy none - oss.ListBuckets ListAllMyBucketsResult.Buckets.Bucket[] Bucket=Name Location - -
alibaba regional oss GetBucketEncryption none - oss.ListBuckets ListAllMyBucketsResult.Buckets.Bucket[] Bucket=Name Location - -
alibaba regional oss GetBucketVersioning none - oss.ListBuckets ListAllMyBucketsResult.Buckets.Bucket[] Bucket=Name Location - -
alibaba regional oss GetBucketLogging none - oss.ListBuckets ListAllMyBucketsResult.Buckets.Bucket[] Bucket=Name Location - -
alibaba regional oss GetBucketReplication none - oss.ListBuckets ListAllMyBucketsResult.Buckets.Bucket[] Bucket=Name Location - -
alibaba global actiontrail DescribeTrails none - - - - - - -
alibaba global actiontrail GetTrailStatus none - actiontrail.DescribeTrails TrailList[] Name=Name - - -
alibaba regional sls ListProject offset:offset:size:500 projects - - - - - -
alibaba global cloudsso ListDirectories none - - - - - - -
alibaba global cloudsso GetMFAAuthenticationSettings none - cloudsso.ListDirectories Directories[] DirectoryId=DirectoryId - - -
alibaba regional sls ListLogStores offset:offset:size:500 logstores sls.ListProject projects[] project=projectName - - -
alibaba regional sls GetLogStore none - sls.ListLogStores logstores[] project=@project,logstore=. - - -
END_CALLS_TABLE
)

die() {
	printf 'save-raw: %s\n' "$*" >&2
	exit 2
}

warn() {
	printf 'save-raw: %s\n' "$*" >&2
}

# The header above as help (exit 0), or its usage line for a bad command line (exit 2).
usage() {
	if [ "${1:-}" = help ]; then
		sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
		exit 0
	fi
	sed -n 's/^# Usage: //p' "$0" | sed 's/^/usage: /' >&2
	exit 2
}

# ---------------------------------------------------------------------------- arguments

provider=""
regions=""
since="24h"
profile=""
out=""

parse_args() {
	[ $# -gt 0 ] || usage
	case "$1" in
	tencent | alibaba) provider=$1 ;;
	-h | --help) usage help ;;
	*) die "the first argument is the cloud: tencent or alibaba, not \`$1\`" ;;
	esac
	shift
	while [ $# -gt 0 ]; do
		case "$1" in
		--regions) regions=$(printf '%s' "${2:?--regions needs a list}" | tr ',' ' ') && shift ;;
		--since) since=${2:?--since needs a duration} && shift ;;
		--profile) profile=${2:?--profile needs a name} && shift ;;
		-h | --help) usage help ;;
		-*) die "unknown option \`$1\`" ;;
		*)
			[ -z "$out" ] || die "one OUT_DIR only (\`$out\`, then \`$1\`)"
			out=$1
			;;
		esac
		shift
	done
	[ -n "$out" ] || usage
}

# Seconds in a duration such as 90m, 24h, 7d.
seconds() {
	local number=${1%[smhd]} unit=${1##*[0-9]}
	case "$number" in '' | *[!0-9]*) die "--since \`$1\` is not a duration such as 24h" ;; esac
	case "$unit" in
	s | "") echo "$number" ;;
	m) echo $((number * 60)) ;;
	h) echo $((number * 3600)) ;;
	d) echo $((number * 86400)) ;;
	*) die "--since \`$1\` is not a duration such as 24h" ;;
	esac
}

# An epoch time as RFC 3339 (GNU date, else BSD date).
iso_time() {
	date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ 2>/dev/null || date -u -r "$1" +%Y-%m-%dT%H:%M:%SZ
}

# ---------------------------------------------------------------------------- running the tools

tmp=""
first_region=""

# Runs one call: invoke SERVICE ACTION REGION [--Param value]... — the answer on stdout, the
# tool's complaint on stderr, its exit status. REGION is empty before the regions are known.
invoke() {
	local service=$1 action=$2 region=$3
	local -a fixed
	shift 3
	mapfile -t fixed < <(fixed_args "$service" "$action" "$region")
	case "$provider.$service" in
	tencent.cos) cos "$action" "$region" "$@" ;;
	alibaba.oss) oss "$action" "$region" "$@" ;;
	tencent.*) tccli "$service" "$action" --cli-unfold-argument ${region:+--region "$region"} ${profile:+--profile "$profile"} \
		${fixed[@]+"${fixed[@]}"} "$@" ;;
	# RPC products take the region as `RegionId` too; the ROA ones (sls, cs, elasticsearch) only as --region.
	alibaba.sls) aliyun "$service" "$action" ${region:+--region "$region"} ${profile:+--profile "$profile"} "$@" ;;
	alibaba.cs | alibaba.elasticsearch) roa "$service" "$action" "$region" "$@" ;;
	# Certificates: the certificate list of the 2018-07-13 API, which the CLI's metadata may not
	# hold (its default cas version is newer), account-wide at cas.aliyuncs.com.
	alibaba.cas) aliyun "$service" "$action" --version 2018-07-13 --force ${profile:+--profile "$profile"} "$@" ;;
	# CloudSSO answers in its directory's region, China (Shanghai) by default (as rulec collect).
	alibaba.cloudsso) aliyun "$service" "$action" --region cn-shanghai ${profile:+--profile "$profile"} "$@" ;;
	# WAF 3.0 answers per site, the Chinese mainland's at cn-hangzhou (as rulec collect; the
	# table's fixed RegionId says so too).
	alibaba.waf-openapi) aliyun "$service" "$action" --region cn-hangzhou ${profile:+--profile "$profile"} \
		${fixed[@]+"${fixed[@]}"} "$@" ;;
	alibaba.*) aliyun "$service" "$action" ${region:+--region "$region" --RegionId "$region"} ${profile:+--profile "$profile"} \
		${fixed[@]+"${fixed[@]}"} "$@" ;;
	esac
}

# The arguments of the parameters a call is always made with (the table's `fixed` column), one
# per line, `{region}` replaced by REGION; tccli takes a JSON value unfolded
# (`--Filters.0.Name image-type --Filters.0.Values PRIVATE_IMAGE`). fixed_args SERVICE ACTION REGION
fixed_args() {
	local spec pair name value
	local -a pairs
	spec=$(awk -v p="$provider" -v s="$1" -v a="$2" '$1 == p && $3 == s && $4 == a { print $12 }' <<<"$CALLS_TABLE")
	[ -n "$spec" ] && [ "$spec" != - ] || return 0
	IFS='&' read -r -a pairs <<<"$spec"
	for pair in "${pairs[@]}"; do
		name=${pair%%=*}
		value=${pair#*=}
		value=${value//\{region\}/$3}
		case "$provider:$value" in
		tencent:\[* | tencent:\{*) jq -r --arg name "$name" "$UNFOLD"' unfold($name)' <<<"$value" ;;
		*) printf -- '--%s\n%s\n' "$name" "$value" ;;
		esac
	done
}

# jq: a JSON value as tccli's unfolded arguments, one per line.
# shellcheck disable=SC2016 # jq's variables, not the shell's
UNFOLD='def unfold($key):
	if type == "object" then to_entries[] | .key as $k | .value | unfold($key + "." + $k)
	elif type == "array" and any(.[]; type == "object" or type == "array") then
		to_entries[] | (.key | tostring) as $k | .value | unfold($key + "." + $k)
	elif type == "array" then "--" + $key, (.[] | tostring)
	else "--" + $key, tostring end;'


# A COS request signed by curl (COS accepts AWS Signature V4): the XML or JSON body as is.
cos() {
	local action=$1 region=$2 bucket="" query=""
	shift 2
	while [ $# -gt 0 ]; do
		case "$1" in
		--Bucket) bucket=$2 ;;
		--marker) query="marker=$2" ;;
		esac
		shift 2
	done
	local host="service.cos.myqcloud.com" sign_region=${first_region:-ap-guangzhou}
	if [ -n "$bucket" ]; then
		host="$bucket.cos.$region.myqcloud.com"
		sign_region=$region
		# GetBucketAcl -> ?acl, GetBucketPolicy -> ?policy, ...
		query=$(printf '%s' "${action#GetBucket}" | tr '[:upper:]' '[:lower:]')
	fi
	local -a session=()
	[ -z "${TENCENTCLOUD_SESSION_TOKEN:-}" ] || session=(-H "x-cos-security-token: $TENCENTCLOUD_SESSION_TOKEN")
	curl -sS --aws-sigv4 "aws:amz:$sign_region:s3" --user "$TENCENTCLOUD_SECRET_ID:$TENCENTCLOUD_SECRET_KEY" \
		${session[@]+"${session[@]}"} "https://$host/${query:+?$query}"
}

# A ROA call in the CLI's form `aliyun <product> GET <path>`: a list call's paging flags go to
# the query, a per-resource call's id into the path. ACK: DescribeClustersV1 ->
# /api/v1/clusters (with `--region_id`), DescribeClusterDetail -> /clusters/<ClusterId>;
# Elasticsearch: ListInstance -> /openapi/instances, DescribeInstance -> /openapi/instances/<InstanceId>.
roa() {
	local service=$1 action=$2 region=$3 id="" path
	local -a query=()
	shift 3
	while [ $# -gt 0 ]; do
		case "$1" in
		--ClusterId | --InstanceId) id=$2 ;;
		*) query+=("$1" "$2") ;;
		esac
		shift 2
	done
	case "$service.$action" in
	cs.DescribeClustersV1)
		path=/api/v1/clusters
		[ -z "$region" ] || query=(--region_id "$region" ${query[@]+"${query[@]}"})
		;;
	cs.DescribeClusterDetail) path=/clusters/$id ;;
	elasticsearch.ListInstance) path=/openapi/instances ;;
	elasticsearch.DescribeInstance) path=/openapi/instances/$id ;;
	*) die "no ROA path for $service $action" ;;
	esac
	aliyun "$service" GET "$path" ${region:+--region "$region"} ${profile:+--profile "$profile"} ${query[@]+"${query[@]}"}
}

# An OSS call through ossutil 2.0: ListBuckets -> `ossutil api list-buckets`, JSON output.
oss() {
	local action=$1 region=$2
	local -a args=()
	shift 2
	while [ $# -gt 0 ]; do
		args+=("--$(printf '%s' "${1#--}" | tr '[:upper:]' '[:lower:]')" "$2")
		shift 2
	done
	local command
	command=$(printf '%s' "$action" | sed 's/\([A-Z]\)/-\1/g; s/^-//' | tr '[:upper:]' '[:lower:]')
	ossutil api "$command" ${args[@]+"${args[@]}"} --output-format json ${region:+--region "$region"} ${profile:+--profile "$profile"}
}

# Whether the tool a service needs is there; says once why a service is skipped.
usable() {
	case "$provider.$1" in
	tencent.cos)
		[ -n "${TENCENTCLOUD_SECRET_ID:-}" ] && [ -n "${TENCENTCLOUD_SECRET_KEY:-}" ] && return 0
		once "cos" "COS answers not saved: export TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY (curl signs the requests)"
		;;
	alibaba.oss)
		command -v ossutil >/dev/null && return 0
		once "oss" "OSS answers not saved: install ossutil 2.0"
		;;
	*) return 0 ;;
	esac
	return 1
}

once() {
	[ -e "$tmp/said.$1" ] && return 0
	: >"$tmp/said.$1"
	warn "$2"
}

# The error answer a failed call leaves, in the cloud's own error shape.
error_answer() {
	local complaint=$1 code message request
	case "$provider" in
	tencent)
		code=$(sed -n 's/.*code:\([^ ]*\).*/\1/p' <<<"$complaint" | head -n 1)
		message=$(sed -n 's/.*message:\(.*\) requestId:.*/\1/p' <<<"$complaint" | head -n 1)
		request=$(sed -n 's/.*requestId:\([^ ]*\).*/\1/p' <<<"$complaint" | head -n 1)
		;;
	alibaba)
		code=$(sed -n 's/^ErrorCode: *//p; s/.*ErrorCode=\([^,]*\).*/\1/p' <<<"$complaint" | head -n 1)
		message=$(sed -n 's/^Message: *//p; s/.*ErrorMessage="\([^"]*\)".*/\1/p' <<<"$complaint" | head -n 1)
		request=$(sed -n 's/^RequestId: *//p' <<<"$complaint" | head -n 1)
		;;
	esac
	code=${code:-CliError}
	message=${message:-$(tr '\n' ' ' <<<"$complaint")}
	if [ "$provider" = tencent ]; then
		jq -n --arg c "$code" --arg m "$message" --arg r "$request" '{Response: {Error: {Code: $c, Message: $m}, RequestId: $r}}'
	else
		jq -n --arg c "$code" --arg m "$message" --arg r "$request" '{Code: $c, Message: $m, RequestId: $r}'
	fi
}

# ---------------------------------------------------------------------------- reading answers

# An answer as JSON for jq: ossutil's `0.41(s) elapsed` line removed.
json_of() {
	sed '/^[0-9.]*(s) elapsed[[:space:]]*$/d' "$1"
}

is_xml() {
	[ "$(tr -d ' \t\r\n' <"$1" | head -c 1)" = "<" ]
}

# The text of the first <TAG> of an XML answer.
xml_text() {
	tr '\n\r' '  ' <"$1" | awk -v tag="$2" '{
		start = index($0, "<" tag ">"); if (!start) exit
		rest = substr($0, start + length(tag) + 2); print substr(rest, 1, index(rest, "<") - 1); exit }'
}

# Fields are separated by the unit separator: a tab would let empty fields vanish in `read`.
US=$'\037'

# One line per <ITEM> element of an XML answer: the text of its REGION, then of each FIELD.
xml_rows() {
	local file=$1 item=$2 region=$3
	shift 3
	tr '\n\r' '  ' <"$file" | awk -v item="$item" -v region="$region" -v fields="$*" -v us="$US" '
		function text(s, tag,   at, rest) {
			at = index(s, "<" tag ">"); if (!at || tag == "") return ""
			rest = substr(s, at + length(tag) + 2); return substr(rest, 1, index(rest, "<") - 1) }
		{ count = split(fields, names, " "); n = split($0, parts, "<" item ">")
		  for (i = 2; i <= n; i++) {
			line = text(parts[i], region)
			for (f = 1; f <= count; f++) line = line us text(parts[i], names[f])
			print line } }'
}

# A table path (`Data[].Uin`) as a jq path that tolerates absent lists (`.Data[]?.Uin`).
jq_path() {
	printf '.%s' "$1" | sed 's/\[\]/[]?/g'
}

# The data of an answer is without the API envelope, and may also sit inside a single root
# element (an XML document's, as some tools print it): `first_of(f)` gives the outputs of f
# on the first of those where it has any.
# shellcheck disable=SC2016 # jq's variables, not the shell's
JQ_DEFS='def roots: (.Response // .) as $r | $r, (if ($r | type) == "object" and ($r | length) == 1 then $r[] | objects else empty end);
def first_of(f): (first(roots | [f] | select(length > 0)) // []) | .[];'

# How many entries ITEMS (`InstanceSet`, `Instances.Instance`) holds in an answer; also
# tried without its first part, for answers saved without their root element.
count_items() {
	local file=$1 items=$2
	if is_xml "$file"; then
		tr '\n\r' '  ' <"$file" | awk -v item="${items##*.}" '{ n += split($0, parts, "<" item ">") - 1 } END { print n + 0 }'
		return
	fi
	local whole short
	whole="$(jq_path "$items")[]?"
	short="$(jq_path "${items#*.}")[]?"
	json_of "$file" | jq -r "$JQ_DEFS [first_of($whole)] as \$a | if (\$a | length) > 0 then \$a else [first_of($short)] end | length"
}

# The `TotalCount` an answer states (ACK's: `page_info.total_count`; Elasticsearch's:
# `Headers."X-Total-Count"`), if any.
total_of() {
	is_xml "$1" || json_of "$1" | jq -r '(.Response // .) | (.TotalCount // .page_info.total_count? // .Headers."X-Total-Count"?) // empty | numbers'
}

# The next page's token, or nothing when the answer says it was the last.
next_token() {
	local file=$1 field=$2
	if is_xml "$file"; then
		[ "$(xml_text "$file" IsTruncated)" = "false" ] || xml_text "$file" "$field"
	else
		json_of "$file" | jq -r "(.Response // .) | if .IsTruncated == false or .ListOver == true then empty else .$field // empty end"
	fi
}

# The `@NAME=value` an answer's file name carries.
file_param() {
	basename "$1" | sed 's/\.[a-z]*$//; s/\.[0-9][0-9]*$//' | sed -n "s/.*@$2=\([^@]*\).*/\1/p"
}

# One line per call to make from a source answer: the item's region (or nothing), then each
# parameter's value. rows_of FILE EACH PARAMS REGION
rows_of() {
	local file=$1 each=$2 region=$4 spec value n=0
	local -a specs args=()
	IFS=, read -r -a specs <<<"$3"
	if is_xml "$file"; then
		local -a fields=()
		for spec in "${specs[@]}"; do fields+=("${spec#*=}"); done
		each=${each%\[\]}
		xml_rows "$file" "${each##*.}" "$region" "${fields[@]}"
		return
	fi
	local list=. program columns='""'
	[ "$each" = . ] || list=$(jq_path "$each")
	program="$list as \$it"
	[ -z "$region" ] || columns="(\$it | objects | .$region // \"\" | tostring)"
	for spec in "${specs[@]}"; do
		n=$((n + 1))
		value=${spec#*=}
		case "$value" in
		.) program="$program | (\$it | scalars | tostring) as \$v$n" ;;
		@*)
			args+=(--arg "a$n" "$(file_param "$file" "${value#@}")")
			program="$program | \$a$n as \$v$n"
			;;
		*)
			local fields
			fields=$(printf '%s\n' "$value" | tr '|' '\n' | sed 's/^/./' | paste -sd , -)
			program="$program | (\$it | objects | [$fields][] | select(. != null and . != \"\") | tostring) as \$v$n"
			;;
		esac
		columns="$columns, \$v$n"
	done
	# Also tried without the list's first part, for answers saved without their root element
	# (ossutil's JSON of ListAllMyBucketsResult).
	local whole short=$program
	whole="$program | [$columns] | join(\"\\u001f\")"
	[ "$each" = . ] || [ "${each#*.}" = "$each" ] || short="$(jq_path "${each#*.}") as \$it${program#"$list as \$it"}"
	short="$short | [$columns] | join(\"\\u001f\")"
	json_of "$file" | jq -r ${args[@]+"${args[@]}"} "$JQ_DEFS [first_of($whole)] as \$a | if (\$a | length) > 0 then \$a[] else first_of($short) end"
}

# ---------------------------------------------------------------------------- saving

saved=0
refused=0

# Saves every page of one call as BASE.json, BASE.2.json, ... (or .xml), BASE being
# DIR/SERVICE.ACTION then LABEL (`@Param=value`...).
# save DIR SERVICE ACTION REGION PAGING ITEMS LABEL [--Param value]...; REGION is empty for
# account-wide calls (the CLI profile's region is used).
save() {
	local dir=$1 service=$2 action=$3 region=$4 paging=$5 items=$6 label=$7 base="$1/$2.$3$7"
	shift 7
	local kind first second max
	IFS=: read -r kind first second max <<<"$paging"
	mkdir -p "$dir"
	local page=1 position=0 token="" seen=" " file count total
	local -a more
	while :; do
		more=()
		case "$kind" in
		offset) more=("--$first" "$position" "--$second" "$max") ;;
		page) more=("--$first" "$page" "--$second" "$max") ;;
		token) [ -z "$token" ] || more=("--$first" "$token") ;;
		esac
		if ! invoke "$service" "$action" "$region" "$@" ${more[@]+"${more[@]}"} >"$tmp/answer" 2>"$tmp/complaint"; then
			error_answer "$(cat "$tmp/complaint")" >"$tmp/answer"
			warn "$service.$action$label${region:+ in $region}: $(head -n 1 "$tmp/complaint")"
			refused=$((refused + 1))
			kind=none
		fi
		file="$base"
		[ "$page" -eq 1 ] || file="$file.$page"
		if is_xml "$tmp/answer"; then file="$file.xml"; else file="$file.json"; fi
		mv "$tmp/answer" "$file"
		saved=$((saved + 1))
		case "$kind" in
		offset | page)
			count=$(count_items "$file" "$items")
			total=$(total_of "$file")
			position=$((position + max))
			[ "$count" -ge "$max" ] || break
			[ -z "$total" ] || [ "$position" -lt "$total" ] || break
			;;
		token)
			token=$(next_token "$file" "$second")
			[ -n "$token" ] || break
			case "$seen" in *" $token "*) break ;; esac
			seen="$seen$token "
			;;
		*) break ;;
		esac
		page=$((page + 1))
		[ "$page" -le 10000 ] || die "$service.$action: more than 10000 pages"
	done
}

# The table's calls of this cloud, as lines.
calls() {
	awk -v provider="$provider" '$1 == provider' <<<"$CALLS_TABLE"
}

# Saves the list calls (no parameter) of SCOPE, in REGION (empty for global calls).
save_lists() {
	local scope=$1 region=$2 dir=$root/${2:-global}
	local _provider call_scope service action paging items source _rest
	while read -r _provider call_scope service action paging items source _rest; do
		if [ "$call_scope" != "$scope" ] || [ "$source" != - ]; then continue; fi
		[ "$service.$action" != sts.GetCallerIdentity ] || continue
		usable "$service" || continue
		save "$dir" "$service" "$action" "$region" "$paging" "$items" ""
	done < <(calls)
}

# Saves the per-resource calls of SCOPE in REGION (empty for global calls) whose items come
# from answers in the same folder — or, with `cross`, the regional calls fed by account-wide
# lists, each in the folder of its item's region.
save_per_resource() {
	local scope=$1 region=$2 cross=${3:-} from=$root/${2:-global}
	local _provider call_scope service action paging items source each params where bare _fixed answer
	while read -r _provider call_scope service action paging items source each params where bare _fixed; do
		if [ "$call_scope" != "$scope" ] || [ "$source" = - ]; then continue; fi
		if [ -n "$cross" ]; then [ "$where" != - ] || continue; else [ "$where" = - ] || continue; fi
		usable "$service" || continue
		[ "$where" != - ] || where=""
		if [ "${bare#batch:}" != "$bare" ]; then
			[ -n "$cross" ] || save_batched "$from" "$service" "$action" "$region" "$source" "$each" "$params" "${bare#batch:}"
			continue
		fi
		[ -n "$cross" ] || [ "$bare" = - ] || save "$from" "$service" "$action" "$region" "$paging" "$items" ""
		for answer in "$from/$source".json "$from/$source".xml "$from/$source".[0-9]*.json \
			"$from/$source".[0-9]*.xml "$from/$source"@*.json "$from/$source"@*.xml; do
			[ -f "$answer" ] || continue
			while IFS=$US read -r -a row; do
				save_one "$service" "$action" "$paging" "$items" "$params" "$region" "$cross" "${row[@]}"
			done < <(rows_of "$answer" "$each" "$params" "$where")
		done
	done < <(calls)
}

# Saves a call that takes many resources at once: the values of every answer of SOURCE in DIR,
# SIZE per request as one JSON list, each answer a page of DIR/SERVICE.ACTION.
# save_batched DIR SERVICE ACTION REGION SOURCE EACH PARAMS SIZE
save_batched() {
	local dir=$1 service=$2 action=$3 region=$4 source=$5 each=$6 params=$7 size=$8 page=1 answer file
	local -a values=() chunk
	for answer in "$dir/$source".json "$dir/$source".[0-9]*.json "$dir/$source"@*.json; do
		[ -f "$answer" ] || continue
		while IFS=$US read -r _ value; do
			[ -z "$value" ] || values+=("$value")
		done < <(rows_of "$answer" "$each" "$params" "")
	done
	[ "${#values[@]}" -gt 0 ] || return 0
	mapfile -t values < <(printf '%s\n' "${values[@]}" | sort -u)
	while [ "${#values[@]}" -gt 0 ]; do
		chunk=("${values[@]:0:size}")
		values=("${values[@]:size}")
		if ! invoke "$service" "$action" "$region" "--${params%%=*}" \
			"$(printf '%s\n' "${chunk[@]}" | jq -R . | jq -sc .)" >"$tmp/answer" 2>"$tmp/complaint"; then
			error_answer "$(cat "$tmp/complaint")" >"$tmp/answer"
			warn "$service.$action: $(head -n 1 "$tmp/complaint")"
			refused=$((refused + 1))
		fi
		file="$dir/$service.$action"
		[ "$page" -eq 1 ] || file="$file.$page"
		mv "$tmp/answer" "$file.json"
		saved=$((saved + 1))
		page=$((page + 1))
	done
}

# Saves one per-resource call from a row of rows_of: its folder, label and arguments.
# save_one SERVICE ACTION PAGING ITEMS PARAMS REGION CROSS ITEM_REGION VALUE...
save_one() {
	local service=$1 action=$2 paging=$3 items=$4 region=$6 cross=$7 at=$8 spec value label=""
	local -a specs args=()
	IFS=, read -r -a specs <<<"$5"
	shift 8
	for spec in "${specs[@]}"; do
		value=${1:-}
		shift || true
		case "$value" in '' | */* | *@*) return 0 ;; esac
		spec=${spec%%=*}
		args+=("--${spec#+}" "$value")
		[ "${spec#+}" != "$spec" ] || label="$label@$spec=$value"
	done
	if [ -n "$cross" ]; then
		# OSS names regions `oss-cn-hangzhou`; folders use the region id.
		region=${at#oss-}
		case " $regions " in *" $region "*) ;; *) return 0 ;; esac
	fi
	save "$root/${region:-global}" "$service" "$action" "$region" "$paging" "$items" "$label" "${args[@]}"
}

# The audit events of the window: CloudAudit LookUpEvents (account-wide) or ActionTrail
# LookupEvents (per region), every page.
save_events() {
	local window
	window=$(seconds "$since")
	[ "$window" -gt 0 ] || return 0
	local end start
	end=$(date -u +%s)
	start=$((end - window))
	if [ "$provider" = tencent ]; then
		save "$root/events" cloudaudit LookUpEvents "" token:NextToken:NextToken - "" \
			--StartTime "$start" --EndTime "$end" --MaxResults 50
		return
	fi
	local region
	for region in $regions; do
		save "$root/events/$region" actiontrail LookupEvents "$region" token:NextToken:NextToken - "" \
			--StartTime "$(iso_time "$start")" --EndTime "$(iso_time "$end")" --MaxResults 50
	done
}

# The account the credentials belong to, its answer saved in the account's global folder.
identify() {
	invoke sts GetCallerIdentity "" >"$tmp/identity" 2>"$tmp/complaint" ||
		die "cannot tell whose account this is (sts GetCallerIdentity): $(cat "$tmp/complaint")"
	local account
	account=$(json_of "$tmp/identity" | jq -r '(.Response // .).AccountId // empty')
	[ -n "$account" ] || die "sts GetCallerIdentity named no AccountId"
	printf '%s' "$account"
}

# Every region the account can use.
list_regions() {
	local service=cvm filter='(.Response // .).RegionSet[]? | select((.RegionState // "AVAILABLE") == "AVAILABLE") | .Region'
	[ "$provider" = tencent ] || {
		service=ecs
		filter='.Regions.Region[]?.RegionId'
	}
	invoke "$service" DescribeRegions "" >"$tmp/regions" 2>"$tmp/complaint" ||
		die "cannot list the regions ($service DescribeRegions): $(cat "$tmp/complaint"); pass --regions"
	json_of "$tmp/regions" | jq -r "$filter" | tr '\n' ' '
}

main() {
	parse_args "$@"
	command -v jq >/dev/null || die "jq is needed: install it (apt-get install jq, brew install jq)"
	local cli=tccli
	[ "$provider" = tencent ] || cli=aliyun
	command -v "$cli" >/dev/null || die "$cli is needed: install and configure it first"
	seconds "$since" >/dev/null
	[ -n "$(calls)" ] || die "this script knows no $provider call: regenerate its table"
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT

	local account
	account=$(identify)
	root="$out/$provider/$account"
	mkdir -p "$root/global"
	mv "$tmp/identity" "$root/global/sts.GetCallerIdentity.json"
	saved=1
	[ -n "$regions" ] || regions=$(list_regions)
	regions=$(printf '%s' "$regions" | tr -s ' ' | sed 's/^ //; s/ $//')
	[ -n "$regions" ] || die "no region to save"
	first_region=${regions%% *}

	save_lists global ""
	save_per_resource global ""
	local region
	for region in $regions; do
		save_lists regional "$region"
		save_per_resource regional "$region"
	done
	save_per_resource regional "" cross
	save_events
	warn "saved $saved answers ($refused refused) for $provider account $account, regions: $regions, in $out"
	warn "next: rulec import $out -o snapshot.json"
}

root=""
main "$@"
