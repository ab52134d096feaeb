package io.microshift.update.pause;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.HttpURLConnection;
import java.util.function.Predicate;

/**
 * Read-modify-write with optimistic concurrency: the update carries the resourceVersion that was
 * read, so a concurrent change makes it fail with 409 and it is redone on a fresh read, a bounded
 * number of times.
 */
final class ObjectUpdates {
  static final int ATTEMPTS = 5;

  private final KubernetesClient client;
  private final Workloads workloads;

  ObjectUpdates(KubernetesClient client, Workloads workloads) {
    this.client = client;
    this.workloads = workloads;
  }

  /**
   * Applies {@code edit} to a fresh copy of the object and updates it when edit returns true.
   * Returns the object as stored afterwards, or null when it does not exist.
   */
  HasMetadata update(WorkloadRef ref, Predicate<HasMetadata> edit) {
    KubernetesClientException last = null;
    for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
      HasMetadata current = workloads.get(ref);
      if (current == null) {
        return null;
      }
      if (!edit.test(current)) {
        return current;
      }
      try {
        return client.resource(current).update();
      } catch (KubernetesClientException e) {
        if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
          throw e;
        }
        last = e;
      }
    }
    throw new IllegalStateException(ref + ": still conflicting after " + ATTEMPTS + " attempts", last);
  }
}
