package io.microshift.update.operator;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.microshift.update.api.UpdatePlan;
import java.net.HttpURLConnection;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.HexFormat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * core/v1 Events about plans. UpdatePlans are cluster-scoped, so their events go to the
 * {@code default} namespace, where {@code oc describe updateplan} and {@code oc get events} find
 * them. Events on the workload authors' own objects (a paused Deployment, the pod a hook ran in) go
 * to the object's namespace and are named after what they say ({@link #onceName}), so that a
 * replayed step finds its event already there (409) instead of recording it twice. The plan's own
 * events are aggregated as client-go does: the same event again raises the count of the first
 * one ({@link #record(HasMetadata, String, String, String, String)}). A failure to record an event
 * is logged, never fatal.
 */
public final class KubernetesEventRecorder implements EventRecorder {
  private static final Logger LOG = LoggerFactory.getLogger(KubernetesEventRecorder.class);
  static final String NAMESPACE = "default";
  static final String COMPONENT = "microshift-update-operator";
  static final int MAX_MESSAGE = 1024;

  private final KubernetesClient client;
  private final Clock clock;

  public KubernetesEventRecorder(KubernetesClient client, Clock clock) {
    this.client = client;
    this.clock = clock;
  }

  @Override
  public void normal(UpdatePlan plan, String reason, String message) {
    record(plan, "Normal", reason, message);
  }

  @Override
  public void warning(UpdatePlan plan, String reason, String message) {
    record(plan, "Warning", reason, message);
  }

  private void record(UpdatePlan plan, String type, String reason, String message) {
    record(plan, NAMESPACE, type, reason, message);
  }

  /**
   * A Warning about a namespaced object the operator acted on (a workload it resumed), in the
   * object's own namespace, where {@code oc describe} of that object shows it.
   */
  public void warningOn(HasMetadata object, String reason, String message) {
    record(object, object.getMetadata().getNamespace(), "Warning", reason, message);
  }

  @Override
  public void normalOn(UpdatePlan plan, ObjectReference object, String reason, String message) {
    recordOnce(plan, object, "Normal", reason, message);
  }

  @Override
  public void warningOn(UpdatePlan plan, ObjectReference object, String reason, String message) {
    recordOnce(plan, object, "Warning", reason, message);
  }

  private void recordOnce(UpdatePlan plan, ObjectReference object, String type, String reason, String message) {
    ObjectReference ref = withUid(object);
    String text = clip(message);
    create(onceName(plan, ref, type, reason, text), ref, type, reason, text);
  }

  /**
   * An event aggregated as client-go's recorder does it: the same event again (same source,
   * object, type, reason and message: client-go tools/record/events_cache.go {@code getEventKey})
   * is the same Event object with {@code count} raised and {@code lastTimestamp} moved
   * ({@code eventLogger.eventObserve}), not a new one. client-go finds the earlier one in a cache
   * in its memory; here the name is derived from that key, so a restarted operator continues the
   * count of the Event in the API server.
   */
  private void record(HasMetadata object, String namespace, String type, String reason, String message) {
    ObjectReference ref = new ObjectReferenceBuilder()
        .withApiVersion(object.getApiVersion())
        .withKind(object.getKind())
        .withNamespace(object.getMetadata().getNamespace())
        .withName(object.getMetadata().getName())
        .withUid(object.getMetadata().getUid())
        .withResourceVersion(object.getMetadata().getResourceVersion())
        .build();
    String text = clip(message);
    String name = eventName(ref.getName(), String.join("\n", COMPONENT, ref.getKind(), String.valueOf(ref.getNamespace()),
        ref.getName(), String.valueOf(ref.getUid()), String.valueOf(ref.getApiVersion()), type, reason, text));
    if (!create(name, namespace, ref, type, reason, text)) {
      countAgain(namespace, name, ref, reason);
    }
  }

  /** The existing Event {@code name} seen once more: count + 1, lastTimestamp now. */
  private void countAgain(String namespace, String name, ObjectReference ref, String reason) {
    String now = Instant.now(clock).toString();
    try {
      client.v1().events().inNamespace(namespace).withName(name).edit(e -> new EventBuilder(e)
          .withCount(e.getCount() == null ? 2 : e.getCount() + 1)
          .withLastTimestamp(now)
          .build());
    } catch (RuntimeException e) {
      logFailure(ref, reason, e);
    }
  }

  private void create(String name, ObjectReference ref, String type, String reason, String text) {
    create(name, ref.getNamespace(), ref, type, reason, text);
  }

  /** Creates the Event; false when one of that name exists already (409), true otherwise (failures are logged). */
  private boolean create(String name, String namespace, ObjectReference ref, String type, String reason, String text) {
    String now = Instant.now(clock).toString();
    try {
      client.v1().events().inNamespace(namespace).resource(new EventBuilder()
          .withNewMetadata().withName(name).withNamespace(namespace).endMetadata()
          .withInvolvedObject(ref)
          .withType(type)
          .withReason(reason)
          .withMessage(text)
          .withFirstTimestamp(now)
          .withLastTimestamp(now)
          .withCount(1)
          .withNewSource().withComponent(COMPONENT).endSource()
          .withReportingComponent(COMPONENT)
          .build()).create();
    } catch (KubernetesClientException e) {
      if (e.getCode() == HttpURLConnection.HTTP_CONFLICT) {
        LOG.atDebug().addKeyValue("event", namespace + "/" + name).log("event already recorded");
        return false;
      }
      logFailure(ref, reason, e);
    } catch (RuntimeException e) {
      logFailure(ref, reason, e);
    }
    return true;
  }

  private static void logFailure(ObjectReference ref, String reason, RuntimeException e) {
    LOG.atWarn().addKeyValue("object", ref.getKind() + " " + ref.getName()).addKeyValue("reason", reason)
        .log("could not record event: {}", e.getMessage());
  }

  private static String clip(String message) {
    return message == null ? "" : message.length() > MAX_MESSAGE
        ? message.substring(0, MAX_MESSAGE - 3) + "..." : message;
  }

  /**
   * {@code oc describe} finds an object's events by kind, namespace, name and uid (client-go
   * kubernetes/typed/core/v1/event_expansion.go, Search and
   * GetFieldSelector), so an event without the uid is not shown: a pod named
   * by a hook's status entry is read for it. A pod that is gone gets the event without a uid.
   */
  private ObjectReference withUid(ObjectReference object) {
    if (object.getUid() != null || !"Pod".equals(object.getKind())) {
      return object;
    }
    try {
      Pod pod = client.pods().inNamespace(object.getNamespace()).withName(object.getName()).get();
      if (pod == null) {
        return object;
      }
      return new ObjectReferenceBuilder(object).withUid(pod.getMetadata().getUid())
          .withResourceVersion(pod.getMetadata().getResourceVersion()).build();
    } catch (RuntimeException e) {
      LOG.atDebug().addKeyValue("pod", object.getNamespace() + "/" + object.getName())
          .log("could not read the pod's uid: {}", e.getMessage());
      return object;
    }
  }

  /**
   * The object's name and a hash of the plan, the object, the type, the reason and the message:
   * the same event twice has the same name. At most 253 characters (a DNS subdomain).
   */
  static String onceName(UpdatePlan plan, ObjectReference ref, String type, String reason, String message) {
    return eventName(ref.getName(), String.join("\n", String.valueOf(plan.getMetadata().getUid()),
        plan.getMetadata().getName(), ref.getKind(), ref.getNamespace(), ref.getName(), String.valueOf(ref.getUid()),
        type, reason, message));
  }

  /** {@code objectName.<16 hex of SHA-256(key)>}, at most 253 characters (a DNS subdomain). */
  private static String eventName(String objectName, String key) {
    String hash;
    try {
      hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(key.getBytes(StandardCharsets.UTF_8))).substring(0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
    String base = objectName.length() > 253 - 17 ? objectName.substring(0, 253 - 17) : objectName;
    return base.replaceAll("[^a-z0-9]+$", "") + "." + hash;
  }
}
