package io.microshift.update.pause;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.CronJobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Map;

/** Workloads on the mock server. */
final class Fixtures {
  private Fixtures() {}

  static Deployment deployment(KubernetesClient client, String ns, String name, Integer replicas,
      Map<String, String> labels, Map<String, String> annotations) {
    return client.resource(new DeploymentBuilder().withNewMetadata().withNamespace(ns).withName(name)
        .withLabels(labels).withAnnotations(annotations).endMetadata()
        .withNewSpec().withReplicas(replicas).withNewSelector().addToMatchLabels("app", name).endSelector()
        .withNewTemplate().withNewMetadata().addToLabels("app", name).endMetadata()
        .withNewSpec().addNewContainer().withName("main").withImage("img").endContainer().endSpec()
        .endTemplate().endSpec().build()).create();
  }

  static StatefulSet statefulSet(KubernetesClient client, String ns, String name, Integer replicas,
      Map<String, String> labels) {
    return client.resource(new StatefulSetBuilder().withNewMetadata().withNamespace(ns).withName(name)
        .withLabels(labels).endMetadata()
        .withNewSpec().withReplicas(replicas).withNewSelector().addToMatchLabels("app", name).endSelector()
        .withNewTemplate().withNewMetadata().addToLabels("app", name).endMetadata()
        .withNewSpec().addNewContainer().withName("main").withImage("img").endContainer().endSpec()
        .endTemplate().endSpec().build()).create();
  }

  static CronJob cronJob(KubernetesClient client, String ns, String name, Boolean suspend,
      Map<String, String> labels, Map<String, String> annotations) {
    return client.resource(new CronJobBuilder().withNewMetadata().withNamespace(ns).withName(name)
        .withLabels(labels).withAnnotations(annotations).endMetadata()
        .withNewSpec().withSchedule("0 3 * * *").withSuspend(suspend).withNewJobTemplate().withNewSpec()
        .withNewTemplate().withNewSpec().addNewContainer().withName("job").withImage("img").endContainer()
        .withRestartPolicy("Never").endSpec().endTemplate().endSpec().endJobTemplate().endSpec().build()).create();
  }

  static Pod pod(KubernetesClient client, String ns, String name, Map<String, String> labels, String phase) {
    return client.resource(new PodBuilder().withNewMetadata().withNamespace(ns).withName(name)
        .withLabels(labels).endMetadata().withNewSpec().addNewContainer().withName("main").withImage("img")
        .endContainer().endSpec().withNewStatus().withPhase(phase).endStatus().build()).create();
  }

  static Job jobOf(KubernetesClient client, CronJob owner, String name) {
    return client.resource(new JobBuilder().withNewMetadata().withNamespace(owner.getMetadata().getNamespace())
        .withName(name).addNewOwnerReference().withApiVersion("batch/v1").withKind("CronJob")
        .withName(owner.getMetadata().getName()).withUid("uid-" + owner.getMetadata().getName()).endOwnerReference()
        .endMetadata().withNewSpec().withNewTemplate().withNewSpec().addNewContainer().withName("job")
        .withImage("img").endContainer().withRestartPolicy("Never").endSpec().endTemplate().endSpec().build()).create();
  }

  static Pod podOfJob(KubernetesClient client, Job job, String name, String phase) {
    return client.resource(new PodBuilder().withNewMetadata().withNamespace(job.getMetadata().getNamespace())
        .withName(name).addNewOwnerReference().withApiVersion("batch/v1").withKind("Job")
        .withName(job.getMetadata().getName()).withUid("uid-" + job.getMetadata().getName()).endOwnerReference()
        .endMetadata().withNewSpec().addNewContainer().withName("job").withImage("img").endContainer().endSpec()
        .withNewStatus().withPhase(phase).endStatus().build()).create();
  }

  static Deployment getDeployment(KubernetesClient client, String ns, String name) {
    return client.apps().deployments().inNamespace(ns).withName(name).get();
  }

  static StatefulSet getStatefulSet(KubernetesClient client, String ns, String name) {
    return client.apps().statefulSets().inNamespace(ns).withName(name).get();
  }

  static CronJob getCronJob(KubernetesClient client, String ns, String name) {
    return client.batch().v1().cronjobs().inNamespace(ns).withName(name).get();
  }

  static Map<String, String> ours(HasMetadata o) {
    Map<String, String> a = o.getMetadata().getAnnotations() == null ? Map.of() : o.getMetadata().getAnnotations();
    Map<String, String> ours = new java.util.TreeMap<>();
    a.forEach((k, v) -> {
      if (k.startsWith("updates.microshift.io/") && !k.equals(PauseAnnotations.PAUSE)) {
        ours.put(k, v);
      }
    });
    return ours;
  }
}
