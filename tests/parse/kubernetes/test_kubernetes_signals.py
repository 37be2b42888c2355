"""Every Kubernetes signal the catalogue knows, one manifest each: its rule fires, at its level and line, and nothing else.

The rule examples test the rules this analyser added; these cases test the patterns added to
existing service rules under `signals:` (ACK kinds, CSI drivers, annotations, registries...).
Each case is read by the Kubernetes reader and matched, without a scan: `"RULE LEVEL LINE"`,
several separated by `;`, plus the P0 finding of the object's own kind (KIND_RULES).
"""

from __future__ import annotations

import re
import textwrap

import pytest

from portacheck.parse.kubernetes.analyse import analyse_text
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
 (sc('ebs.csi.aws.com'), 'AWS-EBS P1 5'),
 (sc('kubernetes.io/aws-ebs'), 'AWS-EBS P1 5'),
 (sc('efs.csi.aws.com'), 'AWS-EFS P1 5'),
 (sc('fsx.csi.aws.com'), 'AWS-FSX P1 5'),
 (sc('s3.csi.aws.com'), 'AWS-S3 P1 5'),
 (nodesel('topology.ebs.csi.aws.com/zone', 'eu-west-1a'), 'AWS-EBS P1 7'),
 (image('123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:1'), 'AWS-ECR P1 8'),
 (image('public.ecr.aws/nginx/nginx:1'), 'AWS-ECR P1 8'),
 (image('123456789012.dkr-ecr.eu-west-1.on.aws/app:1'), 'AWS-ECR P1 8'),
 (obj('generators.external-secrets.io/v1alpha1', 'ECRAuthorizationToken'), 'AWS-ECR P1 2'),
 (obj('eksctl.io/v1alpha5', 'ClusterConfig'), 'AWS-EKS P1 2'),
 (obj('eks.amazonaws.com/v1', 'NodeDiagnostic'), 'AWS-EKS P1 2'),
 (obj('eks.amazonaws.com/v1', 'NodeClass'), 'AWS-EKS-NODE-CLASS P2 2'),
 (obj('karpenter.k8s.aws/v1', 'EC2NodeClass'), 'AWS-EKS-NODE-CLASS P2 2'),
 (obj('infrastructure.cluster.x-k8s.io/v1beta2', 'AWSMachine'), 'AWS-EC2 P1 2'),
 (obj('controlplane.cluster.x-k8s.io/v1beta2', 'AWSManagedControlPlane'), 'AWS-EKS P1 2'),
 (env('AWS_CONTAINER_CREDENTIALS_FULL_URI'), 'AWS-EKS-POD-IDENTITY P2 10'),
 (env('AWS_ROLE_ARN'), 'AWS-EKS-IRSA P2 10'),
 (spc('aws'), 'AWS-SECRETS-MANAGER P2 6'),
 (store('aws', 'service: ParameterStore'), 'AWS-SSM-PARAMETER P2 7'),
 (store('aws', 'region: eu-west-1'), 'AWS-SECRETS-MANAGER P2 7'),
 (solver('route53'), 'AWS-ROUTE53 P1 11'),
 (xdns('aws'), 'AWS-ROUTE53 P1 9'),
 (xdns('aws-sd'), 'AWS-SERVICE-DISCOVERY P2 9'),
 (ann('external-dns.alpha.kubernetes.io/aws-weight'), 'AWS-ROUTE53-TRAFFIC P2 6'),
 (obj('awspca.cert-manager.io/v1beta1', 'AWSPCAClusterIssuer'), 'AWS-PRIVATE-CA P2 2'),
 (ann('alb.ingress.kubernetes.io/auth-idp-cognito', 'networking.k8s.io/v1', 'Ingress'), 'AWS-COGNITO P3 6'),
 (ann('alb.ingress.kubernetes.io/wafv2-acl-arn', 'networking.k8s.io/v1', 'Ingress'), 'AWS-WAF P2 6'),
 (obj('aga.k8s.aws/v1beta1', 'GlobalAccelerator'), 'AWS-GLOBAL-ACCELERATOR P2 2'),
 (gwc('application-networking.k8s.aws/gateway-api-controller'), 'AWS-VPC-LATTICE P2 6'),
 (obj('appmesh.k8s.aws/v1beta2', 'VirtualNode'), 'AWS-APP-MESH P2 2'),
 (otel('awsxray'), 'AWS-XRAY P2 10'),
 (otel('awsemf'), 'AWS-CLOUDWATCH P3 10'),
 (fb('cloudwatch_logs'), 'AWS-CLOUDWATCH-LOGS P2 8'),
 (fb('kinesis_firehose'), 'AWS-FIREHOSE P3 8'),
 (fb('s3'), 'AWS-S3 P1 8'),
 (text('mycluster.abc123.memorydb.eu-west-1.amazonaws.com'), 'AWS-MEMORYDB P1 6'),
 (ictrl('ingress.k8s.aws/alb'), 'AWS-LB-CONTROLLER P2 6'),
 (gwc('gateway.k8s.aws/alb'), 'AWS-LB-CONTROLLER P2 6'),
 (obj('elbv2.k8s.aws/v1beta1', 'TargetGroupBinding'), 'AWS-LB-CONTROLLER P2 2'),
 (text('arn:aws:iam::123456789012:role/app'), 'AWS-EKS-IRSA P2 6'),
 (nodesel('eks.amazonaws.com/nodegroup', 'ng-1'), 'AWS-EKS-NODE-LABELS P1 7'),
 (nodesel('karpenter.k8s.aws/instance-family', 'm5'), 'AWS-EKS-NODE-LABELS P1 7'),
 (nodesel('node.kubernetes.io/instance-type', 'm5.2xlarge'), 'AWS-EKS-NODE-LABEL-VALUES P1 7'),
 (obj('crd.k8s.amazonaws.com/v1alpha1', 'ENIConfig'), 'AWS-EKS-NETWORKING P2 2'),
 (pvc('gp3'), 'AWS-EBS-CLASS-NAME P1 6'),
 # ACK / Crossplane
 (obj('dynamodb.services.k8s.aws/v1alpha1', 'Table'), 'AWS-DYNAMODB P3 2'),
 (obj('rds.services.k8s.aws/v1alpha1', 'DBCluster'), 'AWS-RDS-CLUSTER P2 2'),
 (obj('rds.services.k8s.aws/v1alpha1', 'DBInstance'), 'AWS-RDS P1 2'),
 (obj('ec2.services.k8s.aws/v1alpha1', 'VPC'), 'AWS-VPC P1 2'),
 (obj('ec2.services.k8s.aws/v1alpha1', 'Instance'), 'AWS-EC2 P1 2'),
 (obj('newthing.services.k8s.aws/v1alpha1', 'Foo'), 'AWS-ACK P2 2'),
 (obj('services.k8s.aws/v1alpha1', 'AdoptedResource'), 'AWS-ACK P2 2'),
 (obj('s3.aws.upbound.io/v1beta2', 'Bucket'), 'AWS-S3 P1 2'),
 (obj('s3.aws.m.upbound.io/v1beta1', 'Bucket'), 'AWS-S3 P1 2'),
 (obj('rds.aws.upbound.io/v1beta1', 'Cluster'), 'AWS-RDS-CLUSTER P2 2'),
 (obj('foo.aws.m.upbound.io/v1beta1', 'Bar'), 'AWS-CROSSPLANE P2 2'),
 (obj('aws.upbound.io/v1beta1', 'ProviderConfig'), 'AWS-CROSSPLANE P2 2'),
 (obj('database.aws.crossplane.io/v1beta1', 'RDSInstance'), 'AWS-RDS P1 2'),
 (obj('pubsub.cnrm.cloud.google.com/v1beta1', 'PubSubTopic'), 'GCP-PUBSUB P3 2'),
 (obj('compute.cnrm.cloud.google.com/v1beta1', 'ComputeNetwork'), 'GCP-VPC P1 2'),
 (obj('compute.cnrm.cloud.google.com/v1beta1', 'ComputeInstance'), 'GCP-COMPUTE P1 2'),
 (obj('compute.cnrm.cloud.google.com/v1beta1', 'ComputeBackendService'), 'GCP-LOAD-BALANCING P2 2'),
 (obj('compute.cnrm.cloud.google.com/v1beta1', 'ComputeNetworkEndpointGroup'), 'GCP-LOAD-BALANCING P2 2'),
 (obj('compute.cnrm.cloud.google.com/v1beta1', 'ComputeTargetVPNGateway'), 'GCP-VPC P1 2'),
 (obj('compute.cnrm.cloud.google.com/v1beta1', 'ComputeDisk'), 'GCP-PERSISTENT-DISK P1 2'),
 (obj('sql.cnrm.cloud.google.com/v1beta1', 'SQLInstance'), 'GCP-CLOUD-SQL P1 2'),
 (obj('core.cnrm.cloud.google.com/v1beta1', 'ConfigConnector'), 'GCP-CONFIG-CONNECTOR P2 2'),
 (obj('compute.gcp.upbound.io/v1beta1', 'Network'), 'GCP-VPC P1 2'),
 (obj('compute.gcp.m.upbound.io/v1beta1', 'RegionBackendService'), 'GCP-LOAD-BALANCING P2 2'),
 (obj('storage.gcp.upbound.io/v1beta1', 'Bucket'), 'GCP-CLOUD-STORAGE P1 2'),
 (obj('gcp.upbound.io/v1beta1', 'ProviderConfig'), 'GCP-CROSSPLANE P2 2'),
 (obj('servicebus.azure.com/v1api20221001preview', 'Namespace'), 'AZURE-SERVICE-BUS P3 2'),
 (obj('documentdb.azure.com/v1', 'MongodbDatabase'), 'AZURE-COSMOSDB-MONGO P2 2'),
 (obj('network.azure.com/v1', 'LoadBalancer'), 'AZURE-LOAD-BALANCER P2 2'),
 (obj('network.azure.com/v1', 'VirtualNetwork'), 'AZURE-VNET P1 2'),
 (obj('foo.azure.com/v1', 'Bar'), 'AZURE-SERVICE-OPERATOR P2 2'),
 (obj('azure.microsoft.com/v1alpha1', 'RedisCache'), 'AZURE-SERVICE-OPERATOR P2 2'),
 (obj('cosmosdb.azure.upbound.io/v1beta1', 'MongoDatabase'), 'AZURE-COSMOSDB-MONGO P2 2'),
 (obj('azure.upbound.io/v1beta1', 'ResourceGroup'), 'AZURE-RESOURCE-GROUP P1 2'),
 (obj('azure.upbound.io/v1beta1', 'ProviderConfig'), 'AZURE-CROSSPLANE P2 2'),
 # Azure
 (sc('disk.csi.azure.com'), 'AZURE-MANAGED-DISK P1 5'),
 (sc('file.csi.azure.com'), 'AZURE-FILES P1 5'),
 (sc('blob.csi.azure.com'), 'AZURE-STORAGE P2 5'),
 (image('myreg.azurecr.io/app:1'), 'AZURE-ACR P1 8'),
 (image('mcr.microsoft.com/dotnet/aspnet:8.0'), 'AZURE-MCR P1 8'),
 (obj('approuting.kubernetes.azure.com/v1alpha1', 'NginxIngressController'), 'AZURE-AKS-APP-ROUTING P1 2'),
 (obj('foo.kubernetes.azure.com/v1', 'Bar'), 'AZURE-AKS P1 2'),
 (obj('karpenter.azure.com/v1beta1', 'AKSNodeClass'), 'AZURE-AKS-NODE-CLASS P2 2'),
 (obj('alb.networking.azure.io/v1', 'ApplicationLoadBalancer'), 'AZURE-APP-GATEWAY-FOR-CONTAINERS P2 2'),
 (gwc('alb.networking.azure.io/alb-controller'), 'AZURE-APP-GATEWAY-FOR-CONTAINERS P2 6'),
 (ingclass('azure-alb-external'), 'AZURE-APP-GATEWAY-FOR-CONTAINERS P2 6'),
 (ann('service.beta.kubernetes.io/azure-pls-create'), 'AZURE-PRIVATE-LINK-SERVICE P2 6'),
 (ann('service.beta.kubernetes.io/azure-dns-label-name'), 'AZURE-AKS-LOAD-BALANCER P2 6'),
 (spc('azure'), 'AZURE-KEY-VAULT-SECRETS P2 6'),
 (store('azurekv'), 'AZURE-KEY-VAULT-SECRETS P2 7'),
 (solver('azureDNS'), 'AZURE-DNS P1 11'),
 (xdns('azure-private-dns'), 'AZURE-DNS P1 9'),
 (otel('azuremonitor'), 'AZURE-MONITOR P3 10'),
 (env('APPLICATIONINSIGHTS_CONNECTION_STRING'), 'AZURE-MONITOR P3 10'),
 (fb('azure_blob'), 'AZURE-STORAGE P2 8'),
 (obj('infrastructure.cluster.x-k8s.io/v1beta1', 'AzureMachine'), 'AZURE-VM P1 2'),
 (obj('infrastructure.cluster.x-k8s.io/v1beta1', 'AzureManagedControlPlane'), 'AZURE-AKS P1 2'),
 (nodesel('virtual-kubelet.io/provider', 'azure'), 'AZURE-CONTAINER-INSTANCES P2 7'),
 (env('AZURE_FEDERATED_TOKEN_FILE'), 'AZURE-AKS-WORKLOAD-IDENTITY P2 10'),
 (obj('generators.external-secrets.io/v1alpha1', 'ACRAccessToken'), 'AZURE-ACR P1 2'),
 (nodesel('agentpool', 'np1'), 'AZURE-AKS-NODE-LABEL-VALUES P1 7'),
 (nodesel('topology.kubernetes.io/zone', 'westeurope-1'), 'AZURE-AKS-NODE-LABEL-VALUES P1 7'),
 # Google
 (sc('pd.csi.storage.gke.io'), 'GCP-PERSISTENT-DISK P1 5'),
 (sc('filestore.csi.storage.gke.io'), 'GCP-FILESTORE P1 5'),
 (pod("containers:\n  - name: c\n    image: ghcr.io/x/y:1\nvolumes:\n  - name: v\n    csi:\n      driver: gcsfuse.csi.storage.gke.io\n"), 'GCP-CLOUD-STORAGE P1 12'),
 (image('europe-west4-docker.pkg.dev/proj/repo/app:1'), 'GCP-ARTIFACT-REGISTRY P1 8'),
 (image('eu.gcr.io/proj/app:1'), 'GCP-ARTIFACT-REGISTRY P1 8'),
 (image('k8s.gcr.io/pause:3.1'), 'K8S-LEGACY-REGISTRY P1 8'),
 (obj('networking.gke.io/v1', 'ManagedCertificate'), 'GCP-GKE-INGRESS P2 2'),
 (obj('cloud.google.com/v1', 'BackendConfig'), 'GCP-GKE-INGRESS P2 2'),
 (obj('net.gke.io/v1', 'ServiceExport'), 'GCP-GKE-FLEET P2 2'),
 (obj('monitoring.googleapis.com/v1', 'PodMonitoring'), 'GCP-MANAGED-PROMETHEUS P1 2'),
 (obj('auto.gke.io/v1', 'AllowlistSynchronizer'), 'GCP-GKE P1 2'),
 (lbc('networking.gke.io/l4-regional-external'), 'GCP-GKE-INGRESS P2 7'),
 (gwc('networking.gke.io/gateway'), 'GCP-GKE-INGRESS P2 6'),
 (ann('cloud.google.com/neg'), 'GCP-GKE-INGRESS P2 6'),
 (ann('iam.gke.io/gcp-service-account', 'v1', 'ServiceAccount'), 'GCP-GKE-WORKLOAD-IDENTITY P2 6'),
 (spc('gcp'), 'GCP-SECRET-MANAGER P2 6'),
 (store('gcpsm'), 'GCP-SECRET-MANAGER P2 7'),
 (solver('cloudDNS'), 'GCP-CLOUD-DNS P1 11'),
 (xdns('google'), 'GCP-CLOUD-DNS P1 9'),
 (otel('googlecloud'), 'GCP-CLOUD-MONITORING P3 10'),
 (otel('googlemanagedprometheus'), 'GCP-MANAGED-PROMETHEUS P1 10'),
 (fb('stackdriver'), 'GCP-CLOUD-LOGGING P3 8'),
 (obj('cas-issuer.jetstack.io/v1beta1', 'GoogleCASClusterIssuer'), 'GCP-CERTIFICATE-AUTHORITY-SERVICE P2 2'),
 (obj('infrastructure.cluster.x-k8s.io/v1beta1', 'GCPMachine'), 'GCP-COMPUTE P1 2'),
 (nodesel('cloud.google.com/gke-nodepool', 'pool'), 'GCP-GKE-NODE-LABELS P1 7'),
 (nodesel('node.kubernetes.io/instance-type', 'n2-standard-4'), 'GCP-GKE-NODE-LABEL-VALUES P1 7'),
 (nodesel('topology.gke.io/zone', 'europe-west4-a'), 'GCP-PERSISTENT-DISK P1 7'),
 (obj('cloud.google.com/v1', 'ComputeClass'), 'GCP-GKE-COMPUTE-CLASS P2 2'),
 (pvc('standard-rwo'), 'GCP-PD-CLASS-NAME P1 6'),
 (env('GOOGLE_APPLICATION_CREDENTIALS'), 'GCP-STATIC-CREDENTIALS P1 10'),
 (text('proj.svc.id.goog'), 'GCP-GKE-WORKLOAD-IDENTITY P2 6'),
 # European
 (sc('cinder.csi.openstack.org'), 'OPENSTACK-CINDER P1 5'),
 (sc('kubernetes.io/cinder'), 'OPENSTACK-CINDER P1 5'),
 (sc('manila.csi.openstack.org'), 'OPENSTACK-MANILA P1 5'),
 (ann('loadbalancer.openstack.org/flavor-id'), 'OPENSTACK-OCTAVIA P1 6'),
 (ann('service.beta.kubernetes.io/openstack-internal-load-balancer'), 'OPENSTACK-OCTAVIA P1 6'),
 (store('barbican'), 'OPENSTACK-BARBICAN P2 7'),
 (obj('infrastructure.cluster.x-k8s.io/v1beta1', 'OpenStackCluster'), 'OPENSTACK-NOVA P1 2'),
 (ann('loadbalancer.ovhcloud.com/class'), 'OVH-PUBLIC-CLOUD-LOADBALANCER P1 6'),
 (xdns('ovh'), 'OVH-DNS P1 9'),
 (store('ovh'), 'OVH-SECRET-MANAGER P1 7'),
 (image('abc123.c1.gra9.container-registry.ovh.net/app:1'), 'OVH-PRIVATE-REGISTRY P1 8'),
 (sc('csi.hetzner.cloud'), 'HCLOUD-VOLUME P1 5'),
 (ann('load-balancer.hetzner.cloud/location'), 'HCLOUD-LOAD-BALANCER P1 6'),
 (obj('infrastructure.cluster.x-k8s.io/v1beta1', 'HetznerCluster'), 'HCLOUD-SERVER P1 2'),
 (nodesel('csi.hetzner.cloud/location', 'nbg1'), 'HCLOUD-VOLUME P1 7'),
 (sc('csi.scaleway.com'), 'SCW-BLOCK-STORAGE P1 5'),
 (ann('service.beta.kubernetes.io/scw-loadbalancer-type'), 'SCW-LOAD-BALANCER P1 6'),
 (xdns('scaleway'), 'SCW-DNS P1 9'),
 (solver('webhook', 'acme.scaleway.com'), 'SCW-DNS P1 11; SCALEWAY-UNKNOWN-ENDPOINT U 12'),  # the groupName also reads as a Scaleway host
 (store('scaleway'), 'SCW-SECRET-MANAGER P2 7'),
 (image('rg.fr-par.scw.cloud/ns/app:1'), 'SCW-CONTAINER-REGISTRY P1 8'),
 (nodesel('k8s.scaleway.com/pool-name', 'p'), 'SCW-NODE-LABEL-VALUES P1 7'),
 (nodesel('topology.kubernetes.io/zone', 'fr-par-2'), 'SCW-NODE-LABEL-VALUES P1 7'),
 (nodesel('topology.kubernetes.io/zone', 'nl-ams1'), 'UPCLOUD-NODE-LABEL-VALUES P1 7'),
 (sc('csi.exoscale.com'), 'EXOSCALE-BLOCK-STORAGE P1 5'),
 (ann('service.beta.kubernetes.io/exoscale-loadbalancer-name'), 'EXOSCALE-NLB P1 6'),
 (xdns('exoscale'), 'EXOSCALE-DNS P1 9'),
 (nodesel('node.kubernetes.io/instance-type', 'standard.medium'), 'EXOSCALE-NODE-LABEL-VALUES P1 7'),
 (nodesel('node.kubernetes.io/instance-type', 'gpu2.small'), 'EXOSCALE-NODE-LABEL-VALUES P1 7'),
 (sc('storage.csi.upcloud.com'), 'UPCLOUD-STORAGE P1 5'),
 (sc('block-storage.csi.stackit.cloud'), 'STACKIT-VOLUME P1 5'),
 (ann('lb.stackit.cloud/internal-lb'), 'STACKIT-NETWORK-LOAD-BALANCER P1 6'),
 (solver('webhook', 'acme.stackit.de'), 'STACKIT-DNS P1 11'),
 (image('registry.onstackit.cloud/proj/app:1'), 'STACKIT-CONTAINER-REGISTRY P1 8'),
 (image('myreg.cr.de-fra.ionos.com/app:1'), 'IONOS-CONTAINER-REGISTRY P1 8'),
 (image('swr.eu-de.otc.t-systems.com/org/app:1'), 'OTC-SWR P1 8'),
 (ann('kubernetes.io/elb.class'), 'OTC-ELB P1 6'),
 (sc('everest-csi-provisioner'), 'OTC-CCE P1 5'),
 (nodesel('node.kubernetes.io/instance-type', 's3.large.2'), 'OTC-CCE-NODE-LABELS P1 7'),
 (nodesel('node.kubernetes.io/instance-type', 'b3-16'), 'OVH-NODE-LABEL-VALUES P1 7'),
 (nodesel('node.kubernetes.io/instance-type', 'c2-standard-8'), 'GCP-GKE-NODE-LABEL-VALUES P1 7'),
 (nodesel('node.kubernetes.io/instance-type', 'c1.medium'), 'AWS-EKS-NODE-LABEL-VALUES P1 7'),
 (nodesel('topology.kubernetes.io/zone', 'eu-west-par-a'), 'OVH-NODE-LABEL-VALUES P1 7'),
 (nodesel('topology.kubernetes.io/zone', 'eu-de-01'), 'OTC-CCE-NODE-LABELS P1 7'),
 # images of provider agents, proxies and controllers
 (image('gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.11.0'), 'GCP-CLOUD-SQL P1 8'),
 (image('amazon/aws-xray-daemon:3.3.12'), 'AWS-XRAY P2 8'),
 (image('public.ecr.aws/aws-observability/aws-for-fluent-bit:2.32.0'), 'AWS-CLOUDWATCH-LOGS P2 8'),
 (image('mcr.microsoft.com/azuremonitor/containerinsights/ciprod:3.1.22'), 'AZURE-MONITOR P3 8'),
 # neutral
 (sc('rancher.io/local-path'), 'K8S-OSS-STORAGE P0 5'),
 (sc('cluster.local/nfs-subdir-external-provisioner'), 'K8S-OSS-STORAGE P0 5'),
 (sc('rook-ceph.rbd.csi.ceph.com'), 'K8S-OSS-STORAGE P0 5'),
 (sc('csi.vsphere.vmware.com'), 'K8S-VENDOR-STORAGE P1 5'),
 (spc('vault'), 'K8S-SECRETS-SELF-HOSTED P0 6'),
 (store('openBao'), 'K8S-SECRETS-SELF-HOSTED P0 7'),
 (store('onepasswordSDK'), 'K8S-SECRETS-SAAS P1 7'),
 (solver('rfc2136'), 'TF-DNS-RFC2136 P0 11'),
 (xdns('rfc2136'), 'TF-DNS-RFC2136 P0 9'),
 (solver('acmeDNS'), 'K8S-DNS-SELF-HOSTED P0 11'),
 (solver('cloudflare'), 'CLOUDFLARE-DNS P1 11'),
 (xdns('webhook'), 'K8S-DNS-WEBHOOK U 9'),
 (solver('webhook', 'acme.example.com'), 'K8S-DNS-WEBHOOK U 11'),
 (ictrl('k8s.io/ingress-nginx'), 'K8S-OSS-NETWORKING P0 6'),
 (lbc('io.cilium/l2-announcer'), 'K8S-OSS-NETWORKING P0 7'),
 (obj('kustomize.config.k8s.io/v1beta1', 'Kustomization'), 'K8S-TOOL-CONFIG P0 2'),
 (obj('skaffold/v4beta11', 'Config'), 'K8S-TOOL-CONFIG P0 2'),
 (obj('route.openshift.io/v1', 'Route'), 'K8S-OPENSHIFT P1 2'),
 (obj('infrastructure.cluster.x-k8s.io/v1beta1', 'OscCluster'), 'K8S-CLUSTER-API-PROVIDER U 2'),
 (obj('aadpodidentity.k8s.io/v1', 'AzureIdentity'), 'AZURE-AKS-POD-IDENTITY P2 2'),
 (obj('snapshot.storage.k8s.io/v1', 'VolumeSnapshot'), 'K8S-CORE P0 2'),
 (otel('otlphttp'), 'K8S-OSS-OBSERVABILITY P0 10'),
 (fb('loki'), 'K8S-OSS-OBSERVABILITY P0 8'),
]


