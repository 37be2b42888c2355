"""Every Kubernetes signal the catalogue knows, one manifest each: the expected rule fires.

The rule examples test the rules this analyser added; these cases test the patterns added to
existing service rules under `signals:` (ACK kinds, CSI drivers, annotations, registries...).
"""

from __future__ import annotations

import textwrap

import pytest

from portacheck.rules.match import Matcher


def obj(api, kind, extra=''):
    return f"apiVersion: {api}\nkind: {kind}\nmetadata:\n  name: x\n{extra}"

def pod(spec):
    return "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n" + textwrap.indent(textwrap.dedent(spec), '  ')

def ann(key, api='v1', kind='Service'):
    return f"apiVersion: {api}\nkind: {kind}\nmetadata:\n  name: x\n  annotations:\n    {key}: 'v'\n"

def sc(prov):
    return f"apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata:\n  name: x\nprovisioner: {prov}\n"

def pvc(cls):
    return f"apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: x\nspec:\n  storageClassName: {cls}\n"

def env(name):
    return pod(f"containers:\n  - name: c\n    image: ghcr.io/x/y:1\n    env:\n      - name: {name}\n        valueFrom:\n          secretKeyRef: {{name: s, key: k}}\n")

def nodesel(k, v):
    return pod(f"nodeSelector:\n  {k}: '{v}'\ncontainers:\n  - name: c\n    image: ghcr.io/x/y:1\n")

def image(img):
    return pod(f"containers:\n  - name: c\n    image: {img}\n")

def store(key, extra=''):
    return f"apiVersion: external-secrets.io/v1\nkind: SecretStore\nmetadata:\n  name: x\nspec:\n  provider:\n    {key}:\n      {extra or 'x: y'}\n"

def spc(p):
    return f"apiVersion: secrets-store.csi.x-k8s.io/v1\nkind: SecretProviderClass\nmetadata:\n  name: x\nspec:\n  provider: {p}\n"

def solver(key, group=None):
    body = f"webhook:\n                groupName: {group}\n                solverName: x" if group else f"{key}: {{}}"
    return f"""apiVersion: cert-manager.io/v1
kind: ClusterIssuer
metadata:
  name: x
spec:
  acme:
    server: https://acme-v02.api.letsencrypt.org/directory
    privateKeySecretRef: {{name: x}}
    solvers:
      - dns01:
          {body}
"""

def xdns(p):
    return pod(f"containers:\n  - name: c\n    image: registry.k8s.io/external-dns/external-dns:v0.15.0\n    args: [--provider={p}]\n")

def ingclass(c):
    return f"apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: x\nspec:\n  ingressClassName: {c}\n"

def ictrl(c):
    return f"apiVersion: networking.k8s.io/v1\nkind: IngressClass\nmetadata:\n  name: x\nspec:\n  controller: {c}\n"

def gwc(c):
    return f"apiVersion: gateway.networking.k8s.io/v1\nkind: GatewayClass\nmetadata:\n  name: x\nspec:\n  controllerName: {c}\n"

def lbc(c):
    return f"apiVersion: v1\nkind: Service\nmetadata:\n  name: x\nspec:\n  type: LoadBalancer\n  loadBalancerClass: {c}\n"

def otel(e):
    return f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  c.yaml: |\n    receivers:\n      otlp: {{}}\n    exporters:\n      {e}: {{}}\n    service: {{}}\n"

def fb(o):
    return f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  fluent-bit.conf: |\n    [OUTPUT]\n        Name {o}\n        Match *\n"

def text(v):
    return f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  k: '{v}'\n"


