package io.microshift.update.operator;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.microshift.update.api.UpdatePlan;
import java.net.HttpURLConnection;

/**
 * Writes status through the status subresource with optimistic locking. Only this operator (one
 * leader) writes status, so on a resourceVersion conflict it re-reads the plan and writes its
 * status again on top of the newer object (which may carry a changed spec or metadata).
 */
public final class ApiStatusWriter implements StatusWriter {
  static final int MAX_ATTEMPTS = 5;

  private final KubernetesClient client;

  public ApiStatusWriter(KubernetesClient client) {
    this.client = client;
  }

  @Override
  public UpdatePlan save(UpdatePlan plan) {
    UpdatePlan attempt = plan;
    for (int i = 1; ; i++) {
      try {
        UpdatePlan saved = client.resource(attempt).updateStatus();
        plan.getMetadata().setResourceVersion(saved.getMetadata().getResourceVersion());
        return plan;
      } catch (KubernetesClientException e) {
        if (e.getCode() != HttpURLConnection.HTTP_CONFLICT || i >= MAX_ATTEMPTS) {
          throw e;
        }
        UpdatePlan latest = client.resources(UpdatePlan.class).withName(plan.getMetadata().getName()).get();
        if (latest == null) {
          throw e;
        }
        latest.setStatus(plan.getStatus());
        attempt = latest;
      }
    }
  }
}
