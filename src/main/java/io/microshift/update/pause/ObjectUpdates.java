package io.microshift.update.pause;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.HttpURLConnection;
import java.util.function.Predicate;

/**
 * Read-modify-write with optimistic concurrency: the update carries the resourceVersion of the
 * copy it was edited from, so a concurrent change since that copy makes it fail with 409 and it is
 * redone on a fresh read, a bounded number of times. The copy may be the one a list returned
 * ({@link #update(HasMetadata, Predicate)}): then an object nobody changed since costs one request,
 * the update, and a stale copy costs a 409 and a read more, never a lost change.
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
    return update(ref, null, edit);
  }

  /**
   * As {@link #update(WorkloadRef, Predicate)}, the first attempt on {@code listed} (edited in
   * place; it must carry its resourceVersion), without reading it again: a 409 says it is stale,
   * and the edit is redone on a fresh read. {@code edit} must decide from the copy it is given
   * only, as it may see an older one first.
   */
  HasMetadata update(HasMetadata listed, Predicate<HasMetadata> edit) {
    if (listed.getMetadata().getResourceVersion() == null) {
      throw new IllegalArgumentException(Workloads.ref(listed) + " has no resourceVersion: an update from it"
          + " could overwrite a concurrent change");
    }
    return update(Workloads.ref(listed), listed, edit);
  }

  private HasMetadata update(WorkloadRef ref, HasMetadata first, Predicate<HasMetadata> edit) {
    HasMetadata current = first;
    KubernetesClientException last = null;
    for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
      if (current == null) {
        current = workloads.get(ref);
      }
      if (current == null) {
        return null;
      }
      if (!edit.test(current)) {
        return current;
      }
      try {
        return client.resource(current).update();
      } catch (KubernetesClientException e) {
        if (e.getCode() == HttpURLConnection.HTTP_NOT_FOUND) {
          return null; // deleted since it was read
        }
        if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
          throw e;
        }
        last = e;
        current = null;
      }
    }
    throw new IllegalStateException(ref + ": still conflicting after " + ATTEMPTS + " attempts", last);
  }
}