CASES = [
 # AWS
 (sc('ebs.csi.aws.com'), 'AWS-EBS'), (sc('kubernetes.io/aws-ebs'), 'AWS-EBS'), (sc('efs.csi.aws.com'), 'AWS-EFS'),
 (sc('fsx.csi.aws.com'), 'AWS-FSX'), (sc('s3.csi.aws.com'), 'AWS-S3'), (nodesel('topology.ebs.csi.aws.com/zone', 'eu-west-1a'), 'AWS-EBS'),
 (image('123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:1'), 'AWS-ECR'), (image('public.ecr.aws/nginx/nginx:1'), 'AWS-ECR'),
 (image('123456789012.dkr-ecr.eu-west-1.on.aws/app:1'), 'AWS-ECR'),
 (obj('generators.external-secrets.io/v1alpha1', 'ECRAuthorizationToken'), 'AWS-ECR'),
 (obj('eksctl.io/v1alpha5', 'ClusterConfig'), 'AWS-EKS'), (obj('eks.amazonaws.com/v1', 'NodeDiagnostic'), 'AWS-EKS'),
 (obj('eks.amazonaws.com/v1', 'NodeClass'), 'AWS-EKS-NODE-CLASS'), (obj('karpenter.k8s.aws/v1', 'EC2NodeClass'), 'AWS-EKS-NODE-CLASS'),
 (obj('infrastructure.cluster.x-k8s.io/v1beta2', 'AWSMachine'), 'AWS-EC2'), (obj('controlplane.cluster.x-k8s.io/v1beta2', 'AWSManagedControlPlane'), 'AWS-EKS'),
 (env('AWS_CONTAINER_CREDENTIALS_FULL_URI'), 'AWS-EKS-POD-IDENTITY'), (env('AWS_ROLE_ARN'), 'AWS-EKS-IRSA'),
 (spc('aws'), 'AWS-SECRETS-MANAGER'), (store('aws', 'service: ParameterStore'), 'AWS-SSM-PARAMETER'), (store('aws', 'region: eu-west-1'), 'AWS-SECRETS-MANAGER'),
 (solver('route53'), 'AWS-ROUTE53'), (xdns('aws'), 'AWS-ROUTE53'), (xdns('aws-sd'), 'AWS-SERVICE-DISCOVERY'),
 (ann('external-dns.alpha.kubernetes.io/aws-weight'), 'AWS-ROUTE53-TRAFFIC'), (obj('awspca.cert-manager.io/v1beta1', 'AWSPCAClusterIssuer'), 'AWS-PRIVATE-CA'),
 (ann('alb.ingress.kubernetes.io/auth-idp-cognito', 'networking.k8s.io/v1', 'Ingress'), 'AWS-COGNITO'),
 (ann('alb.ingress.kubernetes.io/wafv2-acl-arn', 'networking.k8s.io/v1', 'Ingress'), 'AWS-WAF'),
 (obj('aga.k8s.aws/v1beta1', 'GlobalAccelerator'), 'AWS-GLOBAL-ACCELERATOR'), (gwc('application-networking.k8s.aws/gateway-api-controller'), 'AWS-VPC-LATTICE'),
 (obj('appmesh.k8s.aws/v1beta2', 'VirtualNode'), 'AWS-APP-MESH'), (otel('awsxray'), 'AWS-XRAY'), (otel('awsemf'), 'AWS-CLOUDWATCH'),
 (fb('cloudwatch_logs'), 'AWS-CLOUDWATCH-LOGS'), (fb('kinesis_firehose'), 'AWS-FIREHOSE'), (fb('s3'), 'AWS-S3'),
 (text('mycluster.abc123.memorydb.eu-west-1.amazonaws.com'), 'AWS-MEMORYDB'), (ictrl('ingress.k8s.aws/alb'), 'AWS-LB-CONTROLLER'),
 (gwc('gateway.k8s.aws/alb'), 'AWS-LB-CONTROLLER'), (obj('elbv2.k8s.aws/v1beta1', 'TargetGroupBinding'), 'AWS-LB-CONTROLLER'),
 (text('arn:aws:iam::123456789012:role/app'), 'AWS-EKS-IRSA'), (nodesel('eks.amazonaws.com/nodegroup', 'ng-1'), 'AWS-EKS-NODE-LABELS'),
 (nodesel('karpenter.k8s.aws/instance-family', 'm5'), 'AWS-EKS-NODE-LABELS'), (nodesel('node.kubernetes.io/instance-type', 'm5.2xlarge'), 'AWS-EKS-NODE-LABEL-VALUES'),
 (obj('crd.k8s.amazonaws.com/v1alpha1', 'ENIConfig'), 'AWS-EKS-NETWORKING'), (pvc('gp3'), 'AWS-EBS-CLASS-NAME'),
 # ACK / Crossplane
 (obj('dynamodb.services.k8s.aws/v1alpha1', 'Table'), 'AWS-DYNAMODB'), (obj('rds.services.k8s.aws/v1alpha1', 'DBCluster'), 'AWS-RDS-CLUSTER'),
 (obj('rds.services.k8s.aws/v1alpha1', 'DBInstance'), 'AWS-RDS'), (obj('ec2.services.k8s.aws/v1alpha1', 'VPC'), 'AWS-VPC'),
 (obj('ec2.services.k8s.aws/v1alpha1', 'Instance'), 'AWS-EC2'), (obj('newthing.services.k8s.aws/v1alpha1', 'Foo'), 'AWS-ACK'),
 (obj('services.k8s.aws/v1alpha1', 'AdoptedResource'), 'AWS-ACK'),
 (obj('s3.aws.upbound.io/v1beta2', 'Bucket'), 'AWS-S3'), (obj('s3.aws.m.upbound.io/v1beta1', 'Bucket'), 'AWS-S3'),
 (obj('rds.aws.upbound.io/v1beta1', 'Cluster'), 'AWS-RDS-CLUSTER'), (obj('foo.aws.m.upbound.io/v1beta1', 'Bar'), 'AWS-CROSSPLANE'),
 (obj('aws.upbound.io/v1beta1', 'ProviderConfig'), 'AWS-CROSSPLANE'), (obj('database.aws.crossplane.io/v1beta1', 'RDSInstance'), 'AWS-RDS'),
 (obj('pubsub.cnrm.cloud.google.com/v1beta1', 'PubSubTopic'), 'GCP-PUBSUB'), (obj('compute.cnrm.cloud.google.com/v1beta1', 'ComputeNetwork'), 'GCP-VPC'),
 (obj('compute.cnrm.cloud.google.com/v1beta1', 'ComputeInstance'), 'GCP-COMPUTE'), (obj('compute.cnrm.cloud.google.com/v1beta1', 'ComputeBackendService'), 'GCP-LOAD-BALANCING'),
 (obj('compute.cnrm.cloud.google.com/v1beta1', 'ComputeNetworkEndpointGroup'), 'GCP-LOAD-BALANCING'),
 (obj('compute.cnrm.cloud.google.com/v1beta1', 'ComputeTargetVPNGateway'), 'GCP-VPC'), (obj('compute.cnrm.cloud.google.com/v1beta1', 'ComputeDisk'), 'GCP-PERSISTENT-DISK'),
 (obj('sql.cnrm.cloud.google.com/v1beta1', 'SQLInstance'), 'GCP-CLOUD-SQL'), (obj('core.cnrm.cloud.google.com/v1beta1', 'ConfigConnector'), 'GCP-CONFIG-CONNECTOR'),
 (obj('compute.gcp.upbound.io/v1beta1', 'Network'), 'GCP-VPC'), (obj('compute.gcp.m.upbound.io/v1beta1', 'RegionBackendService'), 'GCP-LOAD-BALANCING'),
 (obj('storage.gcp.upbound.io/v1beta1', 'Bucket'), 'GCP-CLOUD-STORAGE'), (obj('gcp.upbound.io/v1beta1', 'ProviderConfig'), 'GCP-CROSSPLANE'),
 (obj('servicebus.azure.com/v1api20221001preview', 'Namespace'), 'AZURE-SERVICE-BUS'), (obj('documentdb.azure.com/v1', 'MongodbDatabase'), 'AZURE-COSMOSDB-MONGO'),
 (obj('network.azure.com/v1', 'LoadBalancer'), 'AZURE-LOAD-BALANCER'), (obj('network.azure.com/v1', 'VirtualNetwork'), 'AZURE-VNET'),
 (obj('foo.azure.com/v1', 'Bar'), 'AZURE-SERVICE-OPERATOR'), (obj('azure.microsoft.com/v1alpha1', 'RedisCache'), 'AZURE-SERVICE-OPERATOR'),
 (obj('cosmosdb.azure.upbound.io/v1beta1', 'MongoDatabase'), 'AZURE-COSMOSDB-MONGO'), (obj('azure.upbound.io/v1beta1', 'ResourceGroup'), 'AZURE-RESOURCE-GROUP'),
 (obj('azure.upbound.io/v1beta1', 'ProviderConfig'), 'AZURE-CROSSPLANE'),
 # Azure
 (sc('disk.csi.azure.com'), 'AZURE-MANAGED-DISK'), (sc('file.csi.azure.com'), 'AZURE-FILES'), (sc('blob.csi.azure.com'), 'AZURE-STORAGE'),
 (image('myreg.azurecr.io/app:1'), 'AZURE-ACR'), (image('mcr.microsoft.com/dotnet/aspnet:8.0'), 'AZURE-MCR'),
 (obj('approuting.kubernetes.azure.com/v1alpha1', 'NginxIngressController'), 'AZURE-AKS-APP-ROUTING'),
 (obj('foo.kubernetes.azure.com/v1', 'Bar'), 'AZURE-AKS'), (obj('karpenter.azure.com/v1beta1', 'AKSNodeClass'), 'AZURE-AKS-NODE-CLASS'),
 (obj('alb.networking.azure.io/v1', 'ApplicationLoadBalancer'), 'AZURE-APP-GATEWAY-FOR-CONTAINERS'),
 (gwc('alb.networking.azure.io/alb-controller'), 'AZURE-APP-GATEWAY-FOR-CONTAINERS'), (ingclass('azure-alb-external'), 'AZURE-APP-GATEWAY-FOR-CONTAINERS'),
 (ann('service.beta.kubernetes.io/azure-pls-create'), 'AZURE-PRIVATE-LINK-SERVICE'), (ann('service.beta.kubernetes.io/azure-dns-label-name'), 'AZURE-AKS-LOAD-BALANCER'),
 (spc('azure'), 'AZURE-KEY-VAULT-SECRETS'), (store('azurekv'), 'AZURE-KEY-VAULT-SECRETS'), (solver('azureDNS'), 'AZURE-DNS'),
 (xdns('azure-private-dns'), 'AZURE-DNS'), (otel('azuremonitor'), 'AZURE-MONITOR'), (env('APPLICATIONINSIGHTS_CONNECTION_STRING'), 'AZURE-MONITOR'),
 (fb('azure_blob'), 'AZURE-STORAGE'), (obj('infrastructure.cluster.x-k8s.io/v1beta1', 'AzureMachine'), 'AZURE-VM'),
 (obj('infrastructure.cluster.x-k8s.io/v1beta1', 'AzureManagedControlPlane'), 'AZURE-AKS'), (nodesel('virtual-kubelet.io/provider', 'azure'), 'AZURE-CONTAINER-INSTANCES'),
 (env('AZURE_FEDERATED_TOKEN_FILE'), 'AZURE-AKS-WORKLOAD-IDENTITY'), (obj('generators.external-secrets.io/v1alpha1', 'ACRAccessToken'), 'AZURE-ACR'),
 (nodesel('agentpool', 'np1'), 'AZURE-AKS-NODE-LABEL-VALUES'), (nodesel('topology.kubernetes.io/zone', 'westeurope-1'), 'AZURE-AKS-NODE-LABEL-VALUES'),
 # Google
 (sc('pd.csi.storage.gke.io'), 'GCP-PERSISTENT-DISK'), (sc('filestore.csi.storage.gke.io'), 'GCP-FILESTORE'),
 (pod("containers:\n  - name: c\n    image: ghcr.io/x/y:1\nvolumes:\n  - name: v\n    csi:\n      driver: gcsfuse.csi.storage.gke.io\n"), 'GCP-CLOUD-STORAGE'),
 (image('europe-west4-docker.pkg.dev/proj/repo/app:1'), 'GCP-ARTIFACT-REGISTRY'), (image('eu.gcr.io/proj/app:1'), 'GCP-ARTIFACT-REGISTRY'),
 (image('k8s.gcr.io/pause:3.1'), 'K8S-LEGACY-REGISTRY'), (obj('networking.gke.io/v1', 'ManagedCertificate'), 'GCP-GKE-INGRESS'),
 (obj('cloud.google.com/v1', 'BackendConfig'), 'GCP-GKE-INGRESS'), (obj('net.gke.io/v1', 'ServiceExport'), 'GCP-GKE-FLEET'),
 (obj('monitoring.googleapis.com/v1', 'PodMonitoring'), 'GCP-MANAGED-PROMETHEUS'), (obj('auto.gke.io/v1', 'AllowlistSynchronizer'), 'GCP-GKE'),
 (lbc('networking.gke.io/l4-regional-external'), 'GCP-GKE-INGRESS'), (gwc('networking.gke.io/gateway'), 'GCP-GKE-INGRESS'),
 (ann('cloud.google.com/neg'), 'GCP-GKE-INGRESS'), (ann('iam.gke.io/gcp-service-account', 'v1', 'ServiceAccount'), 'GCP-GKE-WORKLOAD-IDENTITY'),
 (spc('gcp'), 'GCP-SECRET-MANAGER'), (store('gcpsm'), 'GCP-SECRET-MANAGER'), (solver('cloudDNS'), 'GCP-CLOUD-DNS'), (xdns('google'), 'GCP-CLOUD-DNS'),
 (otel('googlecloud'), 'GCP-CLOUD-MONITORING'), (otel('googlemanagedprometheus'), 'GCP-MANAGED-PROMETHEUS'), (fb('stackdriver'), 'GCP-CLOUD-LOGGING'),
 (obj('cas-issuer.jetstack.io/v1beta1', 'GoogleCASClusterIssuer'), 'GCP-CERTIFICATE-AUTHORITY-SERVICE'),
 (obj('infrastructure.cluster.x-k8s.io/v1beta1', 'GCPMachine'), 'GCP-COMPUTE'), (nodesel('cloud.google.com/gke-nodepool', 'pool'), 'GCP-GKE-NODE-LABELS'),
 (nodesel('node.kubernetes.io/instance-type', 'n2-standard-4'), 'GCP-GKE-NODE-LABEL-VALUES'), (nodesel('topology.gke.io/zone', 'europe-west4-a'), 'GCP-PERSISTENT-DISK'),
 (obj('cloud.google.com/v1', 'ComputeClass'), 'GCP-GKE-COMPUTE-CLASS'), (pvc('standard-rwo'), 'GCP-PD-CLASS-NAME'),
 (env('GOOGLE_APPLICATION_CREDENTIALS'), 'GCP-STATIC-CREDENTIALS'), (text('proj.svc.id.goog'), 'GCP-GKE-WORKLOAD-IDENTITY'),
 # European
 (sc('cinder.csi.openstack.org'), 'OPENSTACK-CINDER'), (sc('kubernetes.io/cinder'), 'OPENSTACK-CINDER'), (sc('manila.csi.openstack.org'), 'OPENSTACK-MANILA'),
 (ann('loadbalancer.openstack.org/flavor-id'), 'OPENSTACK-OCTAVIA'), (ann('service.beta.kubernetes.io/openstack-internal-load-balancer'), 'OPENSTACK-OCTAVIA'),
 (store('barbican'), 'OPENSTACK-BARBICAN'), (obj('infrastructure.cluster.x-k8s.io/v1beta1', 'OpenStackCluster'), 'OPENSTACK-NOVA'),
 (ann('loadbalancer.ovhcloud.com/class'), 'OVH-PUBLIC-CLOUD-LOADBALANCER'), (xdns('ovh'), 'OVH-DNS'), (store('ovh'), 'OVH-SECRET-MANAGER'),
 (image('abc123.c1.gra9.container-registry.ovh.net/app:1'), 'OVH-PRIVATE-REGISTRY'),
 (sc('csi.hetzner.cloud'), 'HCLOUD-VOLUME'), (ann('load-balancer.hetzner.cloud/location'), 'HCLOUD-LOAD-BALANCER'),
 (obj('infrastructure.cluster.x-k8s.io/v1beta1', 'HetznerCluster'), 'HCLOUD-SERVER'), (nodesel('csi.hetzner.cloud/location', 'nbg1'), 'HCLOUD-VOLUME'),
 (sc('csi.scaleway.com'), 'SCW-BLOCK-STORAGE'), (ann('service.beta.kubernetes.io/scw-loadbalancer-type'), 'SCW-LOAD-BALANCER'),
 (xdns('scaleway'), 'SCW-DNS'), (solver('webhook', 'acme.scaleway.com'), 'SCW-DNS'), (store('scaleway'), 'SCW-SECRET-MANAGER'),
 (image('rg.fr-par.scw.cloud/ns/app:1'), 'SCW-CONTAINER-REGISTRY'), (nodesel('k8s.scaleway.com/pool-name', 'p'), 'SCW-NODE-LABEL-VALUES'),
 (nodesel('topology.kubernetes.io/zone', 'fr-par-2'), 'SCW-NODE-LABEL-VALUES'), (nodesel('topology.kubernetes.io/zone', 'nl-ams1'), 'UPCLOUD-NODE-LABEL-VALUES'),
 (sc('csi.exoscale.com'), 'EXOSCALE-BLOCK-STORAGE'), (ann('service.beta.kubernetes.io/exoscale-loadbalancer-name'), 'EXOSCALE-NLB'), (xdns('exoscale'), 'EXOSCALE-DNS'),
 (nodesel('node.kubernetes.io/instance-type', 'standard.medium'), 'EXOSCALE-NODE-LABEL-VALUES'), (nodesel('node.kubernetes.io/instance-type', 'gpu2.small'), 'EXOSCALE-NODE-LABEL-VALUES'),
 (sc('storage.csi.upcloud.com'), 'UPCLOUD-STORAGE'), (sc('block-storage.csi.stackit.cloud'), 'STACKIT-VOLUME'),
 (ann('lb.stackit.cloud/internal-lb'), 'STACKIT-NETWORK-LOAD-BALANCER'), (solver('webhook', 'acme.stackit.de'), 'STACKIT-DNS'),
 (image('registry.onstackit.cloud/proj/app:1'), 'STACKIT-CONTAINER-REGISTRY'), (image('myreg.cr.de-fra.ionos.com/app:1'), 'IONOS-CONTAINER-REGISTRY'),
 (image('swr.eu-de.otc.t-systems.com/org/app:1'), 'OTC-SWR'), (ann('kubernetes.io/elb.class'), 'OTC-ELB'), (sc('everest-csi-provisioner'), 'OTC-CCE'),
 (nodesel('node.kubernetes.io/instance-type', 's3.large.2'), 'OTC-CCE-NODE-LABELS'), (nodesel('node.kubernetes.io/instance-type', 'b3-16'), 'OVH-NODE-LABEL-VALUES'),
 (nodesel('node.kubernetes.io/instance-type', 'c2-standard-8'), 'GCP-GKE-NODE-LABEL-VALUES'), (nodesel('node.kubernetes.io/instance-type', 'c1.medium'), 'AWS-EKS-NODE-LABEL-VALUES'),
 (nodesel('topology.kubernetes.io/zone', 'eu-west-par-a'), 'OVH-NODE-LABEL-VALUES'), (nodesel('topology.kubernetes.io/zone', 'eu-de-01'), 'OTC-CCE-NODE-LABELS'),
 # images of provider agents, proxies and controllers
 (image('gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.11.0'), 'GCP-CLOUD-SQL'), (image('amazon/aws-xray-daemon:3.3.12'), 'AWS-XRAY'),
 (image('public.ecr.aws/aws-observability/aws-for-fluent-bit:2.32.0'), 'AWS-CLOUDWATCH-LOGS'),
 (image('mcr.microsoft.com/azuremonitor/containerinsights/ciprod:3.1.22'), 'AZURE-MONITOR'),
 # neutral
 (sc('rancher.io/local-path'), 'K8S-OSS-STORAGE'), (sc('cluster.local/nfs-subdir-external-provisioner'), 'K8S-OSS-STORAGE'),
 (sc('rook-ceph.rbd.csi.ceph.com'), 'K8S-OSS-STORAGE'), (sc('csi.vsphere.vmware.com'), 'K8S-VENDOR-STORAGE'),
 (spc('vault'), 'K8S-SECRETS-SELF-HOSTED'), (store('openBao'), 'K8S-SECRETS-SELF-HOSTED'), (store('onepasswordSDK'), 'K8S-SECRETS-SAAS'),
 (solver('rfc2136'), 'TF-DNS-RFC2136'), (xdns('rfc2136'), 'TF-DNS-RFC2136'), (solver('acmeDNS'), 'K8S-DNS-SELF-HOSTED'),
 (solver('cloudflare'), None), (xdns('webhook'), 'K8S-DNS-WEBHOOK'), (solver('webhook', 'acme.example.com'), 'K8S-DNS-WEBHOOK'),
 (ictrl('k8s.io/ingress-nginx'), 'K8S-OSS-NETWORKING'), (lbc('io.cilium/l2-announcer'), 'K8S-OSS-NETWORKING'),
 (obj('kustomize.config.k8s.io/v1beta1', 'Kustomization'), 'K8S-TOOL-CONFIG'), (obj('skaffold/v4beta11', 'Config'), 'K8S-TOOL-CONFIG'),
 (obj('route.openshift.io/v1', 'Route'), 'K8S-OPENSHIFT'), (obj('infrastructure.cluster.x-k8s.io/v1beta1', 'OscCluster'), 'K8S-CLUSTER-API-PROVIDER'),
 (obj('aadpodidentity.k8s.io/v1', 'AzureIdentity'), 'AZURE-AKS-POD-IDENTITY'), (obj('snapshot.storage.k8s.io/v1', 'VolumeSnapshot'), 'K8S-CORE'),
 (otel('otlphttp'), 'K8S-OSS-OBSERVABILITY'), (fb('loki'), 'K8S-OSS-OBSERVABILITY'),
]


