package io.microshift.update.controlplane;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a device gets from this repository, applied to a real API server as the admin: the CRD
 * of {@code crds/}, and from {@code manifests/} the namespace, the ServiceAccount, the RBAC, the
 * Deployment and the Service. {@code scc.yaml} is left out: SecurityContextConstraints is an
 * OpenShift kind that a plain kube-apiserver does not serve.
 */
public final class DeviceManifests {
  public static final String CRD_FILE = "crds/updateplans.updates.microshift.io-v1.yml";
  public static final List<String> MANIFESTS = List.of("namespace.yaml", "serviceaccount.yaml", "rbac.yaml",
      "deployment.yaml", "service.yaml");
  public static final String NAMESPACE = "microshift-update";
  public static final String SERVICE_ACCOUNT = "microshift-update-operator";
  public static final String DEPLOYMENT = "microshift-update-operator";

  private DeviceManifests() {}

  /** Applies the CRD and the manifests (create, or replace what is there) and waits for the CRD to serve. */
  public static void apply(KubernetesClient admin, Path repo) {
    applyCrd(admin, repo);
    for (String m : MANIFESTS) {
      for (HasMetadata o : load(admin, repo.resolve("manifests").resolve(m))) {
        admin.resource(o).createOr(existing -> existing.patch(PatchContext.of(PatchType.JSON_MERGE), o));
      }
    }
  }

  /** The CRD of crds/, applied and Established. */
  public static void applyCrd(KubernetesClient admin, Path repo) {
    CustomResourceDefinition crd;
    try (InputStream in = Files.newInputStream(repo.resolve(CRD_FILE))) {
      crd = admin.getKubernetesSerialization().unmarshal(in, CustomResourceDefinition.class);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    admin.apiextensions().v1().customResourceDefinitions().resource(crd).createOr(x -> x.update());
    admin.apiextensions().v1().customResourceDefinitions().withName(crd.getMetadata().getName())
        .waitUntilCondition(c -> c != null && c.getStatus() != null && c.getStatus().getConditions() != null
            && c.getStatus().getConditions().stream()
            .anyMatch(k -> "Established".equals(k.getType()) && "True".equals(k.getStatus())),
            Duration.ofSeconds(60).toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
  }

  private static List<HasMetadata> load(KubernetesClient admin, Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      return admin.load(in).items();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The operator container's environment as the Deployment gives it (plain values, and the
   * namespace for a {@code fieldRef} to metadata.namespace), for {@code OperatorConfig}.
   */
  public static Map<String, String> operatorEnvironment(KubernetesClient admin) {
    Deployment d = admin.apps().deployments().inNamespace(NAMESPACE).withName(DEPLOYMENT).get();
    Map<String, String> env = new LinkedHashMap<>();
    for (EnvVar v : d.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv()) {
      if (v.getValue() != null) {
        env.put(v.getName(), v.getValue());
      } else if (v.getValueFrom() != null && v.getValueFrom().getFieldRef() != null
          && "metadata.namespace".equals(v.getValueFrom().getFieldRef().getFieldPath())) {
        env.put(v.getName(), d.getMetadata().getNamespace());
      }
    }
    return env;
  }
}
