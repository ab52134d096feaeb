package io.microshift.update.operator.port;

import io.microshift.update.api.UpdatePlan;
import io.microshift.update.operator.EventRecorder;
import io.microshift.update.operator.StatusWriter;
import java.util.List;

/** The workloads' annotated hooks (issue 5): discovered from pods, exec'd through the API. */
public interface WorkloadHooks {

  /** pre-update, post-update, post-rollback. */
  enum Stage {
    PRE_UPDATE("pre-update"),
    POST_UPDATE("post-update"),
    POST_ROLLBACK("post-rollback");

    public final String annotationPrefix;

    Stage(String annotationPrefix) {
      this.annotationPrefix = annotationPrefix;
    }
  }

  /** Result of running one stage. {@code failure} is null when the plan may go on. */
  record Outcome(String failure, List<String> continued) {
    public boolean ok() {
      return failure == null;
    }
  }

  /** What would run and what is malformed ({@code blocking}: malformed with on-error Fail). */
  record Preview(List<String> hooks, List<String> malformed, List<String> blocking) {}

  Preview preview(UpdatePlan plan, Stage stage);

  /** Runs the stage's hooks; each attempt is recorded in status before its exec. */
  Outcome run(UpdatePlan plan, Stage stage, StatusWriter writer, EventRecorder events);
}
