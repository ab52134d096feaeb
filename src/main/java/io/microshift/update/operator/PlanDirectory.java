package io.microshift.update.operator;

import io.microshift.update.api.UpdatePlan;
import java.util.List;

/** All UpdatePlans the operator knows (the informer cache), for queueing. */
@FunctionalInterface
public interface PlanDirectory {
  List<UpdatePlan> all();
}
