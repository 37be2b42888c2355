"""Kubernetes objects declared in Terraform go through the Kubernetes rules, at their Terraform lines."""

from __future__ import annotations

from conftest import findings_table


def _evidence(assessment) -> list[tuple[str, str, int, str, str]]:
    """(rule id, file, line, level, evidence) of every finding that is not P0."""
    return [
        (f.rule.id, f.location.path, f.location.line, f.level.value, f.signal.value)
        for f in assessment.findings
        if f.level.value != "P0"
    ]


SERVICE = """\
resource "kubernetes_service" "api" {
  metadata {
    name = "api"
    annotations = {
      "service.beta.kubernetes.io/aws-load-balancer-type" = var.lb_type
    }
  }
  spec {
    type = "LoadBalancer"
  }
}
"""


def test_a_load_balancer_annotation_on_a_kubernetes_service_is_the_load_balancer_controller(tree, scan):
    assessment = scan(tree({"main.tf": SERVICE}))
    assert [str(e) for e in assessment.errors] == []
    assert findings_table(assessment) == [
        ("TF-KUBERNETES", "main.tf", 1, "P0"),
        ("AWS-LB-CONTROLLER", "main.tf", 5, "P2"),
    ]


TYPED = """\
resource "kubernetes_service_account_v1" "app" {
  metadata {
    name = "app"
    annotations = {
      "eks.amazonaws.com/role-arn" = "arn:aws:iam::123456789012:role/app"
    }
  }
}

resource "kubernetes_persistent_volume_claim_v1" "data" {
  metadata {
    name = "data"
  }
  spec {
    access_modes       = ["ReadWriteOnce"]
    storage_class_name = "gp3"
  }
}

resource "kubernetes_ingress_v1" "web" {
  metadata {
    name = "web"
  }
  spec {
    ingress_class_name = "alb"
  }
}

resource "kubernetes_deployment_v1" "api" {
  metadata {
    name = "api"
  }
  spec {
    template {
      metadata {
        annotations = {
          "iam.gke.io/gcp-service-account" = "api@demo.iam.gserviceaccount.com"
        }
      }
      spec {
        node_selector = {
          "eks.amazonaws.com/compute-type" = "fargate"
        }
        container {
          name  = "api"
          image = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/api:1.0"
        }
      }
    }
  }
}

resource "kubernetes_storage_class_v1" "gp3" {
  metadata {
    name = "gp3"
  }
  storage_provisioner = "ebs.csi.aws.com"
}
"""


def test_kubernetes_resources_are_read_as_the_objects_they_declare(tree, scan):
    assessment = scan(tree({"main.tf": TYPED}))
    assert [str(e) for e in assessment.errors] == []
    assert _evidence(assessment) == [
        ("AWS-EKS-IRSA", "main.tf", 5, "P2", "eks.amazonaws.com/role-arn"),
        ("AWS-EBS-CLASS-NAME", "main.tf", 16, "P1", "gp3"),
        ("AWS-LB-CONTROLLER", "main.tf", 25, "P2", "alb"),
        # the service account in the annotation is judged with it, not as a second (GCP-IAM) finding
        ("GCP-GKE-WORKLOAD-IDENTITY", "main.tf", 37, "P2", "iam.gke.io/gcp-service-account"),
        ("AWS-EKS-NODE-LABELS", "main.tf", 42, "P1", "eks.amazonaws.com/compute-type=fargate"),
        ("AWS-ECR", "main.tf", 46, "P1", "123456789012.dkr.ecr.eu-west-1.amazonaws.com"),
        ("AWS-EBS", "main.tf", 57, "P1", "ebs.csi.aws.com"),
    ]


def test_the_role_arn_of_an_irsa_annotation_is_judged_with_its_annotation(tree, scan):
    """As in a manifest: the annotation's rule says it; the ARN is not a second, coupling finding."""
    assessment = scan(tree({"main.tf": TYPED.split("\n\n")[0] + "\n"}))
    assert findings_table(assessment) == [("TF-KUBERNETES", "main.tf", 1, "P0"), ("AWS-EKS-IRSA", "main.tf", 5, "P2")]


MANIFESTS = """\
resource "kubernetes_manifest" "shop" {
  manifest = {
    apiVersion = "networking.k8s.io/v1"
    kind       = "Ingress"
    metadata = {
      name = "shop"
    }
    spec = {
      ingressClassName = "alb"
    }
  }
}

resource "kubectl_manifest" "gp3" {
  yaml_body = <<-YAML
    apiVersion: storage.k8s.io/v1
    kind: StorageClass
    metadata:
      name: ${var.name}
    provisioner: ebs.csi.aws.com
  YAML
}

resource "kubectl_manifest" "disk" {
  yaml_body = templatefile("${path.module}/class.yaml.tftpl", { name = "disk" })
}

resource "kubectl_manifest" "fetched" {
  yaml_body = data.http.manifest.response_body
}
"""
TEMPLATE = """\
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: ${name}
provisioner: disk.csi.azure.com
"""


def test_manifests_in_hcl_heredocs_and_template_files_are_read_as_kubernetes_objects(tree, scan):
    assessment = scan(tree({"main.tf": MANIFESTS, "class.yaml.tftpl": TEMPLATE}))
    assert [str(e) for e in assessment.errors] == []
    assert findings_table(assessment) == [
        ("K8S-CORE", "class.yaml.tftpl", 2, "P0"),
        ("AZURE-MANAGED-DISK", "class.yaml.tftpl", 5, "P1"),
        ("TF-KUBERNETES", "main.tf", 1, "P0"),
        ("K8S-CORE", "main.tf", 4, "P0"),
        ("AWS-LB-CONTROLLER", "main.tf", 9, "P2"),
        ("TF-KUBECTL", "main.tf", 14, "P0"),
        ("K8S-CORE", "main.tf", 17, "P0"),
        ("AWS-EBS", "main.tf", 20, "P1"),
        ("TF-KUBECTL", "main.tf", 24, "P0"),
        ("TF-KUBECTL", "main.tf", 28, "P0"),  # a body only known when applied: nothing more to say
    ]


