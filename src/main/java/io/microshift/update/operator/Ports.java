package io.microshift.update.operator;

import io.microshift.update.operator.port.HostHandoff;
import io.microshift.update.operator.port.WorkloadHooks;
import io.microshift.update.operator.port.WorkloadPausing;

/** The parts of the operator that talk to things other than the UpdatePlan API. */
public record Ports(WorkloadHooks hooks, WorkloadPausing pausing, HostHandoff host) {}
