package io.microshift.update.operator;

import io.microshift.update.api.UpdatePlan;
import java.util.List;

/** All UpdatePlans on the API server (a list call, not an informer cache), for queueing. */
@FunctionalInterface
public interface PlanDirectory {
  List<UpdatePlan> all();
}
