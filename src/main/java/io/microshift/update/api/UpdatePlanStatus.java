package io.microshift.update.api;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

/** What the operator observed and did. Everything the state machine needs to resume lives here. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public class UpdatePlanStatus {

  @JsonPropertyDescription("Where the plan is in the update flow.")
  public Phase phase;

  @JsonPropertyDescription("When the plan entered its current phase (RFC 3339).")
  public String phaseTransitionTime;

  @JsonPropertyDescription("One line for humans: what is happening or what to do.")
  public String message;

  @JsonPropertyDescription("The generation of spec this status describes.")
  public Long observedGeneration;

  @JsonPropertyDescription("The generation of spec that was accepted when the plan started; later changes are refused.")
  public Long acceptedGeneration;

  @JsonPropertyDescription("A copy of spec as accepted when the plan started: the steps act on this, never on a spec changed later.")
  public UpdatePlanSpec acceptedSpec;

  @JsonPropertyDescription("Kubernetes conditions: Ready, Queued, Progressing, Degraded, SpecChangeRefused, ...")
  public List<Condition> conditions = new ArrayList<>();

  @JsonPropertyDescription("The MicroShift version before the update.")
  public String fromVersion;

  @JsonPropertyDescription("The MicroShift version after the update.")
  public String toVersion;

  @JsonPropertyDescription("The platform backup set (etcd snapshot) taken before the hand-off.")
  public BackupStatus backup;

  @JsonPropertyDescription("One entry per hook and phase: what ran, with exit code and output tail.")
  @Size(max = 2000)
  public List<HookStatus> hooks = new ArrayList<>();

  @JsonPropertyDescription("Workloads the plan paused, with what resume restores.")
  public List<PausedWorkload> pausedWorkloads = new ArrayList<>();

  @JsonPropertyDescription("The request handed to the host agent (request.json).")
  public HandoffStatus handoff;

  @JsonPropertyDescription("What the host agent last reported (host-status.json).")
  public HostReport host;

  @JsonPropertyDescription("Dry run only: what the plan would do.")
  public PreviewStatus preview;

  @JsonPropertyDescription("When the operator resumed the paused workloads after the reboot (RFC 3339).")
  public String workloadsResumedAt;

  @JsonPropertyDescription("When the plan left Pending (RFC 3339).")
  public String startTime;

  @JsonPropertyDescription("When the plan reached Succeeded, RolledBack or Failed (RFC 3339).")
  public String completionTime;

  /** Not part of the API: set when status could not be read into these types (see LenientReader). */
  @JsonIgnore
  public String unreadable;
}
