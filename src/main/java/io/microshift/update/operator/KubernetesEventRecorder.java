package io.microshift.update.operator;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.microshift.update.api.UpdatePlan;
import java.time.Clock;
import java.time.Instant;
import java.util.Locale;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * core/v1 Events about plans. UpdatePlans are cluster-scoped, so their events go to the
 * {@code default} namespace, where {@code oc describe updateplan} and {@code oc get events} find
 * them. A failure to record an event is logged, never fatal.
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

  private void record(HasMetadata object, String namespace, String type, String reason, String message) {
    String now = Instant.now(clock).toString();
    String name = object.getMetadata().getName() + "." + UUID.randomUUID().toString().substring(0, 13)
        .replace("-", "").toLowerCase(Locale.ROOT);
    String text = message == null ? "" : message.length() > MAX_MESSAGE
        ? message.substring(0, MAX_MESSAGE - 3) + "..." : message;
    try {
      client.v1().events().inNamespace(namespace).resource(new EventBuilder()
          .withNewMetadata().withName(name).withNamespace(namespace).endMetadata()
          .withInvolvedObject(new ObjectReferenceBuilder()
              .withApiVersion(object.getApiVersion())
              .withKind(object.getKind())
              .withNamespace(object.getMetadata().getNamespace())
              .withName(object.getMetadata().getName())
              .withUid(object.getMetadata().getUid())
              .withResourceVersion(object.getMetadata().getResourceVersion())
              .build())
          .withType(type)
          .withReason(reason)
          .withMessage(text)
          .withFirstTimestamp(now)
          .withLastTimestamp(now)
          .withCount(1)
          .withNewSource().withComponent(COMPONENT).endSource()
          .withReportingComponent(COMPONENT)
          .build()).create();
    } catch (RuntimeException e) {
      LOG.atWarn().addKeyValue("object", object.getKind() + " " + object.getMetadata().getName()).addKeyValue("reason", reason)
          .log("could not record event: {}", e.getMessage());
    }
  }
}