# The rule of each object kind the builders above write, when the kind is not itself the signal.
KIND_RULES = {
    "ConfigMap": "K8S-CORE", "Ingress": "K8S-CORE", "IngressClass": "K8S-CORE", "GatewayClass": "K8S-CORE",
    "PersistentVolumeClaim": "K8S-CORE", "Pod": "K8S-CORE", "Service": "K8S-CORE", "ServiceAccount": "K8S-CORE",
    "StorageClass": "K8S-CORE",
    "ClusterIssuer": "K8S-OSS-SECURITY", "SecretProviderClass": "K8S-OSS-SECURITY", "SecretStore": "K8S-OSS-SECURITY",
}


@pytest.fixture(scope="module")
def matcher(catalogue):
    return Matcher(catalogue)


def expected_findings(manifest: str, expected: str) -> list[tuple[str, str, int]]:
    rows = [(rule, level, int(line)) for rule, level, line in (part.split() for part in expected.split(";"))]
    kind = re.search(r"^kind: (\S+)$", manifest, re.MULTILINE).group(1)
    if kind in KIND_RULES:
        rows.append((KIND_RULES[kind], "P0", 2))
    return sorted(rows)


@pytest.mark.parametrize("manifest,expected", CASES, ids=[f"{e.split()[0]}-{i}" for i, (_m, e) in enumerate(CASES)])
def test_signal_fires_its_rule_and_nothing_else(manifest, expected, matcher):
    manifest = textwrap.dedent(manifest)
    result = analyse_text(manifest, "m.yaml")
    assert result.errors == ()
    found = sorted((f.rule.id, f.level.value, f.location.line) for f in matcher.match(result.resources))
    assert found == expected_findings(manifest, expected)


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