@pytest.mark.parametrize("manifest,rule_id", [c for c in CASES if c[1]], ids=[f"{c[1]}-{i}" for i, c in enumerate(CASES) if c[1]])
def test_signal_fires_its_rule(manifest, rule_id, tmp_path, scan):
    (tmp_path / "m.yaml").write_text(textwrap.dedent(manifest), encoding="utf-8")
    assessment = scan(tmp_path)
    assert not assessment.errors, assessment.errors
    found = sorted((f.rule.id, f.signal.kind, f.signal.value) for f in assessment.findings)
    assert rule_id in {f.rule.id for f in assessment.findings}, found


def test_no_two_rules_tie_for_a_signal_value(catalogue):
    """Overlaps among non-Terraform patterns: fill each pattern's wildcards and look it up."""
    matcher = Matcher(catalogue)
    ties = set()
    for rule in catalogue.rules:
        for kind, patterns in rule.match.items():
            if kind.startswith("terraform"):
                continue  # `portacheck rules coverage` checks those against the provider lists
            for pattern in patterns:
                for fill in ("x", "ab1", "a.b"):
                    value = pattern.replace("*", fill)
                    if kind == "endpoints":
                        index = matcher.endpoints.arns if value.startswith("arn:") else (
                            matcher.endpoints.uris if "://" in value else matcher.endpoints.hosts)
                        ids = sorted({r.id for _p, r in index.lookup(value)})
                    else:
                        ids = [r.id for r in matcher.rules_for(kind, value)]
                    if len(ids) > 1:
                        ties.add((kind, value, tuple(ids)))
    assert not ties, sorted(ties)[:20]
