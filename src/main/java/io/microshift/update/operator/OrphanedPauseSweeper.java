package io.microshift.update.operator;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.microshift.update.api.UpdatePlan;
import io.microshift.update.pause.OrphanedPauses;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Resumes, on the leader, the workloads that a deleted plan left paused (its finalizer removed
 * by hand, so its own resume never ran): at start and then every {@link #INTERVAL}. A plan
 * deleted that way sends the operator no event it can act on, so a periodic sweep is what finds
 * them; it costs one list per pausable kind and one of the plans.
 */
public final class OrphanedPauseSweeper implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(OrphanedPauseSweeper.class);
  public static final Duration INTERVAL = Duration.ofMinutes(1);
  public static final String RESUMED_REASON = "OrphanedPauseResumed";
  public static final String CONFLICT_REASON = "OrphanedPauseConflict";

  private final KubernetesClient client;
  private final OrphanedPauses orphans;
  private final KubernetesEventRecorder events;
  private ScheduledExecutorService executor;

  public OrphanedPauseSweeper(KubernetesClient client, String operatorNamespace, KubernetesEventRecorder events) {
    this.client = client;
    this.orphans = new OrphanedPauses(client, operatorNamespace);
    this.events = events;
  }

  /** Starts the periodic sweep (idempotent). */
  public synchronized void start() {
    if (executor != null) {
      return;
    }
    executor = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "orphaned-pause-sweeper");
      t.setDaemon(true);
      return t;
    });
    executor.scheduleWithFixedDelay(this::sweepQuietly, 0, INTERVAL.toSeconds(), TimeUnit.SECONDS);
  }

  /** One sweep: resumes the orphans, with an Event on each object and a log line. */
  public List<OrphanedPauses.Outcome> sweep() {
    List<OrphanedPauses.Outcome> outcomes = orphans.resume(this::plansByName);
    for (OrphanedPauses.Outcome o : outcomes) {
      String why = "paused by plan " + o.plan() + (o.planUid() == null ? "" : " (uid " + o.planUid() + ")")
          + ", which no longer exists (deleted without its finalizer)";
      String reason = o.resumed() ? RESUMED_REASON : CONFLICT_REASON;
      events.warningOn(o.object(), reason, why + (o.resumed() ? "; resumed: " : "; not resumed: ") + o.message());
      LOG.atWarn().addKeyValue("workload", o.ref().toString()).addKeyValue("plan", o.plan())
          .addKeyValue("planUid", o.planUid()).addKeyValue("reason", reason)
          .log("{}; {}", why, o.message());
    }
    return outcomes;
  }

  private Map<String, String> plansByName() {
    Map<String, String> plans = new HashMap<>();
    for (UpdatePlan p : client.resources(UpdatePlan.class).list().getItems()) {
      plans.put(p.getMetadata().getName(), p.getMetadata().getUid());
    }
    return plans;
  }

  private void sweepQuietly() {
    try {
      sweep();
    } catch (RuntimeException e) {
      LOG.atWarn().log("orphaned-pause sweep failed, retried in {}: {}", INTERVAL, e.getMessage());
    }
  }

  @Override
  public synchronized void close() {
    if (executor != null) {
      executor.shutdownNow();
      executor = null;
    }
  }
}