def test_a_manifest_file_the_kubernetes_reader_reads_is_not_read_twice(tree, scan):
    root = tree({
        "main.tf": 'resource "kubectl_manifest" "gp3" {\n  yaml_body = file("${path.module}/class.yaml")\n}\n',
        "class.yaml": TEMPLATE.replace("${name}", "disk"),
    })
    assert findings_table(scan(root)) == [
        ("K8S-CORE", "class.yaml", 2, "P0"),
        ("AZURE-MANAGED-DISK", "class.yaml", 5, "P1"),
        ("TF-KUBECTL", "main.tf", 1, "P0"),
    ]


HELM = """\
resource "helm_release" "fluent_bit" {
  name  = "aws-for-fluent-bit"
  chart = "aws-for-fluent-bit"
  set {
    name  = "serviceAccount.annotations.eks\\\\.amazonaws\\\\.com/role-arn"
    value = aws_iam_role.fluent_bit.arn
  }
  set {
    name  = "persistence.storageClass"
    value = "managed-csi"
  }
}

resource "helm_release" "lbc" {
  name  = "lbc"
  chart = "aws-load-balancer-controller"
  values = [
    file("${path.module}/helm/lbc.yaml"),
    <<-EOT
    serviceAccount:
      annotations:
        azure.workload.identity/client-id: 00000000-0000-0000-0000-000000000000
    EOT
  ]
}
"""
LBC_VALUES = """\
clusterName: demo
ingress:
  ingressClassName: alb
"""


def test_helm_release_set_pairs_and_values_are_read_as_chart_values(tree, scan):
    assessment = scan(tree({"main.tf": HELM, "helm/lbc.yaml": LBC_VALUES}))
    assert [str(e) for e in assessment.errors] == []
    assert _evidence(assessment) == [
        ("AWS-LB-CONTROLLER", "helm/lbc.yaml", 3, "P2", "alb"),  # the values file, with its own lines
        ("AWS-EKS-IRSA", "main.tf", 5, "P2", "eks.amazonaws.com/role-arn"),  # set: the name's line
        ("AZURE-DISK-CLASS-NAME", "main.tf", 10, "P1", "managed-csi"),  # set: the value's line
        ("AZURE-AKS-WORKLOAD-IDENTITY", "main.tf", 22, "P2", "azure.workload.identity/client-id"),  # inline values
    ]
    assert {(f.resource.address, str(f.location.origin)) for f in assessment.findings if f.resource.type == "HelmValues"} == {
        ("HelmValues/helm/lbc.yaml", "values passed by helm_release.lbc")
    }


def test_a_kubernetes_resource_in_a_module_is_reported_through_its_call(tree, scan):
    root = tree({
        "main.tf": 'module "app" {\n  source = "./app"\n}\n',
        "app/main.tf": SERVICE,
    })
    assert [(f.rule.id, str(f.location), str(f.location.origin)) for f in scan(root).findings] == [
        ("TF-KUBERNETES", "app/main.tf:1", "module.app"),
        ("AWS-LB-CONTROLLER", "app/main.tf:5", "module.app"),
    ]


CONFIG_MAP = """\
resource "kubernetes_config_map_v1" "app" {
  metadata {
    name = "app"
  }
  data = {
    "app.conf" = join("\\n", [
      "queue=https://sqs.eu-west-1.amazonaws.com/123456789012/orders",
      "region=${var.region}",
    ])
  }
}
"""


def test_a_string_inside_an_expression_that_does_not_resolve_is_still_scanned(tree, scan):
    assert findings_table(scan(tree({"main.tf": CONFIG_MAP}))) == [
        ("TF-KUBERNETES", "main.tf", 1, "P0"),
        ("AWS-SQS", "main.tf", 7, "P2"),
    ]


ENCODED = """\
resource "helm_release" "app" {
  name  = "app"
  chart = "app"
  values = [yamlencode({
    serviceAccount = {
      annotations = {
        "eks.amazonaws.com/role-arn" = var.role_arn
      }
    }
  })]
  set = [
    {
      name  = "ingress.ingressClassName"
      value = "alb"
    },
  ]
}

resource "kubernetes_manifest" "internal" {
  manifest = yamldecode(<<-EOT
    apiVersion: v1
    kind: Service
    metadata:
      name: internal
      annotations:
        service.beta.kubernetes.io/azure-load-balancer-internal: "true"
  EOT
  )
}
"""


def test_yamlencode_values_set_lists_and_yamldecode_manifests_are_read_too(tree, scan):
    assessment = scan(tree({"main.tf": ENCODED}))
    assert [str(e) for e in assessment.errors] == []
    assert _evidence(assessment) == [
        ("AWS-EKS-IRSA", "main.tf", 7, "P2", "eks.amazonaws.com/role-arn"),
        ("AWS-LB-CONTROLLER", "main.tf", 14, "P2", "alb"),
        ("AZURE-AKS-LOAD-BALANCER", "main.tf", 26, "P2", "service.beta.kubernetes.io/azure-load-balancer-internal"),
    ]
